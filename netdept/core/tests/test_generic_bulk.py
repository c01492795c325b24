"""Bulk edit and bulk delete, pages and API: every row through the service, all or nothing,
failing rows named with their field in the user's language, rows out of scope refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.accounts.models import UserProfile
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import page_for
from netdept.org.models import Department, RoleAssignment, Team
from netdept.testing.clients import api_client, denials, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    TeamFactory,
    custom_role,
    user_with_perms,
)

pytestmark = pytest.mark.django_db

DEPT_EDIT = "org:department_bulk_edit"
DEPT_DELETE = "org:department_bulk_delete"
API = "/api/v1/org/departments/"
TEAM_API = "/api/v1/org/teams/"


def dept_admin(*actions: str) -> Any:
    return user_with_perms([f"org.{a}_department" for a in ("view", *actions)])


def updates(obj: Any) -> int:
    return AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="org.department", object_id=str(obj.pk)
    ).count()


# --- the page's declaration --------------------------------------------------------------------
def test_default_bulk_fields_are_simple_and_never_unique():
    page = page_for(Department)
    assert page is not None
    assert page.bulk_fields == ["kind", "parent", "head", "is_active"]  # not name, code, phone
    team = page_for(Team)
    assert team is not None and "name" not in (team.bulk_fields or [])


def test_list_offers_bulk_actions_only_with_the_permission():
    DepartmentFactory()
    url = reverse("org:department_list")
    html = ui_client(dept_admin()).get(url).content.decode()
    assert 'name="pk"' not in html and "nd-bulk-edit" not in html
    html = ui_client(dept_admin("change", "delete")).get(url).content.decode()
    assert 'name="pk"' in html and 'id="nd-bulk-edit"' in html and 'id="nd-bulk-delete"' in html
    assert 'name="select_all"' in html


# --- bulk edit on the pages --------------------------------------------------------------------
def test_bulk_edit_preview_then_apply_through_the_service():
    a, b, c = DepartmentFactory(), DepartmentFactory(), DepartmentFactory()
    user = dept_admin("change")
    client = ui_client(user)
    r = client.post(reverse(DEPT_EDIT), {"pk": [a.pk, b.pk]})
    assert r.status_code == 200
    assert r.context["count"] == 2 and 'name="change_is_active"' in r.content.decode()

    r = client.post(
        reverse(DEPT_EDIT),
        {"pk": [a.pk, b.pk], "_apply": "1", "change_is_active": "on", "kind": "network"},
    )  # "kind" is not ticked: left unchanged
    assert r.status_code == 302
    for obj in (a, b):
        obj.refresh_from_db()
        assert obj.is_active is False and obj.kind == "served"
        rec = AuditRecord.objects.get(
            action=AuditAction.UPDATE, object_type="org.department", object_id=str(obj.pk)
        )
        assert rec.actor_id == user.pk and set(rec.changes) == {"is_active"}
    c.refresh_from_db()
    assert c.is_active is True


def test_bulk_edit_needs_a_ticked_field_and_validates_only_ticked_ones():
    a = DepartmentFactory()
    client = ui_client(dept_admin("change"))
    r = client.post(reverse(DEPT_EDIT), {"pk": [a.pk], "_apply": "1", "kind": "nonsense"})
    assert r.status_code == 422
    assert r.context["form"].non_field_errors()
    r = client.post(
        reverse(DEPT_EDIT), {"pk": [a.pk], "_apply": "1", "change_kind": "on", "kind": "bad"}
    )
    assert r.status_code == 422 and "kind" in r.context["form"].errors
    assert updates(a) == 0


@pytest.mark.parametrize(
    ("language", "message", "label"),
    [
        ("zh-hans", "部门不能成为自身的上级", "上级部门"),
        ("en", "A department cannot be its own ancestor.", "Parent department"),
    ],
)
def test_bulk_edit_is_all_or_nothing_and_names_the_row_and_field(
    language: str, message: str, label: str
):
    a, b = DepartmentFactory(name="甲科"), DepartmentFactory(name="乙科")
    user = dept_admin("change")
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})
    client = ui_client(user)
    r = client.post(
        reverse(DEPT_EDIT),
        {"pk": [b.pk, a.pk], "_apply": "1", "change_parent": "on", "parent": a.pk},
    )
    assert r.status_code == 422
    (err,) = r.context["row_errors"]
    assert (err.pk, err.field) == (a.pk, "parent")
    html = r.content.decode()
    assert message in html and label in html and "甲科" in html
    b.refresh_from_db()
    assert b.parent_id is None  # b was valid, but nothing is saved
    assert updates(a) == updates(b) == 0


def test_bulk_edit_all_matching_the_filter_up_to_the_cap():
    it = [DepartmentFactory(kind="network") for _ in range(3)]
    served = DepartmentFactory(kind="served")
    client = ui_client(dept_admin("change"))
    data = {"select_all": "1", "filter_query": "kind=network", "_apply": "1"}
    r = client.post(reverse(DEPT_EDIT), {**data, "change_is_active": "on"})
    assert r.status_code == 302
    assert not Department.objects.filter(pk__in=[d.pk for d in it], is_active=True).exists()
    served.refresh_from_db()
    assert served.is_active

    page = page_for(Department)
    assert page is not None
    old, page.bulk_cap = page.bulk_cap, 2
    try:
        r = client.post(reverse(DEPT_EDIT), {**data, "change_kind": "on", "kind": "served"})
    finally:
        page.bulk_cap = old
    assert r.status_code == 400
    assert Department.objects.filter(kind="network").count() == 3


def test_bulk_edit_refuses_rows_out_of_scope_and_changes_none():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    mine_team, their_team = TeamFactory(department=mine), TeamFactory(department=theirs)
    user = user_with_perms(["org.view_team"], "all", department=mine)
    RoleAssignment.objects.create(user=user, role=custom_role(["org.change_team"], "department"))
    client = ui_client(user)
    url = reverse("org:team_bulk_edit")
    data = {"_apply": "1", "change_is_active": "on"}
    r = client.post(url, {**data, "pk": [mine_team.pk, their_team.pk]})
    assert r.status_code == 403
    assert their_team.name in r.content.decode()
    for t in (mine_team, their_team):
        t.refresh_from_db()
        assert t.is_active
    assert denials(user).filter(object_id=str(their_team.pk)).exists()
    # the row in scope alone is fine
    assert client.post(url, {**data, "pk": [mine_team.pk]}).status_code == 302
    mine_team.refresh_from_db()
    assert not mine_team.is_active


def test_bulk_edit_treats_invisible_rows_as_missing():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    visible_team, hidden_team = TeamFactory(department=mine), TeamFactory(department=theirs)
    user = user_with_perms(["org.view_team", "org.change_team"], "department", department=mine)
    client = ui_client(user)
    data = {"_apply": "1", "change_is_active": "on"}
    for pks in ([visible_team.pk, hidden_team.pk], [999_999], ["x"]):
        r = client.post(reverse("org:team_bulk_edit"), {**data, "pk": pks})
        assert r.status_code == 404
        assert hidden_team.name not in r.content.decode()
    visible_team.refresh_from_db()
    assert visible_team.is_active


def test_bulk_pages_need_the_permission_and_post():
    a = DepartmentFactory()
    viewer = dept_admin()
    assert ui_client(viewer).post(reverse(DEPT_EDIT), {"pk": [a.pk]}).status_code == 403
    assert ui_client(viewer).post(reverse(DEPT_DELETE), {"pk": [a.pk]}).status_code == 403
    assert ui_client(dept_admin("change")).get(reverse(DEPT_EDIT)).status_code == 405


# --- bulk delete on the pages ------------------------------------------------------------------
def test_bulk_delete_all_or_nothing():
    parent = DepartmentFactory(name="有下级")
    child = DepartmentFactory(parent=parent)
    lone = DepartmentFactory()
    user = dept_admin("delete")
    client = ui_client(user)
    r = client.post(reverse(DEPT_DELETE), {"pk": [lone.pk, parent.pk]})
    assert r.status_code == 200 and r.context["count"] == 2
    r = client.post(reverse(DEPT_DELETE), {"pk": [lone.pk, parent.pk], "_apply": "1"})
    assert r.status_code == 422  # the parent is protected by its child: none is deleted
    (err,) = r.context["row_errors"]
    assert err.pk == parent.pk and "有下级" in r.content.decode()
    assert Department.objects.filter(pk__in=[lone.pk, parent.pk, child.pk]).count() == 3

    r = client.post(reverse(DEPT_DELETE), {"pk": [lone.pk, child.pk], "_apply": "1"})
    assert r.status_code == 302
    assert not Department.objects.filter(pk__in=[lone.pk, child.pk]).exists()
    assert (
        AuditRecord.objects.filter(
            action=AuditAction.DELETE, object_type="org.department", actor=user
        ).count()
        == 2
    )


# --- the API -----------------------------------------------------------------------------------
def test_api_bulk_update_and_delete():
    a, b = DepartmentFactory(), DepartmentFactory()
    c = api_client(dept_admin("change", "delete"))
    r = c.post(
        f"{API}bulk-update/", {"ids": [a.pk, b.pk], "fields": {"kind": "network"}}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 2
    assert set(Department.objects.filter(pk__in=[a.pk, b.pk]).values_list("kind", flat=True)) == {
        "network"
    }
    r = c.post(f"{API}bulk-delete/", {"ids": [a.pk, b.pk]}, format="json")
    assert r.status_code == 200
    assert not Department.objects.filter(pk__in=[a.pk, b.pk]).exists()


def test_api_bulk_update_failure_names_row_and_field_and_saves_nothing():
    a, b = DepartmentFactory(), DepartmentFactory()
    c = api_client(dept_admin("change"))
    r = c.post(
        f"{API}bulk-update/", {"ids": [b.pk, a.pk], "fields": {"parent": a.pk}}, format="json"
    )
    assert r.status_code == 400
    body = r.json()
    assert body["errors"] == [
        {
            "id": a.pk,
            "row": str(a),
            "field": "parent",
            "messages": [body["errors"][0]["messages"][0]],
        }
    ]
    assert "部门不能成为自身的上级" in body["errors"][0]["messages"][0]
    b.refresh_from_db()
    assert b.parent_id is None

    for payload, field in [
        ({"ids": [a.pk], "fields": {"code": "X1"}}, "code"),  # unique: not a bulk field
        ({"ids": [a.pk], "fields": {"kind": "nonsense"}}, "kind"),
        ({"ids": ["x"], "fields": {"kind": "network"}}, "ids"),
        ({"ids": [], "fields": {"kind": "network"}}, "ids"),
        ({"ids": [a.pk]}, "fields"),
    ]:
        r = c.post(f"{API}bulk-update/", payload, format="json")
        assert r.status_code == 400, payload
        body = r.json()
        assert field in body or any(e["field"] == field for e in body.get("errors", [])), body
    a.refresh_from_db()
    assert a.kind == "served" and a.code != "X1"


def test_api_bulk_refuses_out_of_scope_and_invisible_rows():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    t1, t2 = TeamFactory(department=mine), TeamFactory(department=theirs)
    user = user_with_perms(["org.view_team"], "all", department=mine)
    RoleAssignment.objects.create(
        user=user, role=custom_role(["org.change_team", "org.delete_team"], "department")
    )
    c = api_client(user)
    r = c.post(
        f"{TEAM_API}bulk-update/",
        {"ids": [t1.pk, t2.pk], "fields": {"is_active": False}},
        format="json",
    )
    assert r.status_code == 403 and r.json()["ids"] == [t2.pk]
    r = c.post(f"{TEAM_API}bulk-delete/", {"ids": [t1.pk, t2.pk]}, format="json")
    assert r.status_code == 403
    assert Team.objects.filter(pk__in=[t1.pk, t2.pk], is_active=True).count() == 2

    scoped = user_with_perms(["org.view_team", "org.change_team"], "department", department=mine)
    r = api_client(scoped).post(
        f"{TEAM_API}bulk-update/",
        {"ids": [t1.pk, t2.pk], "fields": {"is_active": False}},
        format="json",
    )
    assert r.status_code == 404 and "detail" in r.json()
    assert Team.objects.filter(pk__in=[t1.pk, t2.pk], is_active=True).count() == 2

    viewer = api_client(user_with_perms(["org.view_team"]))
    r = viewer.post(
        f"{TEAM_API}bulk-update/", {"ids": [t1.pk], "fields": {"is_active": False}}, format="json"
    )
    assert r.status_code == 403


def test_bulk_endpoints_are_in_the_openapi_schema():
    user = user_with_perms(["org.view_department"])
    schema = api_client(user).get("/api/schema/", {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/org/departments/bulk-update/"]
    assert "post" in schema["paths"]["/api/v1/org/departments/bulk-delete/"]
