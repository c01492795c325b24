"""Daily logs under load: two opens of the same person's day at the same instant give one log
drafted once; two re-drafts at once add each record once; the team's page and the log's page
cost the same number of queries with 3 people (entries) as with 12 (no N+1). The races need
PostgreSQL or an SQLite file (``NETDEPT_TEST_SQLITE_NAME``): the in-memory database fails on
table locks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netdept.testing.clients import ui_client
from netdept.testing.factories import PersonFactory
from netdept.worklog.models.logs import DailyLog, LogEntry
from netdept.worklog.services import logs
from netdept.worklog.tests.factories_logs import team3
from netdept.workorders.tests.factories import WorkOrderFactory


def _needs_real_locks() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )


def _twice(fn: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(2)
    out: list[Any] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            out.append(fn())
        except Exception as exc:  # the test says which
            out.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


@pytest.mark.django_db(transaction=True)
def test_two_opens_at_once_one_log_drafted_once() -> None:
    _needs_real_locks()
    t = team3()
    start, _end = logs.day_bounds(logs.today())
    for h in (8, 9, 10):
        WorkOrderFactory.create(assignee=t.alice, resolved_at=start + dt.timedelta(hours=h))
    results = _twice(lambda: logs.open_log(t.alice).pk)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert DailyLog.objects.filter(person=t.alice).count() == 1
    assert LogEntry.objects.filter(log_id=results[0]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_redrafts_at_once_add_each_record_once() -> None:
    _needs_real_locks()
    t = team3()
    log = logs.open_log(t.alice)
    start, _end = logs.day_bounds(log.day)
    WorkOrderFactory.create(assignee=t.alice, resolved_at=start + dt.timedelta(hours=9))
    results = _twice(lambda: logs.redraft(DailyLog.objects.get(pk=log.pk), by=t.alice))
    assert sorted(r for r in results if isinstance(r, int)) == [0, 1], results
    assert LogEntry.objects.filter(log=log).count() == 1


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


@pytest.mark.django_db
def test_the_pages_cost_the_same_with_more_rows() -> None:
    t = team3()
    lead = ui_client(t.lead_user)
    team_url = reverse("worklog:team_logs")
    log = logs.open_log(t.alice)
    for i in range(3):
        logs.add_entry(log, by=t.alice, text=f"条目{i}", minutes=5)
    logs.submit(log, by=t.alice)
    log_url = reverse("worklog:log", args=[log.pk])
    lead.get(team_url)  # warm caches
    few_team, few_log = _count(lead, team_url), _count(lead, log_url)
    for _ in range(9):
        p = PersonFactory.create(department=t.team.department, team=t.team)
        other = DailyLog.objects.create(person=p, day=log.day, status="submitted", reviewer=t.lead)
        LogEntry.objects.create(log=other, text="x")
    for i in range(9):
        LogEntry.objects.create(log=log, text=f"更多{i}", position=10 + i)
    assert _count(lead, team_url) == few_team
    assert _count(lead, log_url) == few_log
