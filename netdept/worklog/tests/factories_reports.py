"""Factories and a small world of reports (worklog part B): a team with its lead and
members, their daily logs, a test contribution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from netdept.org.models import Person, Team
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_role,
)
from netdept.worklog import contributions
from netdept.worklog.models import DailyLog, LogEntry, LogStatus, Report, ReportKind, WorklogPolicy
from netdept.worklog.services.reports import period_of

#: a Monday of an ordinary working week (no holiday): 2026-11-16 … 2026-11-22
MONDAY = dt.date(2026, 11, 16)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


class TeamWorld:
    """运维组: a lead (组长 role), two engineers, in one department."""

    def __init__(self) -> None:
        self.department = DepartmentFactory.create(name="网络部", kind="it")
        self.team: Team = TeamFactory.create(name="运维组", department=self.department)
        self.lead_user = user_with_role("team_lead", department=self.department, team=self.team)
        self.lead: Person = self.lead_user.person
        self.team.lead = self.lead
        self.team.save()
        self.user = user_with_role("engineer", department=self.department, team=self.team)
        self.person: Person = self.user.person
        self.other_user = user_with_role("engineer", department=self.department, team=self.team)
        self.other: Person = self.other_user.person


def make_log(
    person: Person, day: dt.date, texts: Sequence[str] = (), *, submitted: bool = True, **kw: Any
) -> DailyLog:
    log = DailyLog.objects.create(
        person=person,
        team=person.team,
        day=day,
        status=LogStatus.SUBMITTED if submitted else LogStatus.DRAFT,
        submitted_at=aware(day, 18) if submitted else None,
        **kw,
    )
    for i, text in enumerate(texts):
        LogEntry.objects.create(log=log, text=text, minutes=30, position=i)
    return log


def make_report(
    person: Person, kind: str = ReportKind.WEEKLY, day: dt.date = MONDAY, **kw: Any
) -> Report:
    period = period_of(kind, day)
    kw.setdefault("team", person.team)
    return Report.objects.create(
        kind=kind, person=person, period_start=period.first, period_end=period.last, **kw
    )


def make_policy(**kw: Any) -> WorklogPolicy:
    kw.setdefault("name", "默认工作节奏")
    return WorklogPolicy.objects.create(**kw)


@contextmanager
def contribution(
    code: str, lines: Sequence[contributions.Line]
) -> Iterator[contributions.Contribution]:
    """A contribution answering ``lines`` (those of the people and period asked), for the
    length of the block."""

    def collect(
        person_ids: Sequence[int], start: dt.datetime, end: dt.datetime
    ) -> list[contributions.Line]:
        return [ln for ln in lines if ln.person_id in person_ids and start <= ln.at < end]

    c = contributions.register_contribution(contributions.Contribution(code, code, collect))
    try:
        yield c
    finally:
        contributions.unregister(code)


def engineer_elsewhere() -> Person:
    return PersonFactory.create(department=DepartmentFactory.create())
