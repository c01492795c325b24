"""Work orders and the approval engine (审批, ``netdept.approvals``): the two kinds of request
declared in ``netdept.workorders.approval``.

* **Before work starts** (``workorders.order``): a category may name an approval rule. An order
  of that category is opened in ``pending_approval`` and submitted at once; its SLA clock is
  paused meanwhile unless its policy says otherwise (``SlaPolicy.pause_during_approval``).
  Approved: the order becomes ``new`` (the clock runs again, due later by the working time
  paused) and its team hears of it as of any new order. Rejected or withdrawn: the order is
  closed. Returned for changes: it stays pending; its requester changes the description or the
  estimated cost and submits it again (``resubmit``), or withdraws it (``withdraw``).
* **The report of a major incident** (``workorders.major_report``): each new text of the
  report is submitted to the rule of that kind (by default: the director); a major order is
  resolved or closed only once its latest report is approved (``report_refusal``).

The engine calls ``decided(request)`` inside the transaction of each decision.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalRequest, ApprovalRule, DecisionStatus, RequestStatus
from netdept.core.machines import field_limit
from netdept.notify import notify
from netdept.workorders import sla
from netdept.workorders.models import (
    APPROVAL_KIND,
    MAJOR_REPORT_KIND,
    MAX_REASON,
    Category,
    Priority,
    Status,
    WorkOrder,
)
from netdept.workorders.services.common import _conflict, _text, person_of
from netdept.workorders.services.engine import _data, _transition
from netdept.workorders.services.visibility import _require_requester

#: what the pause of an order pending approval records on its SLA timeline (read as words by
#: ``sla.timeline``, in the reader's language)
PAUSE_DETAIL = {"approval": True}
LIVE = (RequestStatus.PENDING, RequestStatus.RETURNED)


# --- before work starts -------------------------------------------------------------------
def rule_of(category: Category | None) -> ApprovalRule | None:
    """The active approval rule an order of ``category`` needs (None: no approval). A rule an
    administrator deactivated asks for no approval any more."""
    if category is None or not category.approval_rule_id:
        return None
    rule = category.approval_rule
    return rule if rule is not None and rule.is_active else None


def parse_cost(value: Any, category: Category | None) -> Decimal | None:
    """The estimated cost given with an order: a number of yuan (the model checks its range
    and digits); required for a purchase category."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if category is not None and category.is_purchase:
            raise ValidationError(
                {"estimated_cost": [_("A purchase needs its estimated cost (in yuan).")]}
            )
        return None
    if isinstance(value, bool):
        raise ValidationError({"estimated_cost": [_("Enter a number.")]})
    try:
        cost = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"estimated_cost": [_("Enter a number.")]}) from None
    if not cost.is_finite():
        raise ValidationError({"estimated_cost": [_("Enter a number.")]})
    return cost


def pauses(order: WorkOrder) -> bool:
    """Does the order's clock stop while it waits for its approval? (its policy says; without a
    policy no clock runs anyway)"""
    policy = order.sla_policy
    return policy is None or policy.pause_during_approval


def hold(order: WorkOrder, now: dt.datetime) -> None:
    """The order was just opened pending approval: pause its clock (per its policy). Inside
    ``open_order``'s transaction; the caller saves the order."""
    if pauses(order):
        sla.on_pause(order, now, "", **PAUSE_DETAIL)


def submit(actor: Any, order: WorkOrder, rule: ApprovalRule) -> ApprovalRequest:
    """Submit the just-opened ``order`` for approval under ``rule`` (its requester asks).
    A chain that needs nobody approves at once: the order is then already ``new``."""
    if order.requester_id is None:
        raise ValidationError(
            {"requester": [_("An order that needs approval needs a requester (a person).")]}
        )
    return approvals.submit(actor, kind=APPROVAL_KIND, obj=order, rule=rule)


def request_of(order: WorkOrder) -> ApprovalRequest | None:
    """The order's approval before work starts (the latest), if any."""
    return approvals.latest_for(order, APPROVAL_KIND)


def order_data(order: WorkOrder) -> dict[str, Any]:
    """The fields a rule's conditions may test (the kind's ``data``)."""
    return {
        "amount": order.estimated_cost,
        "category": order.category.name if order.category_id and order.category else "",
        "priority": f"P{order.priority}" if order.priority in Priority.values else "",
        "kind": order.kind,
    }


def decided(request: ApprovalRequest) -> None:
    """The engine's hook (inside the decision's transaction): move the order on. An order no
    longer pending approval, or an older request, moves nothing."""
    order = approvals.object_of(request)
    if not isinstance(order, WorkOrder) or request.kind != APPROVAL_KIND:
        return  # a report's outcome is read when the order is resolved or closed
    latest = request_of(order)
    if latest is not None and latest.pk != request.pk:
        return
    if order.status != Status.PENDING_APPROVAL:
        return
    if request.status == RequestStatus.APPROVED:
        _approved(order)
    elif request.status in (RequestStatus.REJECTED, RequestStatus.WITHDRAWN):
        _refused(order, request)


NOT_PENDING = gettext_lazy("This order no longer waits for approval; it is %(status)s.")


def _approved(order: WorkOrder) -> None:
    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.NEW
        sla.on_resume(o, now)  # due later by the working time paused (if it was)

    def after(o: WorkOrder) -> None:
        if o.team_id:
            notify(
                "workorders.assigned",
                obj=o,
                recipients=[o.team],
                data=_data(o),
                severity="warning" if o.priority == Priority.P1 else "info",
            )

    _transition(
        None,
        order,
        "approved",
        apply=apply,
        after=after,
        allowed=[Status.PENDING_APPROVAL],
        refusal=str(NOT_PENDING),
    )


