"""The hooks the services call inside their transaction: each changes the order's SLA
fields in memory (due times, the targets fixed on the order, the next-check instant) and writes
``SlaEvent`` rows; the caller saves the order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netdept.workcal.schedule import WorkSchedule
from netdept.workorders.models import SlaEvent, WorkOrder
from netdept.workorders.sla.clock import (
    _due,
    _due_after,
    _elapsed,
    _reading_instant,
    _spent,
    _stopped_at,
    elapsed,
    reached,
)
from netdept.workorders.sla.events import _event, _iso, _minutes, _policy_detail
from netdept.workorders.sla.ladder import active_rules, ladder
from netdept.workorders.sla.nextcheck import reschedule
from netdept.workorders.sla.penalties import on_breach
from netdept.workorders.sla.policies import (
    RESOLUTION,
    RESPONSE,
    ZERO,
    Target,
    calendar_of,
    fix_targets,
    order_target,
    policy_for,
    schedule_of,
    target_of,
)


def on_open(order: WorkOrder, now: dt.datetime) -> None:
    """Choose the policy, fix its targets on the order and start both clocks."""
    policy = policy_for(order)
    order.sla_policy = policy
    fix_targets(order, policy)
    order.response_breached = order.resolution_breached = False
    order.escalation_percent = 0
    sched: WorkSchedule | None = None
    if policy is None:
        order.response_due = order.resolution_due = None
    else:
        sched = WorkSchedule(calendar_of(policy))
        order.response_due = sched.add(now, target_of(policy, RESPONSE), cap=True)
        order.resolution_due = sched.add(now, target_of(policy, RESOLUTION), cap=True)
    _event(
        order,
        SlaEvent.Type.STARTED,
        now,
        priority=order.priority,
        response_due=_iso(order.response_due),
        resolution_due=_iso(order.resolution_due),
        **_policy_detail(policy),
    )
    reschedule(order, sched)


def on_respond(order: WorkOrder, now: dt.datetime) -> None:
    """The first response (acceptance): the response target is met or missed now."""
    if order.responded_at is not None:
        return
    detail: dict[str, Any] = {"due": _iso(order.response_due)}
    sched: WorkSchedule | None = None
    total = order_target(order, RESPONSE)
    if total is not None and order.response_due is not None:
        sched = schedule_of(order)
        spent = _elapsed(order, now, RESPONSE, sched)
        met = spent <= total
        if not met:
            order.response_breached = True
            on_breach(order, RESPONSE, order.response_due)
        detail.update(met=met, spent_minutes=_minutes(spent))
    order.responded_at = now
    _event(order, SlaEvent.Type.RESPONDED, now, **detail)
    reschedule(order, sched)


def on_pause(order: WorkOrder, now: dt.datetime, reason: str, **detail: Any) -> None:
    """The order waits on the requester or a vendor, or for its approval (``detail``
    ``approval=True``): the clocks stop."""
    if order.paused_at is not None:
        return
    order.paused_at = now
    _event(
        order,
        SlaEvent.Type.PAUSED,
        now,
        reason=reason,
        waiting_on=order.waiting_on,
        spent_minutes=_minutes(elapsed(order, now, RESOLUTION)),
        **detail,
    )
    reschedule(order)  # nothing to check while paused


def _unpause(order: WorkOrder, now: dt.datetime, sched: WorkSchedule) -> dict[str, Any]:
    """Move the running clocks' due times by the working time paused; clear ``paused_at``."""
    paused_at = order.paused_at
    if paused_at is None:
        return {}
    detail: dict[str, Any] = {
        "paused_since": paused_at.isoformat(),
        "paused_minutes": _minutes(sched.between(paused_at, now)),
        "paused_wall_minutes": _minutes(max(now - paused_at, ZERO)),
    }
    if order.sla_policy_id is not None:
        targets: list[Target] = [RESOLUTION]
        if order.responded_at is None:
            targets.append(RESPONSE)
        for target in targets:
            due, total = _due(order, target), order_target(order, target)
            if due is None or total is None or _stopped_at(order, target) is not None:
                continue
            new_due = _due_after(sched, now, total, _spent(sched, due, total, paused_at))
            if target == RESPONSE:
                order.response_due = new_due
            else:
                order.resolution_due = new_due
    order.paused_at = None
    detail.update(response_due=_iso(order.response_due), resolution_due=_iso(order.resolution_due))
    return detail


def on_resume(order: WorkOrder, now: dt.datetime) -> None:
    """The wait is over: the clocks run again, due later by the working time paused."""
    if order.paused_at is None:
        return
    sched = schedule_of(order)
    detail = _unpause(order, now, sched)
    _event(order, SlaEvent.Type.RESUMED, now, **detail)
    reschedule(order, sched)


