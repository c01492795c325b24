"""Factories for tests: each test builds the data it needs."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from netdept.org.models import Department, Person, Position, Role, RoleAssignment, Team

PASSWORD = "Test-Pass-1234!"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(obj: Any, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"科室{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    kind = "served"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"组{n}")
    department = factory.SubFactory(DepartmentFactory)


class PositionFactory(factory.django.DjangoModelFactory[Position]):
    class Meta:
        model = Position

    name = factory.Sequence(lambda n: f"岗位{n}")
    department = factory.SubFactory(DepartmentFactory)
    responsibilities = "负责网络设备的日常维护。"


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    department = factory.SubFactory(DepartmentFactory)


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def user_with_role(
    code: str,
    *,
    person: Person | None = None,
    department: Department | None = None,
    team: Team | None = None,
    username: str | None = None,
) -> Any:
    """A login holding the built-in role ``code``, linked to a person in ``department``/``team``."""
    user = UserFactory.create(username=username) if username else UserFactory.create()
    if person is None:
        dept = department or (team.department if team else DepartmentFactory.create())
        person = PersonFactory.create(department=dept, team=team, user=user)
    else:
        person.user = user
        person.save()
    RoleAssignment.objects.create(user=user, role=role(code))
    return user


def custom_role(perms: list[str], scope: str = "all", code: str | None = None) -> Role:
    """A role holding ``perms`` ("app.codename") at ``scope``."""
    from django.contrib.auth.models import Permission

    r = Role.objects.create(
        code=code or f"r{Role.objects.count() + 1}", name=code or "test role", scope=scope
    )
    for p in perms:
        app, codename = p.split(".")
        r.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return r


def user_with_perms(perms: list[str], scope: str = "all", **kwargs: Any) -> Any:
    user = UserFactory.create()
    dept = kwargs.get("department") or DepartmentFactory.create()
    team = kwargs.get("team")
    PersonFactory.create(department=dept, team=team, user=user)
    RoleAssignment.objects.create(user=user, role=custom_role(perms, scope))
    return user
