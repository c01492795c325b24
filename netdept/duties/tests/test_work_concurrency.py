"""Doing duties under load: two reviewers accepting the same submission at the same instant
(one wins, the other is told it awaits no review — never two audit records of acceptance),
and the lists (my duties, 待我复核, the home widget) cost the same number of queries with 3
rows as with 12 (no N+1). The race needs PostgreSQL or an SQLite file
(``NETDEPT_TEST_SQLITE_NAME=/tmp/x.sqlite3``): the in-memory database fails on table locks."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties.models import Occurrence
from netdept.duties.services import occurrences as svc
from netdept.duties.tests.test_work_fixtures import make_duty, make_occurrence
from netdept.testing.clients import ui_client


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )
    h = hospital.build()
    occ = make_occurrence(make_duty(), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review(who: str, accept: bool) -> None:
        try:
            fresh = Occurrence.objects.get(pk=occ.pk)
            barrier.wait(timeout=10)
            svc.review(fresh, by=h[who], accept=accept, comment="" if accept else "补充")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=review, args=("liuqiang", True)),
        threading.Thread(target=review, args=("wangjg", False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused:status"]
    final = Occurrence.objects.get(pk=occ.pk)
    assert final.status in ("done", "returned")
    changes = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="duties.occurrence", object_id=str(occ.pk)
    )
    assert changes.count() == 2  # the submission and one review


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["duties:mine", "duties:review_queue", "home"])
def test_lists_make_a_constant_number_of_queries(view: str) -> None:
    h = hospital.build()
    duty = make_duty(evidence_kind="photo")
    lead = ui_client(h.user("liuqiang"))
    mine = ui_client(h.user("zhangwei"))
    client = lead if view == "duties:review_queue" else mine

    made = [0]

    def add(count: int) -> None:
        for _ in range(count):
            made[0] += 1
            occ = make_occurrence(make_duty(), h["zhangwei"], due_in_hours=-1, status="overdue")
            svc.submit(occ, by=h["zhangwei"])
            make_occurrence(duty, h["zhangwei"], due_in_hours=-1 - made[0], status="overdue")

    def measure() -> int:
        client.get(reverse(view))  # warm caches (permissions, sessions)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(view)).status_code == 200
        return len(ctx.captured_queries)

    add(3)
    few = measure()
    add(9)
    many = measure()
    assert many == few, f"{view}: {few} queries with 3 rows, {many} with 12"
