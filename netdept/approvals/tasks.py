"""Background jobs of approvals."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.approvals import services
from netdept.core import context
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)


@task(queue_name="default")
def sweep_approvals() -> int:
    """Reminders before a step's time limit, steps passed on at it, emergency requests not
    approved in time (every minute; the working calendar decides the limits)."""
    with context.acting(None, None, "task"):
        done = services.sweep(timezone.now())
    if done:
        logger.info("Approvals: %d reminders, time limits or emergencies handled.", done)
    return done


periodic("approvals.sweep", "* * * * *", sweep_approvals, queue="default")
