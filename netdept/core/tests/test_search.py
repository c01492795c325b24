"""The global search's kernel (``netdept.core.search``): cleaning what was typed, the provider
registry and the default provider of generic pages, the page, the type-ahead, the API, and bad
input (empty, one character, ``%``, ``_``, quotes, 2,000 characters: quick, a hint, never 500)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from netdept.accounts.models import UserProfile
from netdept.core import search
from netdept.core.search import Hit, Query, SearchProvider, parse
from netdept.org.models import Person, Team
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_perms

pytestmark = pytest.mark.django_db

POPUP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "nd-search-popup"}
RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "search-results"}


# --- cleaning -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "text", "terms"),
    [
        ("", "", ()),
        (None, "", ()),
        (["a", "b"], "", ()),  # not a string: nothing
        ("  网络   故障 ", "网络 故障", ("网络", "故障")),
        ("a\x00b\tc\u200bd", "a b c d", ("a", "b", "c", "d")),
        ("ＷＯ－２０２６", "WO-2026", ("WO-2026",)),  # full-width typed on a Chinese keyboard
        ("Net net NET", "Net net NET", ("Net",)),  # the same word once
        ("%_'\"", "%_'\"", ("%_'\"",)),
    ],
)
def test_parse_cleans_what_was_typed(raw: Any, text: str, terms: tuple[str, ...]) -> None:
    q = parse(raw)
    assert q.text == text
    assert q.terms == terms
    assert not q.truncated


def test_parse_bounds_length_and_words() -> None:
    q = parse("x" * 2000)
    assert len(q.text) == search.MAX_LENGTH and q.truncated
    q = parse("a1 b2 c3 d4 e5 f6 g7")
    assert q.terms == ("a1", "b2", "c3", "d4", "e5") and q.truncated
    assert parse("x").too_short and not parse("x").searchable
    assert parse("xy").searchable and parse("WO-1").single == "WO-1"
    assert parse("a b").single is None


# --- the registry ---------------------------------------------------------------------------------
class Fixed(SearchProvider):
    key = "test.fixed"
    label = "Fixed things"
    order = 1

    def __init__(self, perm: str = "") -> None:
        self.perm = perm
        self.seen: list[Query] = []

    def applies(self, user: Any) -> bool:
        return True

    def exact(self, query: Query, user: Any) -> Hit | None:
        return Hit("The one", "/the-one/") if query.single == "THE-ONE" else None

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        self.seen.append(query)
        return [Hit(f"thing {i} {query.text}", f"/thing/{i}/") for i in range(limit + 3)]


@pytest.fixture
def fixed() -> Any:
    provider = search.register_search_provider(Fixed())
    yield provider
    search.unregister_search_provider(provider.key)


def test_every_searchable_page_has_a_provider_unless_its_app_registered_one() -> None:
    keys = {p.key: p for p in search.providers()}
    assert "page.org.team" in keys  # the generic default: the team page's search fields
    assert keys["page.org.team"].model is Team
    # people and work orders have providers of their own (org/search.py, workorders/search.py)
    assert "org.person" in keys and "page.org.person" not in keys
    assert "workorders.workorder" in keys
    assert [p.key for p in search.providers()][:2] == ["workorders.workorder", "org.person"]
    with pytest.raises(ValueError, match="key"):
        search.register_search_provider(SearchProvider())


def test_a_registered_provider_is_asked_and_bounded(fixed: Fixed) -> None:
    user = user_with_perms([])
    result = search.run("  bolts ", user, limit=3)
    group = next(g for g in result.groups if g.key == "test.fixed")
    assert [h.label for h in group.hits] == ["thing 0 bolts", "thing 1 bolts", "thing 2 bolts"]
    assert group.has_more
    assert fixed.seen == [parse("bolts")]
    # a complete identifier: the provider's exact object
    assert search.run("THE-ONE", user).exact == Hit("The one", "/the-one/")
    # nothing asked for nothing, one character, or an anonymous visitor
    fixed.seen.clear()
    for raw in ("", "x", " \x00 "):
        assert search.run(raw, user).groups == []
    from django.contrib.auth.models import AnonymousUser

    assert search.run("bolts", AnonymousUser()).groups == []
    assert fixed.seen == []


def test_the_default_provider_narrows_by_permission_and_scope() -> None:
    dept = DepartmentFactory(name="网络部")
    other = DepartmentFactory(name="后勤部")
    TeamFactory(department=dept, name="核心网络组")
    TeamFactory(department=other, name="核心维修组")
    everyone = user_with_perms(["org.view_team"], scope="all")
    own_dept = user_with_perms(["org.view_team"], scope="department", department=dept)
    nobody = user_with_perms(["org.view_department"])

    def teams(user: Any) -> list[str]:
        groups = [g for g in search.run("核心", user).groups if g.key == "page.org.team"]
        return sorted(h.label for g in groups for h in g.hits)

    assert teams(everyone) == sorted(["核心网络组", "核心维修组"])
    assert teams(own_dept) == ["核心网络组"]
    assert teams(nobody) == []
    group = next(g for g in search.run("核心", everyone).groups if g.key == "page.org.team")
    assert group.more_url == reverse("org:team_list") + "?q=%E6%A0%B8%E5%BF%83"
    assert group.hits[0].url.startswith("/org/team/")


# --- the page and the type-ahead ------------------------------------------------------------------
def test_page_popup_and_results_partial(fixed: Fixed) -> None:
    c = ui_client(user_with_perms([]))
    page = c.get("/search/", {"q": "bolts"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="search-page-input"' in html and "thing 0 bolts" in html
    assert 'id="nd-search-input"' in html and 'aria-controls="nd-search-listbox"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    popup = c.get("/search/", {"q": "bolts"}, **POPUP).content.decode()
    assert "<html" not in popup and 'role="listbox"' in popup
    assert popup.count('role="option"') == search.TYPEAHEAD_LIMIT + 1  # + "all results"
    assert "/search/?q=bolts&amp;go=0" in popup
    partial = c.get("/search/", {"q": "bolts"}, **RESULTS).content.decode()
    assert partial.lstrip().startswith('<div id="search-results"')
    assert partial.count("thing ") == search.PAGE_LIMIT


def test_a_complete_identifier_goes_straight_to_its_object(fixed: Fixed) -> None:
    c = ui_client(user_with_perms([]))
    r = c.get("/search/", {"q": " THE-ONE "})
    assert r.status_code == 302 and r["Location"] == "/the-one/"
    # the type-ahead offers it first; "all results" (go=0) shows the page instead
    popup = c.get("/search/", {"q": "THE-ONE"}, **POPUP).content.decode()
    assert popup.index('href="/the-one/"') < popup.index("thing 0")
    assert c.get("/search/", {"q": "THE-ONE", "go": "0"}).status_code == 200


def english(user: Any) -> Any:
    """The user reads English (the pages follow the profile's language)."""
    UserProfile.objects.update_or_create(user=user, defaults={"language": "en"})
    return user


def test_empty_page_explains_what_to_type() -> None:
    c = ui_client(english(user_with_perms([])))
    html = c.get("/search/").content.decode()
    assert "Type words of a title, a name, a phone number or a work-order number." in html
    assert c.get("/search/", {"q": ""}, **POPUP).content.decode().strip() == ""


@pytest.mark.parametrize(
    ("q", "hint"),
    [
        ("x", "Type at least 2 characters."),
        ("%", "Type at least 2 characters."),
        ("x" * 2000, "Only the first 100 characters and 5 words are searched."),
        ("%%", ""),
        ("_", "Type at least 2 characters."),
        ("a_b%c", ""),
        ("'\"", ""),
        ("' OR 1=1 --", ""),
        ("<script>alert(1)</script>", ""),
        ("\x00\x00", "Type words of a title"),
    ],
)
def test_bad_input_is_answered_quickly_with_a_hint(q: str, hint: str) -> None:
    user = english(
        user_with_perms(["org.view_person", "org.view_team", "workorders.view_workorder"])
    )
    Person.objects.create(
        name="百分%之百", employee_no="P100%", department=DepartmentFactory(), phone="1_2"
    )
    c = ui_client(user)
    for headers in ({}, POPUP):
        started = time.perf_counter()
        r = c.get("/search/", {"q": q}, **headers)
        assert r.status_code == 200
        assert time.perf_counter() - started < 2
        html = r.content.decode()
        if headers and parse(q).empty:
            assert html.strip() == ""  # the type-ahead closes
        else:
            assert hint in html
        assert "<script>alert" not in html
    api = api_client(user).get("/api/v1/search/", {"q": q})
    assert api.status_code == 200
    if hint:
        assert api.json()["hint"].startswith(hint)


def test_percent_and_underscore_match_themselves() -> None:
    user = user_with_perms(["org.view_person"])
    dept = DepartmentFactory()
    Person.objects.create(name="百分%之百", employee_no="A1", department=dept)
    Person.objects.create(name="百分之百", employee_no="A2", department=dept)
    Person.objects.create(name="下划_线", employee_no="A3", department=dept)
    Person.objects.create(name="下划线", employee_no="A4", department=dept)

    def names(q: str) -> list[str]:
        groups = [g for g in search.run(q, user).groups if g.key == "org.person"]
        return sorted(h.label for g in groups for h in g.hits)

    assert names("%之") == ["百分%之百"]
    assert names("划_") == ["下划_线"]
    assert names("%%") == []


def test_only_get_and_head_and_signed_in() -> None:
    c = ui_client(user_with_perms([]))
    assert c.post("/search/", {"q": "x"}).status_code == 405
    from django.test import Client

    r = Client().get("/search/", {"q": "abc"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# --- the API --------------------------------------------------------------------------------------
def test_api_answers_groups_hint_and_url(fixed: Fixed) -> None:
    c = api_client(user_with_perms([]))
    body = c.get("/api/v1/search/", {"q": "bolts", "limit": 2}).json()
    assert body["query"] == "bolts" and body["url"] is None and body["hint"] == ""
    group = next(g for g in body["groups"] if g["key"] == "test.fixed")
    assert group["label"] == "Fixed things" and group["has_more"] is True
    assert group["hits"][0] == {
        "label": "thing 0 bolts",
        "url": "/thing/0/",
        "detail": "",
        "badge": "",
    }
    assert len(group["hits"]) == 2
    assert c.get("/api/v1/search/", {"q": "THE-ONE"}).json()["url"] == "/the-one/"
    for bad in ("0", "51", "ten"):
        r = c.get("/api/v1/search/", {"q": "bolts", "limit": bad})
        assert r.status_code == 400 and "limit" in r.json()
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/search/", {"q": "bolts"}).status_code in (401, 403)
    assert "/api/v1/search/" in c.get("/api/schema/").content.decode()


# --- bounded time (PostgreSQL) --------------------------------------------------------------------
class Slow(SearchProvider):
    key = "test.slow"
    label = "Slow things"

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return [Hit("never", "/never/")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement timeout: PostgreSQL")
def test_a_slow_provider_is_cancelled_and_the_others_still_answer(
    fixed: Fixed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "STATEMENT_TIMEOUT_MS", 200)
    slow = search.register_search_provider(Slow())
    try:
        started = time.perf_counter()
        result = search.run("bolts", user_with_perms([]))
        assert time.perf_counter() - started < 2
    finally:
        search.unregister_search_provider(slow.key)
    by_key = {g.key: g for g in result.groups}
    assert by_key["test.slow"].timed_out and by_key["test.slow"].hits == []
    assert by_key["test.fixed"].hits
    with connection.cursor() as cursor:  # the setting came back
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "200ms"
