"""SLA targets fixed on the order, and the indexed next-check instant of the SLA job.

Backfill: the targets of every order with a policy come from its policy in one UPDATE (a
subquery per column; no Python loop, whatever the size of the table); the next-check instants
are computed for the running orders only (new, accepted, in progress, not paused: a few percent
of the rows), 1,000 per UPDATE. The computation is written out here, as the SLA engine did it
when this migration was written, so that later changes of the engine cannot break it.
"""

import datetime as dt

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from netdept.workcal.schedule import WorkSchedule

BATCH = 1000
RUNNING = ("new", "accepted", "in_progress")
DEFAULT_RULES = ((100, "assignee"), (100, "team_lead"), (150, "director"))
DEFAULT_CALENDAR_NAME = "标准工作日历"
ONE_MINUTE = dt.timedelta(minutes=1)
MICROSECOND = dt.timedelta(microseconds=1)


def backfill_targets(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    SlaPolicy = apps.get_model("workorders", "SlaPolicy")
    db = schema_editor.connection.alias
    policy = SlaPolicy.objects.using(db).filter(pk=OuterRef("sla_policy_id"))
    WorkOrder.objects.using(db).filter(sla_policy__isnull=False).update(
        response_target_minutes=Subquery(policy.values("response_minutes")[:1]),
        resolution_target_minutes=Subquery(policy.values("resolution_minutes")[:1]),
    )


def _percents(warn_percent, rules):
    """The steps of the escalation ladder of a policy (percent only)."""
    pairs = list(rules) or list(DEFAULT_RULES)
    warn = int(warn_percent or 0)
    if 0 < warn < 100 and not any(p < 100 for p, _t in pairs):
        pairs.append((warn, "assignee"))
    return sorted({int(p) for p, _t in pairs if int(p) > 0})


def _step_instant(sched, due, total, percent):
    whole = total // MICROSECOND
    needed = -(-whole * percent // 100)
    delta = needed - whole
    if delta >= 0:
        return sched.add(due, MICROSECOND * delta)
    return sched.add(sched.add(due, MICROSECOND * (delta - 1)), MICROSECOND)


def _next_check(order, sched, percents, policy):
    found = []
    if order.responded_at is None and not order.response_breached and order.response_due:
        found.append(order.response_due)
    minutes = order.resolution_target_minutes
    if minutes is None:
        minutes = policy.resolution_minutes
    total = max(dt.timedelta(minutes=minutes), ONE_MINUTE)
    if order.resolution_due is not None:
        steps = [p for p in percents if p > order.escalation_percent]
        if not order.resolution_breached:
            steps.append(100)
        if steps:
            found.append(_step_instant(sched, order.resolution_due, total, min(steps)))
    return min(found, default=None)


def backfill_next_checks(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    SlaPolicy = apps.get_model("workorders", "SlaPolicy")
    EscalationRule = apps.get_model("workorders", "EscalationRule")
    WorkCalendar = apps.get_model("core", "WorkCalendar")
    db = schema_editor.connection.alias
    running = WorkOrder.objects.using(db).filter(
        status__in=RUNNING,
        paused_at__isnull=True,
        resolved_at__isnull=True,
        closed_at__isnull=True,
        sla_policy__isnull=False,
    )
    if not running.exists():
        return
    rules = list(
        EscalationRule.objects.using(db).filter(is_active=True).values_list("percent", "target")
    )
    policies = {p.pk: p for p in SlaPolicy.objects.using(db).select_related("calendar")}
    calendars = WorkCalendar.objects.using(db)
    default = (
        calendars.filter(is_default=True).order_by("pk").first()
        or calendars.filter(name=DEFAULT_CALENDAR_NAME).first()
        or WorkCalendar(name=DEFAULT_CALENDAR_NAME)  # what the engine will create: no overrides
    )
    schedules = {}
    percents = {pk: _percents(p.warn_percent, rules) for pk, p in policies.items()}
    fields = [
        "id",
        "sla_policy_id",
        "response_due",
        "resolution_due",
        "responded_at",
        "response_breached",
        "resolution_breached",
        "escalation_percent",
        "resolution_target_minutes",
        "sla_next_check_at",
    ]
    last = 0
    while True:
        batch = list(running.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        for order in batch:
            policy = policies[order.sla_policy_id]
            if policy.calendar_id not in schedules:
                schedules[policy.calendar_id] = WorkSchedule(policy.calendar or default)
            sched = schedules[policy.calendar_id]
            order.sla_next_check_at = _next_check(order, sched, percents[policy.pk], policy)
        WorkOrder.objects.using(db).bulk_update(batch, ["sla_next_check_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_delivery_claim"),
        ("workorders", "0004_percent_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="resolution_target_minutes",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="resolution target (minutes)"
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="response_target_minutes",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="response target (minutes)"
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="sla_next_check_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next SLA check"),
        ),
        # The index before the backfill: on PostgreSQL, CREATE INDEX is refused on a table with
        # pending (deferred foreign-key) trigger events, which the backfill's UPDATE leaves.
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("sla_next_check_at__isnull", False)),
                fields=["sla_next_check_at", "id"],
                name="workorder_sla_next_check",
            ),
        ),
        migrations.RunPython(backfill_targets, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(backfill_next_checks, migrations.RunPython.noop, elidable=True),
    ]
