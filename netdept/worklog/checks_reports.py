"""What reports tell the duty engine (``netdept.duties.checks``):

- ``worklog.weekly_report``: the person's weekly report of the occurrence's week was
  submitted (by the instant asked: the due instant, or within the grace);
- ``worklog.monthly_report``: the same for the month.

The occurrence's week (month) is the one holding the middle of [period start, due instant):
a report due Sunday 17:00 or Monday 09:00 for the week before is matched alike. A report
returned for changes counted as submitted when it was; it is answered as the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.duties.checks import DutyCheck, at_least_one, register_check
from netdept.org.models import Person
from netdept.worklog.models import LogStatus, Report, ReportKind
from netdept.worklog.services.reports import period_of


def _reports(kind: str) -> Any:
    def records(
        person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
    ) -> Sequence[models.Model]:
        middle = start + (end - start) / 2 if end > start else end
        period = period_of(kind, timezone.localtime(middle).date())
        return list(
            Report.objects.filter(
                kind=kind,
                person=person,
                is_team_report=False,
                period_start=period.first,
                submitted_at__isnull=False,
                submitted_at__lte=end,
            ).exclude(status=LogStatus.DRAFT)[:1]
        )

    return records


CHECKS = (
    (
        ReportKind.WEEKLY,
        _("weekly report submitted"),
        _("Done when the person submitted their weekly report of the occurrence's week."),
    ),
    (
        ReportKind.MONTHLY,
        _("monthly report submitted"),
        _("Done when the person submitted their monthly report of the occurrence's month."),
    ),
)
for _kind, _label, _description in CHECKS:
    register_check(
        DutyCheck(
            code=f"worklog.{_kind}_report",
            label=_label,
            records=_reports(_kind),
            satisfied=at_least_one,
            description=_description,
            params_schema={},
        )
    )
