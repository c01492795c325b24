"""Priorities: the impact × urgency matrix, priority changes and major incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core.machines import field_limit
from netdept.notify import notify
from netdept.workorders import sla
from netdept.workorders.models import (
    Level,
    Priority,
    PriorityRule,
    WorkOrder,
)
from netdept.workorders.services import approval
from netdept.workorders.services.common import _choice, _text
from netdept.workorders.services.engine import _data, _transition
from netdept.workorders.services.visibility import _require_staff

# --- the impact × urgency matrix -------------------------------------------------------
DEFAULT_MATRIX = {2: Priority.P1, 3: Priority.P2, 4: Priority.P3, 5: Priority.P4, 6: Priority.P4}


def matrix_priority(impact: int, urgency: int) -> int:
    found = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    return int(found) if found else int(DEFAULT_MATRIX[int(impact) + int(urgency)])


# --- priority changes and major incidents -----------------------------------------------
def set_priority(
    actor: Any,
    order: WorkOrder,
    *,
    impact: int | None = None,
    urgency: int | None = None,
    priority: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Change impact/urgency (priority from the matrix) or override the priority (a reason is
    required); the SLA due times are recomputed keeping the time already spent."""
    reason = _text(
        reason, "reason", required=False, limit=field_limit(WorkOrder, "priority_reason")
    )
    new_impact = _choice(impact, Level, "impact", 0) or None
    new_urgency = _choice(urgency, Level, "urgency", 0) or None
    new_priority = _choice(priority, Priority, "priority", 0) or None
    if new_impact is None and new_urgency is None and new_priority is None:
        raise ValidationError({"priority": [_("Give the impact, the urgency or the priority.")]})

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        old = o.priority
        o.impact = new_impact or o.impact
        o.urgency = new_urgency or o.urgency
        computed = matrix_priority(o.impact, o.urgency)
        if new_priority is not None and new_priority != computed and not reason:
            raise ValidationError(
                {"reason": [_("Give a reason to override the priority of the matrix.")]}
            )
        o.priority = new_priority or computed
        o.priority_reason = reason if o.priority != computed else (reason or "")
        if o.priority != old:
            sla.on_priority_change(o, now, old)

    return _transition(
        actor,
        order,
        "priority",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
    )


def set_major(
    actor: Any,
    order: WorkOrder,
    *,
    is_major: bool,
    report: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Flag (or unflag) a major incident and write its report to the leaders; the director is
    told (urgently) when an order becomes major. A new text of the report is submitted for the
    director's approval (an earlier one still pending is withdrawn); the order is resolved or
    closed once it is approved (``approval.report_refusal``)."""
    report = _text(
        report, "major_report", required=False, limit=field_limit(WorkOrder, "major_report")
    )
    became: list[bool] = []
    changed: list[bool] = []

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        became.append(bool(is_major) and not o.is_major)
        changed.append(bool(report) and report != o.major_report)
        o.is_major = bool(is_major)
        if report:
            o.major_report = report

    def after(o: WorkOrder) -> None:
        if not o.is_major:
            approval.withdraw_report(o, _("The order is no longer a major incident."))
        elif o.major_report.strip() and (changed[0] or _needs_submission(o)):
            approval.submit_report(actor, o)
        if became and became[0]:
            notify(
                "workorders.major",
                obj=o,
                recipients=["role:director"],
                data=_data(o, location=o.location),
                severity="critical",
                urgent=True,
                dedupe_key=f"major:{o.pk}:{o.version}",
            )

    return _transition(
        actor,
        order,
        "major",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def _needs_submission(order: WorkOrder) -> bool:
    """A report saved again unchanged is submitted only if no approval of it is under way or
    granted (after a rejection or a return, saving it submits it again)."""
    request = approval.report_request(order)
    return request is None or request.status not in (
        approval.RequestStatus.PENDING,
        approval.RequestStatus.APPROVED,
    )
