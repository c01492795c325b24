"""The organisation the generated scope tests run in (netdept.testing.crud): ``ScopeWorld``
plants ids that coincide across models so that a scope path comparing the wrong ids shows the
wrong rows, and ``ScopedCase`` is one scoped user with exactly the rows they must see."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from netdept.org.models import RoleAssignment
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    PositionFactory,
    TeamFactory,
    UserFactory,
)

SCOPES = ("own", "team", "department")
ALL_ACTIONS = ("view", "add", "change", "delete")

# Each world takes its own block of ids, far above what the sequences reach in a test run.
_world_blocks = itertools.count(1)
WORLD_ID_BASE = 20_000_000


@dataclass
class ScopeWorld:
    """An organisation in which one user sits, with ids planted to coincide across models so
    that a scope path comparing the wrong ids shows the wrong rows.

    Departments: ``others[0]`` (b+1), ``department`` (b+2, the user's), ``sub_department``
    (b+3, below the user's), ``others[1]`` (b+4), ``others[2]`` (b+5), ``others[3]`` (b+6).
    Teams: ``team`` (b+4 = ``others[1]``; the user is a member), ``led_team`` (b+2 = the user's
    department; same department, the user leads it), ``sub_team`` (b+7, in the sub-department),
    ``far_teams``: b+3 (= the sub-department, in ``others[0]``), b+1 (in ``others[1]``), b+5
    (= the user's id, in ``others[3]``). The user's id is b+5 (= ``others[2]`` and a far team),
    the user's person b+6 (= ``others[3]``); another person has the user's id.
    """

    user: Any
    person: Any
    department: Any
    sub_department: Any
    team: Any
    led_team: Any
    sub_team: Any
    others: list[Any]
    far_teams: list[Any]
    #: model label → scope → the rows of that model, made by the world, that the scope reaches
    reach: dict[str, dict[str, set[Any]]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> ScopeWorld:
        b = WORLD_ID_BASE + 1000 * next(_world_blocks)

        def dept(i: int, parent: Any = None) -> Any:
            return DepartmentFactory.create(id=b + i, parent=parent)

        d1 = dept(1)
        department = dept(2)
        sub = dept(3, parent=department)
        d4, d5, d6 = dept(4), dept(5), dept(6)
        team = TeamFactory.create(id=b + 4, department=department)
        led_team = TeamFactory.create(id=b + 2, department=department)
        sub_team = TeamFactory.create(id=b + 7, department=sub)
        far = [
            TeamFactory.create(id=b + 3, department=d1),
            TeamFactory.create(id=b + 1, department=d4),
            TeamFactory.create(id=b + 5, department=d6),
        ]
        user = UserFactory.create(id=b + 5)

        def pos(i: int, d: Any) -> Any:
            return PositionFactory.create(id=b + i, department=d)

        p_user, p_team, p_led, p_sub, p_far = (
            pos(5, department),  # = the user's id
            pos(2, department),
            pos(4, department),
            pos(1, sub),
            pos(6, d1),  # = the user's person's id
        )
        person = PersonFactory.create(
            id=b + 6, department=department, team=team, user=user, position=p_user
        )
        mate = PersonFactory.create(id=b + 7, department=department, team=team, position=p_team)
        led = PersonFactory.create(id=b + 8, department=department, team=led_team, position=p_led)
        below = PersonFactory.create(id=b + 9, department=sub, team=sub_team, position=p_sub)
        PersonFactory.create(id=b + 5, department=d5, position=p_far)  # the user's id
        PersonFactory.create(id=b + 4, department=d4, team=far[1])  # the user's team's id
        led_team.lead = person
        led_team.save()
        reach = {
            "org.department": {
                "own": {department.pk},
                "team": {department.pk},  # both of the user's teams are in it: once
                "department": {department.pk, sub.pk},
            },
            "org.team": {
                "own": {team.pk},
                "team": {team.pk, led_team.pk},
                "department": {team.pk, led_team.pk, sub_team.pk},
            },
            "org.person": {
                "own": {person.pk},
                "team": {person.pk, mate.pk, led.pk},
                "department": {person.pk, mate.pk, led.pk, below.pk},
            },
            "org.position": {
                "own": {p_user.pk},
                "team": {p_user.pk, p_team.pk, p_led.pk},
                "department": {p_user.pk, p_team.pk, p_led.pk, p_sub.pk},
            },
            "auth.user": {scope: {user.pk} for scope in SCOPES},
        }
        return cls(
            user=user,
            person=person,
            department=department,
            sub_department=sub,
            team=team,
            led_team=led_team,
            sub_team=sub_team,
            others=[d1, d4, d5, d6],
            far_teams=far,
            reach=reach,
        )

    def take_roles_of(self, holder: Any) -> None:
        """Give the world's user the roles of ``holder`` (a user made by ``CrudTests.user()``,
        so that subclasses choosing their permissions there are obeyed)."""
        moved = RoleAssignment.objects.filter(user=holder)
        ids = list(moved.values_list("pk", flat=True))
        moved.update(user=self.user)
        self.reach.setdefault("org.roleassignment", {s: set() for s in SCOPES})
        for scope in SCOPES:
            self.reach["org.roleassignment"][scope].update(ids)

    def reached(self, model: type[models.Model], scope: str) -> set[Any]:
        return set(self.reach.get(model._meta.label_lower, {}).get(scope, set()))


@dataclass
class ScopedCase:
    scope: str
    user: Any
    expected: set[Any] | None  # the pks of every row the user must see; None: every row
    visible: Any  # an object in scope (or None)
    hidden: Any  # an object out of scope (or None: configuration hides nothing)
    world: ScopeWorld | None = None
