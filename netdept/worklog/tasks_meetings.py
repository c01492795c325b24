"""Background job of meetings: every hour (and safe to run again, or twice at once), the
recurring meeting types' meetings of the next two weeks are scheduled on the working calendar
with their attendees (``services.meetings.schedule_ahead``)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.tasks.scheduler import periodic
from netdept.worklog.services import meetings

logger = logging.getLogger(__name__)


@task(queue_name="default")
def schedule_meetings() -> int:
    """The meetings of every active recurring type up to the horizon (existing ones kept)."""
    with context.acting(None, None, "task"):
        created = meetings.schedule_ahead(timezone.now())
    if created:
        logger.info("Meetings: %d scheduled.", created)
    return created


periodic("worklog.schedule_meetings", "17 * * * *", schedule_meetings, queue="default")
