"""What work orders tell the duty engine: the self-checks of duties about work orders
(``netdept.duties.checks``), declared when the app is ready.

- ``workorders.resolved_in_sla``: the person resolved at least ``min`` (1) work orders in the
  period, each within its resolution SLA.
- ``workorders.answered_in_sla``: every work order assigned to the person whose response fell
  due in the period was answered (first response) within its SLA — nothing due is satisfied.
- ``workorders.major_report``: every major incident assigned to the person and opened in the
  period has its report to the leaders written — none is satisfied.

Each answers the orders it looked at; the engine links them to the occurrence as evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.duties.checks import DutyCheck, at_least_one, register_check
from netdept.org.models import Person
from netdept.workorders.models import WorkOrder

LIMIT = 500  # the orders one check looks at (a person's period holds far fewer)


def resolved_in_sla(
    person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
) -> Sequence[WorkOrder]:
    return list(
        WorkOrder.objects.filter(
            assignee=person,
            resolved_at__gte=start,
            resolved_at__lte=end,
            resolution_breached=False,
        ).order_by("resolved_at", "pk")[:LIMIT]
    )


def answered_in_sla(
    person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
) -> Sequence[WorkOrder]:
    return list(
        WorkOrder.objects.filter(
            assignee=person, response_due__gte=start, response_due__lte=end
        ).order_by("response_due", "pk")[:LIMIT]
    )


def all_answered(records: Sequence[models.Model], params: Mapping[str, Any]) -> bool:
    return all(
        isinstance(o, WorkOrder)
        and o.responded_at is not None
        and o.response_due is not None
        and o.responded_at <= o.response_due
        and not o.response_breached
        for o in records
    )


def major_incidents(
    person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
) -> Sequence[WorkOrder]:
    return list(
        WorkOrder.objects.filter(
            assignee=person, is_major=True, created_at__gte=start, created_at__lte=end
        ).order_by("created_at", "pk")[:LIMIT]
    )


def all_reported(records: Sequence[models.Model], params: Mapping[str, Any]) -> bool:
    return all(isinstance(o, WorkOrder) and o.major_report.strip() for o in records)


register_check(
    DutyCheck(
        code="workorders.resolved_in_sla",
        label=_("work orders resolved within their SLA"),
        records=resolved_in_sla,
        satisfied=at_least_one,
        description=_(
            "Done when the person resolved at least the given number of work orders in the "
            "period, each within its resolution time."
        ),
        params_help=_("min: how many work orders (default 1)"),
        params_schema={"min": int},
    )
)
register_check(
    DutyCheck(
        code="workorders.answered_in_sla",
        label=_("every work order answered within its SLA"),
        records=answered_in_sla,
        satisfied=all_answered,
        description=_(
            "Done when every work order assigned to the person whose first response fell due "
            "in the period was answered in time."
        ),
    )
)
register_check(
    DutyCheck(
        code="workorders.major_report",
        label=_("a report for every major incident"),
        records=major_incidents,
        satisfied=all_reported,
        description=_(
            "Done when every major incident assigned to the person and opened in the period "
            "has its report to the leaders."
        ),
    )
)
