"""The pages and API of leave, through the generic stack.

Leave types are configuration (a form; ``LeaveTypeService`` checks the channels). Leave
requests are written by ``services.leave`` only: asking has its own phone-first page
(``views_leave``), the list, detail, export and API are generated and read-only, and the
approver's and the person's buttons (approve with the channel, reject, cancel) come from the
machine below — on the page and as API actions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.machines import CHOICE, COMPUTED, TEXTAREA, Field, Machine, Transition, Who
from netdept.core.machines import register as machine
from netdept.core.registry import Page, register
from netdept.worklog import forms_leave as f
from netdept.worklog.models.leave import Channel, LeaveRequest, LeaveStatus, LeaveType
from netdept.worklog.services import leave as svc

H = "netdept.worklog.services.leave."
#: who may ask for leave (and see the page): the people of the department
ASK = "worklog.add_leaverequest"


def _approver(user: Any, leave: LeaveRequest) -> bool:
    return svc.pending_decision(svc.person_of(user), leave) is not None


def _canceller(user: Any, leave: LeaveRequest) -> bool:
    return svc.may_cancel(svc.person_of(user), leave)


APPROVER = Who("worklog.leave_approver", test=_approver)
CANCELLER = Who("worklog.leave_canceller", test=_canceller)

LEAVE_MACHINE = machine(
    Machine(
        LeaveRequest,
        version_field="version",
        default_who=(APPROVER,),
        external_states=[LeaveStatus.PENDING, LeaveStatus.APPROVED, LeaveStatus.INVALID,
                         LeaveStatus.REJECTED, LeaveStatus.WITHDRAWN],
        transitions=[
            Transition(
                "approve", _("Approve"), [LeaveStatus.PENDING], COMPUTED,
                H + "approve_action", who=[APPROVER], icon="bi-check-lg", style="success",
                order=10,
                fields=[
                    Field("channel", kind=CHOICE, label=_("how was it requested"),
                          choices=lambda: [("", "—"), *Channel.choices], required=False,
                          help_text=_("Required when the leave type accepts only some ways "
                                      "(in person, by phone).")),
                    Field("comment", kind=TEXTAREA, rows=2, label=_("comment"), required=False,
                          max_length=500),
                ],
                refusal=_("Only a pending leave can be approved; this one is %(status)s."),
                done=_("Decided: the leave follows the approval."),
            ),
            Transition(
                "reject", _("Reject"), [LeaveStatus.PENDING], LeaveStatus.REJECTED,
                H + "reject_action", who=[APPROVER], icon="bi-x-lg", style="outline-danger",
                order=20,
                fields=[Field("comment", kind=TEXTAREA, rows=2, label=_("reason"),
                              required=True, max_length=500)],
                refusal=_("Only a pending leave can be rejected; this one is %(status)s."),
                done=_("The leave was rejected."),
            ),
            Transition(
                "cancel", _("Cancel the leave"), [LeaveStatus.PENDING, LeaveStatus.APPROVED],
                COMPUTED, H + "cancel_action", who=[CANCELLER],
                icon="bi-slash-circle", style="outline-secondary", order=30,
                fields=[Field("reason", kind=TEXTAREA, rows=2, label=_("reason"),
                              required=False, max_length=svc.MAX_REASON)],
                confirm=_("Cancel this leave? A pending request is withdrawn."),
                refusal=_("This leave is %(status)s: it cannot be cancelled."),
                done=_("The leave was cancelled."),
            ),
        ],
    )
)  # fmt: skip

register(
    Page(
        model=LeaveType,
        nav_group="worklog",
        nav_order=70,
        icon="bi-tags",
        slug="leave-types",
        api_name="leave-types",
        fields=["name", "code", "description", "paid", "max_days", "valid_channels",
                "approval_rule", "articles", "pack", "is_active"],
        columns=["name", "code", "paid", "max_days", "valid_channels", "approval_rule", "pack",
                 "is_active"],
        filters=["paid", "pack", "is_active"],
        search=["name", "code", "description"],
        select_related=["approval_rule"],
        prefetch_related=["articles"],
        service=svc.LeaveTypeService(),
    )
)  # fmt: skip
register(
    Page(
        model=LeaveRequest,
        nav_group="worklog",
        nav_order=60,
        icon="bi-calendar2-x",
        slug="leave",
        api_name="leave-requests",
        fields=[],
        columns=["person", "leave_type", "starts_at", "ends_at", "working_days", "status",
                 "channel", "delegate", "team", "department", "reason", "recorded_by",
                 "decided_at", "invalid_reason"],
        default_columns=["person", "leave_type", "starts_at", "ends_at", "working_days",
                         "status", "channel"],
        detail_fields=["person", "leave_type", "starts_at", "ends_at", "working_days", "reason",
                       "status", "invalid_reason", "channel", "recorded_by", "delegate",
                       "approval", "decided_at", "team", "department"],
        filters=["status", "leave_type", "channel", "person", "team", "department"],
        search=["person__name", "reason"],
        select_related=["person", "leave_type", "delegate", "team", "department",
                        "recorded_by", "approval"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=LEAVE_MACHINE,
        serializer_class=f.LeaveRequestSerializer,
        importable=False,
        home_card=False,  # each person's own rows, or the lead's work: no count card
    )
)  # fmt: skip

add_nav("worklog", _("Ask for leave"), "worklog:leave_request", ASK, "bi-calendar-plus", 59)
