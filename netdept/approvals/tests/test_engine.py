"""The approval engine across the org chart: relations, delegation, committees, conditions,
return and resubmit, refusals, versioning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from netdept.approvals import services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals are matched in English (the Chinese is checked by the page tests)."""
    with translation.override("en"):
        yield


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def submit(h: hospital.Hospital, who: str, r, **kw) -> ApprovalRequest:  # type: ignore[no-untyped-def]
    return services.submit(
        h.user(who), kind="approvals.general", rule=r, title=kw.pop("title", "申请"), **kw
    )


def pending(req: ApprovalRequest) -> list[ApprovalDecision]:
    return list(req.decisions.filter(status=DecisionStatus.PENDING).select_related("approver"))


def holders(req: ApprovalRequest) -> list[str]:
    return sorted(d.approver.name for d in pending(req))


def test_department_head_approves_and_the_decision_records_who_when_from_where(h):
    r = hospital.rule()
    hospital.step(r, "科室负责人审批", "department_head")
    req = submit(h, "huangli", r)
    assert holders(req) == ["陈志强"]
    d = pending(req)[0]
    from netdept.core import context

    with context.acting(h.user("chenzq"), "10.1.2.3", "web"):
        services.approve(h.user("chenzq"), d, "同意")
    d.refresh_from_db()
    req.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED and d.comment == "同意"
    assert d.decided_by == h.user("chenzq") and d.ip == "10.1.2.3" and d.decided_at
    assert req.status == RequestStatus.APPROVED and req.decided_at
    rec = AuditRecord.objects.filter(object_type="approvals.approvaldecision",
                                     object_id=str(d.pk)).latest("seq")  # fmt: skip
    assert rec.extra["approval"] == "approve" and rec.ip == "10.1.2.3"


def test_a_requester_who_is_the_team_lead_goes_one_level_up(h):
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead")
    req = submit(h, "liuqiang", r)
    assert holders(req) == ["王建国"]
    assert "one level up" in req.steps.get().routed_reason


def test_an_absent_team_lead_who_delegated_is_replaced_by_the_delegate(h):
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "delegate": h["lina"],
         "starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=2),
         "reason": "出差"},
        check=False,
    )  # fmt: skip
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead")
    req = submit(h, "zhangwei", r)
    d = pending(req)[0]
    assert d.approver == h["lina"] and d.on_behalf_of == h["liuqiang"]
    services.approve(h.user("lina"), d)
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED


def test_a_delegate_who_is_the_requester_is_passed_over(h):
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "delegate": h["zhangwei"],
         "starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=2)},
        check=False,
    )  # fmt: skip
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead")
    req = submit(h, "zhangwei", r)
    assert holders(req) == ["王建国"]  # 刘强's superior, never 张伟 himself
    with pytest.raises(PermissionDenied):
        services.approve(h.user("zhangwei"), pending(req)[0])


def test_a_delegation_made_later_moves_the_pending_approvals(h):
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead")
    req = submit(h, "zhangwei", r)
    assert holders(req) == ["刘强"]
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "starts_at": now - dt.timedelta(minutes=1),
         "ends_at": now + dt.timedelta(days=1)},  # to his own approver
        check=False,
    )  # fmt: skip
    d = pending(req)[0]
    assert d.approver == h["wangjg"] and d.on_behalf_of == h["liuqiang"]
    assert req.decisions.filter(status=DecisionStatus.PASSED_ON).count() == 1


def test_a_committee_of_five_with_quorum_three(h):
    extra = [h["chenzq"], h["xuming"], h["fengli"]]
    members = [h["wangjg"], h["liuqiang"], *extra]
    c = hospital.committee("网络管理委员会", members, "count", 3, chair=h["wangjg"])
    r = hospital.rule()
    hospital.step(r, "委员会审议", "committee", committee=c)
    req = submit(h, "zhangwei", r)
    seats = {d.approver.pk: d for d in pending(req)}
    assert len(seats) == 5 and req.steps.get().needed == 3
    services.approve(h.user("wangjg"), seats[h["wangjg"].pk])
    services.reject(h.user("xuming"), seats[h["xuming"].pk], "预算不足")
    services.approve(h.user("liuqiang"), seats[h["liuqiang"].pk])
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING  # two of three
    services.approve(h.user("chenzq"), seats[h["chenzq"].pk])
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    assert req.decisions.get(approver=h["fengli"]).status == DecisionStatus.NOT_NEEDED
    with pytest.raises(ValidationError, match="Already decided"):
        services.approve(h.user("fengli"), seats[h["fengli"].pk])


def test_a_committee_rejects_once_the_quorum_cannot_be_reached(h):
    members = [h["wangjg"], h["liuqiang"], h["chenzq"], h["xuming"], h["fengli"]]
    c = hospital.committee("领导小组", members, "count", 3)
    r = hospital.rule()
    hospital.step(r, "领导小组审议", "committee", committee=c)
    req = submit(h, "zhangwei", r)
    seats = {d.approver.pk: d for d in pending(req)}
    services.reject(h.user("wangjg"), seats[h["wangjg"].pk], "不同意")
    services.reject(h.user("liuqiang"), seats[h["liuqiang"].pk], "不同意")
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING  # 3 still possible
    services.reject(h.user("chenzq"), seats[h["chenzq"].pk], "不同意")
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED


