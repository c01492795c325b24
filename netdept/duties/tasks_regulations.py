"""The regulations register's daily job: approved versions take effect on their date, and
the director is reminded before a version's periodic review (等保)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.duties.services import regulations
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)


@task(queue_name="default")
def regulations_daily() -> dict[str, int]:
    with context.acting(None, None, "task"):
        done = regulations.daily(timezone.now())
    if any(done.values()):
        logger.info("Regulations: %(effective)d took effect, %(review_reminders)d reminders.", done)
    return done


# 00:05 Asia/Shanghai: a version dated today takes effect as the day begins
periodic("duties.regulations_daily", "5 0 * * *", regulations_daily, queue="default")
