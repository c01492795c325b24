"""The next-check instant: when ``check_all`` has something to do for an order.

``WorkOrder.sla_next_check_at`` is the earliest of the response due time (while the order is
unanswered and the response not flagged) and the instant at which the resolution share reaches
the next step of the ladder above ``escalation_percent`` (or 100 %, the breach, while it is not
flagged). It is empty while the clock does not run (waiting, resolved, closed, no policy) and
when no step is left. The hooks keep it whenever they change due times, a pause, the clock's
stop or the escalation; ``check_all`` after recording a step. A change of what the instants
depend on — the escalation rules, a policy (its warning share), a working calendar or its
overrides — queues ``refresh_next_checks`` for the running orders concerned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Final

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save

from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders.models import EscalationRule, SlaPolicy, WorkOrder
from netdept.workorders.sla.clock import step_instant
from netdept.workorders.sla.ladder import Step, active_rules, ladder
from netdept.workorders.sla.policies import RESOLUTION, RUNNING_STATUSES, calendar_of, order_target

logger = logging.getLogger(__name__)

BATCH: Final = 1000


def clock_runs(order: WorkOrder) -> bool:
    """Does the order's clock run: a policy, not paused, not resolved, not closed?"""
    return (
        order.sla_policy_id is not None
        and order.paused_at is None
        and order.resolved_at is None
        and order.closed_at is None
    )


def next_check_at(
    order: WorkOrder,
    sched: WorkSchedule,
    steps: Sequence[Step],
    *,
    response_breached: bool | None = None,
    resolution_breached: bool | None = None,
    escalation_percent: int | None = None,
) -> dt.datetime | None:
    """The next-check instant of ``order`` (no queries; the keyword arguments stand for the
    order's flags as they will be once a plan is recorded)."""
    if not clock_runs(order):
        return None
    if response_breached is None:
        response_breached = order.response_breached
    if resolution_breached is None:
        resolution_breached = order.resolution_breached
    if escalation_percent is None:
        escalation_percent = order.escalation_percent
    found: list[dt.datetime] = []
    if order.responded_at is None and not response_breached and order.response_due is not None:
        found.append(order.response_due)
    due, total = order.resolution_due, order_target(order, RESOLUTION)
    if due is not None and total is not None:
        percents = [s.percent for s in steps if s.percent > escalation_percent]
        if not resolution_breached:
            percents.append(100)
        if percents:
            found.append(step_instant(sched, due, total, min(percents)))
    return min(found, default=None)


def reschedule(
    order: WorkOrder,
    sched: WorkSchedule | None = None,
    rules: Sequence[tuple[int, str]] | None = None,
) -> None:
    """Set ``order.sla_next_check_at`` from its current state (the hooks call this last)."""
    policy = order.sla_policy if clock_runs(order) else None
    if policy is None:
        order.sla_next_check_at = None
        return
    steps = ladder(policy, active_rules() if rules is None else rules)
    sched = sched if sched is not None else WorkSchedule(calendar_of(policy))
    order.sla_next_check_at = next_check_at(order, sched, steps)


class Schedules:
    """For a batch of orders: the policies, one ``WorkSchedule`` per calendar and one ladder
    per policy (the escalation rules are read once)."""

    def __init__(self) -> None:
        self.rules = active_rules()
        self._policies: dict[int, SlaPolicy] = {}
        self._schedules: dict[int | None, WorkSchedule] = {}
        self._steps: dict[int, list[Step]] = {}
        self._default: WorkCalendar | None = None

    def load_policies(self) -> None:
        self._policies.update((p.pk, p) for p in SlaPolicy.objects.select_related("calendar"))

    def policy(self, pk: int) -> SlaPolicy | None:
        if pk not in self._policies:
            found = SlaPolicy.objects.select_related("calendar").filter(pk=pk).first()
            if found is None:
                return None
            self._policies[pk] = found
        return self._policies[pk]

    def schedule(self, policy: SlaPolicy) -> WorkSchedule:
        key = policy.calendar_id
        if key not in self._schedules:
            cal = policy.calendar
            if cal is None:
                self._default = self._default or default_calendar()
                cal = self._default
            self._schedules[key] = WorkSchedule(cal)
        return self._schedules[key]

    def steps(self, policy: SlaPolicy) -> list[Step]:
        if policy.pk not in self._steps:
            self._steps[policy.pk] = ladder(policy, self.rules)
        return self._steps[policy.pk]


