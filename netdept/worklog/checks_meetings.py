"""The duty check ``worklog.meeting_held`` (``netdept.duties.checks``): a meeting of the type
``params["type"]`` (a meeting type's code) was held in the occurrence's period and its minutes
were handed in (approved, or awaiting the chair). A pack's duty "hold the weekly meeting and
keep its minutes" names it; the meetings found are linked to the occurrence as evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.duties.checks import DutyCheck, register_check
from netdept.org.models import Person
from netdept.worklog.models import Meeting, MeetingStatus

LIMIT = 100
#: minutes handed in (the chair's approval may follow)
WITH_MINUTES = (MeetingStatus.MINUTES_SUBMITTED, MeetingStatus.CLOSED)


def meetings_held(
    person: Person, start: dt.datetime, end: dt.datetime, params: Mapping[str, Any]
) -> Sequence[Meeting]:
    code = params.get("type")
    if not isinstance(code, str) or not code:
        return []
    return list(
        Meeting.objects.filter(
            meeting_type__code=code,
            starts_at__gte=start,
            starts_at__lte=end,
            status__in=WITH_MINUTES,
        ).order_by("starts_at", "pk")[:LIMIT]
    )


MEETING_HELD = register_check(
    DutyCheck(
        code="worklog.meeting_held",
        label=_("a meeting of its type held, with minutes"),
        records=meetings_held,
        description=_(
            "Satisfied when a meeting of the type named by “type” (a meeting type's code) took "
            "place in the period and its minutes were handed in."
        ),
        params_help=_("type: the meeting type's code (required); min: how many (default 1)"),
        params_schema={"type": str, "min": int},
    )
)
