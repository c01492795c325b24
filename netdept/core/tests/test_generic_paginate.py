"""The shared paginator: keyset pages are exactly the OFFSET pages (ties, descending sorts,
NULLs, relations), counts are capped, cursors are validated — pages and API alike. Runs on
SQLite and PostgreSQL (NETDEPT_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from netdept.api.pagination import Pagination
from netdept.core.paginate import InvalidCursor, Paginator, ordering_keys
from netdept.org.models import Department, Person
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_perms,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments() -> list[Department]:
    parents = [DepartmentFactory(name="上级甲"), DepartmentFactory(name="上级乙")]
    made = list(parents)
    for i in range(37):
        made.append(
            DepartmentFactory(
                name=f"科{i % 4}",  # many ties
                kind="served" if i % 3 else "it",
                parent=None if i % 5 == 0 else parents[i % 2],
                phone="" if i % 2 else f"8{i:03d}",
                is_active=i % 7 != 0,
            )
        )
    return made


@pytest.fixture
def people() -> list[Person]:
    d1, d2 = DepartmentFactory(code="A1"), DepartmentFactory(code="B2")
    teams = [TeamFactory(department=d1, name="甲"), TeamFactory(department=d2, name="甲")]
    teams.append(TeamFactory(department=d1, name="乙"))
    made = []
    for i in range(23):
        made.append(
            PersonFactory(
                department=d1 if i % 2 else d2,
                team=None if i % 4 == 0 else teams[i % 3],
                name=f"人{i % 3}",
            )
        )
    return made


def walk_forward(paginator: Paginator) -> list[list[Any]]:
    """Every page from page 1, following ``next`` (a cursor beyond the first page)."""
    win = paginator.page(page=1)
    pages = [[o.pk for o in win.rows]]
    while win.next_params:
        win = paginator.page(
            page=int(win.next_params.get("page", 0)) or None,
            after=win.next_params.get("after"),
        )
        pages.append([o.pk for o in win.rows])
    return pages


def offset_pages(paginator: Paginator) -> list[list[Any]]:
    pks = list(paginator.queryset.values_list("pk", flat=True))
    size = paginator.per_page
    return [pks[i : i + size] for i in range(0, len(pks), size)] or [[]]


SORTS_DEPT = ["name", "-name", "kind", "-kind", "parent", "-parent", "phone", "-phone", "code"]


@pytest.mark.parametrize("sort", SORTS_DEPT)
@pytest.mark.parametrize("size", [1, 4, 7])
def test_keyset_pages_are_the_offset_pages(departments: list[Department], sort: str, size: int):
    qs = Department.objects.filter(is_active=True).order_by(sort, "pk")
    paginator = Paginator(qs, size, offset_pages=1)  # cursors from page 2 on
    expected = offset_pages(paginator)
    got = walk_forward(paginator)
    assert got == expected
    # the normalised order is Django's own order for columns without NULLs (and on
    # PostgreSQL, whose NULL order the paginator adopts, for all of them)
    if sort.lstrip("-") != "parent" or connection.vendor == "postgresql":
        assert [pk for page in expected for pk in page] == list(qs.values_list("pk", flat=True))
    # and back again: from the last page, following ``previous``
    win = paginator.page(page=1)
    while win.next_params:
        win = paginator.page(
            page=int(win.next_params.get("page", 0)) or None, after=win.next_params.get("after")
        )
    back = [[o.pk for o in win.rows]]
    while win.previous_params:
        win = paginator.page(
            page=int(win.previous_params.get("page", 0)) or None,
            before=win.previous_params.get("before"),
        )
        back.append([o.pk for o in win.rows])
    assert list(reversed(back)) == expected


@pytest.mark.parametrize("sort", ["team", "-team", "manager", "-name", "department"])
def test_keyset_through_relations_and_nulls(people: list[Person], sort: str):
    qs = Person.objects.order_by(sort)
    paginator = Paginator(qs, 3, offset_pages=1)
    keys = ordering_keys(qs)
    assert keys is not None and keys[-1].path == "pk"
    assert walk_forward(paginator) == offset_pages(paginator)


def test_model_default_ordering_is_used_and_made_total(departments: list[Department]):
    keys = ordering_keys(Department.objects.all())
    assert [(k.path, k.descending) for k in keys or []] == [("code", False), ("pk", False)]
    keys = ordering_keys(Department.objects.order_by("-parent", "name"))
    assert [(k.path, k.descending) for k in keys or []] == [
        ("parent__code", True),
        ("name", False),
        ("pk", False),
    ]
    assert ordering_keys(Department.objects.order_by("?")) is None


def test_tampered_or_foreign_cursor_is_refused(departments: list[Department]):
    paginator = Paginator(Department.objects.order_by("name"), 5, offset_pages=1)
    win = paginator.page(page=1)
    cursor = (win.next_params or {})["after"]
    assert paginator.page(after=cursor).rows
    for bad in [cursor[:-2] + "xx", "abc", "", "." * 50, cursor + "a"]:
        with pytest.raises(InvalidCursor):
            paginator.page(after=bad or "x")
    other = Paginator(Department.objects.order_by("-name"), 5)  # another ordering
    with pytest.raises(InvalidCursor):
        other.page(after=cursor)


def test_count_is_capped(departments: list[Department]):
    paginator = Paginator(Department.objects.all(), 10, cap=5)
    win = paginator.page(page=1)
    assert (win.count, win.capped, win.count_text) == (5, True, "5+")
    assert len(win.rows) == 10  # the rows are not capped, only the count
    exact = Paginator(Department.objects.all(), 10, cap=1000).page(page=1)
    assert exact.count == Department.objects.count() and not exact.capped


# --- the API and the pages ----------------------------------------------------------------------
API = "/api/v1/org/departments/"


def test_api_walks_deep_pages_by_cursor(departments: list[Department], monkeypatch: Any):
    user = user_with_perms(["org.view_department"])
    c = api_client(user)
    all_pks = list(
        Paginator(Department.objects.order_by("-name", "pk"), 1).queryset.values_list(
            "pk", flat=True
        )
    )
    seen: list[Any] = []
    url: str | None = f"{API}?ordering=-name&page_size=3"
    cursors = 0
    while url:
        body = c.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
        cursors += bool(url and "after=" in url)
    assert seen == all_pks
    assert cursors > 0  # beyond the first pages the links carry a cursor

    r = c.get(API, {"after": "not-a-cursor"})
    assert r.status_code == 400 and "after" in r.json()
    r = c.get(API, {"before": "x" * 5000})
    assert r.status_code == 400 and "before" in r.json()

    monkeypatch.setattr(Pagination, "count_cap", 3)
    body = c.get(API).json()
    assert body["count"] == 3 and body["count_capped"] is True


def test_list_page_uses_cursor_and_survives_a_tampered_one(departments: list[Department]):
    user = user_with_perms(["org.view_department"])
    c = ui_client(user)
    url = reverse("org:department_list")
    r = c.get(url, {"per_page": 2, "page": 10})
    assert r.status_code == 200
    nxt = r.context["pager"]["next"]
    assert "after=" in nxt  # page 11 is reached by cursor
    r2 = c.get(url + nxt)
    assert r2.status_code == 200
    assert r2.context["window"].number == 11
    expected = [o.pk for o in Paginator(Department.objects.all(), 2).page(page=11).rows]
    assert [row.obj.pk for row in r2.context["rows"]] == expected
    r3 = c.get(url, {"after": "forged", "per_page": 2})
    assert r3.status_code == 200 and r3.context["window"].number == 1


def test_list_page_shows_capped_count(departments: list[Department]):
    user = user_with_perms(["org.view_department"])
    from netdept.core.registry import page_for

    page = page_for(Department)
    assert page is not None
    old = page.count_cap
    page.count_cap = 5
    try:
        r = ui_client(user).get(reverse("org:department_list"))
    finally:
        page.count_cap = old
    assert r.context["window"].capped
    assert "5+" in r.content.decode()
