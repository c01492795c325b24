"""The overdue sweep (任务逾期): marked once, the owner and the assigner told once, a violation
by the department's policy rule ("完不成者扣20元/次") once per task; and the tasks' lines for
daily logs and reports (``contrib_tasks``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from netdept.duties.models import Penalty, PenaltyRule, PenaltyStep, Violation
from netdept.notify.models import Notification
from netdept.testing.factories import PersonFactory, TeamFactory, UserFactory
from netdept.worklog import contrib_tasks, contributions, sweep_tasks
from netdept.worklog.models import Task, WorklogPolicy
from netdept.worklog.services import tasks

pytestmark = pytest.mark.django_db
SH = timezone.get_default_timezone()


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


@pytest.fixture
def org() -> dict[str, Any]:
    team = TeamFactory.create()
    lead = PersonFactory.create(department=team.department, team=team, user=UserFactory.create())
    team.lead = lead
    team.save()
    eng = PersonFactory.create(department=team.department, team=team, user=UserFactory.create())
    return {"team": team, "lead": lead, "eng": eng}


def _task(org: dict[str, Any], due: dt.date, **kw: Any) -> Task:
    return Task.objects.create(
        title=kw.pop("title", "更换 UPS 电池"), owner=org["eng"], assigned_by=org["lead"],
        team=org["team"], department=org["team"].department, due_on=due, **kw,
    )  # fmt: skip


def _rule() -> PenaltyRule:
    rule = PenaltyRule.objects.create(code="task-unfinished", name="完不成者扣20元/次")
    PenaltyStep.objects.create(rule=rule, offence=1, sanction="fine", amount=Decimal("20.00"))
    return rule


def test_overdue_is_told_once_and_fined_by_the_policy(
    org: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    WorklogPolicy.objects.create(name="市场部", department=org["team"].department,
                                 task_overdue_penalty_rule=_rule())  # fmt: skip
    due = dt.date(2026, 3, 10)
    late = _task(org, due)
    on_time = _task(org, dt.date(2026, 3, 11))
    finished = _task(org, due, status="done")
    with django_capture_on_commit_callbacks(execute=True):
        done = sweep_tasks.sweep(now=at(dt.date(2026, 3, 10), 23))
    assert done == {"overdue": 0, "violations": 0}  # still the due day
    with django_capture_on_commit_callbacks(execute=True):
        done = sweep_tasks.sweep(now=at(dt.date(2026, 3, 11), 1))
    assert done == {"overdue": 1, "violations": 1}
    late.refresh_from_db()
    assert late.overdue_at is not None and late.violation is not None
    v = Violation.objects.get()
    assert (v.person, v.record_id) == (org["eng"], str(late.pk))
    assert v.occurred_at == at(dt.date(2026, 3, 11), 0)
    assert Penalty.objects.get(violation=v).amount == Decimal("20.00")
    note = Notification.objects.get(kind="worklog.task_overdue")
    assert note.data["task"] == late.title
    # again: nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_tasks.sweep(now=at(dt.date(2026, 3, 12)))["overdue"] == 1  # on_time now
    assert Violation.objects.count() == 2
    on_time.refresh_from_db()
    finished.refresh_from_db()
    assert on_time.overdue_at is not None and finished.overdue_at is None
    assert Notification.objects.filter(kind="worklog.task_overdue").count() == 2


def test_a_new_due_date_tells_again_but_never_fines_twice(org: dict[str, Any]) -> None:
    WorklogPolicy.objects.create(name="默认", task_overdue_penalty_rule=_rule())
    t = _task(org, dt.date(2026, 3, 10))
    sweep_tasks.sweep(now=at(dt.date(2026, 3, 11)))
    Task.objects.filter(pk=t.pk).update(due_on=dt.date(2026, 3, 12), overdue_at=None)
    assert sweep_tasks.sweep(now=at(dt.date(2026, 3, 13)))["overdue"] == 1
    assert Violation.objects.count() == 1


def test_without_a_rule_only_told(org: dict[str, Any]) -> None:
    _task(org, dt.date(2026, 3, 10))
    assert sweep_tasks.sweep(now=at(dt.date(2026, 3, 11))) == {"overdue": 1, "violations": 0}
    assert not Violation.objects.exists()


def test_policy_of_the_nearest_department_above(org: dict[str, Any]) -> None:
    from netdept.testing.factories import DepartmentFactory

    parent = DepartmentFactory.create()
    child = DepartmentFactory.create(parent=parent)
    assert sweep_tasks.policy_for(child) is None
    site = WorklogPolicy.objects.create(name="全站")
    assert sweep_tasks.policy_for(child) == site
    mine = WorklogPolicy.objects.create(name="上级", department=parent)
    assert sweep_tasks.policy_for(child) == mine


def test_the_periodic_job_is_registered() -> None:
    from netdept.tasks.scheduler import jobs

    assert "worklog.task_overdue" in jobs()


# --- contributions -----------------------------------------------------------------------------
def test_lines_of_tasks_done_in_progress_and_overdue(org: dict[str, Any]) -> None:
    eng = org["eng"]
    day = timezone.localdate()
    start = at(day, 0)
    end = start + dt.timedelta(days=1)
    done = tasks.create_task(by=org["lead"], title="配置 VLAN", owner=eng, due_on=day)
    tasks.complete(done, by=eng, result="已完成\n细节略")
    doing = tasks.create_task(by=org["lead"], title="写手册", owner=eng, due_on=day)
    tasks.update_progress(doing, by=eng, progress=60)
    late = _task(org, day - dt.timedelta(days=1), title="更新台账")
    _task(org, day - dt.timedelta(days=5), title="早就逾期")  # not in this period
    with translation.override("zh-hans"):  # the drafter's language
        lines = contributions.collect([eng.pk], start, end)[eng.pk]
    got = {(code, line.state, line.record.pk) for code, line in lines}
    assert got == {
        (contrib_tasks.CODE, "done", done.pk),
        (contrib_tasks.CODE, "in_progress", doing.pk),
        (contrib_tasks.CODE, "problem", late.pk),
    }
    texts = " ".join(line.text for _code, line in lines)
    assert (
        "完成任务：配置 VLAN——已完成" in texts
        and "（60%）" in texts
        and "任务逾期：更新台账" in texts
    )
