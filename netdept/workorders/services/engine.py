"""The transition engine: one conditional UPDATE per transition with its audit record, and
the data of the notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import WorkOrder
from netdept.workorders.services.common import _conflict, _refuse, _status_label

# --- the transition engine --------------------------------------------------------------
_SKIP = {"id", "version", "created_at", "updated_at"}


def _values(order: WorkOrder) -> dict[str, Any]:
    return {
        f.attname: getattr(order, f.attname)
        for f in order._meta.concrete_fields
        if f.attname not in _SKIP
    }


def _copy_into(target: WorkOrder, source: WorkOrder) -> None:
    """Give the caller's object the saved state (and drop its cached relations)."""
    if target is source:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._state.fields_cache = {}


def _transition(
    actor: Any,
    order: WorkOrder,
    name: str,
    *,
    apply: Callable[[WorkOrder, dt.datetime], None],
    check: Callable[[WorkOrder], None] = lambda o: None,
    expected_version: int | None = None,
    after: Callable[[WorkOrder], None] = lambda o: None,
    extra: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
    allowed: Iterable[str] | None = None,
    refusal: str | None = None,
) -> WorkOrder:
    """Run one transition of ``order`` as a single conditional UPDATE with its audit record.

    ``check`` checks the permission on the fresh row, ``apply`` changes the fresh row in memory
    (and calls the SLA engine), ``after`` queues the notifications. The states the transition
    may start from and the refusal (with ``%(status)s``) are the machine's
    (``netdept.workorders.machines``), unless given — a move no user takes (the approval
    engine's outcome, ``services.approval``) gives both and needs no machine transition.
    """
    now = now or timezone.now()
    if allowed is None or refusal is None:
        spec = WORKORDER_MACHINE[name]
        allowed = tuple(spec.source if allowed is None else allowed)
        refusal = str(spec.refusal if refusal is None else refusal)
    allowed = tuple(allowed)
    with transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester", "team", "assignee").get(pk=order.pk)
        check(fresh)
        if expected_version is not None and fresh.version != expected_version:
            raise _conflict(fresh, name)
        if fresh.status not in allowed:
            if order.status in allowed and order.status != fresh.status:
                raise _conflict(fresh, name)  # the caller saw an older state
            raise _refuse(fresh, refusal)
        version, status = fresh.version, fresh.status
        before_values, before = _values(fresh), audit.snapshot(fresh)
        apply(fresh, now)
        changed = {k: v for k, v in _values(fresh).items() if before_values[k] != v}
        rows = WorkOrder.objects.filter(pk=fresh.pk, version=version, status=status).update(
            **changed, version=F("version") + 1, updated_at=now
        )
        if rows == 0:
            raise _conflict(fresh, name)
        fresh.version, fresh.updated_at = version + 1, now
        audit.record(
            AuditAction.UPDATE,
            fresh,
            actor=actor,
            changes=audit.diff(before, audit.snapshot(fresh)),
            extra={"transition": name, **(extra or {})},
        )
        after(fresh)
    _copy_into(order, fresh)
    return order


# --- notifications ----------------------------------------------------------------------
def _data(order: WorkOrder, **more: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "title": order.title,
        "priority": f"P{order.priority}",
        "status": _status_label(order.status),
        "team": str(order.team) if order.team_id else "",
        "assignee": str(order.assignee) if order.assignee_id else "",
        "requester": str(order.requester) if order.requester_id else "",
        **more,
    }


def _to_requester(order: WorkOrder) -> list[Any]:
    return [order.requester] if order.requester_id else []


def _to_handlers(order: WorkOrder) -> list[Any]:
    if order.assignee_id:
        return [order.assignee]
    return [order.team] if order.team_id else []
