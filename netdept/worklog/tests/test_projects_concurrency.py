"""A gate requested twice at the same instant (a double click, two tabs): one request goes to
the approvals engine, the other is told the gate already awaits its approval. The race needs
PostgreSQL or an SQLite file (``NETDEPT_TEST_SQLITE_NAME``): the in-memory database fails on
table locks."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from netdept.approvals.models import ApprovalRequest
from netdept.testing.factories import PersonFactory, UserFactory
from netdept.worklog.models.projects import ProjectStage, StageStatus
from netdept.worklog.services import projects as svc
from netdept.worklog.tests.factories_projects import make_director, make_project


@pytest.mark.django_db(transaction=True)
def test_a_gate_requested_twice_at_once_is_sent_once() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )
    director = make_director()
    manager = PersonFactory.create(department=director.department, user=UserFactory.create())
    project = make_project(manager=manager, department=director.department)
    first = project.stages.order_by("order").first()
    assert first is not None
    svc.add_document(manager.user, first, name="需求规格说明书", link="https://wiki.example.org/r")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def request() -> None:
        try:
            fresh = ProjectStage.objects.get(pk=first.pk)
            barrier.wait(timeout=10)
            svc.request_gate(manager.user, fresh)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused:status"]
    assert ApprovalRequest.objects.filter(kind=svc.GATE_KIND).count() == 1
    assert ProjectStage.objects.get(pk=first.pk).status == StageStatus.AWAITING
