"""Reading the clock: the working time spent on a target and its share, read back from the
stored due time (see the package's docstring, "How time is counted").

Due times and step instants are computed with ``cap=True``: an instant the working calendar
cannot reach within its horizon (a calendar without working time, a legacy target beyond the
model's bounds) is "decades away", never an error that would stop the order's change."""

from __future__ import annotations

import datetime as dt
from typing import Final

from netdept.workcal.schedule import WorkSchedule
from netdept.workorders.models import WorkOrder
from netdept.workorders.sla.policies import (
    RESOLUTION,
    RESPONSE,
    ZERO,
    Target,
    order_target,
    schedule_of,
)

MICROSECOND: Final = dt.timedelta(microseconds=1)


def _due(order: WorkOrder, target: Target) -> dt.datetime | None:
    return order.response_due if target == RESPONSE else order.resolution_due


def _stopped_at(order: WorkOrder, target: Target) -> dt.datetime | None:
    if target == RESPONSE:
        return order.responded_at
    return order.resolved_at or order.closed_at


def _reading_instant(order: WorkOrder, now: dt.datetime, target: Target) -> dt.datetime:
    """When the clock of ``target`` last ran: now, or when it stopped or was paused."""
    ref = now
    for t in (_stopped_at(order, target), order.paused_at):
        if t is not None and t < ref:
            ref = t
    return ref


def _spent(
    sched: WorkSchedule, due: dt.datetime, total: dt.timedelta, ref: dt.datetime
) -> dt.timedelta:
    if ref <= due:
        return max(total - sched.between(ref, due), ZERO)
    return total + sched.between(due, ref)


def _due_after(
    sched: WorkSchedule, ref: dt.datetime, total: dt.timedelta, spent: dt.timedelta
) -> dt.datetime:
    """The due time when ``spent`` of ``total`` is used at ``ref`` (before ``ref`` if more
    than ``total`` is used)."""
    return sched.add(ref, total - spent, cap=True)


def _elapsed(
    order: WorkOrder, now: dt.datetime, target: Target, sched: WorkSchedule
) -> dt.timedelta:
    total, due = order_target(order, target), _due(order, target)
    if total is None or due is None:
        return ZERO
    return _spent(sched, due, total, _reading_instant(order, now, target))


def elapsed(order: WorkOrder, now: dt.datetime, target: Target = RESOLUTION) -> dt.timedelta:
    """The working time spent on ``target`` at ``now``, pauses excluded (zero without SLA)."""
    if order.sla_policy_id is None or _due(order, target) is None:
        return ZERO
    return _elapsed(order, now, target, schedule_of(order))


def _share(order: WorkOrder, now: dt.datetime, target: Target, sched: WorkSchedule) -> float:
    total = order_target(order, target)
    if total is None:
        return 0.0
    return _elapsed(order, now, target, sched) / total


def share(order: WorkOrder, now: dt.datetime, target: Target = RESOLUTION) -> float:
    """The share of ``target`` used at ``now``: 0.75 at the warning, 1.0 at the due time."""
    if order.sla_policy_id is None or _due(order, target) is None:
        return 0.0
    return _share(order, now, target, schedule_of(order))


def reached(spent: dt.timedelta, total: dt.timedelta, percent: int) -> bool:
    """Is ``percent`` % of ``total`` used when ``spent`` is? Exact (whole microseconds), so
    that the job and the next-check instant agree to the microsecond."""
    return spent * 100 >= total * percent


def step_instant(
    sched: WorkSchedule, due: dt.datetime, total: dt.timedelta, percent: int
) -> dt.datetime:
    """The first instant at which a running clock due at ``due`` has used ``percent`` % of
    ``total``: ``due + total × (percent/100 − 1)`` of working time (counted backwards below
    100 %), to the microsecond, so that ``reached`` is true from that instant on and not a
    microsecond before."""
    whole = total // MICROSECOND
    needed = -(-whole * percent // 100)  # rounded up: the first whole microsecond enough
    delta = needed - whole
    if delta >= 0:
        return sched.add(due, MICROSECOND * delta, cap=True)  # forwards stops at the first
    # Counting backwards stops at the last instant with that much left (the start of a
    # working period, say, where the end of the previous one had the same share): go back one
    # microsecond more, then forwards one microsecond of working time.
    return sched.add(sched.add(due, MICROSECOND * (delta - 1), cap=True), MICROSECOND, cap=True)
