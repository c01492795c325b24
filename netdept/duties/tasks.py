"""Background jobs of the duty engine: the sweep every minute (reminders, overdue, missed,
escalation, self-checks) and materialisation ahead every hour (and at once when a duty
changes, through its service)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.duties.services import engine, sweeping
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)


@task(queue_name="default")
def sweep_duties() -> dict[str, int]:
    """Occurrences whose next check has come (the working calendar decides the instants)."""
    with context.acting(None, None, "task"):
        done = sweeping.sweep(now=timezone.now())
    if any(done.values()):
        logger.info("Duties sweep: %s", done)
    return done


@task(queue_name="default")
def materialise_duties() -> int:
    """Occurrences of every active duty up to its horizon; rows already there are left as they
    are (safe to run again, and by two schedulers at once)."""
    with context.acting(None, None, "task"):
        created = engine.materialise(now=timezone.now())
    if created:
        logger.info("Duties: %d occurrences materialised.", created)
    return created


periodic("duties.sweep", "* * * * *", sweep_duties, queue="default")
periodic("duties.materialise", "7 * * * *", materialise_duties, queue="default")
