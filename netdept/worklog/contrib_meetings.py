"""The daily log's contribution of meetings (A's registry, ``contributions``): the meetings a
person attended (present or late) that were held — one line each, with the meeting's length
as the time spent. One query for all the people asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.worklog.contributions import Contribution, Line, register_contribution
from netdept.worklog.models import Attendance
from netdept.worklog.services import meetings


def attended(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    rows = meetings.attended(person_ids, start, end).select_related("meeting")
    for a in rows.order_by("meeting__starts_at", "pk"):
        m = a.meeting
        minutes = max(0, int((m.ends_at - m.starts_at).total_seconds() // 60))
        if a.attendance == Attendance.LATE:
            text = _("Attended the meeting “%(title)s” (late)") % {"title": m.title}
        else:
            text = _("Attended the meeting “%(title)s”") % {"title": m.title}
        yield Line(person_id=a.person_id, at=m.starts_at, text=text, minutes=minutes, record=m)


MEETINGS_ATTENDED = register_contribution(
    Contribution(code="worklog.meetings", label=gettext_lazy("meetings attended"), collect=attended)
)
