"""The work order's state machine: every action on an order, declared once.

The order page's buttons and forms, the requester portal's actions, the API actions
(``POST /api/v1/workorders/orders/{id}/<name>/``), the ``allowed_actions`` of the API and the
services' own state checks (``services.engine._transition`` reads ``source`` and ``refusal``
from here) all come from this declaration. The services keep owning the change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from netdept.core.machines import (
    ANY,
    BOOLEAN,
    CHOICE,
    COMPUTED,
    FILE,
    INTEGER,
    MODEL,
    TEXTAREA,
    Field,
    Machine,
    Transition,
    Who,
    field_limit,
    register,
)
from netdept.org.models import Person, Team
from netdept.workorders.models import (
    MAX_REASON,
    MAX_RECORD_MINUTES,
    OPEN_STATUSES,
    Comment,
    Kind,
    Priority,
    Status,
    WorkOrder,
    WorkRecord,
)
from netdept.workorders.rules import awaits_changes, is_own_order, is_requester_side, may_reopen

CHANGE = "workorders.change_workorder"
#: staff working on the order: the change permission within their scope
STAFF = Who(CHANGE, permission=CHANGE)
#: the requester, or a person of the requester's department who can see the order
REQUESTER = Who("workorders.requester", test=is_requester_side)
#: the order's own requester, or whoever filed it for them (its approval is theirs)
OWNER = Who("workorders.requester", test=is_own_order)

OPEN = tuple(str(s) for s in OPEN_STATUSES)
NOT_CLOSED = (*OPEN, Status.RESOLVED.value)
S = "netdept.workorders.services."


def is_lead(order: WorkOrder) -> bool:
    """Leads only: the registration number 客服部 gave when the lead was handed over."""
    return order.kind == Kind.LEAD


def active_teams() -> QuerySet[Team]:
    return Team.objects.filter(is_active=True)


def staff_people() -> QuerySet[Person]:
    """People who can be assignees: members of a team."""
    return Person.objects.filter(team__isnull=False, is_active=True).select_related("team")


def active_people() -> QuerySet[Person]:
    return Person.objects.filter(is_active=True)


def reason(required: bool = True, label: Any = None) -> Field:
    return Field(
        "reason", kind=TEXTAREA, rows=2, label=label or _("reason"), required=required,
        max_length=MAX_REASON,
    )  # fmt: skip


RATING_CHOICES = [(i, "★" * i) for i in range(5, 0, -1)]
STARS = _("Choose between 1 and 5 stars.")

TRANSITIONS = [
    Transition(
        "accept", _("Accept"), [Status.NEW], Status.ACCEPTED, S + "accept",
        who=[STAFF], icon="bi-check2-circle", style="primary", order=10,
        refusal=_("Only a new order can be accepted; this one is %(status)s."),
        done=_("%(number)s was accepted."),
    ),
    Transition(
        "start", _("Start work"), [Status.ACCEPTED], Status.IN_PROGRESS, S + "start",
        who=[STAFF], icon="bi-play-fill", style="primary", order=20,
        refusal=_("Only an accepted order can be started; this one is %(status)s."),
        done=_("%(number)s was updated."),
    ),
    Transition(
        "resume", _("Resume"), [Status.WAITING], Status.IN_PROGRESS, S + "resume",
        who=[STAFF], icon="bi-play", style="primary", order=30,
        refusal=_("Only a waiting order can be resumed; this one is %(status)s."),
        done=_("%(number)s was updated."),
    ),
    Transition(
        "wait", _("Wait"), [Status.ACCEPTED, Status.IN_PROGRESS], Status.WAITING, S + "wait",
        who=[STAFF], icon="bi-pause-fill", style="outline-secondary", order=40,
        fields=[
            Field("on", model_field="waiting_on", required=True, label=_("waiting on")),
            reason(),
        ],
        refusal=_("Only an accepted or in-progress order can wait; this one is %(status)s."),
        done=_("%(number)s is waiting; the SLA clock is paused."),
    ),
    Transition(
        "resolve", _("Resolve"), [Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING],
        Status.RESOLVED, S + "resolve",
        who=[STAFF], icon="bi-check2-all", style="success", order=50,
        fields=[
            Field("solution", model_field="solution", required=True),
            Field(
                "registration_no", model_field="registration_no", required=False, when=is_lead
            ),
        ],
        refusal=_("Only an accepted order can be resolved; this one is %(status)s."),
        done=_("%(number)s was resolved."),
    ),
    Transition(
        "assign", _("Assign"), OPEN, None, S + "assign",
        who=[STAFF], icon="bi-person-check", style="outline-primary", order=60,
        fields=[
            Field("team", kind=MODEL, label=_("team"), queryset=active_teams, required=False),
            Field(
                "assignee", kind=MODEL, label=_("assignee"), queryset=staff_people,
                required=False,
            ),
            reason(required=False),
        ],
        initial=lambda o: {"team": o.team_id, "assignee": o.assignee_id},
        refusal=_("Only an open order can be assigned; this one is %(status)s."),
        done=_("%(number)s was assigned."),
    ),
    Transition(
        "transfer", _("Transfer"), OPEN, None, S + "transfer",
        who=[STAFF], icon="bi-arrow-left-right", style="outline-primary", order=70,
        fields=[Field("team", kind=MODEL, label=_("team"), queryset=active_teams), reason()],
        refusal=_("Only an open order can be transferred; this one is %(status)s."),
        done=_("%(number)s was transferred."),
    ),
    Transition(
        "priority", _("Priority"), OPEN, None, S + "set_priority",
        who=[STAFF], icon="bi-sort-numeric-down", style="outline-secondary", order=80,
        fields=[
            Field("impact", model_field="impact", required=False),
            Field("urgency", model_field="urgency", required=False),
            Field(
                "priority", kind=CHOICE, label=_("override priority"), required=False,
                choices=[("", _("From the matrix")), *Priority.choices], coerce=int,
            ),
            Field(
                "reason", model_field="priority_reason", label=_("reason"), required=False,
                help_text=_("Required when the priority is overridden."),
            ),
        ],
        initial=lambda o: {"impact": o.impact, "urgency": o.urgency},
        refusal=_("The priority of an order that is %(status)s cannot change."),
        done=_("%(number)s was updated."),
    ),
    Transition(
        "major", _("Major incident"), NOT_CLOSED, None, S + "set_major",
        who=[STAFF], icon="bi-lightning", style="outline-danger", order=90,
        fields=[
            Field("is_major", kind=BOOLEAN, label=_("major incident")),
            Field("report", model_field="major_report", required=False, rows=4),
        ],
        initial=lambda o: {"is_major": True, "report": o.major_report},
        refusal=_("An order that is %(status)s cannot change."),
        done=_("%(number)s was updated."),
    ),
    Transition(
        "merge", _("Merge"), NOT_CLOSED, Status.CLOSED, S + "merge.merge_into",
        who=[STAFF], icon="bi-intersect", style="outline-secondary", order=100,
        when=lambda o: not o.is_major,
        fields=[
            Field(
                "into", label=_("merge into (number)"),
                max_length=field_limit(WorkOrder, "number"),
                help_text=_("The number of the order this one duplicates."),
            ),
        ],
        refusal=_("A closed order cannot be merged; this one is %(status)s."),
        done=_("%(number)s was merged."),
    ),
    Transition(
        "close", _("Close"), NOT_CLOSED, Status.CLOSED, S + "close",
        who=[STAFF], icon="bi-lock", style="outline-secondary", order=110,
        fields=[reason(required=False)],
        refusal=_("This order is already %(status)s."),
        done=_("%(number)s was closed."),
    ),
    Transition(
        "reopen", _("Reopen"), [Status.RESOLVED, Status.CLOSED], COMPUTED, S + "reopen",
        who=[REQUESTER, STAFF], icon="bi-arrow-counterclockwise", style="outline-warning",
        order=120, when=may_reopen,
        fields=[reason()],
        refusal=_("Only a resolved or closed order can be reopened; this one is %(status)s."),
        done=_("%(number)s was reopened."),
    ),
    Transition(
        "confirm", _("Confirm the fix"), [Status.RESOLVED], Status.CLOSED, S + "confirm",
        who=[REQUESTER], icon="bi-hand-thumbs-up", style="success", order=130,
        refusal=_("Only a resolved order can be confirmed; this one is %(status)s."),
        done=_("%(number)s was updated."),
    ),
    Transition(
        "rate", _("Rate"), [Status.RESOLVED, Status.CLOSED], None, S + "rate",
        who=[REQUESTER], icon="bi-star", style="outline-success", order=140,
        fields=[
            Field(
                "rating", kind=CHOICE, label=_("rating"), choices=RATING_CHOICES, coerce=int,
                error_messages={"invalid_choice": STARS, "required": STARS},
            ),
            Field("comment", model_field="rating_comment", required=False, rows=2),
        ],
        refusal=_("Only a resolved or closed order can be rated; this one is %(status)s."),
        done=_("%(number)s was updated."),
    ),
    # --- approval before work starts (services.approval): the engine's outcome moves the
    # order on (approved → new, rejected → closed); its requester answers a return ---------
    Transition(
        "resubmit", _("Submit again"), [Status.PENDING_APPROVAL], None,
        S + "approval.resubmit",
        who=[OWNER], icon="bi-send-check", style="primary", order=150, when=awaits_changes,
        fields=[
            Field("description", model_field="description", required=False, rows=4),
            # Text parsed by the service (``approval.parse_cost``, then the model's limits):
            # a number field of a machine would reach the API as an integer.
            Field(
                "estimated_cost", label=_("estimated cost (¥)"), required=False, max_length=20,
                help_text=_("Purchases: required, in yuan."),
            ),
        ],
        initial=lambda o: {
            "description": o.description,
            "estimated_cost": "" if o.estimated_cost is None else str(o.estimated_cost),
        },
        refusal=_("Only an order pending approval can be submitted again; this one is "
                  "%(status)s."),
        done=_("%(number)s was submitted for approval again."),
    ),
    Transition(
        "withdraw", _("Withdraw"), [Status.PENDING_APPROVAL], Status.CLOSED,
        S + "approval.withdraw",
        who=[OWNER], icon="bi-x-circle", style="outline-danger", order=160,
        fields=[reason(required=False)],
        refusal=_("Only an order pending approval can be withdrawn; this one is %(status)s."),
        done=_("%(number)s was withdrawn and closed."),
    ),
    # --- beside the conversation: no change of state --------------------------------------
    Transition(
        "comment", _("Comment"), [ANY], None, S + "comment",
        who=[STAFF, REQUESTER], icon="bi-chat-left-text", style="outline-primary", order=200,
        group="inline", versioned=False,
        fields=[Field("body", model_field="body", of=Comment, label=_("comment"))],
        done=_("The comment was added to %(number)s."),
    ),
    Transition(
        "note", _("Internal note"), [ANY], None, S + "records.note",
        who=[STAFF], icon="bi-journal-lock", style="outline-secondary", order=210,
        group="inline", versioned=False,
        fields=[Field("body", model_field="body", of=Comment, label=_("internal note"))],
        done=_("The internal note was added to %(number)s."),
    ),
    Transition(
        "record", _("Work record"), NOT_CLOSED, None, S + "add_work_record",
        who=[STAFF], icon="bi-tools", style="outline-secondary", order=220, group="inline",
        versioned=False,
        fields=[
            Field("description", model_field="description", of=WorkRecord),
            Field(
                "minutes", kind=INTEGER, label=_("time spent (minutes)"), min_value=1,
                max_value=MAX_RECORD_MINUTES,
            ),
        ],
        refusal=_("Work cannot be recorded on an order that is %(status)s."),
        done=_("The work record was added to %(number)s."),
    ),
    Transition(
        "attach", _("Attach a file"), (Status.PENDING_APPROVAL.value, *NOT_CLOSED), None,
        S + "attachments.attach",
        who=[STAFF, REQUESTER], icon="bi-paperclip", style="outline-secondary", order=230,
        group="inline", versioned=False,
        fields=[Field("file", kind=FILE, label=_("file"))],
        done=_("The file was attached to %(number)s."),
    ),
]  # fmt: skip

#: The work order's machine. The services check the state themselves, inside the transaction
#: that changes the order, so that a lost race answers as a conflict (409) naming who won.
WORKORDER_MACHINE = register(
    Machine(
        WorkOrder,
        transitions=TRANSITIONS,
        version_field="version",
        handler_checks_state=True,
        # An order is opened new, or pending the approval its category requires.
        initial_states=[Status.NEW, Status.PENDING_APPROVAL],
        default_who=[STAFF],
    )
)
