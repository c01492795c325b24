"""Background tasks of the notification service (queue ``notify``).

``send_delivery`` is safe to run any number of times for one delivery: only the run that
claims it sends (see ``netdept.notify.sending``). ``dispatch_due_deliveries``
runs every minute: it sends digests whose rate window has passed and queues the retries,
the deliveries held for quiet hours whose time has come, and the deliveries of dead workers.
"""

from __future__ import annotations

import logging

from django_tasks import task

from netdept.core import context
from netdept.notify import (
    audit_jobs,  # noqa: F401  (the daily audit checkpoint, sent to the auditors: its job lives here)
    sending,
)
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)


@task(queue_name="notify")
def send_delivery(delivery_id: int) -> str | None:
    with context.acting(None, None, "task"):
        return sending.send(delivery_id)


@task(queue_name="notify")
def dispatch_due_deliveries() -> dict[str, int]:
    with context.acting(None, None, "task"):
        return sending.dispatch()


periodic("core.dispatch_due_deliveries", "* * * * *", dispatch_due_deliveries, queue="notify")
