"""What daily logs tell the duty engine: the self-check ``worklog.daily_log``
(``netdept.duties.checks``).

A duty "write the daily log" (每天写工作日志) names it in ``check_code``. The engine asks at the
occurrence's due instant (and again within its grace) for the person's logs that were handed
in by then (submitted, or accepted since; a log returned for changes does not count until it
is submitted again). Which day's log: the day of the due instant when it falls at or after
noon (a log due 17:00 or 18:00 is that day's), the day before when it falls in the morning (a
log due 09:00 is yesterday's) — on the working calendar's clock. With ``min`` the duty asks
for that many logs of its whole period instead (a weekly duty: "at least 5 daily logs").
The logs answered are linked to the occurrence as its evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.duties.checks import DutyCheck, at_least_one, register_check
from netdept.org.models import Person
from netdept.worklog.models.logs import DailyLog, LogStatus
from netdept.worklog.services import logs

LIMIT = 100


HALF_DAY = dt.timedelta(hours=12)


def log_day(instant: dt.datetime) -> dt.date:
    """The day whose log is due at ``instant``."""
    return (instant - HALF_DAY).astimezone(logs.schedule().tz).date()


def submitted_logs(
    person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
) -> Sequence[DailyLog]:
    last = log_day(end)
    first = min(last, (start + HALF_DAY).astimezone(logs.schedule().tz).date())
    if "min" not in params:
        first = last
    return list(
        DailyLog.objects.filter(
            person=person,
            day__gte=first,
            day__lte=last,
            status__in=(LogStatus.SUBMITTED, LogStatus.ACCEPTED),
            submitted_at__lte=end,
        ).order_by("day", "pk")[:LIMIT]
    )


DAILY_LOG = register_check(
    DutyCheck(
        code="worklog.daily_log",
        label=_("daily log submitted"),
        records=submitted_logs,
        satisfied=at_least_one,
        description=_(
            "Done when the person submitted the daily log of the day by the due time (due "
            "in the morning: the previous day's log). A log returned for changes counts once "
            "it is submitted again."
        ),
        params_help=_("min: how many daily logs of the whole period instead (e.g. 5 a week)"),
        params_schema={"min": int},
    )
)