def running_orders() -> QuerySet[WorkOrder]:
    """The orders whose clock runs (the ones that may have a next-check instant)."""
    return WorkOrder.objects.filter(
        status__in=RUNNING_STATUSES,
        paused_at__isnull=True,
        resolved_at__isnull=True,
        closed_at__isnull=True,
        sla_policy__isnull=False,
    )


def refresh_next_checks(policy_ids: Iterable[int] | None = None, *, batch: int = BATCH) -> int:
    """Recompute the next-check instants of the running orders (of ``policy_ids``, or all),
    ``batch`` orders per transaction with their rows locked; returns how many changed."""
    orders = running_orders()
    if policy_ids is not None:
        orders = orders.filter(sla_policy_id__in=list(policy_ids))
    context = Schedules()
    context.load_policies()
    changed = 0
    last = 0
    while True:
        ids = list(orders.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return changed
        last = ids[-1]
        with transaction.atomic():
            rows = WorkOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            todo: list[WorkOrder] = []
            for order in rows:
                policy = context.policy(order.sla_policy_id) if order.sla_policy_id else None
                new = None
                if policy is not None:
                    order.sla_policy = policy
                    new = next_check_at(order, context.schedule(policy), context.steps(policy))
                if new != order.sla_next_check_at:
                    order.sla_next_check_at = new
                    todo.append(order)
            if todo:
                WorkOrder.objects.bulk_update(todo, ["sla_next_check_at"])
            changed += len(todo)


# --- what the instants depend on changed ----------------------------------------------------
def _queue(using: str, policy_ids: list[int] | None = None, calendar_id: int | None = None) -> None:
    def run() -> None:
        # tasks imports this module (its jobs call it): the task is looked up when queued.
        from netdept.workorders.tasks import refresh_sla_next_checks  # cycle: see above

        try:
            refresh_sla_next_checks.enqueue(policy_ids=policy_ids, calendar_id=calendar_id)
        except Exception:  # the daily refresh catches up
            logger.exception("Could not queue the refresh of SLA next-check instants.")

    transaction.on_commit(run, using=using)


def policies_on(calendar_id: int) -> list[int]:
    """The policies whose clocks count on ``calendar_id`` (those without a calendar too when
    it is the default one)."""
    on = Q(calendar_id=calendar_id)
    if default_calendar().pk == calendar_id:
        on |= Q(calendar__isnull=True)
    return list(SlaPolicy.objects.filter(on).values_list("pk", flat=True))


def _rules_changed(sender: type[EscalationRule], using: str = "default", **kwargs: Any) -> None:
    _queue(using)


def _policy_saved(
    sender: type[SlaPolicy], instance: SlaPolicy, using: str = "default", **kwargs: Any
) -> None:
    _queue(using, policy_ids=[instance.pk])


def _calendar_deleted(sender: type[WorkCalendar], using: str = "default", **kwargs: Any) -> None:
    _queue(using)  # the default calendar may be another one now


def _calendar_changed(
    sender: type[WorkCalendar], instance: WorkCalendar, using: str = "default", **kwargs: Any
) -> None:
    _queue(using, calendar_id=instance.pk)


def _override_changed(
    sender: type[CalendarOverride],
    instance: CalendarOverride,
    using: str = "default",
    **kwargs: Any,
) -> None:
    _queue(using, calendar_id=instance.calendar_id)


post_save.connect(_rules_changed, sender=EscalationRule, dispatch_uid="workorders.sla.rule_saved")
post_delete.connect(
    _rules_changed, sender=EscalationRule, dispatch_uid="workorders.sla.rule_deleted"
)
post_save.connect(_policy_saved, sender=SlaPolicy, dispatch_uid="workorders.sla.policy_saved")
post_save.connect(
    _calendar_changed, sender=WorkCalendar, dispatch_uid="workorders.sla.calendar_saved"
)
post_delete.connect(
    _calendar_deleted, sender=WorkCalendar, dispatch_uid="workorders.sla.calendar_deleted"
)
post_save.connect(
    _override_changed, sender=CalendarOverride, dispatch_uid="workorders.sla.override_saved"
)
post_delete.connect(
    _override_changed, sender=CalendarOverride, dispatch_uid="workorders.sla.override_deleted"
)
