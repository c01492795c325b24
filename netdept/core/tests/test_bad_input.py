"""Bad input in the UI: a clear, field-level answer and a 4xx — never a 500, never a half-saved
object."""

from __future__ import annotations

import pytest
from django.conf import settings

from netdept.org.models import Team
from netdept.testing.crud import ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_perms,
)

pytestmark = pytest.mark.django_db

TEAM_PERMS = [
    "org.view_team",
    "org.add_team",
    "org.change_team",
    "org.delete_team",
    "org.view_department",
    "org.view_person",
]


@pytest.fixture
def client():
    return ui_client(user_with_perms(TEAM_PERMS))


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"department": "DEPT"}, "name"),  # missing required field
        ({"name": "x" * 101, "department": "DEPT"}, "name"),  # too long
        ({"name": "x", "department": "abc"}, "department"),  # wrong type
        ({"name": "x", "department": "999999"}, "department"),  # no such object
        ({"name": "x"}, "department"),  # missing foreign key
        ({"name": "x", "department": "DEPT", "lead": "OUTSIDER"}, "lead"),  # business rule
    ],
)
def test_malformed_form_names_the_field_and_saves_nothing(client, payload, field):
    dept = DepartmentFactory()
    outsider = PersonFactory()
    data = {
        k: str(dept.pk) if v == "DEPT" else str(outsider.pk) if v == "OUTSIDER" else v
        for k, v in payload.items()
    }
    before = Team.objects.count()
    r = client.post("/org/team/add/", data)
    assert r.status_code == 422
    form = r.context["form"]
    assert field in form.errors, form.errors
    html = r.content.decode()
    assert f'data-field="{field}"' in html
    assert str(form.errors[field][0]) in html
    assert Team.objects.count() == before


def test_an_object_the_user_cannot_see_is_refused_as_a_choice():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    user = user_with_perms(
        ["org.view_team", "org.add_team", "org.view_department"], "department", department=mine
    )
    c = ui_client(user)
    r = c.post("/org/team/add/", {"name": "x", "department": theirs.pk})
    assert r.status_code == 422
    assert "department" in r.context["form"].errors
    assert not Team.objects.filter(department=theirs).exists()


def test_edit_with_bad_input_leaves_the_object_unchanged(client):
    team = TeamFactory(name="原名")
    r = client.post(f"/org/team/{team.pk}/edit/", {"name": "", "department": team.department_id})
    assert r.status_code == 422
    assert "name" in r.context["form"].errors
    team.refresh_from_db()
    assert team.name == "原名"


def test_a_duplicate_is_a_form_error_not_a_500(client):
    team = TeamFactory()
    r = client.post("/org/team/add/", {"name": team.name, "department": team.department_id})
    assert r.status_code == 422
    assert r.context["form"].errors
    assert Team.objects.filter(name=team.name).count() == 1


def test_htmx_post_gets_the_form_partial_with_errors(client):
    dept = DepartmentFactory()
    r = client.post(
        "/org/team/add/", {"department": dept.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="x"
    )
    assert r.status_code == 200  # HTMX swaps 2xx answers only
    html = r.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith("<form")
    assert 'data-field="name"' in html
    assert r.templates[0].name == "core/_form.html"
    assert not Team.objects.filter(department=dept).exists()


def test_htmx_post_that_succeeds_redirects_with_a_header(client):
    dept = DepartmentFactory()
    r = client.post(
        "/org/team/add/", {"name": "新组", "department": dept.pk}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 204
    team = Team.objects.get(department=dept)
    assert r["HX-Redirect"] == f"/org/team/{team.pk}/"


@pytest.mark.parametrize(
    "url",
    [
        "/no/such/page/",
        "/org/nothing/",
        "/org/team/999999/",
        "/org/team/999999/edit/",
        "/org/team/999999/delete/",
        "/org/team/999999/history/",
        "/org/team/abc/",
        "/org/team/export/?format=pdf",
    ],
)
def test_unknown_url_is_a_404_page(client, url):
    r = client.get(url)
    assert r.status_code == 404
    html = r.content.decode()
    assert "<html" in html
    assert "Traceback" not in html
    assert "URLconf" not in html


def test_an_object_the_user_cannot_see_is_a_404():
    mine = DepartmentFactory()
    hidden = TeamFactory()
    user = user_with_perms(
        ["org.view_team", "org.change_team", "org.delete_team"], "department", department=mine
    )
    c = ui_client(user)
    for url in ("", "edit/", "delete/", "history/"):
        assert c.get(f"/org/team/{hidden.pk}/{url}").status_code == 404, url
    assert c.post(f"/org/team/{hidden.pk}/delete/").status_code == 404
    assert Team.objects.filter(pk=hidden.pk).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/org/team/"),
        ("post", "/org/team/"),
        ("delete", "/org/team/{pk}/"),
        ("post", "/org/team/{pk}/"),
        ("put", "/org/team/{pk}/edit/"),
        ("patch", "/org/team/add/"),
        ("delete", "/org/team/{pk}/delete/"),
        ("post", "/org/team/export/"),
        ("post", "/org/team/{pk}/history/"),
    ],
)
def test_wrong_method_is_a_405(client, method, url):
    team = TeamFactory()
    r = getattr(client, method)(url.format(pk=team.pk))
    assert r.status_code == 405
    assert Team.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"per_page": "-5"},
        {"per_page": "100000"},
        {"sort": "password"},
        {"sort": "-lead__user__password"},
        {"department": "abc"},
        {"is_active": "maybe"},
        {"cols": "nope"},
        {"q": "x" * 5000},
        {"q": "\x00"},
    ],
)
def test_bad_query_parameters_never_break_a_list(client, params):
    TeamFactory()
    assert client.get("/org/team/", params).status_code == 200
    assert client.get("/org/team/export/", {**params, "format": "csv"}).status_code == 200


@pytest.mark.django_db
def test_nul_characters_in_search_are_harmless():
    from netdept.testing.factories import user_with_role

    c = ui_client(user_with_role("director"))
    assert c.get("/search/", {"q": "a\x00b"}).status_code == 200