def _outcome_comment(request: ApprovalRequest) -> str:
    row = (
        request.decisions.filter(status__in=[DecisionStatus.REJECTED, DecisionStatus.RETURNED])
        .order_by("-decided_at", "-pk")
        .values_list("comment", flat=True)
        .first()
    )
    return row or ""


def _refused(order: WorkOrder, request: ApprovalRequest) -> None:
    rejected = request.status == RequestStatus.REJECTED
    reason = _outcome_comment(request) if rejected else ""

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        sla.on_close(o, now)
        o.status = Status.CLOSED
        o.closed_at = o.closed_at or now

    _transition(
        None,
        order,
        "rejected" if rejected else "withdrawn",
        apply=apply,
        allowed=[Status.PENDING_APPROVAL],
        refusal=str(NOT_PENDING),
        extra={"reason": reason[:MAX_REASON]} if reason else None,
    )


def _live_request(order: WorkOrder, *statuses: str) -> ApprovalRequest:
    request = request_of(order)
    if request is None or request.status not in statuses:
        raise ValidationError({"status": [_("This order has no approval awaiting your changes.")]})
    return request


def resubmit(
    actor: Any,
    order: WorkOrder,
    *,
    description: str = "",
    estimated_cost: Any = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Returned for changes: the requester corrects the description and the estimated cost
    and submits the order again (the chain restarts where its rule says)."""
    description = _text(
        description, "description", required=False, limit=field_limit(WorkOrder, "description")
    )
    request = _live_request(order, RequestStatus.RETURNED)

    def check(o: WorkOrder) -> None:
        _require_requester(actor, o)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        cost = parse_cost(estimated_cost, o.category)
        if description:
            o.description = description
        o.estimated_cost = cost
        o.full_clean(exclude=["number"], validate_unique=False)

    def after(o: WorkOrder) -> None:
        approvals.resubmit(actor, request)

    _transition(
        actor,
        order,
        "resubmit",
        check=check,
        apply=apply,
        after=after,
        expected_version=expected_version,
    )
    order.refresh_from_db()  # a chain that needs nobody approves at once
    return order


def withdraw(
    actor: Any, order: WorkOrder, *, reason: str = "", expected_version: int | None = None
) -> WorkOrder:
    """The requester withdraws the approval (pending, or returned for changes): the order is
    closed (by the engine's hook, in the same transaction)."""
    reason = _text(reason, "reason", required=False, limit=MAX_REASON)
    _require_requester(actor, order)
    if order.status != Status.PENDING_APPROVAL:
        raise ValidationError(
            {"status": [str(NOT_PENDING) % {"status": order.get_status_display()}]}
        )
    if expected_version is not None and expected_version != order.version:
        fresh = WorkOrder.objects.filter(pk=order.pk).values_list("version", flat=True).first()
        if fresh != expected_version:
            raise _conflict(order, "withdraw")
    request = _live_request(order, *LIVE)
    approvals.withdraw(actor, request, reason)
    order.refresh_from_db()
    return order


# --- the report of a major incident --------------------------------------------------------
def report_rule() -> ApprovalRule | None:
    """The rule reports are approved under: the kind's active default rule (created by
    ``ensure_defaults``: one step, the director). None: reports need no approval."""
    return (
        ApprovalRule.objects.filter(kind=MAJOR_REPORT_KIND, is_active=True, is_default=True)
        .order_by("pk")
        .first()
    )


def report_request(order: WorkOrder) -> ApprovalRequest | None:
    return approvals.latest_for(order, MAJOR_REPORT_KIND)


def submit_report(actor: Any, order: WorkOrder) -> ApprovalRequest | None:
    """Submit the order's report (as it is now) to the director; an earlier one still pending
    or returned is withdrawn. The requester is the order's assignee, else whoever wrote it."""
    rule = report_rule()
    if rule is None:
        return None
    withdraw_report(order, _("A new version of the report was written."))
    requester = order.assignee or person_of(actor)
    return approvals.submit(
        actor, kind=MAJOR_REPORT_KIND, obj=order, rule=rule, requester=requester
    )


def withdraw_report(order: WorkOrder, reason: str) -> None:
    earlier = report_request(order)
    if earlier is not None and earlier.status in LIVE:
        approvals.withdraw(None, earlier, reason)


def report_refusal(order: WorkOrder, action: str) -> str | None:
    """Why a major order cannot be resolved (``action="resolve"``) or closed yet: no report,
    a report awaiting the director (待主任审批), a report rejected or returned (write it
    again). None: it may."""
    if not order.is_major:
        return None
    if not order.major_report.strip():
        if action == "resolve":
            return _("A major incident can be resolved only after its report to the leaders.")
        return _("A major incident can be closed only after its report to the leaders.")
    request = report_request(order)
    if request is None:
        if report_rule() is None:
            return None
        return _(
            "The report to the leaders (major_report) has not been submitted for the "
            "director's approval: save it again."
        )
    if request.status == RequestStatus.APPROVED:
        return None
    if request.status == RequestStatus.PENDING:
        return _(
            "The report to the leaders (major_report) awaits the director's approval; the "
            "order can be resolved or closed once it is approved."
        )
    comment = _outcome_comment(request)
    text = _(
        "The report to the leaders (major_report) was %(outcome)s: write it again and save it "
        "to submit it for approval."
    ) % {"outcome": request.get_status_display()}
    return f"{text} {comment}".strip() if comment else text
