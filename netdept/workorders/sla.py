"""The SLA engine of work orders: due times on the working calendar, pauses, recalculation,
warnings, breaches and escalation.

The services call the ``on_*`` hooks inside their transaction. Each hook changes the order's
SLA fields in memory and writes ``SlaEvent`` rows (the timeline of the order's page); the
caller saves the order. A hook called before the order's first save keeps its events on the
order and they are written right after that save.

How time is counted
-------------------
An order's policy (``policy_for``) gives a response and a resolution target in minutes of
*working time* on the policy's calendar (or the default calendar; a 7×24 calendar counts every
minute). The due times are stored; the working time already spent is never stored but read
back from them: with ``T`` the target, ``due`` the due time and ``ref`` the instant the clock
reads (now, or when it stopped or was paused)::

    spent = T − working_time(ref → due)      while ref ≤ due
    spent = T + working_time(due → ref)      after the due time

So the due time alone says how much of the target is used, whatever happened before:

* **Pause** (waiting on the requester or a vendor): ``paused_at`` freezes the clock; on resume
  the due times move later by the working time spent waiting.
* **Priority change**: the new priority's policy gives new targets; the time already spent is
  kept: ``due = now + (new target − spent)`` (in the past when the new target is already used
  up: the order is breached at once).
* **Reopen**: the resolution clock continues from the time spent when it was resolved.

Escalation
----------
``check_all(now)`` (every minute) walks the escalation ladder of each running order: the
active ``EscalationRule`` rows, or by default 100 % → assignee + team lead, 150 % → director;
below 100 % the policy's ``warn_percent`` (75 % by default) warns the assignee unless rules
below 100 % are configured. A step below 100 % is a warning, 100 % the breach, above 100 % an
escalation. ``escalation_percent`` remembers the highest step notified, so each step is
notified once. Waiting, resolved and closed orders are never notified. A response not given
by its due time is notified once (assignee + team lead).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from netdept.core.models import WorkCalendar
from netdept.core.notifications import notify
from netdept.core.workcalendar import WorkSchedule, default_calendar
from netdept.org.models import Person
from netdept.workorders.models import (
    Category,
    EscalationRule,
    Priority,
    SlaEvent,
    SlaPolicy,
    Status,
    WorkOrder,
)

logger = logging.getLogger(__name__)

Target = Literal["response", "resolution"]
RESPONSE: Final = "response"
RESOLUTION: Final = "resolution"
ZERO: Final = dt.timedelta(0)
ONE_MINUTE: Final = dt.timedelta(minutes=1)
#: the statuses in which the SLA clock runs (``waiting`` pauses it)
RUNNING_STATUSES: Final = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS)
#: the ladder when no escalation rule is configured (plus the policy's warning share)
DEFAULT_RULES: Final[tuple[tuple[int, str], ...]] = (
    (100, EscalationRule.Target.ASSIGNEE),
    (100, EscalationRule.Target.TEAM_LEAD),
    (150, EscalationRule.Target.DIRECTOR),
)
_PENDING: Final = "_sla_pending_events"
_CATEGORY_DEPTH: Final = 10


# --- policies and calendars --------------------------------------------------------------
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


def target_of(policy: SlaPolicy, target: Target) -> dt.timedelta:
    """A target as a duration (at least one minute, so that a share is always defined)."""
    minutes = policy.response_minutes if target == RESPONSE else policy.resolution_minutes
    return max(dt.timedelta(minutes=minutes), ONE_MINUTE)


# --- reading the clock -------------------------------------------------------------------
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
    return sched.add(ref, total - spent)


def _elapsed(
    order: WorkOrder, now: dt.datetime, target: Target, sched: WorkSchedule
) -> dt.timedelta:
    policy, due = order.sla_policy, _due(order, target)
    if policy is None or due is None:
        return ZERO
    return _spent(sched, due, target_of(policy, target), _reading_instant(order, now, target))


def elapsed(order: WorkOrder, now: dt.datetime, target: Target = RESOLUTION) -> dt.timedelta:
    """The working time spent on ``target`` at ``now``, pauses excluded (zero without SLA)."""
    if order.sla_policy is None or _due(order, target) is None:
        return ZERO
    return _elapsed(order, now, target, schedule_of(order))


def _share(order: WorkOrder, now: dt.datetime, target: Target, sched: WorkSchedule) -> float:
    policy = order.sla_policy
    if policy is None:
        return 0.0
    return _elapsed(order, now, target, sched) / target_of(policy, target)


def share(order: WorkOrder, now: dt.datetime, target: Target = RESOLUTION) -> float:
    """The share of ``target`` used at ``now``: 0.75 at the warning, 1.0 at the due time."""
    if order.sla_policy is None or _due(order, target) is None:
        return 0.0
    return _share(order, now, target, schedule_of(order))


# --- events ------------------------------------------------------------------------------
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


# --- the hooks -----------------------------------------------------------------------------
def on_open(order: WorkOrder, now: dt.datetime) -> None:
    """Choose the policy and start both clocks."""
    policy = policy_for(order)
    order.sla_policy = policy
    order.response_breached = order.resolution_breached = False
    order.escalation_percent = 0
    if policy is None:
        order.response_due = order.resolution_due = None
    else:
        sched = WorkSchedule(calendar_of(policy))
        order.response_due = sched.add(now, target_of(policy, RESPONSE))
        order.resolution_due = sched.add(now, target_of(policy, RESOLUTION))
    _event(
        order,
        SlaEvent.Type.STARTED,
        now,
        priority=order.priority,
        response_due=_iso(order.response_due),
        resolution_due=_iso(order.resolution_due),
        **_policy_detail(policy),
    )


def on_respond(order: WorkOrder, now: dt.datetime) -> None:
    """The first response (acceptance): the response target is met or missed now."""
    if order.responded_at is not None:
        return
    detail: dict[str, Any] = {"due": _iso(order.response_due)}
    if order.sla_policy is not None and order.response_due is not None:
        spent = elapsed(order, now, RESPONSE)
        met = spent <= target_of(order.sla_policy, RESPONSE)
        if not met:
            order.response_breached = True
        detail.update(met=met, spent_minutes=_minutes(spent))
    order.responded_at = now
    _event(order, SlaEvent.Type.RESPONDED, now, **detail)


def on_pause(order: WorkOrder, now: dt.datetime, reason: str) -> None:
    """The order waits on the requester or a vendor: the clocks stop."""
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
    )


def _unpause(order: WorkOrder, now: dt.datetime, sched: WorkSchedule) -> dict[str, Any]:
    """Move the running clocks' due times by the working time paused; clear ``paused_at``."""
    paused_at = order.paused_at
    policy = order.sla_policy
    if paused_at is None:
        return {}
    detail: dict[str, Any] = {
        "paused_since": paused_at.isoformat(),
        "paused_minutes": _minutes(sched.between(paused_at, now)),
        "paused_wall_minutes": _minutes(max(now - paused_at, ZERO)),
    }
    if policy is not None:
        targets: list[Target] = [RESOLUTION]
        if order.responded_at is None:
            targets.append(RESPONSE)
        for target in targets:
            due = _due(order, target)
            if due is None or _stopped_at(order, target) is not None:
                continue
            total = target_of(policy, target)
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
    detail = _unpause(order, now, schedule_of(order))
    _event(order, SlaEvent.Type.RESUMED, now, **detail)