def on_priority_change(order: WorkOrder, now: dt.datetime, old_priority: int) -> None:
    """New targets from the new priority's policy (fixed on the order), keeping the working
    time already spent."""
    old_policy = order.sla_policy
    old_sched = schedule_of(order)
    spent_resolution = _elapsed(order, now, RESOLUTION, old_sched)
    spent_response = _elapsed(order, now, RESPONSE, old_sched)
    if old_policy is None or order.resolution_due is None:
        # No clock ran so far: count the working time since the order was opened.
        opened = order.created_at or now
        new_sched = schedule_of(order)
        spent_resolution = new_sched.between(opened, _reading_instant(order, now, RESOLUTION))
        spent_response = new_sched.between(opened, _reading_instant(order, now, RESPONSE))
    policy = policy_for(order)
    order.sla_policy = policy
    fix_targets(order, policy)
    detail: dict[str, Any] = {
        "old_priority": old_priority,
        "priority": order.priority,
        "old_policy": old_policy.pk if old_policy is not None else None,
        "spent_minutes": _minutes(spent_resolution),
        **_policy_detail(policy),
    }
    if policy is None:
        order.response_due = order.resolution_due = None
        order.response_breached = order.resolution_breached = False
        order.escalation_percent = 0
        _event(order, SlaEvent.Type.RECALCULATED, now, **detail)
        reschedule(order)
        return
    sched = WorkSchedule(calendar_of(policy))
    rules = active_rules()
    if order.responded_at is None:
        total = target_of(policy, RESPONSE)
        ref = _reading_instant(order, now, RESPONSE)
        order.response_due = _due_after(sched, ref, total, spent_response)
        # Set only by check_all (which notifies) or on_respond; cleared if no longer true.
        order.response_breached = order.response_breached and spent_response > total
        detail["response_spent_minutes"] = _minutes(spent_response)
    total = target_of(policy, RESOLUTION)
    ref = _reading_instant(order, now, RESOLUTION)
    order.resolution_due = _due_after(sched, ref, total, spent_resolution)
    was_breached = order.resolution_breached
    order.resolution_breached = spent_resolution > total
    # Steps above the new share may be notified again when the order reaches them.
    percent = 100 * (spent_resolution / total)
    if not reached(spent_resolution, total, order.escalation_percent):
        order.escalation_percent = max(
            (
                s.percent
                for s in ladder(policy, rules)
                if reached(spent_resolution, total, s.percent)
            ),
            default=0,
        )
    detail.update(
        response_due=_iso(order.response_due),
        resolution_due=_iso(order.resolution_due),
        percent=int(percent),
    )
    _event(order, SlaEvent.Type.RECALCULATED, now, **detail)
    if order.resolution_breached and not was_breached:
        on_breach(order, RESOLUTION, now)
        _event(
            order,
            SlaEvent.Type.BREACHED,
            now,
            target=RESOLUTION,
            due=_iso(order.resolution_due),
            percent=int(percent),
            cause="priority",
        )
    reschedule(order, sched, rules)


def _stop_clock(order: WorkOrder, now: dt.datetime, *, closed: bool) -> None:
    sched = schedule_of(order)
    if order.paused_at is not None:
        _event(order, SlaEvent.Type.RESUMED, now, **_unpause(order, now, sched))
    detail: dict[str, Any] = {"due": _iso(order.resolution_due)}
    if closed:
        detail["closed"] = True
    total = order_target(order, RESOLUTION)
    if total is not None and order.resolution_due is not None:
        spent = _spent(sched, order.resolution_due, total, now)
        met = spent <= total
        if not met:
            order.resolution_breached = True
            on_breach(order, RESOLUTION, order.resolution_due)
        detail.update(met=met, spent_minutes=_minutes(spent))
    if closed:
        order.closed_at = order.closed_at or now
    else:
        order.resolved_at = now
    _event(order, SlaEvent.Type.RESOLVED, now, **detail)
    reschedule(order)  # the clock stopped: nothing to check


def on_resolve(order: WorkOrder, now: dt.datetime) -> None:
    """The resolution clock stops (a resolved order counts as responded)."""
    on_respond(order, now)
    _stop_clock(order, now, closed=False)


def on_reopen(order: WorkOrder, now: dt.datetime) -> None:
    """The resolution clock continues from the working time spent when it stopped (against
    the target fixed on the order)."""
    stopped = order.resolved_at or order.closed_at or now
    sched = schedule_of(order)
    detail: dict[str, Any] = {"resolved_at": _iso(order.resolved_at)}
    total = order_target(order, RESOLUTION)
    if total is not None and order.resolution_due is not None:
        spent = _spent(sched, order.resolution_due, total, stopped)
        order.resolution_due = _due_after(sched, now, total, spent)
        detail.update(spent_minutes=_minutes(spent), resolution_due=_iso(order.resolution_due))
    order.resolved_at = None
    order.closed_at = None
    order.paused_at = None
    _event(order, SlaEvent.Type.REOPENED, now, **detail)
    reschedule(order, sched)


def on_close(order: WorkOrder, now: dt.datetime) -> None:
    """Closing an order that was not resolved stops its clock (an event says so); closing a
    resolved order changes nothing on the SLA."""
    if order.resolved_at is not None or order.closed_at is not None:
        return
    _stop_clock(order, now, closed=True)
