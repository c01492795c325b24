"""The approval kinds of work orders, declared once (``register_kind``, from ``ready()``):

* ``workorders.order`` — an order before work starts, when its category names an approval
  rule (账号开通: the requester's department head; 设备采购: the head, and the director above
  ¥5,000). A rule's conditions may test the estimated cost, the category, the priority and
  the kind.
* ``workorders.major_report`` — the report of a major incident to the leaders, approved by the
  director (the default rule ``ensure_defaults`` writes) before the order is resolved or
  closed.

What happens to the order on each outcome is ``services.approval``'s (``decided``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.approvals.kinds import CHOICE, NUMBER, TEXT, ApprovalKind, Condition, register_kind
from netdept.approvals.links import request_url
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.workorders.models import (
    APPROVAL_KIND,
    MAJOR_REPORT_KIND,
    Kind,
    Priority,
    Status,
    WorkOrder,
)
from netdept.workorders.services import approval as approval_services

DECIDED = "netdept.workorders.services.approval.decided"
PRIORITIES = tuple((f"P{p}", f"P{p}") for p in Priority.values)
#: "pending" as an approval's state (the bare word is another module's "to be sent")
IN_APPROVAL = gettext_lazy("in approval")
DECIDED_STATES = (DecisionStatus.APPROVED, DecisionStatus.REJECTED, DecisionStatus.RETURNED)


def portal_url(order: WorkOrder) -> str:
    """The order as its requester's side sees it (the department head who approves is a
    requester too: the portal shows them their department's orders)."""
    return reverse("workorders:portal_detail", args=[order.number])


def order_url(order: WorkOrder) -> str:
    return reverse("workorders:order", args=[order.number])


def register() -> None:
    register_kind(
        ApprovalKind(
            code=APPROVAL_KIND,
            label=gettext_lazy("work order before work starts"),
            model=WorkOrder,
            fields={
                "amount": Condition(gettext_lazy("estimated cost (¥)"), NUMBER),
                "category": Condition(gettext_lazy("category"), TEXT),
                "priority": Condition(gettext_lazy("priority"), CHOICE, PRIORITIES),
                "kind": Condition(gettext_lazy("kind"), CHOICE, tuple(Kind.choices)),
            },
            data=approval_services.order_data,
            requester=lambda order: order.requester,
            title=lambda order: f"{order.number} {order.title}",
            on_decided=DECIDED,
            url=portal_url,
            description=gettext_lazy(
                "A work order of a category that requires approval waits for it before the "
                "team may take it."
            ),
        )
    )
    register_kind(
        ApprovalKind(
            code=MAJOR_REPORT_KIND,
            label=gettext_lazy("report of a major incident"),
            model=WorkOrder,
            fields={"priority": Condition(gettext_lazy("priority"), CHOICE, PRIORITIES)},
            data=lambda order: {"priority": f"P{order.priority}"},
            requester=lambda order: order.assignee,
            title=lambda order: f"{order.number} {order.title}",
            on_decided=DECIDED,
            url=order_url,
            description=gettext_lazy(
                "The report of a major incident to the leaders, approved by the director before "
                "the order is resolved or closed."
            ),
        )
    )


# --- what the order's pages show of its approvals -------------------------------------------
@dataclass
class StepView:
    """One step of a request as the order's pages show it."""

    name: str
    status: str
    status_label: Any
    people: list[str]  # who holds it now (pending), or who decided it
    comment: str = ""


@dataclass
class ApprovalView:
    """A request of an order: its status, its chain, who holds it now, why it was returned or
    rejected, the link to its page."""

    request: ApprovalRequest
    status: str
    status_label: Any
    steps: list[StepView] = field(default_factory=list)
    holders: list[str] = field(default_factory=list)
    comment: str = ""  # the approver's words on a return or a rejection
    url: str = ""


def _name(decision: ApprovalDecision) -> str:
    if decision.on_behalf_of_id and decision.on_behalf_of is not None:
        return _("%(delegate)s for %(person)s") % {
            "delegate": decision.approver.name,
            "person": decision.on_behalf_of.name,
        }
    return decision.approver.name


def view_of(request: ApprovalRequest | None) -> ApprovalView | None:
    """``request`` read for a page (a few queries, whatever the length of its chain)."""
    if request is None:
        return None
    decisions = list(request.decisions.select_related("approver", "on_behalf_of").order_by("pk"))
    by_step: dict[int, list[ApprovalDecision]] = {}
    for d in decisions:
        by_step.setdefault(d.step_id, []).append(d)
    steps: list[StepView] = []
    holders: list[str] = []
    comment = ""
    for step in request.steps.exclude(status=StepStatus.CANCELLED).order_by("position"):
        rows = by_step.get(step.pk, [])
        pending = [_name(d) for d in rows if d.status == DecisionStatus.PENDING]
        decided = [d for d in rows if d.status in DECIDED_STATES]
        people = pending if step.status == StepStatus.PENDING else [_name(d) for d in decided]
        words = " ".join(d.comment for d in decided if d.comment)
        if step.status == StepStatus.PENDING:
            holders.extend(pending)
        if step.status in (StepStatus.REJECTED, StepStatus.RETURNED) and words:
            comment = words
        label = IN_APPROVAL if step.status == StepStatus.PENDING else step.get_status_display()
        steps.append(StepView(step.name, step.status, label, people, words))
    try:
        url = request_url(request)
    except NoReverseMatch:  # the approvals pages are not mounted (a bare API deployment)
        url = ""
    return ApprovalView(
        request=request,
        status=request.status,
        status_label=(
            IN_APPROVAL if request.status == RequestStatus.PENDING else request.get_status_display()
        ),
        steps=steps,
        holders=holders,
        comment=comment,
        url=url,
    )


def order_approval(order: WorkOrder) -> ApprovalView | None:
    """The order's approval before work starts, for its pages (None: it needed none). No query
    for an order of a category without approval that never had one."""
    category = order.category if order.category_id else None
    if order.status != Status.PENDING_APPROVAL and (
        category is None or not category.approval_rule_id
    ):
        return None
    return view_of(approval_services.request_of(order))


def report_approval(order: WorkOrder) -> ApprovalView | None:
    """The approval of the order's major-incident report (None: not major, or none yet)."""
    if not order.is_major:
        return None
    return view_of(approval_services.report_request(order))
