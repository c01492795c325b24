"""Behaviour of the REST API as a whole: pagination, filters, errors, languages, schema, docs."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from netdept.accounts.models import UserProfile
from netdept.org.models import Department, RoleAssignment, Team
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    custom_role,
    user_with_perms,
)

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/org/teams/"
TEAM_PERMS = ["org.view_team", "org.add_team", "org.change_team", "org.view_department"]


def team_admin(scope: str = "all", **kwargs):
    return user_with_perms(TEAM_PERMS, scope, **kwargs)


# --- pagination, filters, ordering ------------------------------------------------------------
def test_pagination_has_count_next_results_and_caps_page_size() -> None:
    user = user_with_perms(["org.view_department"])
    Department.objects.bulk_create(
        [Department(name=f"批量{i}", code=f"B{i:04d}") for i in range(505)]
    )
    total = Department.objects.count()
    c = api_client(user)
    body = c.get("/api/v1/org/departments/").json()
    assert body["count"] == total
    assert len(body["results"]) == 50
    assert body["next"] and "page=2" in body["next"]
    assert body["previous"] is None
    body = c.get("/api/v1/org/departments/", {"page_size": 10_000}).json()
    assert len(body["results"]) == 500
    assert body["next"]
    body = c.get("/api/v1/org/departments/", {"page_size": 500, "page": 2}).json()
    assert len(body["results"]) == total - 500
    assert body["next"] is None
    r = c.get("/api/v1/org/departments/", {"page": 999})
    assert r.status_code == 404
    assert "detail" in r.json()


def test_filters_are_the_same_as_in_the_ui() -> None:
    dept, other = DepartmentFactory(), DepartmentFactory()
    a = TeamFactory(department=dept, name="网络运维组")
    b = TeamFactory(department=dept, name="安全组", is_active=False)
    c_ = TeamFactory(department=other, name="网络开发组")
    user = team_admin()
    c = api_client(user)

    def ids(**params):
        r = c.get(TEAMS, params)
        assert r.status_code == 200, r.json()
        return [row["id"] for row in r.json()["results"]]

    assert set(ids(department=dept.pk)) == {a.pk, b.pk}
    assert set(ids(q="网络")) == {a.pk, c_.pk}
    assert set(ids(q="网络", department=dept.pk)) == {a.pk}
    assert set(ids(is_active="false")) == {b.pk}
    ordered = ids(ordering="-name", department=dept.pk)
    assert ordered == [t.pk for t in sorted([a, b], key=lambda t: t.name, reverse=True)]
    # the UI list answers the same filters with the same rows
    r = ui_client(user).get("/org/team/", {"department": dept.pk, "q": "网络"})
    assert [obj.pk for obj, _v in r.context["rows"]] == [a.pk]


def test_a_bad_filter_value_is_a_400_naming_the_filter() -> None:
    c = api_client(team_admin())
    r = c.get(TEAMS, {"department": "abc"})
    assert r.status_code == 400
    assert "department" in r.json()


# --- malformed payloads -----------------------------------------------------------------------
def test_malformed_payloads_name_each_bad_field_and_save_nothing() -> None:
    dept = DepartmentFactory()
    c = api_client(team_admin())
    before = Team.objects.count()
    cases = [
        ({"department": dept.pk}, {"name"}),  # missing required field
        ({"name": "x", "department": "abc"}, {"department"}),  # wrong type
        ({"name": "x", "department": 999_999}, {"department"}),  # no such object
        ({"name": "x" * 101, "department": dept.pk}, {"name"}),  # too long
        ({"name": "x", "department": dept.pk, "is_active": "maybe"}, {"is_active"}),
        ({"name": ["x"], "department": [dept.pk]}, {"name", "department"}),
    ]
    for payload, fields in cases:
        r = c.post(TEAMS, payload, format="json")
        assert r.status_code == 400, (payload, r.content)
        assert r["Content-Type"].startswith("application/json")
        body = r.json()
        assert fields <= set(body), (payload, body)
        for f in fields:
            assert body[f] and all(isinstance(m, str) and m for m in body[f])
    assert c.post(TEAMS, "{not json", content_type="application/json").status_code == 400
    assert c.post(TEAMS, [1, 2], format="json").status_code == 400
    assert Team.objects.count() == before


def test_a_reference_to_an_object_the_user_cannot_see_is_refused_like_a_missing_one() -> None:
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    user = user_with_perms(["org.view_department"], "department", department=mine)
    RoleAssignment.objects.create(
        user=user, role=custom_role(["org.view_team", "org.add_team"], "all")
    )
    c = api_client(user)
    hidden = c.post(TEAMS, {"name": "x", "department": theirs.pk}, format="json")
    missing = c.post(TEAMS, {"name": "x", "department": 999_999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["department"] == [
        m.replace("999999", str(theirs.pk)) for m in missing.json()["department"]
    ]
    assert not Team.objects.filter(department=theirs).exists()
    ok = c.post(TEAMS, {"name": "x", "department": mine.pk}, format="json")
    assert ok.status_code == 201


def test_business_rule_errors_name_the_field() -> None:
    dept = DepartmentFactory()
    outsider = PersonFactory()
    c = api_client(user_with_perms([*TEAM_PERMS, "org.view_person"]))
    r = c.post(TEAMS, {"name": "x", "department": dept.pk, "lead": outsider.pk}, format="json")
    assert r.status_code == 400
    assert "lead" in r.json()
    TeamFactory(department=dept, name="重名组")
    r = c.post(TEAMS, {"name": "重名组", "department": dept.pk}, format="json")
    assert r.status_code == 400
    assert r.json()
    assert Team.objects.filter(name="重名组").count() == 1


# --- languages --------------------------------------------------------------------------------
def test_errors_are_in_chinese_by_default_and_english_when_asked() -> None:
    user = team_admin()
    c = api_client(user)
    zh = c.post(TEAMS, {}, format="json").json()["name"][0]
    assert re.search(r"[\u4e00-\u9fff]", zh), zh
    en = c.post(TEAMS, {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["name"][0]
    assert en == "This field is required."
    zh2 = c.post(TEAMS, {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["name"][0]
    assert zh2 == zh
    # a user who chose English gets English without asking each time
    UserProfile.objects.update_or_create(user=user, defaults={"language": "en"})
    assert c.post(TEAMS, {}, format="json").json()["name"][0] == "This field is required."
    # … in a browser session too
    session = APIClient()
    session.force_login(user)
    assert session.post(TEAMS, {}, format="json").json()["name"][0] == en


# --- status codes -----------------------------------------------------------------------------
def test_unknown_url_is_a_json_404() -> None:
    c = api_client(team_admin())
    for url in ("/api/v1/nothing/", "/api/v1/org/nothing/", "/api/v2/", "/api/"):
        r = c.get(url)
        assert r.status_code == 404, url
        assert r["Content-Type"].startswith("application/json"), url
        assert r.json()["detail"]
    r = c.get("/api/v1/org/teams")
    assert r.status_code == 301
    assert r["Location"] == TEAMS


def test_an_object_the_user_cannot_see_is_a_404_like_a_missing_one() -> None:
    mine = DepartmentFactory()
    hidden = TeamFactory()
    user = user_with_perms(
        ["org.view_team", "org.change_team", "org.delete_team"], "department", department=mine
    )
    c = api_client(user)
    for method in ("get", "put", "patch", "delete"):
        r_hidden = getattr(c, method)(f"{TEAMS}{hidden.pk}/", {}, format="json")
        r_missing = getattr(c, method)(f"{TEAMS}999999/", {}, format="json")
        assert r_hidden.status_code == r_missing.status_code == 404, method
        assert r_hidden.json() == r_missing.json()
    assert Team.objects.filter(pk=hidden.pk).exists()
    assert c.get(f"{TEAMS}abc/").status_code == 404


def test_wrong_method_is_a_405() -> None:
    team = TeamFactory()
    c = api_client(team_admin())
    r = c.put(TEAMS, {}, format="json")
    assert r.status_code == 405
    assert "detail" in r.json()
    assert c.post(f"{TEAMS}{team.pk}/", {}, format="json").status_code == 405
    assert c.post("/api/v1/me/", {}).status_code == 405


def test_unauthenticated_is_a_401() -> None:
    team = TeamFactory()
    anon = APIClient()
    for r in (
        anon.get(TEAMS),
        anon.get(f"{TEAMS}{team.pk}/"),
        anon.post(TEAMS, {"name": "x"}, format="json"),
        anon.get("/api/v1/me/"),
        anon.get(TEAMS, HTTP_AUTHORIZATION="Token nd_wrong"),
    ):
        assert r.status_code == 401
        assert r.json()["detail"]
        assert r["WWW-Authenticate"] == "Token"


def test_me_describes_the_signed_in_user() -> None:
    user = team_admin()
    body = api_client(user).get("/api/v1/me/").json()
    assert body["id"] == user.pk
    assert body["username"] == user.username
    assert body["person"] == user.person.pk
    assert set(TEAM_PERMS) <= set(body["permissions"])


# --- schema and docs --------------------------------------------------------------------------
# once: the schema is made from the code, not the database
@pytest.mark.once
def test_openapi_schema_is_valid_and_lists_the_org_endpoints() -> None:
    c = api_client(team_admin())
    r = c.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = r.json()
    validate_schema(schema)
    paths = schema["paths"]
    for slug in ("departments", "teams", "positions", "people", "roles", "roleassignments"):
        assert f"/api/v1/org/{slug}/" in paths, slug
        assert f"/api/v1/org/{slug}/{{id}}/" in paths, slug
    assert "/api/v1/auth/accounts/" in paths
    assert "/api/v1/me/" in paths
    schemes = schema["components"]["securitySchemes"]
    assert {"tokenAuth", "cookieAuth"} <= set(schemes)
    account = schema["components"]["schemas"]["AccountRequest"]["properties"]
    assert "password" in account
    assert "password" not in schema["components"]["schemas"]["Account"]["properties"]


# once: the schema is made from the code, not the database
@pytest.mark.once
def test_schema_generates_without_warnings(tmp_path) -> None:
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_docs_page_uses_only_local_files() -> None:
    c = api_client(team_admin())
    r = c.get(reverse("api-docs"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""https?://[^\s"'<>)]+""", html)
    assert urls
    for url in urls:
        assert not re.match(r"^(https?:)?//", url) or "testserver" in url, url
    static = [u for u in urls if u.startswith("/static/")]
    assert static
    for url in static:
        assert c.get(url).status_code == 200, url


