"""Absence (on leave): the duty engine writes no occurrence due on a day its person is away,
writes it again once the absence is gone, and already written open occurrences are excused
by the system with the reason (audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from netdept.core.models.audit import AuditRecord
from netdept.duties import absence
from netdept.duties.models import Occurrence, OccurrenceStatus
from netdept.duties.services import engine
from netdept.duties.tests.engine_world import at, make_duty
from netdept.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

AWAY: dict[int, set[dt.date]] = {}


def _provider(ids: set[int], start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    return {pid: {d for d in AWAY.get(pid, set()) if start <= d <= end} for pid in ids}


@pytest.fixture(autouse=True)
def provider() -> Iterator[None]:
    AWAY.clear()
    absence.register_absence_provider(_provider)
    yield
    absence.unregister_absence_provider(_provider)
    AWAY.clear()


def test_away_days_answers_only_the_asked_range_and_people() -> None:
    AWAY[1] = {dt.date(2026, 3, 2), dt.date(2026, 3, 9)}
    assert absence.away_days([1, 2], dt.date(2026, 3, 1), dt.date(2026, 3, 5)) == {
        1: {dt.date(2026, 3, 2)}
    }
    assert absence.away_days([], dt.date(2026, 3, 1), dt.date(2026, 3, 5)) == {}


def test_no_occurrence_is_due_while_away_and_it_comes_back_when_the_leave_goes() -> None:
    person = PersonFactory.create()
    duty = make_duty(person=person, rrule="FREQ=DAILY", horizon_days=6)
    AWAY[person.pk] = {dt.date(2026, 3, 3), dt.date(2026, 3, 4)}
    now = at(3, 2, 8)
    engine.materialise(now=now, duties=[duty])
    days = {o.due_at.astimezone(at(1, 1).tzinfo).date() for o in Occurrence.objects.all()}
    assert dt.date(2026, 3, 2) in days
    assert dt.date(2026, 3, 3) not in days and dt.date(2026, 3, 4) not in days
    AWAY.clear()  # the leave was cancelled
    engine.materialise(now=now, duties=[duty])
    days = {o.due_at.astimezone(at(1, 1).tzinfo).date() for o in Occurrence.objects.all()}
    assert {dt.date(2026, 3, 3), dt.date(2026, 3, 4)} <= days


def test_excuse_away_closes_the_open_occurrences_of_those_days_only() -> None:
    person = PersonFactory.create()
    duty = make_duty(person=person, rrule="FREQ=DAILY", horizon_days=6)
    engine.materialise(now=at(3, 2, 8), duties=[duty])
    sched = engine.work_schedule()
    n = absence.excuse_away(person.pk, {dt.date(2026, 3, 3)}, "请假：年假", sched, now=at(3, 2, 9))
    assert n == 1
    occ = Occurrence.objects.get(status=OccurrenceStatus.EXCUSED)
    assert sched.local_date(occ.due_at) == dt.date(2026, 3, 3)
    assert occ.review_comment == "请假：年假"
    assert AuditRecord.objects.filter(object_id=str(occ.pk), action="update").exists()
    assert absence.excuse_away(person.pk, {dt.date(2026, 3, 3)}, "again", sched) == 0
