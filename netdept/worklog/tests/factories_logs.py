"""Factories and a small world of the daily-log tests (worklog part A): a team with its lead
and two engineers (each with a login), logs and entries made directly, today made a working
day on the default calendar (so that the tests do not depend on the day they run)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import factory

from netdept.org.models import Person, Team
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    user_with_role,
)
from netdept.workcal.models import CalendarOverride
from netdept.workcal.schedule import default_calendar
from netdept.worklog.models.logs import DailyLog, LogEntry
from netdept.worklog.services import logs

_seq = itertools.count(1)


class DailyLogFactory(factory.django.DjangoModelFactory[DailyLog]):
    class Meta:
        model = DailyLog

    person = factory.SubFactory(PersonFactory)
    day = factory.LazyFunction(lambda: logs.today() - dt.timedelta(days=next(_seq) % 60 + 1))
    summary = "巡检机房，处理网络故障。"


class LogEntryFactory(factory.django.DjangoModelFactory[LogEntry]):
    class Meta:
        model = LogEntry

    log = factory.SubFactory(DailyLogFactory)
    text = factory.Sequence(lambda n: f"处理工单{n}")
    minutes = 30


def working(day: dt.date, yes: bool = True) -> None:
    """Make ``day`` a working day (or a day off) on the default calendar."""
    CalendarOverride.objects.update_or_create(
        calendar=default_calendar(), date=day, defaults={"is_working_day": yes}
    )


@dataclass
class Team3:
    team: Team
    lead: Person
    alice: Person
    bob: Person

    @property
    def lead_user(self) -> Any:
        return self.lead.user

    @property
    def alice_user(self) -> Any:
        return self.alice.user


def team3(role: str = "engineer") -> Team3:
    """A team with a lead (role team_lead) and two engineers (role ``role``); today is made a
    working day."""
    dept = DepartmentFactory.create(kind="network")
    team = TeamFactory.create(department=dept)
    lead_user = user_with_role("team_lead", department=dept, team=team)
    team.lead = lead_user.person
    team.save()
    alice = user_with_role(role, department=dept, team=team).person
    bob = user_with_role(role, department=dept, team=team).person
    working(logs.today())
    return Team3(team=team, lead=lead_user.person, alice=alice, bob=bob)


def person_with_user(**kw: Any) -> Person:
    return PersonFactory.create(user=UserFactory.create(), **kw)
