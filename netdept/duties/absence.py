"""Absence (on leave…): the days a person is away, asked of the modules that know.

A module above duties (the worklog's leave) registers a provider::

    register_absence_provider(provider)   # provider(person_ids, start, end) -> {person_id: {day}}

``start`` and ``end`` are local dates, both included. The duty engine asks ``away_pairs``
when it materialises: an occurrence due on a day its person is away is not written (when the
leave is cancelled, the next materialisation writes it). Occurrences written before the leave
was approved are excused by ``excuse_away`` (by the system, with the reason, audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.duties.models import Occurrence, OccurrenceStatus
from netdept.duties.models.duties import OPEN_STATUSES
from netdept.workcal.schedule import WorkSchedule

ONE_DAY = dt.timedelta(days=1)

#: ``provider(person_ids, start, end) -> {person_id: {day, …}}``: the days (local dates,
#: ``start``…``end`` included) each person is away
AbsenceProvider = Callable[[set[int], dt.date, dt.date], dict[int, set[dt.date]]]
_PROVIDERS: list[AbsenceProvider] = []


class _Instant(Protocol):
    @property
    def due_at(self) -> dt.datetime: ...

    @property
    def people(self) -> Sequence[Any]: ...


def register_absence_provider(provider: AbsenceProvider) -> AbsenceProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def unregister_absence_provider(provider: AbsenceProvider) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def away_days(person_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    """The days each of ``person_ids`` is away between ``start`` and ``end`` (included), as
    all providers answer; people away on no day are left out."""
    ids = {int(i) for i in person_ids}
    out: dict[int, set[dt.date]] = {}
    if not ids or end < start:
        return out
    for provider in _PROVIDERS:
        for pid, days in provider(ids, start, end).items():
            if pid in ids and days:
                out.setdefault(pid, set()).update(d for d in days if start <= d <= end)
    return {pid: days for pid, days in out.items() if days}


def away_pairs(
    instants: Sequence[_Instant], schedule: WorkSchedule
) -> set[tuple[int, dt.datetime]]:
    """``(person_id, due_at)`` of the engine's instants whose person is away on the due day:
    the engine writes no occurrence for them."""
    if not instants or not _PROVIDERS:
        return set()
    people = {p.pk for i in instants for p in i.people}
    first = schedule.local_date(instants[0].due_at)
    last = schedule.local_date(instants[-1].due_at)
    away = away_days(people, min(first, last), max(first, last))
    if not away:
        return set()
    pairs: set[tuple[int, dt.datetime]] = set()
    for i in instants:
        day = schedule.local_date(i.due_at)
        for p in i.people:
            if day in away.get(p.pk, ()):
                pairs.add((p.pk, i.due_at))
    return pairs


def excuse_away(
    person_id: int,
    days: Iterable[dt.date],
    reason: str,
    schedule: WorkSchedule,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Excuse ``person_id``'s open occurrences due on ``days`` (the system excuses them, with
    ``reason``, each audited); answers how many. Submitted or closed ones are left alone."""
    from netdept.duties.services import engine

    wanted = set(days)
    if not wanted:
        return 0
    now = now or timezone.now()
    lo = _start_of(min(wanted), schedule)
    hi = _start_of(max(wanted) + ONE_DAY, schedule)
    excused = 0
    with transaction.atomic():
        rows = (
            Occurrence.objects.select_for_update(of=("self",))
            .filter(person_id=person_id, status__in=OPEN_STATUSES, due_at__gte=lo, due_at__lt=hi)
            .select_related("duty")
            .order_by("due_at", "pk")
        )
        for occ in rows:
            if schedule.local_date(occ.due_at) not in wanted:
                continue
            before = audit.snapshot(occ)
            occ.status = OccurrenceStatus.EXCUSED
            occ.review_comment = reason[:1000]
            occ.reviewed_at = now
            occ.version += 1
            engine.schedule_next(occ, now)
            occ.save()
            audit.record(
                AuditAction.UPDATE,
                occ,
                changes=audit.diff(before, audit.snapshot(occ)),
                extra={"duties": "excused_away"},
            )
            excused += 1
    return excused


def _start_of(day: dt.date, schedule: WorkSchedule) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=schedule.tz)
