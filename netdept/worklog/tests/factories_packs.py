"""An empty site with one network department, a shipped pack loaded into it, and people who
hold the pack's positions and teams: the ground for walking a week of the pack's life
(``test_pack_week_*``). Instants are in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from netdept.duties.models import Duty, Occurrence
from netdept.duties.packs.load import LoadReport, load
from netdept.duties.services import engine, sweeping
from netdept.org.models import Department, Person, Position, RoleAssignment, Team
from netdept.testing.factories import UserFactory, role

SH = ZoneInfo("Asia/Shanghai")
#: (key, name, position name, team name or "", built-in role, manager key or "", team lead)
Spec = tuple[str, str, str, str, str, str, bool]


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@dataclass
class Office:
    department: Department
    report: LoadReport
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]

    def user(self, key: str) -> Any:
        return self.people[key].user

    def occurrences(self, duty_code: str, person: str | None = None) -> list[Occurrence]:
        qs = Occurrence.objects.filter(duty__code=duty_code).order_by("due_at", "person_id")
        if person is not None:
            qs = qs.filter(person=self.people[person])
        return list(qs)


def build(pack: str, loaded_at: dt.datetime, people: list[Spec], head: str) -> Office:
    """Load ``pack`` at ``loaded_at`` into a new network department "NET", then give its
    positions and teams to ``people``; ``head`` heads the department. The duties materialise
    from ``loaded_at`` (the day of the load is their first day)."""
    dept = Department.objects.create(name="网络部", code="NET", kind="network")
    office = Office(department=dept, report=LoadReport(pack=pack, version=""))
    # the people first (approval rules need the department's head), their posts after the load
    for i, (key, name, _position, _team, built_in, manager, _leads) in enumerate(people):
        user = UserFactory.create(username=f"{pack}-{key}")
        office.people[key] = Person.objects.create(
            name=name,
            employee_no=f"{pack[:2].upper()}{i:03d}",
            department=dept,
            manager=office.people[manager] if manager else None,
            user=user,
        )
        RoleAssignment.objects.create(user=user, role=role(built_in))
    dept.head = office[head]
    dept.save()
    with freeze_time(loaded_at):
        office.report = load(pack, department="NET")
    for key, _name, position, team, _role, _manager, leads in people:
        person = office[key]
        person.team = Team.objects.get(department=dept, name=team) if team else None
        person.position = Position.objects.get(department=dept, name=position) if position else None
        person.save()
        if leads and person.team is not None:
            person.team.lead = person
            person.team.save()
    with freeze_time(loaded_at):
        engine.materialise(now=loaded_at, duties=Duty.objects.filter(pack=pack))
    return office


def sweep(now: dt.datetime) -> dict[str, int]:
    with freeze_time(now):
        return sweeping.sweep(now=now)
