"""Query counts of the audit trail as people read it: the list, the API and the history tab
ask for the names and links of a page of records in a fixed number of queries (one per model
they link to), whatever the number of records — checked at 3 and 20 records and against
``netdept/testing/query_baselines.json``."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.core import context
from netdept.core.services import service_for
from netdept.org.models import Team
from netdept.testing import queries
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, user_with_perms, user_with_role

pytestmark = pytest.mark.django_db

READER = ["core.view_auditrecord", "core.export_auditrecord", "org.view_team"]
READER += ["org.view_department", "core.view_history"]


def _teams(actor: Any) -> Any:
    """``add(n)``: n teams made and moved to another department, each by the service."""

    def add(n: int) -> None:
        svc = service_for(Team)
        with context.acting(actor, "192.0.2.1", "web"):
            for _ in range(n):
                team = svc.create(actor, {"name": "组", "department": DepartmentFactory()})
                svc.update(actor, team, {"department": DepartmentFactory(), "is_active": False})

    return add


def test_audit_list_queries() -> None:
    actor = user_with_role("director")
    c = ui_client(user_with_perms(READER))

    def get() -> Any:
        return c.get(reverse("audit_list"), {"object_type": "org.team"})

    queries.assert_constant_and_within("core.auditrecord list", get, _teams(actor))


def test_audit_api_queries() -> None:
    actor = user_with_role("director")
    c = api_client(user_with_perms(READER))

    def get() -> Any:
        return c.get("/api/v1/core/auditrecords/", {"page_size": 100, "object_type": "org.team"})

    queries.assert_constant_and_within("core.auditrecord api", get, _teams(actor))


def test_history_tab_queries() -> None:
    actor = user_with_role("director")
    team = service_for(Team).create(actor, {"name": "组", "department": DepartmentFactory()})
    c = ui_client(user_with_perms(READER))
    url = reverse("org:team_tab", args=[team.pk, "history"])

    def add(n: int) -> None:
        svc = service_for(Team)
        for i in range(n):
            svc.update(actor, team, {"department": DepartmentFactory(), "name": f"组{i}"})

    queries.assert_constant_and_within("core history tab", lambda: c.get(url), add)
