"""The demo hospital's work: categories, SLA policies and orders in every state, made by the
services at their instants of the past (the audit trail and the SLA clocks are real)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org import demo
from netdept.workorders.filtersets import breached_q, breaching_q
from netdept.workorders.models import Category, SlaEvent, SlaPolicy, Status, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path: Path) -> demo.DemoResult:
    return demo.load(data_dir=tmp_path)


def test_categories_and_sla_policies(loaded: demo.DemoResult) -> None:
    leaves = Category.objects.filter(parent__isnull=False)
    assert leaves.count() >= 10
    assert all(c.default_team_id for c in Category.objects.all())
    assert {c.kind for c in leaves} >= {"fault", "service", "consultation"}
    assert set(SlaPolicy.objects.values_list("priority", flat=True)) == {1, 2, 3, 4}
    assert SlaPolicy.objects.filter(category__name="HIS 系统").exists()


def test_orders_in_every_state_made_by_the_services(loaded: demo.DemoResult) -> None:
    orders = WorkOrder.objects.all()
    assert 25 <= orders.count() <= 60
    assert set(orders.values_list("status", flat=True)) == set(Status.values)
    now = timezone.now()
    breaching = orders.filter(breaching_q(now))
    breached = orders.filter(breached_q(now))
    assert breaching.count() >= 2
    assert breached.filter(status__in=["new", "accepted", "in_progress"]).count() >= 2
    # the director's case of the issue: a P1 nobody holds, its response missed
    assert breached.filter(priority=1, assignee__isnull=True, response_breached=True).exists()
    assert orders.filter(rating__isnull=False).count() >= 10
    assert orders.filter(rating__lte=2).exists() and orders.filter(rating=5).exists()
    assert orders.filter(reopen_count__gt=0).exists()
    assert orders.filter(merged_into__isnull=False).exists()
    assert orders.filter(waiting_on="vendor").exists() and orders.filter(waiting_on="requester")
    assert orders.filter(source="phone").exists()
    # filed over the last weeks, never in the future
    assert orders.filter(created_at__lt=now - dt.timedelta(days=7)).exists()
    assert orders.filter(created_at__gte=now - dt.timedelta(days=7)).exists()
    assert not orders.filter(created_at__gt=now).exists()
    # through the services: each order's filing, by its requester's account (or the desk's),
    # in the sealed trail; its SLA timeline written by the engine
    for order in orders.select_related("requester__user", "created_by"):
        created = audit.history(order).get(action=AuditAction.CREATE)
        assert created.actor_id == order.created_by_id
        assert abs((created.ts - order.created_at).total_seconds()) < 5
    assert SlaEvent.objects.filter(type=SlaEvent.Type.BREACHED).exists()
    assert audit.verify().ok


def test_loading_again_adds_nothing(tmp_path: Path) -> None:
    demo.load(data_dir=tmp_path)
    counts = (WorkOrder.objects.count(), Category.objects.count(), AuditRecord.objects.count())
    again = demo.load(data_dir=tmp_path)
    assert again.created == 0
    assert (
        WorkOrder.objects.count(),
        Category.objects.count(),
        AuditRecord.objects.count(),
    ) == counts
    # the replayed clock is gone: Django's own ``now`` again
    assert timezone.now.__module__ == "django.utils.timezone"
    assert abs((timezone.now() - dt.datetime.now(tz=dt.UTC)).total_seconds()) < 60


def test_a_nurse_can_file_at_once(loaded: demo.DemoResult) -> None:
    client = Client()
    user = get_user_model().objects.get(username="huangli")
    client.force_login(user)
    page = client.get(reverse("workorders:portal_new"))
    assert page.status_code == 200
    assert "打印机" in page.content.decode()
    mine = client.get(reverse("workorders:portal_home")).content.decode()
    assert "护士站电脑无法登录域账号" in mine  # resolved: waits for her to confirm and rate


def test_the_trail_runs_in_the_order_of_time(tmp_path: Path) -> None:
    before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    started = timezone.now()
    demo.load(data_dir=tmp_path)
    times = list(
        AuditRecord.objects.filter(seq__gt=before).order_by("seq").values_list("ts", flat=True)
    )
    assert len(times) > 200
    assert times == sorted(times)  # replayed in the order of time
    assert times[0] < started - dt.timedelta(days=20)  # the organisation, weeks ago
    assert times[-1] <= timezone.now()
