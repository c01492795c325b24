"""Generated CRUD + permission tests of every approvals page (netdept.testing.crud).

Rules, their steps and committees are configuration (every scoped reader sees every row);
delegations are each person's own (scoped by the person away); requests, their steps and the
decisions are written by the engine only: their pages and endpoints are read-only (no add,
edit or delete: 404 on the pages, 405 in the API), their rows are made here directly."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    ApprovalStepRule,
    Committee,
    Delegation,
    StepStatus,
)
from netdept.testing.crud import CrudTests, denials, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def at(hours: int) -> dt.datetime:
    """A whole second, ``hours`` from now (what a form and the API give back unchanged)."""
    return (timezone.now() + dt.timedelta(hours=hours)).replace(microsecond=0)


def make_rule(**kw: Any) -> ApprovalRule:
    i = n()
    return ApprovalRule.objects.create(
        name=kw.pop("name", f"审批规则{i}"), code=f"rule-{i}", kind="approvals.general", **kw
    )


class TestCommitteeCrud(CrudTests):
    model = Committee
    extra_perms = ["org.view_person"]

    def make(self) -> Any:
        c = Committee.objects.create(name=f"网络管理委员会{n()}", quorum="any")
        c.members.set([PersonFactory.create()])
        return c

    def valid_data(self) -> dict[str, Any]:
        a, b, c = PersonFactory.create(), PersonFactory.create(), PersonFactory.create()
        return {
            "name": f"信息化建设领导小组{n()}",
            "chair": a.pk,
            "members": [a.pk, b.pk, c.pk],
            "quorum": "count",
            "quorum_count": 2,
            "description": "审议年度信息化规划",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        members = list(obj.members.values_list("pk", flat=True))
        return {
            "name": f"{obj.name}（新）",
            "chair": None,
            "members": [*members, PersonFactory.create().pk],
            "quorum": "all",
            "quorum_count": 1,
            "description": "",
            "is_active": False,
        }


class TestApprovalRuleCrud(CrudTests):
    model = ApprovalRule

    def make(self) -> Any:
        return make_rule()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"一般申请审批{i}",
            "code": f"general-{i}",
            "kind": "approvals.general",
            "description": "其他系统提交的申请",
            "is_default": False,
            "restart_on_return": "returning",
            "allow_bulk": True,
            "emergency_allowed": True,
            "emergency_hours": 16,
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）",
            "code": obj.code,
            "kind": obj.kind,
            "description": "改",
            "is_default": False,
            "restart_on_return": "returning",
            "allow_bulk": not obj.allow_bulk,
            "emergency_allowed": False,
            "emergency_hours": obj.emergency_hours + 1,
            "is_active": True,
        }


class TestApprovalStepRuleCrud(CrudTests):
    model = ApprovalStepRule
    extra_perms = ["approvals.view_approvalrule", "org.view_person"]

    def make(self) -> Any:
        return ApprovalStepRule.objects.create(
            rule=make_rule(),
            name=f"审批步骤{n()}",
            approver="person",
            person=PersonFactory.create(),
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "rule": make_rule().pk,
            "order": 10,
            "name": f"科室负责人审批{n()}",
            "approver": "person",
            "levels": 1,
            "department": None,
            "role": None,
            "role_quorum": "any",
            "person": PersonFactory.create().pk,
            "committee": None,
            "condition_field": "amount",
            "condition_op": "gt",
            "condition_value": "5000",
            "time_limit_hours": 8,
            "remind_before_hours": 2,
            "escalate_to": "person",
            "escalate_person": PersonFactory.create().pk,
            "require_2fa": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "rule": obj.rule_id,
            "order": obj.order + 10,
            "name": f"{obj.name}（新）",
            "approver": "person",
            "levels": 1,
            "department": None,
            "role": None,
            "role_quorum": "any",
            "person": PersonFactory.create().pk,
            "committee": None,
            "condition_field": "",
            "condition_op": "gt",
            "condition_value": "",
            "time_limit_hours": 4,
            "remind_before_hours": 0,
            "escalate_to": "",
            "escalate_person": None,
            "require_2fa": not obj.require_2fa,
        }


class TestDelegationCrud(CrudTests):
    model = Delegation
    extra_perms = ["org.view_person"]

    def make(self) -> Any:
        return Delegation.objects.create(
            delegator=PersonFactory.create(name=f"王建国{n()}"),
            delegate=PersonFactory.create(),
            starts_at=at(-1),
            ends_at=at(48),
            reason="出差",
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "delegator": PersonFactory.create().pk,
            "delegate": PersonFactory.create().pk,
            "starts_at": at(1),
            "ends_at": at(72),
            "reason": "外出培训",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "delegator": obj.delegator_id,
            "delegate": None,  # to the person's own approver
            "starts_at": at(2),
            "ends_at": at(24),
            "reason": "休假",
            "is_active": not obj.is_active,
        }

    def api_valid_data(self) -> dict[str, Any]:
        return _iso(self.valid_data())

    def api_update_data(self, obj: Any) -> dict[str, Any]:
        return _iso(self.update_data(obj))

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        delegator = _person_at(scope, department, team, user)
        return Delegation.objects.create(
            delegator=delegator, starts_at=at(-1), ends_at=at(24), reason="出差"
        )


def _iso(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in data.items()}


def _person_at(scope: str, department: Any, team: Any, user: Any) -> Any:
    """The user's person (own), a member of their team, or a person of their department."""
    if scope == "own":
        return user.person
    if scope == "team":
        return PersonFactory.create(department=department, team=team)
    return PersonFactory.create(department=department)


