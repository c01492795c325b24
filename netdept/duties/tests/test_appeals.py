"""Appeals (申诉): within N working days, decided a level up through the approvals engine;
granted withdraws the penalty (kept in the history), refused keeps it. Withdrawal by a lead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision, ApprovalRule, DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.duties.approval_kinds import ensure_default_rules
from netdept.duties.models import (
    Appeal,
    AppealStatus,
    Penalty,
    PenaltyStatus,
    Violation,
    ViolationStatus,
)
from netdept.duties.services import violations as svc
from netdept.duties.tests import sanctions_fixtures as fx
from netdept.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def fine(h: hospital.Hospital, key: str = "zhangwei", appeal_days: int = 3) -> Penalty:
    rule = fx.rule(f"r{appeal_days}", appeal_days=appeal_days)
    v = svc.record_violation(
        h[key], "manual", penalty_rule=rule, by=h["wangjg"], description="周报逾期"
    )
    return v.penalty


def pending_decision(appeal: Appeal) -> ApprovalDecision:
    assert appeal.approval_request is not None
    return appeal.approval_request.decisions.get(status=DecisionStatus.PENDING)


def test_an_appeal_granted_withdraws_the_fine_and_keeps_it_in_the_history(h):
    p = fine(h)
    a = svc.appeal(p, by=h["zhangwei"], reason="当天系统故障，无法提交")
    p.refresh_from_db()
    assert p.status == PenaltyStatus.APPEALED
    d = pending_decision(a)
    assert d.approver == h["wangjg"]  # a level up from the lead who sets the team's fines
    approvals.approve(h.user("wangjg"), d, "情况属实")
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.status == AppealStatus.GRANTED and a.decided_at is not None
    assert a.decision_comment == "情况属实"
    assert p.status == PenaltyStatus.WITHDRAWN and p.withdrawn_at is not None
    assert "情况属实" in p.withdrawn_reason
    assert Penalty.objects.filter(pk=p.pk).exists()  # kept in the history
    assert Violation.objects.get(pk=p.violation_id).status == ViolationStatus.DISMISSED
    assert Notification.objects.filter(kind="duties.appeal_decided").exists()


def test_an_appeal_refused_keeps_the_fine_and_cannot_be_repeated(h):
    p = fine(h)
    a = svc.appeal(p, by=h["zhangwei"], reason="我觉得不公平")
    approvals.reject(h.user("wangjg"), pending_decision(a), "理由不成立")
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.status == AppealStatus.REFUSED and p.status == PenaltyStatus.EFFECTIVE
    assert p.amount == Decimal("100.00")
    with pytest.raises(ValidationError) as err:
        svc.appeal(p, by=h["zhangwei"], reason="再次申诉")
    assert "status" in err.value.message_dict


def test_an_appeal_withdrawn_by_the_person_restores_the_penalty(h):
    p = fine(h)
    a = svc.appeal(p, by=h["zhangwei"], reason="申诉")
    approvals.withdraw(h.user("zhangwei"), a.approval_request, "算了")
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.status == AppealStatus.WITHDRAWN and p.status == PenaltyStatus.EFFECTIVE


def test_the_lead_s_own_appeal_goes_up_too(h):
    p = fine(h, key="liuqiang")
    a = svc.appeal(p, by=h["liuqiang"], reason="不是我负责的")
    assert pending_decision(a).approver == h["wangjg"]


def test_only_the_person_penalised_may_appeal(h):
    p = fine(h)
    with pytest.raises(PermissionDenied):
        svc.appeal(p, by=h["lina"], reason="替他申诉")
    assert not Appeal.objects.exists()


def test_an_appeal_needs_a_reason(h):
    p = fine(h)
    with pytest.raises(ValidationError) as err:
        svc.appeal(p, by=h["zhangwei"], reason="  ")
    assert "reason" in err.value.message_dict


def test_the_appeal_window_is_working_days(h):
    p = fine(h)
    # effective on Thursday 30 April 2026: 1–5 May is the Labour Day holiday, and Saturday
    # 9 May a 调休 working day — 3 working days later is Friday 8 May
    thursday = dt.datetime(2026, 4, 30, 10, tzinfo=fx.SH)
    until = svc.appeal_deadline(p.rule, thursday)
    assert until == dt.datetime(2026, 5, 9, 0, 0, tzinfo=fx.SH)
    p.appeal_until = until
    p.save()
    assert svc.may_appeal(p, h["zhangwei"], dt.datetime(2026, 5, 8, 23, tzinfo=fx.SH))
    assert not svc.may_appeal(p, h["zhangwei"], dt.datetime(2026, 5, 9, 0, 1, tzinfo=fx.SH))


def test_after_the_window_the_appeal_is_refused(h):
    p = fine(h)
    Penalty.objects.filter(pk=p.pk).update(appeal_until=timezone.now() - dt.timedelta(minutes=1))
    p.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        svc.appeal(p, by=h["zhangwei"], reason="晚了")
    assert "status" in err.value.message_dict


def test_a_rule_without_appeal_days_allows_none(h):
    p = fine(h, appeal_days=0)
    assert p.appeal_until is None
    assert not svc.may_appeal(p, h["zhangwei"])


def test_a_pending_penalty_cannot_be_appealed_yet(h):
    rule = fx.rule("disc", [{"offence": 1, "sanction": "discretionary"}])
    p = svc.record_violation(h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"]).penalty
    assert p.status == PenaltyStatus.PENDING
    assert not svc.may_appeal(p, h["zhangwei"])


def test_a_lead_withdraws_a_penalty_under_appeal_both_requests_end(h):
    p = fine(h)
    a = svc.appeal(p, by=h["zhangwei"], reason="申诉")
    svc.withdraw_penalty(p, by=h["liuqiang"], reason="记录有误")
    p.refresh_from_db()
    a.refresh_from_db()
    assert p.status == PenaltyStatus.WITHDRAWN and p.withdrawn_reason == "记录有误"
    assert a.status == AppealStatus.WITHDRAWN
    assert a.approval_request.status == RequestStatus.WITHDRAWN
    assert Notification.objects.filter(kind="duties.penalty_withdrawn").exists()
    with pytest.raises(ValidationError):
        svc.withdraw_penalty(p, by=h["liuqiang"], reason="再撤")


def test_an_engineer_may_not_withdraw_or_record(h):
    p = fine(h)
    with pytest.raises(PermissionDenied):
        svc.withdraw_penalty(p, by=h["lina"], reason="帮同事")
    with pytest.raises(PermissionDenied):
        svc.withdraw_penalty(p, by=h["zhangwei"], reason="我自己")
    with pytest.raises(PermissionDenied):
        svc.record_violation(h["zhangwei"], "manual", by=h["lina"])
    with pytest.raises(PermissionDenied):
        svc.record_violation(h["lina"], "manual", by=h["chenzq"])  # another department's head


def test_default_rules_are_created_once(h):
    ensure_default_rules()
    ensure_default_rules()
    for kind in ("duties.penalty", "duties.appeal"):
        rules = ApprovalRule.objects.filter(kind=kind)
        assert rules.count() == 1
        assert rules.get().is_default and rules.get().steps.get().approver == "director"


def test_a_site_s_own_rule_is_never_touched(h):
    ApprovalRule.objects.filter(kind="duties.appeal").delete()
    own = ApprovalRule.objects.create(
        code="my-appeal", name="我的申诉", kind="duties.appeal", is_default=True
    )
    ensure_default_rules()
    assert list(ApprovalRule.objects.filter(kind="duties.appeal")) == [own]


def test_the_director_takes_the_alternative_dismissal_instead_of_the_pay_cut(h):
    rule = fx.rule()
    for day in (2, 3):
        svc.record_violation(
            h["zhangwei"],
            "manual",
            penalty_rule=rule,
            by=h["liuqiang"],
            occurred_at=fx.at(2026, 3, day),
        )
    third = svc.record_violation(
        h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"], occurred_at=fx.at(2026, 3, 4)
    ).penalty
    assert third.sanction == "pay_cut" and "dismissal review" in third.approval_request.title
    with pytest.raises(PermissionDenied):
        svc.choose_alternative(h.user("liuqiang"), third)
    svc.choose_alternative(h.user("wangjg"), third)
    third.refresh_from_db()
    assert (third.sanction, third.percent, third.status) == ("dismissal", None, "pending")
    approvals.approve(h.user("wangjg"), third.approval_request.decisions.get(status="pending"))
    third.refresh_from_db()
    assert third.status == PenaltyStatus.EFFECTIVE and third.sanction == "dismissal"


def test_nobody_decides_their_own_appeal_not_even_the_director(h):
    """The director fined by rule (a missed duty of his own, found by the engine) appeals: the
    appeal is not his to decide — whoever holds it, it is never the appellant."""
    rule = fx.rule("r-director")
    v = svc.record_violation(h["wangjg"], "manual", penalty_rule=rule, description="周报逾期")
    a = svc.appeal(v.penalty, by=h["wangjg"], reason="出差在外")
    assert a.approval_request is not None
    holders = {d.approver_id for d in a.approval_request.decisions.all()}
    assert h["wangjg"].pk not in holders
    decision = a.approval_request.decisions.first()
    if decision is not None:  # a seat someone else holds: the director cannot take it
        with pytest.raises((PermissionDenied, ValidationError)):
            approvals.decide(h.user("wangjg"), decision, "approve", "")
