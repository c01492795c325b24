"""SLA policies and calendars: which policy applies to an order, on which working calendar
its clock counts, and its targets."""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from django.db.models import Q

from netdept.workcal.models import WorkCalendar
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders.models import MAX_SLA_MINUTES, Category, SlaPolicy, Status, WorkOrder

Target = Literal["response", "resolution"]
RESPONSE: Final = "response"
RESOLUTION: Final = "resolution"
ZERO: Final = dt.timedelta(0)
ONE_MINUTE: Final = dt.timedelta(minutes=1)
#: the statuses in which the SLA clock runs (``waiting`` pauses it; an order pending approval
#: is paused too unless its policy says the clock runs meanwhile: ``paused_at`` tells)
RUNNING_STATUSES: Final = (
    Status.PENDING_APPROVAL,
    Status.NEW,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
)
_CATEGORY_DEPTH: Final = 10


def _category_chain(order: WorkOrder) -> list[int]:
    """The order's category and its ancestors, most specific first."""
    chain: list[int] = []
    cat_id = order.category_id
    while cat_id is not None and cat_id not in chain and len(chain) < _CATEGORY_DEPTH:
        chain.append(cat_id)
        cat_id = Category.objects.filter(pk=cat_id).values_list("parent_id", flat=True).first()
    return chain


def policy_for(order: WorkOrder) -> SlaPolicy | None:
    """The most specific active policy of the order's priority: its category (or the nearest
    parent category) first — a policy naming the order's kind too before one that does not —
    then its kind, then the priority alone."""
    chain = _category_chain(order)
    candidates = (
        SlaPolicy.objects.filter(is_active=True, priority=order.priority)
        .filter(kind__in=["", order.kind])
        .filter(Q(category__isnull=True) | Q(category_id__in=chain))
        .select_related("calendar")
    )

    def rank(p: SlaPolicy) -> tuple[int, int, int]:
        depth = chain.index(p.category_id) if p.category_id is not None else len(chain)
        return (depth, 0 if p.kind else 1, p.pk)

    return min(candidates, key=rank, default=None)


def calendar_of(policy: SlaPolicy | None) -> WorkCalendar:
    """The policy's calendar, else the default calendar."""
    if policy is not None and policy.calendar is not None:
        return policy.calendar
    return default_calendar()


def schedule_of(order: WorkOrder) -> WorkSchedule:
    return WorkSchedule(calendar_of(order.sla_policy))


def _bounded(minutes: int) -> int:
    """A target in minutes within 1…``MAX_SLA_MINUTES`` (the model refuses others; a row
    written before it did, or behind its back, is read as the nearest bound)."""
    return min(max(int(minutes), 1), MAX_SLA_MINUTES)


def _duration(minutes: int) -> dt.timedelta:
    return dt.timedelta(minutes=_bounded(minutes))


def target_of(policy: SlaPolicy, target: Target) -> dt.timedelta:
    """A target of the policy *now*, as a duration (at least one minute, so that a share is
    always defined). The clock of an order reads its own stored target: ``order_target``."""
    minutes = policy.response_minutes if target == RESPONSE else policy.resolution_minutes
    return _duration(minutes)


def order_target(order: WorkOrder, target: Target) -> dt.timedelta | None:
    """The target of ``order``'s clock: the minutes stored on the order when its due times
    were set from a policy (an order stored before the targets were, falls back to its
    policy); None without a policy."""
    if target == RESPONSE:
        minutes = order.response_target_minutes
    else:
        minutes = order.resolution_target_minutes
    if minutes is not None:
        return _duration(minutes)
    if order.sla_policy_id is None:
        return None
    policy = order.sla_policy
    return target_of(policy, target) if policy is not None else None


def fix_targets(order: WorkOrder, policy: SlaPolicy | None) -> None:
    """Store ``policy``'s targets on ``order`` (when its due times are set from it)."""
    if policy is None:
        order.response_target_minutes = order.resolution_target_minutes = None
    else:
        order.response_target_minutes = _bounded(policy.response_minutes)
        order.resolution_target_minutes = _bounded(policy.resolution_minutes)
