"""The report of a major incident, approved by the director through the approval engine (issue
11, point 7b): each new text is submitted (an earlier pending one withdrawn); the order is
resolved or closed only once its latest report is approved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision, ApprovalRule, DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.workorders import services
from netdept.workorders.models import MAJOR_REPORT_KIND, Category, Status, WorkOrder
from netdept.workorders.services import approval

pytestmark = pytest.mark.django_db


class World:
    def __init__(self) -> None:
        self.h = hospital.build()
        self.category = Category.objects.create(name="核心网络", default_team=self.h.ops)

    def user(self, key: str) -> Any:
        return self.h.user(key)

    def major(self) -> WorkOrder:
        order = services.open_order(
            self.user("huangli"), {"title": "全院断网", "category": self.category.pk}
        )
        services.accept(self.user("zhangwei"), order)
        services.set_major(self.user("zhangwei"), order, is_major=True)
        return order

    def director_decision(self, order: WorkOrder) -> ApprovalDecision:
        request = approval.report_request(order)
        assert request is not None
        return ApprovalDecision.objects.get(
            request=request, approver=self.h["wangjg"], status=DecisionStatus.PENDING
        )


@pytest.fixture
def w() -> World:
    return World()


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def refusal(call: Any) -> str:
    with pytest.raises(ValidationError) as exc:
        call()
    return " ".join(exc.value.message_dict["major_report"])


def test_the_default_rule_is_the_director() -> None:
    rule = ApprovalRule.objects.get(kind=MAJOR_REPORT_KIND, is_default=True)
    assert [s.approver for s in rule.steps.all()] == ["director"]


def test_report_pending_then_approved(w: World) -> None:
    order = w.major()
    eng = w.user("zhangwei")
    assert "report" in refusal(lambda: services.resolve(eng, order, solution="恢复"))
    services.set_major(eng, order, is_major=True, report="核心交换机故障，影响 2 小时。")
    request = approval.report_request(order)
    assert request is not None and request.status == RequestStatus.PENDING
    assert request.requester == w.h["zhangwei"]  # the assignee asks
    text = refusal(lambda: services.resolve(eng, order, solution="恢复"))
    assert "major_report" in text and "director" in text
    assert "major_report" in refusal(lambda: services.close(eng, order, reason="x"))
    # saved again unchanged: no new request
    services.set_major(eng, order, is_major=True, report="核心交换机故障，影响 2 小时。")
    assert approval.report_request(order) == request
    approvals.approve(w.user("wangjg"), w.director_decision(order), "同意上报")
    services.resolve(eng, order, solution="恢复")
    assert order.status == Status.RESOLVED
    services.close(eng, order)
    assert order.status == Status.CLOSED


def test_a_new_text_withdraws_the_pending_one(w: World) -> None:
    order = w.major()
    eng = w.user("zhangwei")
    services.set_major(eng, order, is_major=True, report="初稿")
    first = approval.report_request(order)
    services.set_major(eng, order, is_major=True, report="修改稿")
    second = approval.report_request(order)
    assert first is not None and second is not None and first != second
    first.refresh_from_db()
    assert first.status == RequestStatus.WITHDRAWN
    assert second.status == RequestStatus.PENDING


def test_rejected_report_is_written_again(w: World) -> None:
    order = w.major()
    eng = w.user("zhangwei")
    services.set_major(eng, order, is_major=True, report="初稿")
    approvals.reject(w.user("wangjg"), w.director_decision(order), "影响范围写得不清楚")
    text = refusal(lambda: services.resolve(eng, order, solution="恢复"))
    assert "write it again" in text and "影响范围写得不清楚" in text
    services.set_major(eng, order, is_major=True, report="第二稿：影响门诊、住院两栋楼")
    approvals.approve(w.user("wangjg"), w.director_decision(order))
    services.resolve(eng, order, solution="恢复")
    assert order.status == Status.RESOLVED


def test_autoclose_waits_for_the_approved_report(w: World) -> None:
    order = w.major()
    eng = w.user("zhangwei")
    services.set_major(eng, order, is_major=True, report="报告")
    approvals.approve(w.user("wangjg"), w.director_decision(order))
    services.resolve(eng, order, solution="恢复")
    # a new text after the resolution is pending again: the auto-close waits for it
    services.set_major(eng, order, is_major=True, report="补充报告")
    later = timezone.now() + dt.timedelta(days=30)
    assert services.close_resolved(later) == 0
    approvals.approve(w.user("wangjg"), w.director_decision(order))
    assert services.close_resolved(later) == 1


def test_unflagging_withdraws_the_pending_report(w: World) -> None:
    order = w.major()
    eng = w.user("zhangwei")
    services.set_major(eng, order, is_major=True, report="报告")
    services.set_major(eng, order, is_major=False)
    request = approval.report_request(order)
    assert request is not None and request.status == RequestStatus.WITHDRAWN
    services.resolve(eng, order, solution="恢复")  # no longer major
    assert order.status == Status.RESOLVED


def test_without_an_active_rule_the_report_needs_no_approval(w: World) -> None:
    ApprovalRule.objects.filter(kind=MAJOR_REPORT_KIND).update(is_active=False)
    order = w.major()
    eng = w.user("zhangwei")
    services.set_major(eng, order, is_major=True, report="报告")
    assert approval.report_request(order) is None
    services.resolve(eng, order, solution="恢复")
    assert order.status == Status.RESOLVED
