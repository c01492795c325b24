"""Lists do not grow their query count with their rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netdept.org.models import Person
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    PositionFactory,
    TeamFactory,
    UserFactory,
    user_with_perms,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


def add_people(n: int) -> None:
    for _ in range(n):
        dept = DepartmentFactory()
        team = TeamFactory(department=dept)
        boss = PersonFactory(department=dept)
        PersonFactory(
            department=dept,
            team=team,
            position=PositionFactory(department=dept),
            manager=boss,
            user=UserFactory(),
        )


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = fn()
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("scope", ["all", "department"])
def test_person_list_page_query_count_is_constant(scope, django_assert_max_num_queries):
    user = user_with_perms(["org.view_person"], scope)
    c = ui_client(user)
    cols = ["employee_no", "name", "department", "team", "position", "manager", "user"]

    def get():
        return c.get("/org/person/", {"cols": cols, "per_page": 100})

    get()  # warm the session
    add_people(2)
    small = count(get)
    add_people(15)
    big = count(get)
    assert big == small
    if scope == "all":
        assert Person.objects.count() >= 30
        r = get()
        assert len(r.context["rows"]) >= 30
    with django_assert_max_num_queries(MAX_QUERIES):
        get()


def test_person_api_list_query_count_is_constant(django_assert_max_num_queries):
    user = user_with_perms(["org.view_person"])
    c = api_client(user)

    def get():
        return c.get("/api/v1/org/people/", {"page_size": 100})

    get()  # the token's first use is recorded once
    add_people(2)
    small = count(get)
    add_people(15)
    big = count(get)
    assert len(get().json()["results"]) >= 30
    assert big == small
    with django_assert_max_num_queries(MAX_QUERIES):
        get()
