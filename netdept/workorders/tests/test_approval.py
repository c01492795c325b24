"""Approval before work starts (issue 11, point 7a): an order of a category that requires
approval waits for it, its SLA clock paused; the department head approves (then the team
takes it), rejects (closed) or returns it (changed and submitted again, or withdrawn); a
purchase asks for the estimated cost and above ¥5,000 the director approves too."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision, DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.notify.models import InboxMessage
from netdept.testing.clients import api_client
from netdept.workorders import services
from netdept.workorders.models import Category, SlaEvent, SlaPolicy, Status, WorkOrder
from netdept.workorders.services import approval
from netdept.workorders.sla import schedule_of

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
#: a Tuesday of working days (2026-12-01): 09:00 local time
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH)


class World:
    """The hospital of the approval tests, with the categories of the demo."""

    def __init__(self) -> None:
        self.h = hospital.build()
        account = hospital.rule("workorders.order", "account", name="账号开通审批")
        hospital.step(account, "科室负责人审批", "department_head")
        purchase = hospital.rule("workorders.order", "purchase", name="设备采购审批")
        hospital.step(purchase, "科室负责人审批", "department_head", order=10)
        hospital.step(
            purchase, "主任审批", "director", order=20,
            condition_field="amount", condition_op="gt", condition_value="5000",
        )  # fmt: skip
        self.account = Category.objects.create(
            name="账号开通", kind="service", default_team=self.h.ops, approval_rule=account
        )
        self.purchase = Category.objects.create(
            name="设备采购", kind="service", default_team=self.h.ops, approval_rule=purchase,
            is_purchase=True,
        )  # fmt: skip
        self.plain = Category.objects.create(name="网络故障", default_team=self.h.ops)

    def user(self, key: str) -> Any:
        return self.h.user(key)

    def open(self, who: str = "huangli", category: Category | None = None, **data: Any) -> Any:
        data = {
            "title": "开通 HIS 账号",
            "kind": "service",
            "category": (category or self.account).pk,
            **data,
        }
        return services.open_order(self.user(who), data)

    def decision(self, order: WorkOrder, who: str) -> ApprovalDecision:
        request = approval.request_of(order)
        assert request is not None
        return ApprovalDecision.objects.get(
            request=request, approver=self.h[who], status=DecisionStatus.PENDING
        )

    def holders(self, order: WorkOrder) -> list[str]:
        request = approval.request_of(order)
        assert request is not None
        return sorted(
            request.decisions.filter(status=DecisionStatus.PENDING).values_list(
                "approver__name", flat=True
            )
        )


@pytest.fixture
def w() -> World:
    return World()


def team_told(w: World, order: WorkOrder) -> int:
    """The notifications of a new order its team got (the lead and engineers' inboxes)."""
    return InboxMessage.objects.filter(
        notification__kind="workorders.assigned", notification__object_id=str(order.pk)
    ).count()


def test_account_order_waits_with_its_clock_paused_and_the_head_approves(w: World) -> None:
    with freeze_time(MORNING):
        order = w.open()
    assert order.status == Status.PENDING_APPROVAL
    assert order.paused_at == MORNING and order.sla_next_check_at is None
    assert w.holders(order) == ["陈志强"]
    assert team_told(w, order) == 0  # nobody may take it yet
    response_due, resolution_due = order.response_due, order.resolution_due
    # the team cannot start work on it
    with pytest.raises(ValidationError):
        services.accept(w.user("zhangwei"), order)
    assert "accept" not in services.allowed_actions(w.user("zhangwei"), order)
    approved_at = MORNING + dt.timedelta(hours=3)  # 12:00, lunch included on the calendar
    with freeze_time(approved_at):
        approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"), "同意")
    order.refresh_from_db()
    assert order.status == Status.NEW and order.paused_at is None
    sched = schedule_of(order)
    paused = sched.between(MORNING, approved_at)
    assert paused > dt.timedelta(0)
    # the due times moved later by exactly the working time paused
    assert sched.between(response_due, order.response_due) == paused
    assert sched.between(resolution_due, order.resolution_due) == paused
    assert order.sla_next_check_at is not None
    types = list(order.sla_events.values_list("type", flat=True))
    assert types == [SlaEvent.Type.STARTED, SlaEvent.Type.PAUSED, SlaEvent.Type.RESUMED]
    assert team_told(w, order) >= 1  # the team hears of it as of a new order
    services.accept(w.user("zhangwei"), order)
    assert order.status == Status.ACCEPTED


def test_the_clock_runs_when_the_policy_says_so(w: World) -> None:
    SlaPolicy.objects.filter(is_active=True).update(pause_during_approval=False)
    with freeze_time(MORNING):
        order = w.open()
    assert order.status == Status.PENDING_APPROVAL
    assert order.paused_at is None and order.sla_next_check_at is not None
    due = order.resolution_due
    with freeze_time(MORNING + dt.timedelta(hours=2)):
        approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"))
    order.refresh_from_db()
    assert order.status == Status.NEW and order.resolution_due == due


def test_rejection_closes_the_order_with_the_reason(w: World) -> None:
    order = w.open()
    approvals.reject(w.user("chenzq"), w.decision(order, "chenzq"), "本科室不需要该账号")
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.closed_at is not None
    assert order.paused_at is None and order.sla_next_check_at is None
    assert team_told(w, order) == 0
    from netdept.core import audit

    last = audit.history(order).order_by("-seq").first()
    assert last is not None and last.extra.get("transition") == "rejected"
    assert last.extra.get("reason") == "本科室不需要该账号"
    # the requester was told by the approval engine
    assert InboxMessage.objects.filter(
        user=w.user("huangli"), notification__kind="approvals.decided"
    ).exists()


def test_returned_then_changed_and_submitted_again(w: World) -> None:
    order = w.open()
    approvals.return_for_changes(w.user("chenzq"), w.decision(order, "chenzq"), "请写明科室和岗位")
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL
    assert "resubmit" in services.allowed_actions(w.user("huangli"), order)
    assert "withdraw" in services.allowed_actions(w.user("huangli"), order)
    assert "resubmit" not in services.allowed_actions(w.user("chenzq"), order)  # not theirs
    approval.resubmit(w.user("huangli"), order, description="内科护士站，护士岗位")
    assert order.description == "内科护士站，护士岗位"
    request = approval.request_of(order)
    assert request is not None and request.status == RequestStatus.PENDING
    assert w.holders(order) == ["陈志强"]
    approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"))
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_returned_then_withdrawn_closes_the_order(w: World) -> None:
    order = w.open()
    approvals.return_for_changes(w.user("chenzq"), w.decision(order, "chenzq"), "请补充")
    order.refresh_from_db()
    with pytest.raises(PermissionDenied):
        approval.withdraw(w.user("xuming"), order, reason="x")  # another department
    from netdept.workorders.machines import WORKORDER_MACHINE

    WORKORDER_MACHINE.run("withdraw", w.user("huangli"), order, {"reason": "不需要了"})
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    request = approval.request_of(order)
    assert request is not None and request.status == RequestStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        approval.resubmit(w.user("huangli"), order, description="再来")


def test_purchase_needs_its_estimated_cost(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        w.open(category=w.purchase, title="采购打印机")
    assert "estimated_cost" in exc.value.message_dict
    for bad in ("abc", "-1", "12345678901234", "1.234"):
        with pytest.raises(ValidationError) as exc:
            w.open(category=w.purchase, title="采购打印机", estimated_cost=bad)
        assert "estimated_cost" in exc.value.message_dict, bad
    assert not WorkOrder.objects.exists()


def test_purchase_of_3000_needs_only_the_head(w: World) -> None:
    order = w.open(category=w.purchase, title="采购打印机", estimated_cost="3000")
    assert order.estimated_cost == Decimal("3000.00")
    assert w.holders(order) == ["陈志强"]
    approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"))
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_purchase_of_8000_needs_the_head_then_the_director(w: World) -> None:
    order = w.open(category=w.purchase, title="采购交换机", estimated_cost=Decimal("8000"))
    assert w.holders(order) == ["陈志强"]
    approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"))
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL
    assert w.holders(order) == ["王建国"]
    approvals.approve(w.user("wangjg"), w.decision(order, "wangjg"))
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_a_return_lowering_the_cost_drops_the_director(w: World) -> None:
    order = w.open(category=w.purchase, title="采购交换机", estimated_cost="8000")
    approvals.return_for_changes(w.user("chenzq"), w.decision(order, "chenzq"), "预算太高")
    order.refresh_from_db()
    approval.resubmit(w.user("huangli"), order, estimated_cost="4500")
    assert order.estimated_cost == Decimal("4500.00")
    approvals.approve(w.user("chenzq"), w.decision(order, "chenzq"))
    order.refresh_from_db()
    assert order.status == Status.NEW  # no director under ¥5,000


def test_the_head_as_requester_goes_one_level_up(w: World) -> None:
    order = w.open(who="chenzq")
    # 陈志强 heads 内科: his own request goes one level up (内科's parent has no head: the
    # director)
    assert w.holders(order) == ["王建国"]
    with pytest.raises(PermissionDenied):
        approvals.approve(w.user("chenzq"), ApprovalDecision.objects.filter(
            request=approval.request_of(order)).first())  # fmt: skip
    approvals.approve(w.user("wangjg"), w.decision(order, "wangjg"))
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_a_department_without_head_goes_to_the_director(w: World) -> None:
    order = w.open(who="xuming")  # 外科 has no head
    assert w.holders(order) == ["王建国"]


def test_the_desk_files_for_a_caller_and_the_caller_answers_the_return(w: World) -> None:
    order = services.open_order(
        w.user("liuqiang"),
        {"title": "开通账号", "kind": "service", "category": w.account.pk},
        on_behalf_of=w.h["huangli"],
    )
    assert order.status == Status.PENDING_APPROVAL and w.holders(order) == ["陈志强"]
    request = approval.request_of(order)
    assert request is not None and request.requester == w.h["huangli"]


def test_the_desk_sees_them_in_their_queue(w: World) -> None:
    order = w.open()
    other = w.open(category=w.plain, title="网络不通", kind="fault")
    c = api_client(w.user("liuqiang"))
    rows = c.get("/api/v1/workorders/orders/", {"queue": "approval"}).json()["results"]
    assert [r["number"] for r in rows] == [order.number]
    rows = c.get("/api/v1/workorders/orders/", {"queue": "unassigned"}).json()["results"]
    assert [r["number"] for r in rows] == [other.number]


def test_the_api_shows_the_status_and_the_estimated_cost(w: World) -> None:
    c = api_client(w.user("huangli"))
    r = c.post(
        "/api/v1/workorders/orders/",
        {"title": "采购扫码枪", "kind": "service", "category": w.purchase.pk,
         "estimated_cost": "1200.50"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending_approval"
    assert body["estimated_cost"] == "1200.50"
    assert (
        body["allowed_actions"] == ["comment", "withdraw"] or "withdraw" in body["allowed_actions"]
    )
    r = c.post(
        "/api/v1/workorders/orders/",
        {"title": "采购扫码枪", "kind": "service", "category": w.purchase.pk},
        format="json",
    )
    assert r.status_code == 400 and "estimated_cost" in r.json()
    order = WorkOrder.objects.get(number=body["number"])
    r = c.post(f"/api/v1/workorders/orders/{order.pk}/withdraw/", {"reason": "买到了"},
               format="json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"
