"""The escalation job: ``check_all(now)`` warns, flags breaches and escalates the running
orders, once per step (see the package's docstring, "Escalation")."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.db.models import Q

from netdept.notify import notify
from netdept.workcal.schedule import WorkSchedule
from netdept.workorders.models import EscalationRule, Priority, SlaEvent, WorkOrder
from netdept.workorders.sla.clock import _due, _elapsed, reached
from netdept.workorders.sla.events import _iso
from netdept.workorders.sla.ladder import Step, recipients
from netdept.workorders.sla.nextcheck import Schedules, next_check_at
from netdept.workorders.sla.penalties import on_breach
from netdept.workorders.sla.policies import (
    RESOLUTION,
    RESPONSE,
    RUNNING_STATUSES,
    Target,
    order_target,
)

#: candidates read per query (ordered by their next-check instant)
CHUNK: Final = 500

logger = logging.getLogger(__name__)


def _names(found: Iterable[Any]) -> list[str]:
    return [str(r) for r in found]


def _data(
    order: WorkOrder,
    target: Target,
    percent: float,
    step: int,
) -> dict[str, Any]:
    due = _due(order, target)
    return {
        "number": order.number,
        "title": order.title,
        "priority": f"P{order.priority}",
        "due": due if due is not None else "",  # shown in each reader's time zone
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
    next_check_at: dt.datetime | None = None

    def records(self, order: WorkOrder) -> bool:
        """Does the plan record anything (events, notifications, a new step)?"""
        return bool(self.events or self.notes) or (
            self.escalation_percent != order.escalation_percent
        )


def _percent(spent: dt.timedelta, total: dt.timedelta) -> float:
    return 100 * (spent / total)


def _plan(order: WorkOrder, now: dt.datetime, sched: WorkSchedule, steps: list[Step]) -> _Plan:
    """What ``check_all`` has to do for one running order, and its next-check instant after
    that (no queries)."""
    plan = _Plan(
        [], [], order.response_breached, order.resolution_breached, order.escalation_percent
    )
    response_total = order_target(order, RESPONSE)
    if (
        order.responded_at is None
        and not order.response_breached
        and order.response_due is not None
        and order.response_due <= now
        and response_total is not None
    ):
        percent = _percent(_elapsed(order, now, RESPONSE, sched), response_total)
        plan.response_breached = True
        plan.events.append(
            (
                SlaEvent.Type.BREACHED,
                {"target": RESPONSE, "due": _iso(order.response_due), "percent": int(percent)},
            )
        )
        step = Step(100, (EscalationRule.Target.ASSIGNEE, EscalationRule.Target.TEAM_LEAD))
        plan.notes.append((step, RESPONSE, percent))
    total = order_target(order, RESOLUTION)
    if order.resolution_due is not None and total is not None:
        spent = _elapsed(order, now, RESOLUTION, sched)
        percent = _percent(spent, total)
        if not order.resolution_breached and reached(spent, total, 100):
            plan.resolution_breached = True
            plan.events.append(
                (
                    SlaEvent.Type.BREACHED,
                    {
                        "target": RESOLUTION,
                        "due": _iso(order.resolution_due),
                        "percent": int(percent),
                    },
                )
            )
        crossed = [
            s
            for s in steps
            if order.escalation_percent < s.percent and reached(spent, total, s.percent)
        ]
        if crossed:
            plan.escalation_percent = crossed[-1].percent
            if crossed[-1].percent >= 100:  # a warning would come too late
                crossed = [s for s in crossed if s.percent >= 100]
            plan.notes.extend((s, RESOLUTION, percent) for s in crossed)
    plan.next_check_at = next_check_at(
        order,
        sched,
        steps,
        response_breached=plan.response_breached,
        resolution_breached=plan.resolution_breached,
        escalation_percent=plan.escalation_percent,
    )
    return plan


def _notify(order: WorkOrder, step: Step, target: Target, percent: float) -> dict[str, Any]:
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
        data=_data(order, target, percent, step.percent),
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


def _apply(order: WorkOrder, now: dt.datetime, plan: _Plan) -> bool:
    """Record ``plan`` and the order's next-check instant unless the order changed since it
    was read (one guarded UPDATE)."""
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
            sla_next_check_at=order.sla_next_check_at,
        ).update(
            response_breached=plan.response_breached,
            resolution_breached=plan.resolution_breached,
            escalation_percent=plan.escalation_percent,
            sla_next_check_at=plan.next_check_at,
        )
        if not updated:
            return False
        if plan.response_breached and not order.response_breached:
            on_breach(order, RESPONSE, order.response_due or now)
        if plan.resolution_breached and not order.resolution_breached:
            on_breach(order, RESOLUTION, order.resolution_due or now)
        events = [SlaEvent(order=order, type=t, ts=now, detail=d) for t, d in plan.events]
        for step, target, percent in plan.notes:
            detail = _notify(order, step, target, percent)
            kind = SlaEvent.Type.WARNING if step.percent < 100 else SlaEvent.Type.ESCALATED
            events.append(SlaEvent(order=order, type=kind, ts=now, detail=detail))
        if events:
            SlaEvent.objects.bulk_create(events)
    order.response_breached = plan.response_breached
    order.resolution_breached = plan.resolution_breached
    order.escalation_percent = plan.escalation_percent
    order.sla_next_check_at = plan.next_check_at
    return True


def check_all(now: dt.datetime) -> int:
    """Warn, flag breaches and escalate; returns how many orders had something recorded.

    The candidates are one range of the next-check index: the running orders whose
    ``sla_next_check_at`` is not after ``now``, read in chunks in the order of that instant
    (nothing else is read when there is none). An order with something to record costs one
    guarded UPDATE (which sets its next-check instant too), one INSERT of its events and the
    notifications. A candidate with nothing to do (its instant was stale) only gets its
    instant moved.
    """
    due = (
        WorkOrder.objects.filter(
            sla_next_check_at__lte=now,
            status__in=RUNNING_STATUSES,
            paused_at__isnull=True,
            sla_policy__isnull=False,
        )
        .select_related("sla_policy__calendar", "assignee__user", "team__lead__user", "requester")
        .order_by("sla_next_check_at", "pk")
    )
    context: Schedules | None = None
    done = 0
    after: tuple[dt.datetime, int] | None = None
    while True:
        chunk = due
        if after is not None:  # keyset paging: past the last candidate read
            chunk = due.filter(sla_next_check_at__gte=after[0]).filter(
                Q(sla_next_check_at__gt=after[0]) | Q(pk__gt=after[1])
            )
        orders = list(chunk[:CHUNK])
        if not orders:
            return done
        context = context or Schedules()
        last = orders[-1]
        assert last.sla_next_check_at is not None
        after = (last.sla_next_check_at, last.pk)  # before _apply moves it
        for order in orders:
            used = order.sla_policy
            if used is None:
                continue
            sched = context.schedule(used)
            plan = _plan(order, now, sched, context.steps(used))
            records = plan.records(order)
            if not records and plan.next_check_at == order.sla_next_check_at:
                continue
            try:
                if _apply(order, now, plan) and records:
                    done += 1
            except Exception:
                logger.exception("SLA check of work order %s failed.", order.pk)
        if len(orders) < CHUNK:
            return done
