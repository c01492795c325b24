"""The home page's "待我审批" widget and the navigation entry: shown to whom something awaits,
counting the overdue, listing the five most urgent, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from netdept.approvals import services
from netdept.approvals.home import has_person
from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.approvals.tests import hospital
from netdept.testing.clients import ui_client
from netdept.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def submit_many(h: hospital.Hospital, n: int) -> None:
    r = hospital.rule(code=f"head{n}")
    hospital.step(r, "科室负责人审批", "department_head")
    for i in range(n):
        services.submit(h.user("huangli"), kind="approvals.general", rule=r, title=f"申请{n}-{i}")


def widget(html: str) -> str:
    return (
        html.split('id="ap-home-rows"')[1].split("</ul>")[0] if 'id="ap-home-rows"' in html else ""
    )


def test_the_widget_shows_the_count_the_overdue_and_the_five_most_urgent(h):
    submit_many(h, 7)
    late = ApprovalDecision.objects.filter(status=DecisionStatus.PENDING).order_by("pk").last()
    assert late is not None
    ApprovalDecision.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    page = ui_client(h.user("chenzq")).get(reverse("home")).content.decode()
    rows = widget(page)
    assert rows.count("data-decision=") == 5
    assert f'data-decision="{late.pk}"' in rows  # the overdue one first
    assert 'data-tile="approvals_pending"' in page and 'data-count="7"' in page
    assert 'data-tile="approvals_overdue"' in page
    assert reverse("approvals:inbox") in page


def test_nobody_sees_the_widget_with_nothing_waiting_and_the_nav_entry_is_everyones(h):
    submit_many(h, 1)
    page = ui_client(h.user("lina")).get(reverse("home")).content.decode()
    assert 'id="ap-home-rows"' not in page
    assert f'href="{reverse("approvals:inbox")}"' in page  # the navigation entry
    nobody = UserFactory.create(username="noperson")
    assert not has_person(nobody)
    assert has_person(h.user("chenzq"))


def test_the_widget_makes_a_constant_number_of_queries(h):
    c = ui_client(h.user("chenzq"))
    submit_many(h, 2)
    c.get(reverse("home"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    submit_many(h, 12)
    assert count() == few
