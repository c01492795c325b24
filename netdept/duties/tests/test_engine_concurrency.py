"""Two schedulers at once: materialisation never writes an occurrence twice, and two sweeps
of the same minute move each occurrence once and tell each person once. Real threads, each
with its own database connection, start together at a barrier.

On PostgreSQL the unique constraint ``duties_occurrence_once`` settles the inserts (the bulk
insert ignores conflicts) and the sweep's ``SKIP LOCKED`` shares the rows; SQLite needs a
database file for concurrent writers (``NETDEPT_TEST_SQLITE_NAME=/tmp/x.sqlite3``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count

from netdept.approvals.tests import hospital
from netdept.duties.models import Occurrence, Violation
from netdept.duties.services import engine, sweeping
from netdept.duties.tests.engine_world import at, make_duty
from netdept.notify.models import Notification
from netdept.workcal.schedule import default_calendar

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _real_concurrency() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )


def race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(10)
            results[i] = call()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung (a deadlock?)"
    return results


def test_two_schedulers_materialise_each_occurrence_once() -> None:
    h = hospital.build()
    default_calendar()
    duties = [
        make_duty("team-daily", assignee_kind="team", team=h.ops, rrule="FREQ=DAILY", shift="skip"),
        make_duty("dept-weekly", assignee_kind="department", department=h.network),
        make_duty("rotation", assignee_kind="team", team=h.ops, assignee_mode="rotation"),
    ]
    expected = sum(len(engine.plan(d, at(3, 2, 8), None, engine.work_schedule())) for d in duties)
    for _round in range(ROUNDS):
        Occurrence.objects.all().delete()
        results = race(
            lambda: engine.materialise(now=at(3, 2, 8)),
            lambda: engine.materialise(now=at(3, 2, 8)),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Occurrence.objects.count() == expected
        twice = (
            Occurrence.objects.values("duty", "person", "due_at")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not twice.exists()


def test_two_sweeps_move_each_occurrence_once() -> None:
    h = hospital.build()
    default_calendar()
    for i in range(4):
        make_duty(f"d{i}", name=f"职责{i}", assignee_kind="team", team=h.ops, grace_minutes=0)
    engine.materialise(now=at(3, 2, 8))
    due = Occurrence.objects.filter(due_at=at(3, 2, 17)).count()
    assert due == 4 * 3
    results = race(
        lambda: sweeping.sweep(now=at(3, 2, 17)), lambda: sweeping.sweep(now=at(3, 2, 17))
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["missed"] for r in results) == due
    assert Occurrence.objects.filter(status="missed").count() == due
    assert Violation.objects.count() == due
    # each of the three people heard of their missed duties, and the lead of the others', in
    # at most one message per sweep that moved some of them
    per_user = Notification.objects.filter(kind="duties.missed").values("inbox_messages__user")
    counts = per_user.annotate(n=Count("id")).values_list("n", flat=True)
    assert counts and max(counts) <= 2