def _ladder_percents(policy: SlaPolicy, rules: Sequence[tuple[int, str]]) -> list[int]:
    return [step.percent for step in ladder(policy, rules)]


def on_priority_change(order: WorkOrder, now: dt.datetime, old_priority: int) -> None:
    """New targets from the new priority's policy, keeping the working time already spent."""
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
        return
    sched = WorkSchedule(calendar_of(policy))
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
    if order.escalation_percent > percent:
        rules = active_rules()
        order.escalation_percent = max(
            (p for p in _ladder_percents(policy, rules) if p <= percent), default=0
        )
    detail.update(
        response_due=_iso(order.response_due),
        resolution_due=_iso(order.resolution_due),
        percent=int(percent),
    )
    _event(order, SlaEvent.Type.RECALCULATED, now, **detail)
    if order.resolution_breached and not was_breached:
        _event(
            order,
            SlaEvent.Type.BREACHED,
            now,
            target=RESOLUTION,
            due=_iso(order.resolution_due),
            percent=int(percent),
            cause="priority",
        )


def _stop_clock(order: WorkOrder, now: dt.datetime, *, closed: bool) -> None:
    sched = schedule_of(order)
    if order.paused_at is not None:
        _event(order, SlaEvent.Type.RESUMED, now, **_unpause(order, now, sched))
    detail: dict[str, Any] = {"due": _iso(order.resolution_due)}
    if closed:
        detail["closed"] = True
    policy = order.sla_policy
    if policy is not None and order.resolution_due is not None:
        spent = _spent(sched, order.resolution_due, target_of(policy, RESOLUTION), now)
        met = spent <= target_of(policy, RESOLUTION)
        if not met:
            order.resolution_breached = True
        detail.update(met=met, spent_minutes=_minutes(spent))
    if closed:
        order.closed_at = order.closed_at or now
    else:
        order.resolved_at = now
    _event(order, SlaEvent.Type.RESOLVED, now, **detail)


