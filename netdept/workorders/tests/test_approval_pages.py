"""The pages of approval before work starts, in Chinese: the portal asks for the estimated
cost of a purchase (预计费用（元）), shows the approval (who holds it now, the approver's words on
a return) and takes the changes submitted again; the staff order page shows the approval with
the link to its request page; the department head finds the order in 待我审批."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.approvals import services as approvals
from netdept.testing.clients import ui_client
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.services import approval
from netdept.workorders.tests.test_approval import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return World()


def portal_new(w: World, who: str, **data: Any) -> Any:
    form = {
        "kind": "service",
        "description": "需要采购",
        "location": "内科护士站",
        "contact": "13800000000",
        **data,
    }
    return ui_client(w.user(who)).post(reverse("workorders:portal_new"), form)


def test_the_portal_asks_for_the_cost_of_a_purchase(w: World) -> None:
    page = ui_client(w.user("huangli")).get(reverse("workorders:portal_new")).content.decode()
    assert "预计费用（元）" in page and 'data-purchase="1"' in page and 'data-approval="1"' in page
    r = portal_new(w, "huangli", category=w.purchase.pk, title="采购打印机")
    assert r.status_code == 422
    assert "请填写采购的预计费用。" in r.content.decode()
    r = portal_new(w, "huangli", category=w.purchase.pk, title="采购打印机", estimated_cost="-5")
    assert r.status_code == 422
    assert not WorkOrder.objects.exists()
    r = portal_new(w, "huangli", category=w.purchase.pk, title="采购打印机", estimated_cost="8000")
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.status == Status.PENDING_APPROVAL and str(order.estimated_cost) == "8000.00"
    # a category that is no purchase keeps no cost
    r = portal_new(w, "huangli", category=w.account.pk, title="开通账号", estimated_cost="99")
    assert r.status_code == 302
    assert WorkOrder.objects.get(title="开通账号").estimated_cost is None


def test_the_portal_shows_the_approval_and_takes_the_changes(w: World) -> None:
    order = w.open()
    c = ui_client(w.user("huangli"))
    url = reverse("workorders:portal_detail", args=[order.number])
    page = c.get(url).content.decode()
    assert "待审批" in page and "开工前审批" in page and "陈志强" in page
    assert 'id="wo-resubmit-form"' not in page  # nothing to change yet
    approvals.return_for_changes(w.user("chenzq"), w.decision(order, "chenzq"), "请写明岗位")
    page = c.get(url).content.decode()
    assert "已退回修改" in page and "请写明岗位" in page and 'id="wo-resubmit-form"' in page
    order.refresh_from_db()
    r = c.post(
        reverse("workorders:portal_resubmit", args=[order.number]),
        {"description": "护士岗位，内科 5 病区", "estimated_cost": "", "expected_version":
         order.version},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    order.refresh_from_db()
    assert order.description == "护士岗位，内科 5 病区"
    request = approval.request_of(order)
    assert request is not None and request.status == "pending"
    # the head finds it in 待我审批
    assert approvals.pending_for(w.h["chenzq"]).filter(request=request).exists()


def test_the_order_page_shows_the_approval_and_its_link(w: World) -> None:
    order = w.open(category=w.purchase, title="采购交换机", estimated_cost="8000")
    approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"), "同意")
    page = (
        ui_client(w.user("liuqiang"))
        .get(reverse("workorders:order", args=[order.number]))
        .content.decode()
    )
    request = approval.request_of(order)
    assert request is not None
    assert 'id="wo-approval"' in page and 'id="wo-pending-approval"' in page
    assert "王建国" in page  # holds it now
    assert reverse("approvals:request", args=[request.pk]) in page
    assert "¥8000.00" in page
    assert 'data-action="accept"' not in page  # nobody may take it yet


def test_the_desk_has_the_queue(w: World) -> None:
    w.open()
    page = ui_client(w.user("liuqiang")).get("/workorders/", {"queue": "approval"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "待审批" in html
    assert [o.number for o, _due in page.context["rows"]] == [
        o.number for o in WorkOrder.objects.filter(status=Status.PENDING_APPROVAL)
    ]
