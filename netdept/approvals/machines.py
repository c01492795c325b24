"""The state machines of approvals: an approver's decision (approve, reject, return for
changes) and the requester's request (withdraw, submit again). The buttons of the decision and
request pages and the API actions (``POST /api/v1/approvals/decisions/{id}/approve/``…) come
from here; the engine (``services.engine``) owns every change."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.approvals.models import (
    MAX_COMMENT,
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
)
from netdept.approvals.services import engine
from netdept.core.machines import TEXT, TEXTAREA, Field, Machine, Transition, Who, register

S = "netdept.approvals.services.engine."


def _approver(user: Any, d: ApprovalDecision) -> bool:
    return engine.may_decide(user, d)


def _requester(user: Any, r: ApprovalRequest) -> bool:
    return engine.may_withdraw(user, r)


APPROVER = Who("approvals.approver", test=_approver)
REQUESTER = Who("approvals.requester", test=_requester)


def _needs_2fa(d: ApprovalDecision) -> bool:
    return bool(d.step.require_2fa)


def comment(required: bool, label: Any) -> Field:
    return Field(
        "comment", kind=TEXTAREA, rows=2, label=label, required=required, max_length=MAX_COMMENT
    )


DECISION_MACHINE = register(
    Machine(
        ApprovalDecision,
        version_field="version",
        handler_checks_state=True,
        default_who=(APPROVER,),
        external_states=[DecisionStatus.NOT_NEEDED, DecisionStatus.PASSED_ON],
        transitions=[
            Transition(
                "approve", _("Approve"), [DecisionStatus.PENDING], DecisionStatus.APPROVED,
                S + "approve", who=[APPROVER], icon="bi-check-lg", style="success", order=10,
                fields=[
                    comment(False, _("comment")),
                    Field("otp_code", kind=TEXT, label=_("second-factor code"), max_length=10,
                          required=False, when=_needs_2fa),
                ],
                refusal=_("This approval is %(status)s: it awaits no decision."),
                done=_("Approved."),
            ),
            Transition(
                "reject", _("Reject"), [DecisionStatus.PENDING], DecisionStatus.REJECTED,
                S + "reject", who=[APPROVER], icon="bi-x-lg", style="danger", order=20,
                fields=[comment(True, _("reason"))],
                refusal=_("This approval is %(status)s: it awaits no decision."),
                done=_("Rejected."),
            ),
            Transition(
                "return_for_changes", _("Return for changes"), [DecisionStatus.PENDING],
                DecisionStatus.RETURNED, S + "return_for_changes", who=[APPROVER],
                icon="bi-arrow-return-left", style="outline-secondary", order=30,
                fields=[comment(True, _("what to change"))],
                refusal=_("This approval is %(status)s: it awaits no decision."),
                done=_("Returned to the requester."),
            ),
        ],
    )
)  # fmt: skip

REQUEST_MACHINE = register(
    Machine(
        ApprovalRequest,
        version_field="version",
        handler_checks_state=True,
        default_who=(REQUESTER,),
        external_states=[RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED],
        transitions=[
            Transition(
                "withdraw", _("Withdraw"), [RequestStatus.PENDING, RequestStatus.RETURNED],
                RequestStatus.WITHDRAWN, S + "withdraw", who=[REQUESTER],
                icon="bi-x-circle", style="outline-danger", order=10,
                fields=[Field("reason", kind=TEXTAREA, rows=2, label=_("reason"),
                              required=False, max_length=MAX_COMMENT)],
                confirm=_("Withdraw %(title)s?"),
                refusal=_("Only a pending or returned request can be withdrawn; this one is "
                          "%(status)s."),
                done=_("Withdrawn."),
            ),
            Transition(
                "resubmit", _("Submit again"), [RequestStatus.RETURNED], RequestStatus.PENDING,
                S + "resubmit", who=[REQUESTER], icon="bi-send", style="primary", order=20,
                refusal=_("Only a returned request can be submitted again; this one is "
                          "%(status)s."),
                done=_("Submitted again."),
            ),
        ],
    )
)  # fmt: skip