def on_resolve(order: WorkOrder, now: dt.datetime) -> None:
    """The resolution clock stops (a resolved order counts as responded)."""
    on_respond(order, now)
    _stop_clock(order, now, closed=False)


def on_reopen(order: WorkOrder, now: dt.datetime) -> None:
    """The resolution clock continues from the working time spent when it stopped."""
    stopped = order.resolved_at or order.closed_at or now
    sched = schedule_of(order)
    detail: dict[str, Any] = {"resolved_at": _iso(order.resolved_at)}
    policy = order.sla_policy
    if policy is not None and order.resolution_due is not None:
        total = target_of(policy, RESOLUTION)
        spent = _spent(sched, order.resolution_due, total, stopped)
        order.resolution_due = _due_after(sched, now, total, spent)
        detail.update(spent_minutes=_minutes(spent), resolution_due=_iso(order.resolution_due))
    order.resolved_at = None
    order.closed_at = None
    order.paused_at = None
    _event(order, SlaEvent.Type.REOPENED, now, **detail)


def on_close(order: WorkOrder, now: dt.datetime) -> None:
    """Closing an order that was not resolved stops its clock (an event says so); closing a
    resolved order changes nothing on the SLA."""
    if order.resolved_at is not None or order.closed_at is not None:
        return
    _stop_clock(order, now, closed=True)


# --- escalation --------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One rung of the escalation ladder: who is told at ``percent`` % of the target."""

    percent: int
    targets: tuple[str, ...]

    @property
    def kind(self) -> str:
        if self.percent < 100:
            return "workorders.sla_warning"
        if self.percent == 100:
            return "workorders.sla_breached"
        return "workorders.escalated"


def active_rules() -> list[tuple[int, str]]:
    return [
        (int(p), str(t))
        for p, t in EscalationRule.objects.filter(is_active=True)
        .order_by("percent", "target")
        .values_list("percent", "target")
    ]


def ladder(policy: SlaPolicy, rules: Sequence[tuple[int, str]] | None = None) -> list[Step]:
    """The escalation steps of ``policy``: the configured rules (or the defaults), plus the
    policy's warning share to the assignee when no rule warns below 100 %."""
    pairs = list(active_rules() if rules is None else rules) or list(DEFAULT_RULES)
    warn = int(policy.warn_percent or 0)
    if 0 < warn < 100 and not any(p < 100 for p, _t in pairs):
        pairs.append((warn, EscalationRule.Target.ASSIGNEE))
    steps: dict[int, list[str]] = {}
    for percent, target in sorted(pairs):
        if percent > 0 and target not in steps.setdefault(percent, []):
            steps[percent].append(target)
    return [Step(p, tuple(t)) for p, t in sorted(steps.items())]


def recipients(order: WorkOrder, targets: Iterable[str]) -> list[Any]:
    """People and roles for ``targets``; an order without an assignee goes to the team lead."""
    found: list[Any] = []
    lead: Person | None = order.team.lead if order.team is not None else None
    for target in targets:
        if target == EscalationRule.Target.ASSIGNEE:
            found.append(order.assignee if order.assignee is not None else lead)
        elif target == EscalationRule.Target.TEAM_LEAD:
            found.append(lead)
        elif target == EscalationRule.Target.DIRECTOR:
            found.append("role:director")
    return [r for r in found if r is not None]


def _names(found: Iterable[Any]) -> list[str]:
    return [str(r) for r in found]


def _data(
    order: WorkOrder,
    sched: WorkSchedule,
    target: Target,
    percent: float,
    step: int,
) -> dict[str, Any]:
    due = _due(order, target)
    return {
        "number": order.number,
        "title": order.title,
        "priority": f"P{order.priority}",
        "due": due.astimezone(sched.tz).strftime("%Y-%m-%d %H:%M") if due is not None else "",
        "percent": int(percent),
        "target": target,
        "assignee": str(order.assignee) if order.assignee is not None else "",
        "team": str(order.team) if order.team is not None else "",
        "requester": str(order.requester) if order.requester is not None else "",
        "step": step,
    }


