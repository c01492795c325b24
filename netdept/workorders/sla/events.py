"""SLA events (the timeline rows): written at once, or right after the order's first save
when a hook ran before it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.db.models.signals import post_save

from netdept.workorders.models import SlaEvent, SlaPolicy, WorkOrder
from netdept.workorders.sla.policies import calendar_of

_PENDING: Final = "_sla_pending_events"


def _minutes(value: dt.timedelta) -> int:
    return round(value.total_seconds() / 60)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event(order: WorkOrder, type_: str, ts: dt.datetime, **detail: Any) -> SlaEvent:
    event = SlaEvent(order=order, type=type_, ts=ts, detail=detail)
    if order.pk is None:
        order.__dict__.setdefault(_PENDING, []).append(event)
    else:
        event.save()
    return event


def _write_pending(sender: type[WorkOrder], instance: WorkOrder, **kwargs: Any) -> None:
    pending: list[SlaEvent] | None = instance.__dict__.pop(_PENDING, None)
    if pending:
        for event in pending:
            event.order = instance
        SlaEvent.objects.bulk_create(pending)


post_save.connect(_write_pending, sender=WorkOrder, dispatch_uid="workorders.sla.pending_events")


def _policy_detail(policy: SlaPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"policy": None}
    return {
        "policy": policy.pk,
        "policy_name": policy.name,
        "response_minutes": policy.response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "calendar": str(calendar_of(policy)),
    }
