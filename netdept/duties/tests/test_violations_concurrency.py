"""Two sweeps recording the same missed occurrence at once make one violation and one
penalty; two violations of one person at once get offences 1 and 2, never 1 and 1. Real
threads with their own connections (PostgreSQL, or an SQLite file: see
``netdept/approvals/tests/test_concurrency.py``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from netdept.approvals.tests import hospital
from netdept.duties.models import Penalty, Violation
from netdept.duties.services import violations as svc
from netdept.duties.tests import sanctions_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)


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
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung (a deadlock?)"
    return results


def test_two_sweeps_one_violation() -> None:
    h = hospital.build()
    rule = fx.rule()
    d = fx.duty(h["zhangwei"], rule)
    occ = fx.occurrence(d, h["zhangwei"], fx.at(2026, 3, 8, 17))
    got = race(*[lambda: svc.record_violation(h["zhangwei"], "missed", occurrence=occ)] * 2)
    assert all(isinstance(v, Violation) for v in got), got
    assert got[0].pk == got[1].pk
    assert Violation.objects.count() == 1 and Penalty.objects.count() == 1


def test_two_violations_at_once_are_offences_one_and_two() -> None:
    h = hospital.build()
    rule = fx.rule()
    occs = [
        fx.occurrence(fx.duty(h["zhangwei"], rule, code=f"w{i}"), h["zhangwei"],
                      fx.at(2026, 3, 1 + 7 * i, 17))
        for i in range(2)
    ]  # fmt: skip
    got = race(*[lambda o=o: svc.record_violation(h["zhangwei"], "missed", occurrence=o)
                 for o in occs])  # fmt: skip
    assert all(isinstance(v, Violation) for v in got), got
    numbers = sorted(Penalty.objects.values_list("offence_no", flat=True))
    assert numbers == [1, 2]