def _severity(kind: str, priority: int) -> tuple[str, bool | None]:
    p1 = priority == Priority.P1
    if kind == "workorders.sla_warning":
        return "warning", None
    if kind == "workorders.sla_breached":
        return ("critical" if p1 else "warning"), (True if p1 else None)
    return "critical", (True if p1 else None)


@dataclass
class _Plan:
    events: list[tuple[str, dict[str, Any]]]
    notes: list[tuple[Step, Target, float]]
    response_breached: bool
    resolution_breached: bool
    escalation_percent: int


def _plan(order: WorkOrder, now: dt.datetime, sched: WorkSchedule, steps: list[Step]) -> _Plan:
    """What ``check_all`` has to do for one running order (no queries)."""
    plan = _Plan(
        [], [], order.response_breached, order.resolution_breached, order.escalation_percent
    )
    if (
        order.responded_at is None
        and not order.response_breached
        and order.response_due is not None
        and order.response_due <= now
    ):
        percent = 100 * _share(order, now, RESPONSE, sched)
        plan.response_breached = True
        plan.events.append(
            (
                SlaEvent.Type.BREACHED,
                {"target": RESPONSE, "due": _iso(order.response_due), "percent": int(percent)},
            )
        )
        step = Step(100, (EscalationRule.Target.ASSIGNEE, EscalationRule.Target.TEAM_LEAD))
        plan.notes.append((step, RESPONSE, percent))
    if order.resolution_due is None:
        return plan
    percent = 100 * _share(order, now, RESOLUTION, sched)
    if percent >= 100 and not order.resolution_breached:
        plan.resolution_breached = True
        plan.events.append(
            (
                SlaEvent.Type.BREACHED,
                {"target": RESOLUTION, "due": _iso(order.resolution_due), "percent": int(percent)},
            )
        )
    crossed = [s for s in steps if order.escalation_percent < s.percent <= percent]
    if crossed:
        plan.escalation_percent = crossed[-1].percent
        if crossed[-1].percent >= 100:  # a warning would come too late
            crossed = [s for s in crossed if s.percent >= 100]
        plan.notes.extend((s, RESOLUTION, percent) for s in crossed)
    return plan


def _notify(
    order: WorkOrder, sched: WorkSchedule, step: Step, target: Target, percent: float
) -> dict[str, Any]:
    found = recipients(order, step.targets)
    severity, urgent = _severity(step.kind, order.priority)
    due = _due(order, target)
    stamp = int(due.timestamp()) if due is not None else 0
    notify(
        step.kind,
        obj=order,
        recipients=found,
        severity=severity,
        urgent=urgent,
        data=_data(order, sched, target, percent, step.percent),
        dedupe_key=f"sla:{order.pk}:{target}:{step.percent}:{stamp}",
    )
    return {
        "target": target,
        "step": step.percent,
        "percent": int(percent),
        "kind": step.kind,
        "notify": list(step.targets),
        "recipients": _names(found),
    }


def _apply(order: WorkOrder, now: dt.datetime, sched: WorkSchedule, plan: _Plan) -> bool:
    """Record ``plan`` unless the order changed since it was read (one guarded UPDATE)."""
    with transaction.atomic():
        updated = WorkOrder.objects.filter(
            pk=order.pk,
            status__in=RUNNING_STATUSES,
            paused_at__isnull=True,
            priority=order.priority,
            response_due=order.response_due,
            resolution_due=order.resolution_due,
            responded_at=order.responded_at,
            response_breached=order.response_breached,
            resolution_breached=order.resolution_breached,
            escalation_percent=order.escalation_percent,
        ).update(
            response_breached=plan.response_breached,
            resolution_breached=plan.resolution_breached,
            escalation_percent=plan.escalation_percent,
        )
        if not updated:
            return False
        events = [SlaEvent(order=order, type=t, ts=now, detail=d) for t, d in plan.events]
        for step, target, percent in plan.notes:
            detail = _notify(order, sched, step, target, percent)
            kind = SlaEvent.Type.WARNING if step.percent < 100 else SlaEvent.Type.ESCALATED
            events.append(SlaEvent(order=order, type=kind, ts=now, detail=detail))
        SlaEvent.objects.bulk_create(events)
    order.response_breached = plan.response_breached
    order.resolution_breached = plan.resolution_breached
    order.escalation_percent = plan.escalation_percent
    return True