@pytest.mark.parametrize(("amount", "expected"), [(3000, ["刘强"]), (8000, ["刘强", "王建国"])])
def test_conditions_by_amount_add_the_director(h, amount, expected):
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead", order=10)
    hospital.step(r, "主任审批", "director", order=20, condition_field="amount",
                  condition_op="gt", condition_value="5000")  # fmt: skip
    req = submit(h, "zhangwei", r, data={"amount": amount})
    seen = []
    while req.status == RequestStatus.PENDING:
        d = pending(req)[0]
        seen.append(d.approver.name)
        services.approve(d.approver.user, d)
        req.refresh_from_db()
    assert seen == expected and req.status == RequestStatus.APPROVED


def test_superiors_level_by_level(h):
    r = hospital.rule()
    hospital.step(r, "逐级审批", "superiors", levels=3)
    req = submit(h, "zhangwei", r)
    order = []
    while req.status == RequestStatus.PENDING:
        d = pending(req)[0]
        order.append(d.approver.name)
        services.approve(d.approver.user, d)
        req.refresh_from_db()
    assert order == ["刘强", "王建国"]  # the chain ends at the director
    assert req.steps.filter(status=StepStatus.SKIPPED).count() == 1


def test_a_department_without_head_goes_to_the_director_with_the_reason(h):
    r = hospital.rule()
    hospital.step(r, "科室负责人审批", "department_head")
    req = submit(h, "xuming", r)
    assert holders(req) == ["王建国"]
    assert "外科 has no head" in req.steps.get().routed_reason


def test_reject_needs_a_reason_and_return_restarts_the_chain(h):
    r = hospital.rule(restart_on_return="first")
    hospital.step(r, "组长审批", "team_lead", order=10)
    hospital.step(r, "主任审批", "director", order=20)
    req = submit(h, "zhangwei", r)
    d = pending(req)[0]
    with pytest.raises(ValidationError, match="reason"):
        services.reject(h.user("liuqiang"), d, "")
    services.approve(h.user("liuqiang"), d)
    d2 = pending(req)[0]
    services.return_for_changes(h.user("wangjg"), d2, "请补充预算明细")
    req.refresh_from_db()
    assert req.status == RequestStatus.RETURNED
    services.resubmit(h.user("zhangwei"), req, {"amount": 100})
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING and holders(req) == ["刘强"]


def test_return_can_restart_from_the_returning_step(h):
    r = hospital.rule(restart_on_return="returning")
    hospital.step(r, "组长审批", "team_lead", order=10)
    hospital.step(r, "主任审批", "director", order=20)
    req = submit(h, "zhangwei", r)
    services.approve(h.user("liuqiang"), pending(req)[0])
    services.return_for_changes(h.user("wangjg"), pending(req)[0], "补充")
    services.resubmit(h.user("zhangwei"), req)
    req.refresh_from_db()
    assert holders(req) == ["王建国"]


def test_refusals_name_the_reason(h):
    r = hospital.rule()
    hospital.step(r, "科室负责人审批", "department_head")
    req = submit(h, "huangli", r)
    d = pending(req)[0]
    with pytest.raises(PermissionDenied):
        services.approve(h.user("zhangwei"), d)  # not theirs
    services.withdraw(h.user("huangli"), req, "不需要了")
    d.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        services.approve(h.user("chenzq"), d)


def test_a_request_keeps_the_rule_it_started_under(h):
    r = hospital.rule()
    hospital.step(r, "组长审批", "team_lead", order=10)
    req = submit(h, "zhangwei", r)
    v = req.rule_version
    hospital.step(r, "主任审批", "director", order=20)
    r.refresh_from_db()
    assert r.version > v
    services.approve(h.user("liuqiang"), pending(req)[0])
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.rule_version == v


def test_rules_that_cannot_resolve_are_refused_naming_what_is_missing(h):
    r = hospital.rule()
    with pytest.raises(ValidationError, match="外科 has no head"):
        hospital.step(r, "外科主任审批", "head_of", department=h.waike)
    with pytest.raises(ValidationError, match="no active members"):
        hospital.committee("空委员会", [], "all")
    with pytest.raises(ValidationError, match="has no field"):
        hospital.step(r, "x", "director", condition_field="weight", condition_value="1")


def test_nobody_approves_their_own_request_in_a_role_step(h):
    from netdept.org.models import Role

    r = hospital.rule()
    hospital.step(r, "组长们", "role", role=Role.objects.get(code="team_lead"))
    req = submit(h, "liuqiang", r)
    assert holders(req) == ["王建国"]  # the only holder is the requester: one level up
