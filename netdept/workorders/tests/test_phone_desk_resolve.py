"""The registration number (客服部's) is asked for when a lead is resolved, never for other
orders (issue 10: "the registration number appears only for leads")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netdept.testing.clients import ui_client
from netdept.testing.factories import TeamFactory, user_with_role
from netdept.workorders import services
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def test_the_resolve_form_asks_for_the_registration_number_of_a_lead_only() -> None:
    team = TeamFactory()
    engineer = user_with_role("engineer", team=team)
    fault = services.accept(engineer, WorkOrderFactory(category=CategoryFactory(default_team=team)))
    lead = services.accept(
        engineer,
        WorkOrderFactory(kind="lead", category=CategoryFactory(default_team=team, kind="lead")),
    )
    assert "registration_no" not in WORKORDER_MACHINE.form_for("resolve", fault).fields
    assert "registration_no" in WORKORDER_MACHINE.form_for("resolve", lead).fields
    c = ui_client(engineer)
    html = c.get(reverse("workorders:action", args=[fault.number, "resolve"])).content.decode()
    assert 'name="solution"' in html and 'name="registration_no"' not in html
    html = c.get(reverse("workorders:action", args=[lead.number, "resolve"])).content.decode()
    assert 'name="registration_no"' in html
    # a value sent for a fault anyway is not saved
    r = c.post(
        reverse("workorders:action", args=[fault.number, "resolve"]),
        {"solution": "重启交换机", "registration_no": "KF-1", "expected_version": fault.version},
    )
    assert r.status_code in (200, 302)
    fault.refresh_from_db()
    assert fault.status == "resolved" and fault.registration_no == ""
    # the lead still needs it
    r = c.post(
        reverse("workorders:action", args=[lead.number, "resolve"]),
        {"solution": "已移交", "expected_version": lead.version},
    )
    lead.refresh_from_db()
    assert lead.status != "resolved"
    r = c.post(
        reverse("workorders:action", args=[lead.number, "resolve"]),
        {"solution": "已移交", "registration_no": "KF-2", "expected_version": lead.version},
    )
    lead.refresh_from_db()
    assert lead.status == "resolved" and lead.registration_no == "KF-2"