def check_all(now: dt.datetime) -> int:
    """Warn, flag breaches and escalate; returns how many orders had something recorded.

    Candidates come from a range of the ``(status, resolution_due)`` index: for each policy,
    the running orders whose resolution is due before the instant at which an order due then
    reaches the first step of its ladder now (computed on the policy's calendar); and from a
    second query, the unanswered orders whose response is overdue. Orders below their next
    step are skipped without a query; an order with something to record costs one guarded
    UPDATE, one INSERT of its events and the notifications.
    """
    rules = active_rules()
    policies = list(SlaPolicy.objects.select_related("calendar"))
    schedules: dict[int | None, WorkSchedule] = {}
    default: WorkCalendar | None = None

    def schedule(policy: SlaPolicy) -> WorkSchedule:
        nonlocal default
        key = policy.calendar_id
        if key not in schedules:
            cal = policy.calendar
            if cal is None:
                default = default or default_calendar()
                cal = default
            schedules[key] = WorkSchedule(cal)
        return schedules[key]

    steps_of: dict[int, list[Step]] = {}
    wanted = Q(pk__in=[])
    latest: dt.datetime | None = None
    for policy in policies:
        steps = ladder(policy, rules)
        steps_of[policy.pk] = steps
        if not steps:
            continue
        total = target_of(policy, RESOLUTION)
        first, last = steps[0].percent, steps[-1].percent
        cutoff = schedule(policy).add(now, total * (1 - first / 100) + ONE_MINUTE)
        latest = cutoff if latest is None or cutoff > latest else latest
        wanted |= Q(sla_policy_id=policy.pk, resolution_due__lte=cutoff) & (
            Q(escalation_percent__lt=last) | Q(resolution_breached=False)
        )
    running = WorkOrder.objects.filter(
        status__in=RUNNING_STATUSES, paused_at__isnull=True, sla_policy__isnull=False
    ).select_related("sla_policy", "assignee__user", "team__lead__user", "requester")
    # Two index-friendly queries rather than one OR that no single index serves:
    # (status, resolution_due) for the resolution clock, the few unanswered orders for the
    # response clock.
    queries = [
        running.filter(responded_at__isnull=True, response_breached=False, response_due__lte=now)
    ]
    if latest is not None:
        queries.insert(0, running.filter(resolution_due__lte=latest).filter(wanted))
    done = 0
    seen: set[int] = set()
    for query in queries:
        for order in query.order_by("resolution_due", "pk").iterator(chunk_size=500):
            used = order.sla_policy
            if used is None or order.pk in seen:
                continue
            seen.add(order.pk)
            sched = schedule(used)
            plan = _plan(order, now, sched, steps_of.get(used.pk, []))
            if (
                not plan.events
                and not plan.notes
                and plan.escalation_percent == order.escalation_percent
            ):
                continue
            try:
                if _apply(order, now, sched, plan):
                    done += 1
            except Exception:
                logger.exception("SLA check of work order %s failed.", order.pk)
    return done


# --- the timeline --------------------------------------------------------------------------
_ICONS: Final[dict[str, tuple[str, str]]] = {
    SlaEvent.Type.STARTED: ("bi-play-circle", "primary"),
    SlaEvent.Type.PAUSED: ("bi-pause-circle", "secondary"),
    SlaEvent.Type.RESUMED: ("bi-play-circle", "primary"),
    SlaEvent.Type.RECALCULATED: ("bi-arrow-repeat", "info"),
    SlaEvent.Type.RESPONDED: ("bi-reply", "success"),
    SlaEvent.Type.RESOLVED: ("bi-check-circle", "success"),
    SlaEvent.Type.REOPENED: ("bi-arrow-counterclockwise", "warning"),
    SlaEvent.Type.WARNING: ("bi-exclamation-triangle", "warning"),
    SlaEvent.Type.BREACHED: ("bi-alarm", "danger"),
    SlaEvent.Type.ESCALATED: ("bi-megaphone", "danger"),
}


