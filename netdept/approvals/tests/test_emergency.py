"""The emergency path (act first, approve after): a rule that allows it lets a request proceed
at once, to be approved within the rule's working hours; not approved in time (still in
approval, or returned and not approved since), or rejected afterwards, it is flagged for
review and the director and the auditors are told — once.

The hospital's director is 王建国 (role director), its auditor 冯丽 (role auditor). Time is
frozen through ``engine.now``; expected instants come from the 2026 calendar (see
``test_timeouts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from netdept.approvals import links, services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
)
from netdept.approvals.services import engine
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.notify.models import InboxMessage, Notification

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dt.datetime]:
    state: dict[str, dt.datetime] = {}

    def set_to(text: str) -> dt.datetime:
        state["now"] = at(text)
        return state["now"]

    monkeypatch.setattr(engine, "now", lambda: state["now"])
    return set_to


def emergency_rule(hours: int = 4, code: str = "emergency") -> Any:
    """A change that may be made first (emergency) and approved by the director after."""
    r = hospital.rule(code=code, emergency_allowed=True, emergency_hours=hours)
    hospital.step(r, "主任审批", "director")
    return r


def submit(h: hospital.Hospital, r: Any, **kw: Any) -> ApprovalRequest:
    return services.submit(
        h.user("zhangwei"), kind="approvals.general", rule=r, title="核心交换机紧急割接", **kw
    )


def pending(req: ApprovalRequest) -> ApprovalDecision:
    return req.decisions.select_related("approver").get(status=DecisionStatus.PENDING)


def flagged_inbox(h: hospital.Hospital, who: str) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.filter(user=h.user(who), notification__kind="approvals.flagged")
    )


def assert_flagged_once(h: hospital.Hospital, req: ApprovalRequest, reason: str) -> None:
    req.refresh_from_db()
    assert req.flagged and req.flag_reason == reason
    (note,) = Notification.objects.filter(kind="approvals.flagged", object_id=str(req.pk))
    assert note.link == links.request_url(req)
    for who in ("wangjg", "fengli"):  # the director and the auditor
        (msg,) = flagged_inbox(h, who)
        assert "核心交换机紧急割接" in msg.title and msg.link == links.request_url(req)
    assert not flagged_inbox(h, "liuqiang") and not flagged_inbox(h, "zhangwei")
    record = AuditRecord.objects.filter(
        object_type="approvals.approvalrequest", object_id=str(req.pk), extra__approval="flagged"
    )
    assert record.count() == 1


def test_an_emergency_request_proceeds_at_once_with_a_working_hours_deadline(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, emergency_rule(hours=4), emergency=True)
    assert req.emergency and req.status == RequestStatus.PENDING and not req.flagged
    # 1.5 h on 9-30, 国庆 10-01~07 off, 2.5 h on 10-08.
    assert req.emergency_due == at("2026-10-08 11:00")
    assert pending(req).approver == h["wangjg"]  # the approval follows the act


def test_not_approved_in_time_it_is_flagged_and_the_director_and_auditors_told_once(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-10-09 16:00")
    req = submit(h, emergency_rule(hours=4), emergency=True)
    assert req.emergency_due == at("2026-10-10 11:00")  # the 调休 Saturday counts
    assert services.sweep(at("2026-10-10 10:59")) == 0
    req.refresh_from_db()
    assert not req.flagged
    assert services.sweep(at("2026-10-10 11:00")) == 1
    assert_flagged_once(h, req, "已按紧急流程先行处理，但未在时限内完成审批。")
    assert req.status == RequestStatus.PENDING  # still to be approved
    assert services.sweep(at("2026-10-10 11:01")) == 0
    assert services.sweep(at("2026-10-12 09:00")) == 0
    assert_flagged_once(h, req, "已按紧急流程先行处理，但未在时限内完成审批。")
    # Approved late: it stays flagged, nobody is told again that it is flagged.
    clock("2026-10-12 09:10")
    services.approve(h.user("wangjg"), pending(req), "补批")
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.flagged
    assert len(flagged_inbox(h, "fengli")) == 1


def test_rejected_afterwards_it_is_flagged_and_they_are_told(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, emergency_rule(), emergency=True)
    clock("2026-09-30 16:30")  # well in time, but rejected
    services.reject(h.user("wangjg"), pending(req), "未按变更规范操作")
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED
    assert_flagged_once(h, req, "已按紧急流程先行处理，事后被驳回。")
    assert services.sweep(at("2026-10-09 09:00")) == 0  # past the deadline: not again
    assert len(flagged_inbox(h, "wangjg")) == 1


def test_approved_in_time_it_is_not_flagged(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, emergency_rule(), emergency=True)
    clock("2026-10-08 10:59")  # a minute before the deadline
    services.approve(h.user("wangjg"), pending(req), "同意")
    assert services.sweep(at("2026-10-08 11:00")) == 0
    assert services.sweep(at("2026-12-01 09:00")) == 0
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and not req.flagged and not req.flag_reason
    assert not Notification.objects.filter(kind="approvals.flagged").exists()


def test_returned_and_not_approved_in_time_it_is_flagged(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, emergency_rule(), emergency=True)
    clock("2026-09-30 17:00")
    services.return_for_changes(h.user("wangjg"), pending(req), "请补充割接记录")
    req.refresh_from_db()
    assert req.status == RequestStatus.RETURNED and not req.flagged
    assert services.sweep(at("2026-10-08 11:00")) == 1
    assert_flagged_once(h, req, "已按紧急流程先行处理，但未在时限内完成审批。")


def test_a_request_that_is_not_an_emergency_is_never_flagged(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, emergency_rule())  # the rule allows it, the requester did not ask
    assert not req.emergency and req.emergency_due is None
    services.reject(h.user("wangjg"), pending(req), "不同意")
    assert services.sweep(at("2026-12-01 09:00")) == 0
    req.refresh_from_db()
    assert not req.flagged


def test_a_rule_without_the_emergency_path_refuses_it_naming_the_field(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    r = hospital.rule(code="normal")
    hospital.step(r, "主任审批", "director")
    with pytest.raises(ValidationError) as exc:
        submit(h, r, emergency=True)
    assert list(exc.value.message_dict) == ["emergency"]
    assert "normal" in exc.value.message_dict["emergency"][0]
    assert not ApprovalRequest.objects.exists()