# --- the rows the engine writes ------------------------------------------------------------------
def make_request(requester: Any = None, **kw: Any) -> ApprovalRequest:
    return ApprovalRequest.objects.create(
        kind="approvals.general",
        rule=kw.pop("rule", None) or make_rule(),
        rule_version=1,
        title=kw.pop("title", f"申请{n()}"),
        requester=requester or PersonFactory.create(),
        submitted_at=timezone.now(),
        **kw,
    )


def make_step(request: ApprovalRequest, **kw: Any) -> ApprovalStep:
    return ApprovalStep.objects.create(
        request=request,
        position=kw.pop("position", 1),
        name=kw.pop("name", "科室负责人审批"),
        approver_kind="department_head",
        status=kw.pop("status", StepStatus.PENDING),
        **kw,
    )


def make_decision(requester: Any = None, approver: Any = None) -> ApprovalDecision:
    req = make_request(requester)
    return ApprovalDecision.objects.create(
        step=make_step(req),
        request=req,
        approver=approver or PersonFactory.create(),
        due_at=at(8),
    )


class TestApprovalRequestCrud(CrudTests):
    model = ApprovalRequest
    key_field = "title"

    def make(self) -> Any:
        return make_request()

    def make_rows(self, count: int) -> list[Any]:
        rule = make_rule()  # one rule, many requests (as in a real list)
        return [make_request(rule=rule) for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_request(_person_at(scope, department, team, user))


class TestApprovalStepCrud(CrudTests):
    model = ApprovalStep

    def make(self) -> Any:
        return make_step(make_request())

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_step(make_request(_person_at(scope, department, team, user)))


class TestApprovalDecisionCrud(CrudTests):
    model = ApprovalDecision
    key_field = "request"

    def make(self) -> Any:
        return make_decision()

    def test_ui_detail(self) -> None:
        """The decision's page (the approver's page, ``approvals.views``) shows the request's
        title and who holds the decision apart, not ``str(decision)`` in one piece: the
        generated checks, with those two."""
        obj = self.make()
        nobody = self.nobody()
        assert ui_client(nobody).get(self.ui_url("detail", obj)).status_code == 403
        assert denials(nobody).exists()
        c = ui_client(self.user("view"))
        r = c.get(self.ui_url("detail", obj))
        assert r.status_code == 200
        html = r.content.decode()
        assert obj.request.title in html and obj.approver.name in html
        assert c.get(self.ui_url_pk("detail", 999_999_999)).status_code == 404

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":  # the user's own place on a request from elsewhere
            return make_decision(
                PersonFactory.create(department=DepartmentFactory.create()), user.person
            )
        return make_decision(_person_at(scope, department, team, user))