def format_minutes(minutes: Any) -> str:
    """``2 h 05 min`` in the active language."""
    try:
        total = int(minutes)
    except (TypeError, ValueError):
        return ""
    sign = "-" if total < 0 else ""
    hours, mins = divmod(abs(total), 60)
    if hours:
        return sign + _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    return sign + _("%(minutes)d min") % {"minutes": mins}


def _when(value: Any, tz: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return dt.datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _describe(event: SlaEvent, tz: Any) -> str:
    d: dict[str, Any] = event.detail if isinstance(event.detail, dict) else {}
    target = _("response") if d.get("target") == RESPONSE else _("resolution")
    if event.type == SlaEvent.Type.STARTED:
        if d.get("policy") is None:
            return _("No SLA policy applies.")
        return _("Policy %(policy)s: respond by %(response)s, resolve by %(resolution)s.") % {
            "policy": d.get("policy_name", ""),
            "response": _when(d.get("response_due"), tz),
            "resolution": _when(d.get("resolution_due"), tz),
        }
    if event.type == SlaEvent.Type.PAUSED:
        return _("Clock paused after %(spent)s: %(reason)s") % {
            "spent": format_minutes(d.get("spent_minutes")),
            "reason": d.get("reason", ""),
        }
    if event.type == SlaEvent.Type.RESUMED:
        return _("Clock resumed after %(paused)s of working time; resolve by %(due)s.") % {
            "paused": format_minutes(d.get("paused_minutes")),
            "due": _when(d.get("resolution_due"), tz),
        }
    if event.type == SlaEvent.Type.RECALCULATED:
        return _("Priority P%(old)s → P%(new)s; %(spent)s already spent; resolve by %(due)s.") % {
            "old": d.get("old_priority", ""),
            "new": d.get("priority", ""),
            "spent": format_minutes(d.get("spent_minutes")),
            "due": _when(d.get("resolution_due"), tz) or "-",
        }
    if event.type in (SlaEvent.Type.RESPONDED, SlaEvent.Type.RESOLVED):
        if "met" not in d:
            return ""
        if d["met"]:
            return _("Within the target (%(spent)s spent).") % {
                "spent": format_minutes(d.get("spent_minutes"))
            }
        return _("Past the target (%(spent)s spent).") % {
            "spent": format_minutes(d.get("spent_minutes"))
        }
    if event.type == SlaEvent.Type.REOPENED:
        return _("The resolution clock continues after %(spent)s; resolve by %(due)s.") % {
            "spent": format_minutes(d.get("spent_minutes")),
            "due": _when(d.get("resolution_due"), tz) or "-",
        }
    if event.type == SlaEvent.Type.BREACHED:
        return _("The %(target)s target was due at %(due)s.") % {
            "target": target,
            "due": _when(d.get("due"), tz),
        }
    if event.type in (SlaEvent.Type.WARNING, SlaEvent.Type.ESCALATED):
        names = ", ".join(str(n) for n in d.get("recipients", [])) or _("nobody")
        return _("%(percent)s%% of the %(target)s target used; notified: %(names)s") % {
            "percent": d.get("percent", ""),
            "target": target,
            "names": names,
        }
    return ""


def timeline(order: WorkOrder) -> list[dict[str, Any]]:
    """The SLA events of ``order``, oldest first, ready for the order's page: ``ts``,
    ``type``, ``label``, ``text`` (a sentence in the active language), ``icon`` (a Bootstrap
    icon class), ``tone`` (a Bootstrap colour) and the raw ``detail``."""
    tz = WorkSchedule(calendar_of(order.sla_policy)).tz
    rows: list[dict[str, Any]] = []
    for event in order.sla_events.order_by("ts", "id"):
        icon, tone = _ICONS.get(event.type, ("bi-circle", "secondary"))
        rows.append(
            {
                "ts": event.ts,
                "type": event.type,
                "label": event.get_type_display(),
                "text": _describe(event, tz),
                "icon": icon,
                "tone": tone,
                "detail": event.detail,
            }
        )
    return rows


__all__ = [
    "DEFAULT_RULES",
    "RUNNING_STATUSES",
    "Step",
    "active_rules",
    "calendar_of",
    "check_all",
    "elapsed",
    "ladder",
    "on_close",
    "on_open",
    "on_pause",
    "on_priority_change",
    "on_reopen",
    "on_resolve",
    "on_respond",
    "on_resume",
    "policy_for",
    "recipients",
    "share",
    "target_of",
    "timeline",
]
