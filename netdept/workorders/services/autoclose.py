"""The periodic auto-close of resolved orders."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.services import approval
from netdept.workorders.services.common import autoclose_days
from netdept.workorders.services.transitions import close


def close_resolved(now: dt.datetime | None = None) -> int:
    """Close the orders resolved more than ``WORKORDER_AUTOCLOSE_DAYS`` working days ago."""
    now = now or timezone.now()
    days = autoclose_days()
    schedule = WorkSchedule(default_calendar())
    today = schedule.local_date(now)
    candidates = WorkOrder.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=days)
    ).order_by("resolved_at", "pk")
    closed = 0
    for order in candidates.iterator(chunk_size=500):
        assert order.resolved_at is not None
        if schedule.add_working_days(schedule.local_date(order.resolved_at), days) >= today:
            continue
        if approval.report_refusal(order, "close"):
            continue  # waits for its report, approved by the director
        try:
            close(
                None,
                order,
                reason=_("Closed automatically after %(days)d working days.") % {"days": days},
                now=now,
            )
        except ValidationError:  # changed meanwhile (reopened, closed): fine
            continue
        closed += 1
    return closed
