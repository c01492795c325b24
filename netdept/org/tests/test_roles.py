"""What each built-in role can and cannot see and do, in the UI and in the API (三权分立)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import Department, Person, Role, RoleAssignment, Team
from netdept.testing.crud import api_client, denials, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    PositionFactory,
    TeamFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

ORG_PAGES = ["department", "team", "position", "person", "role", "roleassignment"]
STRONG_PASSWORD = "Xy-12345678ab"


@dataclass
class World:
    dept: Department
    other_dept: Department
    team: Team
    sibling_team: Team
    other_team: Team
    teammate: Person
    sibling: Person  # same department, another team
    stranger: Person  # another department


@pytest.fixture
def world() -> World:
    dept, other_dept = DepartmentFactory(kind="network"), DepartmentFactory()
    team = TeamFactory(department=dept)
    sibling_team = TeamFactory(department=dept)
    other_team = TeamFactory(department=other_dept)
    PositionFactory(department=dept)
    return World(
        dept=dept,
        other_dept=other_dept,
        team=team,
        sibling_team=sibling_team,
        other_team=other_team,
        teammate=PersonFactory(department=dept, team=team),
        sibling=PersonFactory(department=dept, team=sibling_team),
        stranger=PersonFactory(department=other_dept, team=other_team),
    )


def ui(view: str, obj: Any = None, app: str = "org", slug: str = "") -> str:
    args = [obj.pk] if obj is not None else []
    return reverse(f"{app}:{slug}_{view}", args=args)


def api(slug: str, obj: Any = None, app: str = "org") -> str:
    if obj is None:
        return reverse(f"{app}-{slug}-list")
    return reverse(f"{app}-{slug}-detail", args=[obj.pk])


def ui_person_ids(client: Any) -> set[int]:
    r = client.get(ui("list", slug="person"), {"per_page": 200})
    assert r.status_code == 200
    return {obj.pk for obj, _values in r.context["rows"]}


def api_ids(client: Any, slug: str, app: str = "org") -> set[int]:
    r = client.get(api(slug, app=app), {"page_size": 500})
    assert r.status_code == 200, r.json()
    return {row["id"] for row in r.json()["results"]}


def assert_no_audit_access(user: Any, team: Team) -> None:
    c = ui_client(user)
    assert c.get("/audit/").status_code == 403
    assert c.get("/audit/", {"format": "csv"}).status_code == 403
    assert c.get(ui("history", team, slug="team")).status_code == 403
    assert api_client(user).get(reverse("core-auditrecord-list")).status_code == 403


def assert_audit_access(user: Any, team: Team) -> None:
    c = ui_client(user)
    assert c.get("/audit/").status_code == 200
    assert c.get(ui("history", team, slug="team")).status_code == 200
    assert api_client(user).get(reverse("core-auditrecord-list")).status_code == 200


def new_account_data() -> dict[str, Any]:
    n = User.objects.count() + 1
    return {
        "username": f"new{n}",
        "email": f"new{n}@example.org",
        "is_active": "on",
        "password": STRONG_PASSWORD,
    }


# --- 系统管理员 -------------------------------------------------------------------------------
def test_sysadmin_manages_accounts_and_secadmin_grants_roles(world: World) -> None:
    """三权分立 (issue 8): the system administrator creates accounts (with no role); granting
    roles and editing roles is the security administrator's part."""
    admin = user_with_role("sysadmin", department=world.dept)
    c = ui_client(admin)
    for slug in ORG_PAGES:
        assert c.get(ui("list", slug=slug)).status_code == 200, slug
    assert c.get(ui("list", app="auth", slug="account")).status_code == 200

    r = c.post(ui("add", app="auth", slug="account"), new_account_data())
    assert r.status_code == 302
    account = User.objects.latest("pk")
    engineer = Role.objects.get(code="engineer")
    r = c.post(ui("add", slug="roleassignment"), {"user": account.pk, "role": engineer.pk})
    assert r.status_code == 403
    r = c.post(
        ui("add", slug="role"),
        {"code": "pm", "name": "项目经理", "scope": "team", "is_active": "on"},
    )
    assert r.status_code == 403
    assert not RoleAssignment.objects.filter(user=account).exists()

    sec = user_with_role("secadmin", department=world.dept)
    s = ui_client(sec)
    r = s.post(ui("add", slug="roleassignment"), {"user": account.pk, "role": engineer.pk})
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(user=account, role__code="engineer").exists()
    r = s.post(
        ui("add", slug="role"),
        {"code": "pm", "name": "项目经理", "scope": "team", "is_active": "on"},
    )
    assert r.status_code == 302

    a = api_client(admin)
    r = a.post(
        api("account", app="auth"),
        {"username": "viaapi", "password": STRONG_PASSWORD, "is_active": True},
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = a.patch(api("team", world.team), {"description": "由系统管理员维护"}, format="json")
    assert r.status_code == 200


def test_sysadmin_cannot_read_the_audit_trail_or_history(world: World) -> None:
    admin = user_with_role("sysadmin", department=world.dept)
    assert_no_audit_access(admin, world.team)
    r = ui_client(admin).get(ui("detail", world.team, slug="team"))
    assert r.status_code == 200
    assert not r.context["can_history"]
    assert b"tab-history" not in r.content
    assert api_client(admin).get(reverse("core-auditrecord-list")).json().get("results") is None
    assert denials(admin).filter(extra__permission="core.view_auditrecord").exists()


def test_sysadmin_cannot_grant_itself_the_audit_role(world: World) -> None:
    admin = user_with_role("sysadmin", department=world.dept)
    r = ui_client(admin).post(
        ui("add", slug="roleassignment"),
        {"user": admin.pk, "role": Role.objects.get(code="auditor").pk, "note": ""},
    )
    assert r.status_code in (403, 422)
    assert not RoleAssignment.objects.filter(user=admin, role__code="auditor").exists()


# --- 安全管理员 -------------------------------------------------------------------------------
def test_secadmin_cannot_manage_accounts(world: World) -> None:
    sec = user_with_role("secadmin", department=world.dept)
    c = ui_client(sec)
    assert c.get(ui("list", app="auth", slug="account")).status_code == 200
    assert c.get(ui("list", slug="role")).status_code == 200
    assert c.get(ui("list", slug="roleassignment")).status_code == 200
    before = User.objects.count()
    assert c.get(ui("add", app="auth", slug="account")).status_code == 403
    assert c.post(ui("add", app="auth", slug="account"), new_account_data()).status_code == 403
    target = UserFactory()
    assert c.post(ui("delete", target, app="auth", slug="account")).status_code == 404  # never
    r = c.post(
        ui("add", slug="roleassignment"),
        {"user": sec.pk, "role": Role.objects.get(code="sysadmin").pk},
    )
    assert r.status_code == 422  # grants roles (issue 8), never to themselves
    assert not RoleAssignment.objects.filter(user=sec, role__code="sysadmin").exists()
    assert c.get(ui("list", slug="person")).status_code == 403

    a = api_client(sec)
    r = a.post(
        api("account", app="auth"),
        {"username": "x1", "password": STRONG_PASSWORD},
        format="json",
    )
    assert r.status_code == 403
    assert a.patch(api("account", target, app="auth"), {"is_active": False}).status_code == 403
    assert a.delete(api("account", target, app="auth")).status_code == 405  # never deleted
    assert User.objects.count() == before + 1  # only the target made above
    assert_no_audit_access(sec, world.team)


# --- 审计员 -----------------------------------------------------------------------------------
def test_auditor_reads_everything(world: World) -> None:
    auditor = user_with_role("auditor", department=world.other_dept)
    c = ui_client(auditor)
    for slug in ORG_PAGES:
        assert c.get(ui("list", slug=slug)).status_code == 200, slug
    assert c.get(ui("list", app="auth", slug="account")).status_code == 200
    assert ui_person_ids(c) >= {world.teammate.pk, world.sibling.pk, world.stranger.pk}
    assert_audit_access(auditor, world.team)
    r = c.get("/audit/", {"format": "csv"})
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert AuditRecord.objects.filter(action=AuditAction.EXPORT, actor=auditor).exists()
    assert world.stranger.pk in api_ids(api_client(auditor), "person")


def test_auditor_changes_nothing(world: World) -> None:
    auditor = user_with_role("auditor", department=world.dept)
    c, a = ui_client(auditor), api_client(auditor)
    objs = {
        "department": world.other_dept,
        "team": world.other_team,
        "person": world.stranger,
        "role": Role.objects.get(code="engineer"),
        "roleassignment": RoleAssignment.objects.first(),
        "position": PositionFactory(),
    }
    for slug, obj in objs.items():
        assert c.post(ui("add", slug=slug), {"name": "x"}).status_code == 403, slug
        assert c.post(ui("edit", obj, slug=slug), {"name": "x"}).status_code == 403, slug
        assert c.post(ui("delete", obj, slug=slug)).status_code == 403, slug
        assert a.post(api(slug), {"name": "x"}, format="json").status_code == 403, slug
        assert a.put(api(slug, obj), {"name": "x"}, format="json").status_code == 403, slug
        assert a.patch(api(slug, obj), {"name": "x"}, format="json").status_code == 403, slug
        assert a.delete(api(slug, obj)).status_code == 403, slug
    account = UserFactory()
    assert c.post(ui("add", app="auth", slug="account"), new_account_data()).status_code == 403
    assert a.delete(api("account", account, app="auth")).status_code == 405  # never deleted
    # the audit trail itself has no write endpoint at all
    rec = AuditRecord.objects.first()
    assert rec is not None
    assert a.delete(f"{reverse('core-auditrecord-list')}{rec.seq}/").status_code in (403, 405)
    assert AuditRecord.objects.filter(pk=rec.pk).exists()
    for obj in objs.values():
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert denials(auditor).count() >= len(objs) * 7


# --- 主任 -------------------------------------------------------------------------------------
def test_director_manages_org_data_but_not_accounts_or_the_audit_trail(world: World) -> None:
    director = user_with_role("director", department=world.dept)
    c, a = ui_client(director), api_client(director)
    assert ui_person_ids(c) >= {world.teammate.pk, world.sibling.pk, world.stranger.pk}
    r = c.post(
        ui("edit", world.stranger, slug="person"),
        {
            "name": "改名",
            "employee_no": world.stranger.employee_no,
            "department": world.stranger.department_id,
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    assert a.patch(api("team", world.team), {"description": "x"}, format="json").status_code == 200
    assert c.get(ui("list", slug="role")).status_code == 200  # sees roles, may not change them
    assert c.get(ui("list", app="auth", slug="account")).status_code == 403
    assert c.post(ui("add", app="auth", slug="account"), new_account_data()).status_code == 403
    assert c.post(ui("add", slug="role"), {"code": "x", "name": "x"}).status_code == 403
    assert c.get("/audit/").status_code == 403
    assert c.get(ui("history", world.team, slug="team")).status_code == 200
    assert a.get(reverse("core-auditrecord-list")).status_code == 403


# --- 组长 / 工程师 ----------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["team_lead", "engineer"])
def test_team_roles_see_their_own_team_only(world: World, code: str) -> None:
    user = user_with_role(code, team=world.team)
    c, a = ui_client(user), api_client(user)
    me = user.person
    seen = ui_person_ids(c)
    assert {world.teammate.pk, me.pk} <= seen
    assert world.sibling.pk not in seen
    assert world.stranger.pk not in seen
    assert api_ids(a, "person") == seen
    assert c.get(ui("detail", world.teammate, slug="person")).status_code == 200
    assert c.get(ui("detail", world.sibling, slug="person")).status_code == 404
    assert a.get(api("person", world.stranger)).status_code == 404
    assert api_ids(a, "team") == {world.team.pk}
    # reading only: no change even inside the team
    assert c.post(ui("delete", world.teammate, slug="person")).status_code == 403
    assert a.patch(api("person", world.teammate), {"phone": "1"}, format="json").status_code == 403
    assert a.post(api("person"), {"name": "x"}, format="json").status_code == 403
    # no accounts, roles or audit trail; history of what they see
    assert c.get(ui("list", app="auth", slug="account")).status_code == 403
    assert c.get(ui("list", slug="role")).status_code == 403
    assert c.get("/audit/").status_code == 403
    assert c.get(ui("history", world.team, slug="team")).status_code == 200
    assert c.get(ui("history", world.other_team, slug="team")).status_code == 404


def test_team_lead_sees_the_team_they_lead(world: World) -> None:
    lead = user_with_role("team_lead", department=world.dept)
    world.sibling_team.lead = lead.person
    world.sibling_team.save()
    seen = ui_person_ids(ui_client(lead))
    assert world.sibling.pk in seen
    assert world.stranger.pk not in seen


# --- 申请人 -----------------------------------------------------------------------------------
def test_requester_sees_their_departments_people_and_changes_nothing(world: World) -> None:
    user = user_with_role("requester", department=world.other_dept)
    c, a = ui_client(user), api_client(user)
    mine = {user.person.pk, world.stranger.pk}
    assert ui_person_ids(c) == mine
    assert api_ids(a, "person") == mine
    assert c.get(ui("detail", world.stranger, slug="person")).status_code == 200
    assert c.get(ui("detail", world.teammate, slug="person")).status_code == 404
    assert a.get(api("person", world.teammate)).status_code == 404
    for slug in ["department", "team", "position", "role", "roleassignment"]:
        assert c.get(ui("list", slug=slug)).status_code == 403, slug
        assert a.get(api(slug)).status_code == 403, slug
    assert a.patch(api("person", user.person), {"phone": "1"}, format="json").status_code == 403
    assert_no_audit_access(user, world.team)
    assert Person.objects.get(pk=user.person.pk).phone == ""


def test_separation_of_duties_holds_for_roles_and_people(world: World) -> None:
    from django.core.exceptions import ValidationError

    from netdept.org.services import RoleAssignmentService, RoleService

    sec = user_with_role("secadmin", department=world.dept)  # grants roles (issue 8)
    other = UserFactory()
    RoleAssignment.objects.create(user=other, role=Role.objects.get(code="auditor"))
    # Nobody else may be given account administration on top of audit rights …
    with pytest.raises(ValidationError, match="三权分立"):
        RoleAssignmentService().create(
            sec, {"user": other, "role": Role.objects.get(code="sysadmin")}
        )
    # … a role may not combine them …
    sysadmin_role = Role.objects.get(code="sysadmin")
    audit_perm = Role.objects.get(code="auditor").permissions.filter(codename="view_auditrecord")
    with pytest.raises(ValidationError):
        RoleService().create(
            sec,
            {
                "code": "super",
                "name": "super",
                "scope": "all",
                "permissions": [*sysadmin_role.permissions.all(), *audit_perm],
            },
        )
    # … and nobody edits a role they hold.
    with pytest.raises(ValidationError):
        RoleService().update(sec, Role.objects.get(code="secadmin"), {"description": "x"})


def test_editing_keeps_links_the_editor_cannot_see(world: World) -> None:
    """A director edits a person's phone; the person's login (accounts are not the director's
    to see) must stay linked."""
    director = user_with_role("director", department=world.dept)
    login = UserFactory()
    world.teammate.user = login
    world.teammate.save()
    c = ui_client(director)
    form = c.get(ui("edit", world.teammate, slug="person"))
    assert form.status_code == 200
    data = {
        "name": world.teammate.name,
        "employee_no": world.teammate.employee_no,
        "department": world.dept.pk,
        "team": world.team.pk,
        "phone": "13800138123",
        "user": login.pk,
        "is_active": "on",
    }
    r = c.post(ui("edit", world.teammate, slug="person"), data)
    assert r.status_code == 302, r.content.decode()[:500]
    world.teammate.refresh_from_db()
    assert world.teammate.phone == "13800138123"
    assert world.teammate.user_id == login.pk
