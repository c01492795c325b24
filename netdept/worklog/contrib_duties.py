"""The daily log's contribution of duties: the occurrences a person did that day
(``netdept.worklog.contributions``).

An occurrence counts on the day it was handed in (``submitted_at``; ``done_at`` when it was
done without a submission) — done, done late, or submitted and awaiting review (in progress).
Occurrences done by a self-check are left out: their records (a work order, the daily log
itself) speak for themselves in their own contributions. One query for any number of people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.duties.models import Occurrence, OccurrenceStatus
from netdept.worklog.contributions import Contribution, Line, register_contribution

S = OccurrenceStatus
DONE = (S.DONE, S.DONE_LATE)
LIMIT = 5000


def duties_done(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    rows = (
        Occurrence.objects.filter(person_id__in=list(person_ids), by_check=False)
        .filter(
            Q(status__in=(*DONE, S.SUBMITTED), submitted_at__gte=start, submitted_at__lt=end)
            | Q(status__in=DONE, submitted_at__isnull=True, done_at__gte=start, done_at__lt=end)
        )
        .select_related("duty")
        .order_by("submitted_at", "pk")[:LIMIT]
    )
    for occ in rows:
        at = occ.submitted_at or occ.done_at
        assert at is not None
        text = (
            _("Duty done: %(duty)s") % {"duty": occ.duty.name}
            if occ.status in DONE
            else _("Duty submitted for review: %(duty)s") % {"duty": occ.duty.name}
        )
        if occ.text:
            text = f"{text} — {occ.text}"
        yield Line(
            person_id=occ.person_id,
            at=at,
            text=text[:1000],
            record=occ,
            state="done" if occ.status in DONE else "in_progress",
        )


DUTIES = register_contribution(
    Contribution(code="duties.done", label=gettext_lazy("duties"), collect=duties_done)
)
