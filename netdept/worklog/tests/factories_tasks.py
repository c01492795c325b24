"""Factories of goals and tasks (worklog part D)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory
from netdept.worklog.models import Goal, GoalLevel, Task


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    title = factory.Sequence(lambda n: f"目标{n}")
    level = GoalLevel.DEPARTMENT
    department = factory.SubFactory(DepartmentFactory)
    owner = factory.SubFactory(PersonFactory, department=factory.SelfAttribute("..department"))
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"任务{n}")
    department = factory.SubFactory(DepartmentFactory)
    team = factory.SubFactory(TeamFactory, department=factory.SelfAttribute("..department"))
    owner = factory.SubFactory(
        PersonFactory,
        department=factory.SelfAttribute("..department"),
        team=factory.SelfAttribute("..team"),
    )
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    weight = Decimal("1.00")
