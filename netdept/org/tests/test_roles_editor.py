"""The role editor people can read (issue 10, point 4): permissions grouped by module and model
with translated labels, a grid of actions, a plain-language summary, the built-in roles
explained — and 三员 holding through the new form: nobody grants, through it, rights they do
not hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from netdept.accounts.models import UserProfile
from netdept.core import permissions
from netdept.core.permlabels import (
    describe,
    grid,
    labels_for,
    offered_permissions,
    permission_label,
)
from netdept.org.models import Role, RoleAssignment
from netdept.org.roles import BUILTIN_ROLES, PRIVILEGED
from netdept.org.services import SEPARATED_DUTIES
from netdept.org.views_roles import join_words, summarize
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, user_with_role

pytestmark = pytest.mark.django_db
User = get_user_model()


def perm(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.select_related("content_type").get(
        content_type__app_label=app_label, codename=codename
    )


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def perm_ids(r: Role) -> set[int]:
    return set(Role.objects.get(pk=r.pk).permissions.values_list("pk", flat=True))


def held(user: Any) -> set[str]:
    permissions.forget(user)
    return set(permissions._load(user).scopes)


def client(user: Any, language: str = "zh-hans") -> Any:
    """A signed-in client speaking ``language`` (the user's own choice wins over the browser's)."""
    profile = UserProfile.objects.get_or_create(user=user)[0]
    profile.language = language
    profile.save()
    return ui_client(user)


def role_url(view: str, obj: Any = None) -> str:
    return reverse(f"org:role_{view}", args=[obj.pk] if obj is not None else [])


def form_data(r: Role | None = None, perms: Any = (), **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": r.code if r else "newrole",
        "name": r.name if r else "新角色",
        "description": r.description if r else "",
        "scope": r.scope if r else "team",
        "permissions": [p if isinstance(p, int) else p.pk for p in perms],
    }
    if r is None or r.is_active:
        data["is_active"] = "on"
    if r is not None and r.require_2fa:
        data["require_2fa"] = "on"
    data.update(changes)
    return data


# --- labels ------------------------------------------------------------------------------------
def test_permission_labels_are_translated() -> None:
    with translation.override("zh-hans"):
        assert permission_label(perm("workorders.view_internal_comment")) == "工单 · 查看内部备注"
        assert permission_label(perm("workorders.add_workorder")) == "工单 · 新建"
        assert permission_label(perm("core.view_history")) == "对象历史 · 查看"
        assert permission_label(perm("auth.add_user")) == "登录账号 · 新建"
        assert describe(perm("auth.add_user")).module_label == "账号与登录安全"
        assert describe(perm("workorders.view_comment")).module_label == "工单"
    with translation.override("en"):
        label = permission_label(perm("workorders.view_internal_comment"))
        assert label == "Work order · view internal notes"
        assert permission_label(perm("org.change_team")) == "Team · change"
        assert permission_label(perm("core.export_auditrecord")) == "Audit record · export"
    ids = [perm("org.view_team").pk, perm("org.add_team").pk]
    with translation.override("en"):
        assert labels_for(ids) == ["Team · add", "Team · view"]


def test_an_unnamed_custom_permission_shows_its_stored_name() -> None:
    team = perm("org.view_team").content_type
    odd = Permission.objects.create(content_type=team, codename="approve_team", name="Approve")
    info = describe(odd)
    assert (info.action, info.standard) == ("approve", False)
    with translation.override("en"):
        assert permission_label(odd) == "Team · Approve"
    placed = grid([odd, perm("org.view_team")])
    assert [p.name for p in placed[0].rows[0].others] == ["org.approve_team"]


def test_the_editor_offers_netdepts_permissions_only() -> None:
    offered = {f"{p.content_type.app_label}.{p.codename}" for p in offered_permissions()}
    assert {"workorders.view_internal_comment", "auth.add_user", "core.view_history"} <= offered
    assert {"workcal.change_workcalendar", "accounts.change_securitypolicy"} <= offered
    for internal in ("auth.add_group", "auth.view_permission", "sessions.view_session"):
        assert internal not in offered
    assert not any(name.startswith(("contenttypes.", "otp_totp.")) for name in offered)


def test_the_grid_groups_by_module_then_model_with_action_columns() -> None:
    with translation.override("zh-hans"):
        modules = grid(offered_permissions())
    keys = [m.key for m in modules]
    assert keys.index("workorders") < keys.index("org") < keys.index("accounts")
    assert keys[-1] == "core"  # the kernel last, the department's work first
    assert "auth" not in keys  # login accounts belong to the accounts module
    orders = next(m for m in modules if m.key == "workorders")
    assert orders.label == "工单"
    assert orders.actions == ["view", "add", "change", "delete"]
    comment = next(r for r in orders.rows if r.key == "workorders.comment")
    assert set(comment.cells) == {"view", "add", "change", "delete"}
    assert [p.short_label for p in comment.others] == ["工单 · 查看内部备注"]
    accounts = next(m for m in modules if m.key == "accounts")
    assert accounts.rows[0].key == "auth.user" and accounts.rows[0].label == "登录账号"
    core = modules[-1]
    audit = core.rows[0]
    assert set(audit.cells) == {"view", "export"} and core.actions == ["view", "export"]
    assert [p.label for p in audit.others] == ["对象历史 · 查看"]
    # every offered permission is in the grid exactly once
    placed = [p.pk for m in modules for p in m.perms]
    assert sorted(placed) == sorted(offered_permissions().values_list("pk", flat=True))


# --- the plain-language summary ----------------------------------------------------------------
def test_summary_of_the_engineer_in_plain_words() -> None:
    with translation.override("en"):
        s = summarize(role("engineer"))
    assert s.scope == "Reaches the rows of the holder's own team and of the teams they lead."
    assert "seen whole" in s.scope_note
    orders = next(m for m in s.modules if m.label == "Work orders")
    lines = {line.verbs: line.objects for line in orders.lines}
    assert "work orders" in lines["View, add and change"]
    assert "comments" in lines["View, add and change"]
    assert "categories" in lines["View"]  # configuration: read, never written
    assert orders.also == ["Work order · view internal notes"]
    assert not s.duties
    assert "Reads only: this role changes nothing." not in s.notes


def test_summary_of_the_privileged_roles_names_their_duty() -> None:
    with translation.override("en"):
        sec, aud = summarize(role("secadmin")), summarize(role("auditor"))
        sysadmin = summarize(role("sysadmin"))
        assert [label for label, _text in sec.duties] == ["Security"]
        assert [label for label, _text in aud.duties] == ["Audit"]
        assert [label for label, _text in sysadmin.duties] == ["Account administration"]
        assert "Reads only: this role changes nothing." in aud.notes
        assert any("built-in privileged role" in n for n in sec.notes)
        people = next(m for m in sysadmin.modules if m.label == "Organisation")
        manage = people.lines[0]
        assert manage.verbs == "Manage (view, add, change, delete)"
        assert manage.objects == "departments, teams, positions and people"
    with translation.override("zh-hans"):
        assert join_words(["工单", "评论", "附件"]) == "工单、评论和附件"
        s = summarize(role("requester"))
        assert s.scope.startswith("可")
        assert [m.label for m in s.modules] == ["工单", "审批", "组织机构"]


def test_summary_of_an_empty_role() -> None:
    r = Role.objects.create(code="empty", name="空", scope="own", is_active=False)
    with translation.override("en"):
        s = summarize(r)
    assert s.modules == [] and s.count == 0
    assert "This role grants no rights." in s.notes
    assert any(n.startswith("Switched off") for n in s.notes)


# --- the pages ---------------------------------------------------------------------------------
def test_role_page_says_what_the_role_can_do_in_chinese() -> None:
    sec = user_with_role("secadmin")
    engineer = role("engineer")
    user_with_role("engineer")
    c = client(sec, "zh-hans")
    r = c.get(role_url("detail", engineer))
    assert r.status_code == 200
    html = r.content.decode()
    assert "这个角色能做什么" in html
    assert "工单 · 查看内部备注" in html
    assert 'data-nd-builtin="engineer"' in html
    assert "Can view" not in html and "Can see" not in html  # no raw permission names
    assert f"?role={engineer.pk}" in html and "1 个账号持有" in html  # its holders


def test_role_list_explains_the_built_in_roles() -> None:
    c = client(user_with_role("secadmin"), "en")
    r = c.get(role_url("list"))
    html = r.content.decode()
    assert r.status_code == 200
    for spec in BUILTIN_ROLES:
        assert f'id="builtin-{spec.code}"' in html
        assert str(spec.explanation)[:40] in html


def test_editor_shows_the_grid_with_search_and_select_all() -> None:
    c = ui_client(user_with_role("secadmin"))
    r = c.get(role_url("add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    html = r.content.decode()
    assert "org/roles.js" in html and "<script>" not in html  # no inline script (CSP)
    assert "data-nd-perm-search" in html
    assert html.count('data-nd-perm-toggle="module"') == len(grid(offered_permissions()))
    assert 'data-nd-perm-toggle="col" data-action="view"' in html
    assert 'aria-label="工单 · 查看内部备注"' not in html  # a custom one is labelled in its cell
    assert ">工单 · 查看内部备注</label>" in html
    assert 'data-duty="audit"' in html and 'data-duty="security"' in html
    expected = offered_permissions().count()
    assert html.count('name="permissions"') == expected


def test_secadmin_builds_a_role_with_the_grid() -> None:
    sec = user_with_role("secadmin")
    c = client(sec, "en")
    chosen = [perm("workorders.view_workorder"), perm("workorders.view_internal_comment")]
    r = c.post(role_url("add"), form_data(perms=chosen, code="night", name="夜班"))
    assert r.status_code == 302, r.content.decode()[:2000]
    night = role("night")
    assert perm_ids(night) == {p.pk for p in chosen}
    page = c.get(role_url("detail", night)).content.decode()
    assert "Work order · view internal notes" in page
    assert "View: work orders" in page


def test_saving_keeps_what_the_grid_does_not_offer() -> None:
    """A role holding a permission outside the editor's offer (left by an older version or
    a library) keeps it when its other fields are saved: the form never drops it silently."""
    sec = user_with_role("secadmin")
    director = role("director")
    stray = perm("sessions.view_session")
    director.permissions.add(stray)
    before = perm_ids(director)
    assert perm("workcal.view_workcalendar").pk in before
    c = ui_client(sec)
    page = c.get(role_url("edit", director))
    assert page.status_code == 200
    field = page.context["form"].fields["permissions"]
    assert stray in field.queryset
    r = c.post(role_url("edit", director), form_data(director, before, description="主任"))
    assert r.status_code == 302
    assert perm_ids(director) == before


def test_an_htmx_post_with_errors_gets_the_editor_back() -> None:
    c = ui_client(user_with_role("secadmin"))
    r = c.post(role_url("add"), form_data(code="", name=""), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith("<form") and "data-nd-perm-editor" in html


# --- 三员 through the new form --------------------------------------------------------------------
def test_secadmin_cannot_widen_their_own_role_through_the_editor() -> None:
    sec = user_with_role("secadmin", department=DepartmentFactory())
    secadmin = role("secadmin")
    before = perm_ids(secadmin)
    audit = [perm("core.view_auditrecord").pk, perm("auth.add_user").pk]
    c = ui_client(sec)
    r = c.post(role_url("edit", secadmin), form_data(secadmin, [*before, *audit]))
    assert r.status_code == 422
    assert perm_ids(secadmin) == before
    assert held(sec) == {
        f"{p.content_type.app_label}.{p.codename}" for p in secadmin.permissions.all()
    }


def test_a_role_combining_separated_duties_is_refused_in_the_editor() -> None:
    c = client(user_with_role("secadmin"), "en")
    for first, second in [("security", "audit"), ("accounts", "audit"), ("accounts", "security")]:
        names = [sorted(SEPARATED_DUTIES[first])[0], sorted(SEPARATED_DUTIES[second])[0]]
        r = c.post(
            role_url("add"),
            form_data(perms=[perm(n) for n in names], code=f"x-{first}-{second}"),
        )
        assert r.status_code == 422, names
        assert "permissions" in r.context["form"].errors
        html = r.content.decode()
        assert "Separation of duties" in html and 'data-field="permissions"' in html
        assert not Role.objects.filter(code=f"x-{first}-{second}").exists()


def test_a_forged_post_cannot_add_what_the_editor_does_not_offer() -> None:
    c = ui_client(user_with_role("secadmin"))
    forged = [perm("auth.add_group"), perm("auth.change_permission")]
    r = c.post(role_url("add"), form_data(perms=forged, code="forged"))
    assert r.status_code == 422
    assert "permissions" in r.context["form"].errors
    assert not Role.objects.filter(code="forged").exists()


def test_privileged_roles_are_read_only_in_the_editor() -> None:
    sec = user_with_role("secadmin")
    auditor = role("auditor")
    before = perm_ids(auditor)
    c = ui_client(sec)
    page = c.get(role_url("edit", auditor))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-nd-builtin="auditor"' in html
    boxes = html.count('name="permissions"')
    field = page.context["form"].fields["permissions"]
    assert field.disabled and boxes == field.queryset.count()
    assert html.count(" disabled") >= boxes
    extra = [perm("org.change_person").pk, perm("auth.add_user").pk]
    c.post(role_url("edit", auditor), form_data(auditor, [*before, *extra], scope="own"))
    auditor.refresh_from_db()
    assert perm_ids(auditor) == before and auditor.scope == "all"


@pytest.mark.parametrize("code", [spec.code for spec in BUILTIN_ROLES])
def test_no_one_grants_through_the_editor_rights_they_lack(code: str) -> None:
    """Whatever role one person holds, using the new editor (a new role with every permission
    it offers, every existing role widened to all of them, a forged post with every
    permission there is) and then the grant form, no account they control — their own, or
    one they can create — ends up with a right they lack."""
    dept = DepartmentFactory()
    actor = user_with_role(code, department=dept)
    if code != "secadmin":
        user_with_role("secadmin", department=dept)  # the roles' keeper exists
    mine = held(actor)
    own_roles = {a.role_id: perm_ids(a.role) for a in RoleAssignment.objects.filter(user=actor)}
    c = ui_client(actor)
    everything = list(offered_permissions().values_list("pk", flat=True))
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    c.post(role_url("add"), form_data(perms=everything, code=f"grab-{code}", scope="all"))
    c.post(role_url("add"), form_data(perms=every_permission, code=f"grab2-{code}", scope="all"))
    for r in Role.objects.exclude(code__startswith="grab"):
        c.post(role_url("edit", r), form_data(r, everything, scope="all"))
    # the accounts the actor controls: their own and any they can create with a password
    c.post(
        reverse("auth:account_add"),
        {"username": f"sock-{code}", "password": "Xy-12345678ab", "is_active": "on"},
    )
    controlled = [actor, *User.objects.filter(username=f"sock-{code}")]
    for account in controlled:
        for r in Role.objects.all():
            c.post(reverse("org:roleassignment_add"), {"user": account.pk, "role": r.pk})
    assert held(actor) == mine
    for account in controlled[1:]:
        assert not (held(account) - mine), (code, sorted(held(account) - mine)[:5])
    for role_id, perms in own_roles.items():
        assert perm_ids(Role.objects.get(pk=role_id)) == perms  # nobody edits a role they hold
    for spec in BUILTIN_ROLES:
        if spec.code in PRIVILEGED:
            assert role(spec.code).scope == "all"


def test_without_the_right_to_change_roles_the_editor_is_refused() -> None:
    director = user_with_role("director")
    engineer = role("engineer")
    before = perm_ids(engineer)
    c = ui_client(director)
    assert c.get(role_url("detail", engineer)).status_code == 200  # reads roles
    assert c.get(role_url("edit", engineer)).status_code == 403
    r = c.post(role_url("edit", engineer), form_data(engineer, [*before, perm("auth.add_user").pk]))
    assert r.status_code == 403
    assert perm_ids(engineer) == before


def test_role_pages_read_a_bounded_number_of_queries(django_assert_max_num_queries: Any) -> None:
    c = ui_client(user_with_role("secadmin"))
    director = role("director")
    c.get(role_url("detail", director))  # warm the session and the caches
    with django_assert_max_num_queries(30):
        assert c.get(role_url("detail", director)).status_code == 200
    with django_assert_max_num_queries(30):
        assert c.get(role_url("edit", director)).status_code == 200


# --- the API: the same offer, and the labels --------------------------------------------------
def test_the_api_answers_labels_and_offers_what_the_editor_offers() -> None:
    sec = user_with_role("secadmin")
    UserProfile.objects.update_or_create(user=sec, defaults={"language": "zh-hans"})
    a = api_client(sec)
    engineer = role("engineer")
    r = a.get(reverse("org-role-detail", args=[engineer.pk]))
    assert r.status_code == 200
    assert "工单 · 查看内部备注" in r.json()["permission_labels"]
    listed = a.get(reverse("org-role-list"), {"page_size": 50}).json()["results"]
    assert {row["code"] for row in listed} >= {spec.code for spec in BUILTIN_ROLES}
    assert all(row["permission_labels"] for row in listed)
    night = Role.objects.create(code="night", name="夜班", scope="team")
    r = a.patch(
        reverse("org-role-detail", args=[night.pk]),
        {"permissions": [perm("auth.add_group").pk]},
        format="json",
    )
    assert r.status_code == 400 and "permissions" in r.json()
    r = a.patch(
        reverse("org-role-detail", args=[night.pk]),
        {"permissions": [perm("workorders.view_workorder").pk]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["permission_labels"] == ["工单 · 查看"]
    # a role keeps, through the API too, a permission it holds outside the offer
    stray = perm("sessions.view_session")
    night.permissions.add(stray)
    r = a.patch(
        reverse("org-role-detail", args=[night.pk]),
        {"permissions": [stray.pk, perm("workorders.view_workorder").pk]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    # and the 三员 rules answer through the API as through the form
    mixed = [perm("org.add_roleassignment").pk, perm("core.view_auditrecord").pk]
    r = a.patch(reverse("org-role-detail", args=[night.pk]), {"permissions": mixed}, format="json")
    assert r.status_code == 400 and "permissions" in r.json()


# --- copying a role, and what a save changed ---------------------------------------------------
def test_a_new_role_starts_from_a_copy() -> None:
    sec = user_with_role("secadmin")
    c = client(sec, "en")
    engineer = role("engineer")
    detail = c.get(role_url("detail", engineer)).content.decode()
    assert f"/org/role/add/?copy={engineer.pk}" in detail
    page = c.get(role_url("add"), {"copy": engineer.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nd-role-copy-of"' in html
    checked = html.count(" checked")
    assert checked >= engineer.permissions.count()  # the grid starts ticked as the engineer
    form = page.context["form"]
    assert form["scope"].value() == "team"
    assert sorted(form["permissions"].value()) == sorted(perm_ids(engineer))
    # a role the user may not see, or nonsense, starts empty
    for bad in ("999999", "x", ""):
        form = c.get(role_url("add"), {"copy": bad}).context["form"]
        assert not form["permissions"].value()
    # the director reads roles but may not add one: no copy button
    director_page = client(user_with_role("director"), "en").get(role_url("detail", engineer))
    assert "nd-role-copy" not in director_page.content.decode()


def test_saving_says_what_the_role_now_grants_and_no_longer_grants() -> None:
    sec = user_with_role("secadmin")
    c = client(sec, "en")
    night = Role.objects.create(code="night", name="夜班", scope="team")
    night.permissions.add(perm("workorders.view_workorder"), perm("workorders.add_workorder"))
    keep = [perm("workorders.view_workorder"), perm("workorders.view_internal_comment")]
    r = c.post(role_url("edit", night), form_data(night, keep), follow=True)
    assert r.status_code == 200
    texts = [str(m) for m in r.context["messages"]]
    assert "Now also grants: Work order · view internal notes" in texts
    assert "No longer grants: Work order · add" in texts
    every = list(offered_permissions().exclude(content_type__app_label__in=["auth", "core"]))
    every = [p for p in every if not p.codename.endswith(("role", "roleassignment", "grant"))]
    every = [p for p in every if p.codename != "change_securitypolicy"]
    r = c.post(role_url("edit", night), form_data(night, every), follow=True)
    texts = [str(m) for m in r.context["messages"]]
    assert any(t.startswith("Now also grants:") and t.endswith("more") for t in texts), texts
