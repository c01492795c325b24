"""Background tasks and periodic jobs of work orders."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.tasks.scheduler import periodic
from netdept.workorders import kept_uploads, services, sla
from netdept.workorders.sla.nextcheck import policies_on, refresh_next_checks

logger = logging.getLogger(__name__)


@task(queue_name="default")
def check_sla() -> int:
    """Warnings, breaches and escalations of the running work orders (every minute)."""
    with context.acting(None, None, "task"):
        done = sla.check_all(timezone.now())
    if done:
        logger.info("SLA check: %d work orders warned, breached or escalated.", done)
    return done


periodic("workorders.check_sla", "* * * * *", check_sla, queue="default")


@task(queue_name="default")
def close_resolved() -> int:
    """Close the orders resolved more than ``WORKORDER_AUTOCLOSE_DAYS`` working days ago."""
    with context.acting(None, None, "task"):
        done = services.close_resolved(timezone.now())
    if done:
        logger.info("Auto-close: %d resolved work orders closed.", done)
    return done


periodic("workorders.close_resolved", "20 * * * *", close_resolved, queue="default")


@task(queue_name="default")
def refresh_sla_next_checks(
    policy_ids: list[int] | None = None, calendar_id: int | None = None
) -> int:
    """Recompute the SLA next-check instants of the running orders: of ``policy_ids``, of the
    policies counting on ``calendar_id``, or all. Queued after a change of the escalation
    rules, a policy, a calendar or its overrides; once a day for all (the calendar package's
    holidays, changes made outside the application)."""
    if calendar_id is not None:
        policy_ids = policies_on(calendar_id)
        if not policy_ids:
            return 0
    with context.acting(None, None, "task"):
        changed = refresh_next_checks(policy_ids)
    if changed:
        logger.info("SLA next-check instants: %d work orders rescheduled.", changed)
    return changed


periodic(
    "workorders.refresh_sla_next_checks", "50 3 * * *", refresh_sla_next_checks, queue="default"
)


@task(queue_name="default")
def sweep_kept_uploads() -> int:
    """Delete the files kept for a form sent back with errors (portal, phone desk) that nobody
    came back for within a day."""
    removed = kept_uploads.sweep()
    if removed:
        logger.info("Kept uploads: %d abandoned files deleted.", removed)
    return removed


periodic("workorders.sweep_kept_uploads", "35 4 * * *", sweep_kept_uploads, queue="default")
