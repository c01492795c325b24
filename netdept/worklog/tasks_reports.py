"""Background drafting of everyone's reports (a ``DraftRun``: its page polls the progress),
and the weekly and monthly runs the scheduler starts: Friday 16:00 drafts the week's reports
of everyone, and the month's reports on the 28th–31st at 16:00 (a second run re-drafts and
keeps what people wrote: harmless)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.tasks.scheduler import periodic
from netdept.worklog.models import ReportKind
from netdept.worklog.services import drafting

logger = logging.getLogger(__name__)


@task(queue_name="default")
def draft_reports(run_id: int) -> int:
    """Draft the reports of the run's people; the run records its progress."""
    with context.acting(None, None, "task"):
        run = drafting.run(run_id)
    logger.info("Reports drafted: %s of %s (run %s).", run.done, run.total, run_id)
    return run.done


@task(queue_name="default")
def draft_weekly_reports() -> int:
    """This week's reports of everyone, drafted for them to edit before the deadline."""
    with context.acting(None, None, "task"):
        run = drafting.start_run(None, kind=ReportKind.WEEKLY, day=timezone.localdate())
    return run.pk


@task(queue_name="default")
def draft_monthly_reports() -> int:
    """This month's reports of everyone (run on the last days of the month)."""
    with context.acting(None, None, "task"):
        run = drafting.start_run(None, kind=ReportKind.MONTHLY, day=timezone.localdate())
    return run.pk


periodic("worklog.draft_weekly", "0 16 * * 5", draft_weekly_reports, queue="default")
periodic("worklog.draft_monthly", "0 16 28-31 * *", draft_monthly_reports, queue="default")
