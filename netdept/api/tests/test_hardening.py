"""No 500 and no HTML from the API: deep JSON, unknown addresses and methods, server errors,
bad page numbers and filter values, and the nested lists of an order in the schema's shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from netdept.api import errors
from netdept.api.parsers import MAX_JSON_DEPTH, too_deep
from netdept.org.models import Team
from netdept.testing.crud import api_client
from netdept.testing.factories import DepartmentFactory, user_with_perms, user_with_role
from netdept.workorders.tests.test_services import World

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/org/teams/"
ORDERS = "/api/v1/workorders/orders/"


def team_admin() -> Any:
    return user_with_perms(["org.view_team", "org.add_team", "org.view_department"])


def is_json(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


# --- deep JSON ---------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [5_000, 100_000, MAX_JSON_DEPTH + 1])
def test_deeply_nested_json_is_a_400_and_saves_nothing(depth: int) -> None:
    c = api_client(team_admin())
    dept = DepartmentFactory()
    nested = "[" * depth + "]" * depth
    body = f'{{"name": "深", "department": {dept.pk}, "description": {nested}}}'
    r = c.post(TEAMS, body, content_type="application/json")
    assert r.status_code == 400
    assert str(MAX_JSON_DEPTH) in is_json(r)["detail"]  # "nested too deeply (at most 32…)"
    assert not Team.objects.filter(name="深").exists()


def test_json_within_the_depth_bound_is_read() -> None:
    c = api_client(team_admin())
    dept = DepartmentFactory()
    r = c.post(TEAMS, {"name": "浅", "department": dept.pk}, format="json")
    assert r.status_code == 201, r.content
    assert not too_deep({"a": [[{"b": 1}]]})
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH + 1):
        nested = [nested]
    assert too_deep(nested)


def test_deep_json_on_the_work_order_endpoint_too() -> None:
    w = World()
    c = api_client(w.req)
    body = '{"title": ' + "[" * 5000 + "]" * 5000 + "}"
    r = c.post(ORDERS, body, content_type="application/json")
    assert r.status_code == 400 and "detail" in is_json(r)


def test_invalid_json_and_nan_are_400() -> None:
    c = api_client(team_admin())
    for body in ('{"name": ', '{"name": NaN}', b'{"name": "\xff"}'):
        r = c.post(TEAMS, body, content_type="application/json")
        assert r.status_code == 400, body
        assert "detail" in is_json(r)


# --- every answer under /api/ is JSON ---------------------------------------------------------
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get", "options"])
def test_unknown_api_address_is_a_json_404_with_a_token_whatever_the_method(method: str) -> None:
    c = api_client(team_admin())
    c.enforce_csrf_checks = True  # as a real client: Django's CSRF check is active
    r = getattr(c, method)("/api/v1/no/such/thing/", {"a": 1}, format="json")
    assert r.status_code == 404
    assert "detail" in is_json(r)


def test_unknown_method_on_a_known_endpoint_is_a_json_405() -> None:
    c = api_client(team_admin())
    c.enforce_csrf_checks = True
    for method in ("PROPFIND", "TRACE", "PATCH"):
        r = c.generic(method, "/api/v1/me/")
        assert r.status_code == 405, method
        assert "detail" in is_json(r)


def test_session_requests_still_need_the_csrf_token_and_get_json() -> None:
    user = team_admin()
    c = APIClient(enforce_csrf_checks=True)
    c.force_login(user)
    dept = DepartmentFactory()
    r = c.post(TEAMS, {"name": "无令牌", "department": dept.pk}, format="json")
    assert r.status_code == 403
    assert "CSRF" in is_json(r)["detail"]
    assert not Team.objects.filter(name="无令牌").exists()


def test_missing_slash_redirect_is_json() -> None:
    c = api_client(team_admin())
    r = c.get("/api/v1/org/teams", {"q": "x"})
    assert r.status_code == 301
    assert r["Location"] == "/api/v1/org/teams/?q=x"
    assert is_json(r)["location"] == "/api/v1/org/teams/?q=x"


def test_a_server_error_under_api_is_json_and_elsewhere_html(monkeypatch: Any) -> None:
    user = user_with_role("director")
    _token_client = api_client(user)
    secret = _token_client._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("netdept.api.urls.permissions.user_perms", broken)
    c = Client(raise_request_exception=False)
    r = c.get("/api/v1/me/", HTTP_AUTHORIZATION=secret)
    assert r.status_code == 500
    assert "detail" in is_json(r)
    rf = RequestFactory()
    page = errors.server_error(rf.get("/workorders/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    for handler, code in ((errors.bad_request, 400), (errors.permission_denied, 403)):
        r = handler(rf.get("/api/v1/x/"), Exception())
        assert r.status_code == code and "detail" in is_json(r)
    r = errors.page_not_found(rf.get("/api/v1/x/"), Exception())
    assert r.status_code == 404 and "detail" in is_json(r)


def test_too_large_body_under_api_is_json(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    c = api_client(team_admin())
    c.raise_request_exception = False
    r = c.post(TEAMS, {"name": "x" * 5000}, format="json")
    assert r.status_code == 400
    assert "detail" in is_json(r)


# --- pages and filters -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page_size", "abc"),
        ("page_size", "0"),
        ("page_size", "-5"),
        ("page_size", "1.5"),
        ("page_size", "9" * 5000),
        ("page", "abc"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "１"),  # a full-width digit
        ("page", "9" * 5000),
    ],
)
def test_bad_page_numbers_are_400_naming_the_parameter(param: str, value: str) -> None:
    c = api_client(team_admin())
    for url in (TEAMS, ORDERS):
        r = c.get(url, {param: value})
        if url == ORDERS and r.status_code == 403:
            continue  # (the team admin files no orders)
        assert r.status_code == 400, (url, r.content)
        assert param in is_json(r)


def test_good_page_numbers_still_work_and_a_page_beyond_the_end_is_404() -> None:
    c = api_client(team_admin())
    assert c.get(TEAMS, {"page_size": "", "page": ""}).status_code == 200
    assert c.get(TEAMS, {"page_size": "2", "page": "1"}).status_code == 200
    assert c.get(TEAMS, {"page": "last"}).status_code == 200
    r = c.get(TEAMS, {"page": "99"})
    assert r.status_code == 404 and "detail" in is_json(r)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("created_after", "not-a-date"),
        ("created_before", "2026-13-45"),
        ("assignee", "abc"),
        ("team", "1.5"),
        ("category", "-3"),
        ("requester_department", "0x10"),
        ("priority", "9"),
        ("status", "nonsense"),
        ("kind", "nonsense"),
    ],
)
def test_wrong_filter_values_on_orders_are_400_naming_the_filter(param: str, value: str) -> None:
    w = World()
    r = api_client(w.director).get(ORDERS, {param: value})
    assert r.status_code == 400, r.content
    assert param in is_json(r)


def test_empty_filter_values_are_ignored() -> None:
    w = World()
    w.open()
    params = {"created_after": "", "created_before": "", "assignee": "", "team": "", "q": ""}
    r = api_client(w.director).get(ORDERS, params)
    assert r.status_code == 200 and r.json()["count"] == 1


def test_wrong_filter_values_on_generated_endpoints_are_400_naming_the_filter() -> None:
    c = api_client(team_admin())
    for param, value in (("department", "abc"), ("is_active", "maybe"), ("department", "")):
        r = c.get(TEAMS, {param: value})
        if value == "" or param == "is_active":
            assert r.status_code in (200, 400)  # empty: no filter; a boolean: null or 400
            continue
        assert r.status_code == 400 and param in is_json(r)
    r = c.get("/api/v1/org/people/", {"department": "abc"})
    assert r.status_code in (400, 403)


# --- the nested lists of an order ------------------------------------------------------------
def test_nested_lists_are_json_arrays_as_the_schema_says() -> None:
    w = World()
    order = w.accepted()
    c = api_client(w.director)
    schema = c.get("/api/schema/", {"format": "json"}).json()
    for name in ("attachments", "comments", "records", "sla"):
        op = schema["paths"][f"/api/v1/workorders/orders/{{id}}/{name}/"]["get"]
        declared = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared["type"] == "array", name
        assert {p["name"] for p in op.get("parameters", [])} == {"id"}  # no page, no filters
        # filters of the order list do not apply (they used to hide the order: a 404)
        r = c.get(f"{ORDERS}{order.pk}/{name}/", {"status": "closed", "page": "x"})
        assert r.status_code == 200, (name, r.content)
        assert isinstance(r.json(), list), name
    assert len(c.get(f"{ORDERS}{order.pk}/sla/").json()) >= 1


def test_schema_declares_the_json_errors() -> None:
    c = api_client(team_admin())
    schema = c.get("/api/schema/", {"format": "json"}).json()
    op = schema["paths"]["/api/v1/org/teams/{id}/"]["put"]
    assert {"400", "401", "403", "404"} <= set(op["responses"])
    assert "Error" in schema["components"]["schemas"]
    action = schema["paths"]["/api/v1/workorders/orders/{id}/accept/"]["post"]
    assert "409" in action["responses"]
    params = {p["name"]: p["schema"] for p in schema["paths"][TEAMS]["get"]["parameters"]}
    assert params["page_size"]["minimum"] == 1 and params["page"]["minimum"] == 1