def test_nul_characters_are_a_4xx_not_a_500() -> None:
    team = TeamFactory()
    nobody = api_client(user_with_perms([]))
    assert nobody.get("/api/v1/org/teams/%00/").status_code == 403
    c = api_client(team_admin())
    assert c.get("/api/v1/org/teams/%00/").status_code == 404
    assert c.get(TEAMS, {"q": "\x00"}).status_code == 400
    r = c.patch(f"{TEAMS}{team.pk}/", {"name": "a\x00b"}, format="json")
    assert r.status_code == 400
    assert "name" in r.json()
    auditor = api_client(user_with_perms(["core.view_auditrecord"]))
    assert auditor.get("/api/v1/core/auditrecords/", {"x": "\x00"}).status_code == 200


@pytest.mark.django_db
def test_api_count_stops_at_the_cap(monkeypatch) -> None:
    from netdept.api import pagination
    from netdept.testing.crud import api_client
    from netdept.testing.factories import DepartmentFactory, user_with_role

    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for _ in range(5):
        DepartmentFactory()
    body = api_client(user_with_role("director")).get("/api/v1/org/departments/").json()
    assert body["count"] == 3 and body["count_capped"] is True
    monkeypatch.setattr(pagination, "COUNT_CAP", 100)
    body = api_client(user_with_role("director")).get("/api/v1/org/departments/").json()
    assert body["count_capped"] is False and body["count"] >= 5
