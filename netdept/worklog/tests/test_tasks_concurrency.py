"""Tasks under load: the owner marks a task done while the lead cancels it at the same instant
(one wins, the other is told the task's status — never both), and two overdue sweeps at once
tell and fine a task once. The races need PostgreSQL or an SQLite file
(``NETDEPT_TEST_SQLITE_NAME=/tmp/x.sqlite3``): the in-memory database fails on table locks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties.models import PenaltyRule, PenaltyStep, Violation
from netdept.org.models import Person
from netdept.testing.factories import PersonFactory, TeamFactory, UserFactory
from netdept.worklog import sweep_tasks
from netdept.worklog.models import Task, WorklogPolicy
from netdept.worklog.services import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def _need_real_locks() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )


def _race(*jobs: Callable[[], None]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


def _org() -> tuple[Person, Person]:
    team = TeamFactory.create()
    lead = PersonFactory.create(department=team.department, team=team, user=UserFactory.create())
    team.lead = lead
    team.save()
    eng = PersonFactory.create(department=team.department, team=team, user=UserFactory.create())
    return lead, eng


def test_done_and_cancelled_at_once_one_wins() -> None:
    _need_real_locks()
    lead, eng = _org()
    t = tasks.create_task(by=lead, title="迁移 DNS", owner=eng,
                          due_on=timezone.localdate())  # fmt: skip
    outcomes = _race(
        lambda: tasks.complete(Task.objects.get(pk=t.pk), by=eng, result="完成"),
        lambda: tasks.cancel(Task.objects.get(pk=t.pk), by=lead, reason="不做了"),
    )
    assert outcomes == ["ok", "refused:status"]
    assert Task.objects.get(pk=t.pk).status in ("done", "cancelled")
    updates = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="worklog.task", object_id=str(t.pk)
    )
    assert updates.count() == 1


def test_two_sweeps_at_once_fine_once() -> None:
    _need_real_locks()
    lead, eng = _org()
    rule = PenaltyRule.objects.create(code="task-late", name="完不成者扣20元/次")
    PenaltyStep.objects.create(rule=rule, offence=1, sanction="fine", amount=Decimal("20.00"))
    WorklogPolicy.objects.create(name="默认", task_overdue_penalty_rule=rule)
    for i in range(5):
        Task.objects.create(title=f"任务{i}", owner=eng, assigned_by=lead,
                            department=eng.department, due_on=dt.date(2026, 3, 10))  # fmt: skip
    now = dt.datetime(2026, 3, 11, 9, tzinfo=timezone.get_default_timezone())
    assert _race(lambda: sweep_tasks.sweep(now=now), lambda: sweep_tasks.sweep(now=now)) == [
        "ok", "ok",
    ]  # fmt: skip
    assert Violation.objects.count() == 5
    assert not Task.objects.filter(overdue_at__isnull=True).exists()
