"""三权分立 cannot be bypassed by one person (issue 8, point 1).

One test per bypass an independent tester found, each through the API and the pages:

1. the system administrator creates an account and gives it the auditor role;
2. … adds write permissions to the built-in auditor role;
3. … switches off the auditor role's 2FA;
4. … resets the auditor's password;
5. … deletes the auditor's, the security administrator's and their own account.

Then the invariant itself ("no single person can produce an account holding rights they do
not hold"), tried with every built-in role, the grants that let a privileged account be
managed, the last holder of a privileged role, the auditors' notifications, and the upgrade of
an existing database.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from netdept.accounts.models import UserProfile
from netdept.core import permissions
from netdept.core.tests.notify_helpers import make_channel
from netdept.notify.models import Delivery, InboxMessage
from netdept.org.models import AccountGrant, Role, RoleAssignment
from netdept.org.roles import BUILTIN_ROLES, PRIVILEGED, _split, sync_builtin_roles
from netdept.org.services import AccountService, RoleAssignmentService, RoleService
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Xy-12345678ab"
NEW_PASSWORD = "Zq-98765432cd"


@dataclass
class Admins:
    sysadmin: Any
    secadmin: Any
    auditor: Any

    def clients(self, who: str) -> tuple[Client, APIClient]:
        user = getattr(self, who)
        return ui_client(user), api_client(user)


@pytest.fixture
def admins() -> Admins:
    dept = DepartmentFactory()
    return Admins(
        sysadmin=user_with_role("sysadmin", department=dept),
        secadmin=user_with_role("secadmin", department=dept),
        auditor=user_with_role("auditor", department=dept),
    )


def account_ui(view: str, obj: Any = None) -> str:
    return reverse(f"auth:account_{view}", args=[obj.pk] if obj is not None else [])


def account_api(obj: Any = None) -> str:
    if obj is None:
        return reverse("auth-account-list")
    return reverse("auth-account-detail", args=[obj.pk])


def org_ui(slug: str, view: str, obj: Any = None) -> str:
    return reverse(f"org:{slug}_{view}", args=[obj.pk] if obj is not None else [])


def org_api(slug: str, obj: Any = None) -> str:
    if obj is None:
        return reverse(f"org-{slug}-list")
    return reverse(f"org-{slug}-detail", args=[obj.pk])


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def perm_ids(r: Role) -> set[int]:
    return set(Role.objects.get(pk=r.pk).permissions.values_list("pk", flat=True))


def rule_perm_ids(code: str) -> set[int]:
    spec = next(s for s in BUILTIN_ROLES if s.code == code)
    return {
        p.pk for p in Permission.objects.select_related("content_type") if spec.rule(*_split(p))
    }


def held(user: Any) -> set[str]:
    permissions.forget(user)
    return set(permissions._load(user).scopes)


def grant(by: Any, account: Any, action: str) -> AccountGrant:
    r = api_client(by).post(
        org_api("accountgrant"),
        {"account": account.pk, "action": action, "note": "工单 #12：忘记密码"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return AccountGrant.objects.get(pk=r.json()["id"])


def account_form(user: Any, **changes: Any) -> dict[str, Any]:
    data = {"username": user.username, "email": user.email, "is_active": "on", "password": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


# --- 1. the sysadmin gives a new account the auditor role ---------------------------------------
def test_sysadmin_cannot_create_an_account_and_make_it_an_auditor(admins: Admins) -> None:
    c, a = admins.clients("sysadmin")
    auditor = role("auditor")
    # pages: the account is created (empty), the grant is refused
    assert (
        c.post(
            account_ui("add"), {"username": "ghost1", "password": PASSWORD, "is_active": "on"}
        ).status_code
        == 302
    )
    ghost1 = User.objects.get(username="ghost1")
    r = c.post(org_ui("roleassignment", "add"), {"user": ghost1.pk, "role": auditor.pk})
    assert r.status_code == 403
    # API: the same
    r = a.post(account_api(), {"username": "ghost2", "password": PASSWORD}, format="json")
    assert r.status_code == 201
    ghost2 = User.objects.get(username="ghost2")
    r = a.post(org_api("roleassignment"), {"user": ghost2.pk, "role": auditor.pk}, format="json")
    assert r.status_code == 403
    # … nor itself, nor by changing an existing assignment to the auditor role
    mine = RoleAssignment.objects.get(user=admins.sysadmin)
    r = a.patch(org_api("roleassignment", mine), {"role": auditor.pk}, format="json")
    assert r.status_code == 403
    r = c.post(
        org_ui("roleassignment", "edit", mine), {"user": admins.sysadmin.pk, "role": auditor.pk}
    )
    assert r.status_code == 403
    assert not RoleAssignment.objects.filter(user__in=[ghost1, ghost2]).exists()
    assert held(ghost1) == held(ghost2) == set()
    assert not RoleAssignment.objects.filter(user=admins.sysadmin, role=auditor).exists()


# --- 2. write permissions added to the auditor role ----------------------------------------------
def test_nobody_widens_the_auditor_role(admins: Admins) -> None:
    auditor = role("auditor")
    before = perm_ids(auditor)
    write = Permission.objects.get(content_type__app_label="org", codename="change_person")
    wanted = [*before, write.pk]
    form = {"code": "auditor", "name": auditor.name, "scope": "all", "permissions": wanted}
    for who in ("sysadmin", "auditor"):
        c, a = admins.clients(who)
        assert c.post(org_ui("role", "edit", auditor), form).status_code == 403, who
        r = a.patch(org_api("role", auditor), {"permissions": wanted}, format="json")
        assert r.status_code == 403, who
    c, a = admins.clients("secadmin")
    r = a.patch(org_api("role", auditor), {"permissions": wanted}, format="json")
    assert r.status_code == 400
    assert "permissions" in r.json()
    r = a.put(
        org_api("role", auditor),
        {**form, "description": "", "require_2fa": False, "is_active": True},
        format="json",
    )
    assert r.status_code == 400
    # the page shows the rule as fixed and ignores a forged post
    page = c.get(org_ui("role", "edit", auditor))
    assert page.context["form"].fields["permissions"].disabled
    r = c.post(org_ui("role", "edit", auditor), {**form, "is_active": "on"})
    assert r.status_code in (302, 422)
    assert perm_ids(auditor) == before
    # … nor merged with another privileged role's rights, nor deleted, nor renamed in code
    sysadmin_perms = list(role("sysadmin").permissions.values_list("pk", flat=True))
    r = a.patch(
        org_api("role", auditor), {"permissions": [*before, *sysadmin_perms]}, format="json"
    )
    assert r.status_code == 400
    r = a.patch(org_api("role", auditor), {"code": "auditor2", "scope": "own"}, format="json")
    assert r.status_code == 400 and {"code", "scope"} <= set(r.json())
    assert a.delete(org_api("role", auditor)).status_code == 400
    assert c.post(org_ui("role", "delete", auditor)).status_code == 302
    assert Role.objects.filter(code="auditor", scope="all").exists()
    assert perm_ids(auditor) == before == rule_perm_ids("auditor")
    # the name and description stay editable
    r = a.patch(org_api("role", auditor), {"description": "内审"}, format="json")
    assert r.status_code == 200, r.json()


# --- 3. the auditor role's 2FA switched off ----------------------------------------------------
def test_nobody_switches_off_the_2fa_of_a_privileged_role(admins: Admins) -> None:
    Role.objects.filter(code__in=PRIVILEGED).update(require_2fa=True)  # the production default
    # the sessions of the test clients are not verified: keep the actors' own roles usable
    Role.objects.filter(code__in=["sysadmin", "secadmin"]).update(require_2fa=False)
    auditor = role("auditor")
    form = {
        "code": "auditor",
        "name": auditor.name,
        "scope": "all",
        "permissions": list(perm_ids(auditor)),
        "is_active": "on",  # require_2fa unticked
    }
    c, a = admins.clients("sysadmin")
    assert c.post(org_ui("role", "edit", auditor), form).status_code == 403
    assert a.patch(org_api("role", auditor), {"require_2fa": False}).status_code == 403
    c, a = admins.clients("secadmin")
    r = a.patch(org_api("role", auditor), {"require_2fa": False}, format="json")
    assert r.status_code == 400
    assert "require_2fa" in r.json()
    r = c.post(org_ui("role", "edit", auditor), form)
    assert r.status_code in (302, 422)
    assert role("auditor").require_2fa
    with pytest.raises(ValidationError):
        RoleService().update(admins.secadmin, role("auditor"), {"require_2fa": False})
    assert role("auditor").require_2fa


# --- 4. the auditor's password reset ------------------------------------------------------------
def test_sysadmin_cannot_reset_the_auditors_password(admins: Admins) -> None:
    auditor = admins.auditor
    old = User.objects.get(pk=auditor.pk).password
    c, a = admins.clients("sysadmin")
    r = a.patch(account_api(auditor), {"password": NEW_PASSWORD}, format="json")
    assert r.status_code == 400
    assert "password" in r.json()
    r = c.post(account_ui("edit", auditor), account_form(auditor, password=NEW_PASSWORD))
    assert r.status_code == 422
    assert "password" in r.context["form"].errors
    # nor the security administrator's, nor their own through account management
    for target in (admins.secadmin, admins.sysadmin):
        r = a.patch(account_api(target), {"password": NEW_PASSWORD}, format="json")
        assert r.status_code == 400, target
    # the security administrator cannot reset passwords at all
    c2, a2 = admins.clients("secadmin")
    assert a2.patch(account_api(auditor), {"password": NEW_PASSWORD}).status_code == 403
    assert c2.post(account_ui("edit", auditor), account_form(auditor)).status_code == 403
    assert User.objects.get(pk=auditor.pk).password == old


def test_a_privileged_password_is_reset_on_the_secadmins_grant_and_the_auditors_hear(
    admins: Admins,
) -> None:
    mail = make_channel("email")
    admins.auditor.email = "auditor@example.org"
    admins.auditor.save()
    target = admins.secadmin
    # nobody grants for their own account, and only the security administrator grants
    r = api_client(target).post(
        org_api("accountgrant"),
        {"account": target.pk, "action": "reset_password", "note": "x"},
        format="json",
    )
    assert r.status_code == 400 and "account" in r.json()
    r = api_client(admins.sysadmin).post(
        org_api("accountgrant"),
        {"account": admins.auditor.pk, "action": "reset_password", "note": "x"},
        format="json",
    )
    assert r.status_code == 403
    second = user_with_role("secadmin")
    g = grant(second, target, "reset_password")
    assert g.granted_by == second and g.used_at is None
    c, a = admins.clients("sysadmin")
    r = a.patch(account_api(target), {"password": NEW_PASSWORD}, format="json")
    assert r.status_code == 200, r.json()
    g.refresh_from_db()
    assert g.used_at is not None
    assert User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)
    # used once: the next reset needs a new grant (pages this time)
    r = c.post(account_ui("edit", target), account_form(target, password=PASSWORD))
    assert r.status_code == 422
    grant(second, target, "reset_password")
    r = c.post(account_ui("edit", target), account_form(target, password=PASSWORD))
    assert r.status_code == 302
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)
    # the auditors heard each reset at once: inbox and their channels
    msgs = InboxMessage.objects.filter(
        user=admins.auditor, notification__kind="org.privileged_account_managed"
    )
    assert msgs.count() == 2
    assert target.username in msgs.first().title
    assert Delivery.objects.filter(
        notification__kind="org.privileged_account_managed", channel=mail, recipient=admins.auditor
    ).exists()
    assert msgs.first().notification.urgent


def test_the_auditors_read_what_was_done_to_a_privileged_account_in_their_own_language(
    admins: Admins,
) -> None:
    english = user_with_role("auditor")
    for user, lang in ((admins.sysadmin, "zh-hans"), (admins.auditor, "zh-hans"), (english, "en")):
        UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
    target = admins.secadmin
    second = user_with_role("secadmin")
    grant(second, target, "reset_password")
    grant(second, target, "edit")
    _c, a = admins.clients("sysadmin")  # the system administrator works in Chinese
    r = a.patch(
        account_api(target),
        {"password": NEW_PASSWORD, "email": "sec2@example.org"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 200, r.json()

    def body(user: Any) -> str:
        return InboxMessage.objects.get(
            user=user, notification__kind="org.privileged_account_managed"
        ).body

    assert "重置密码、修改账号名或邮箱" in body(admins.auditor), body(admins.auditor)
    assert "reset the password, change name or email" in body(english), body(english)
    assert "重置" not in body(english)


# --- 5. accounts deleted ------------------------------------------------------------------------
def test_nobody_deletes_an_account(admins: Admins) -> None:
    c, a = admins.clients("sysadmin")
    plain = UserFactory()
    for target in (admins.auditor, admins.secadmin, admins.sysadmin, plain):
        assert a.delete(account_api(target)).status_code == 405
        assert c.post(account_ui("delete", target)).status_code == 404
        assert User.objects.filter(pk=target.pk).exists()
    page = c.get(account_ui("detail", plain))
    assert page.status_code == 200 and not page.context["can_delete"]
    assert b"nd-delete" not in page.content and b"nd-account-active" in page.content
    # the page's "disable" button (the edit form, Active unticked)
    r = c.post(account_ui("edit", plain), {"username": plain.username, "email": plain.email})
    assert r.status_code == 302
    assert not User.objects.get(pk=plain.pk).is_active
    assert b'name="is_active" value="on"' in c.get(account_ui("detail", plain)).content
    with pytest.raises(ValidationError):
        AccountService().delete(None, plain, check=False)
    assert User.objects.filter(pk=plain.pk).exists()


def test_accounts_are_disabled_and_privileged_ones_only_on_a_grant(admins: Admins) -> None:
    c, a = admins.clients("sysadmin")
    plain = UserFactory()
    # an ordinary account: disabled and enabled by the system administrator
    r = a.patch(account_api(plain), {"is_active": False}, format="json")
    assert r.status_code == 200
    r = c.post(account_ui("edit", plain), account_form(plain))
    assert r.status_code == 302
    assert User.objects.get(pk=plain.pk).is_active
    # their own account: never
    r = a.patch(account_api(admins.sysadmin), {"is_active": False}, format="json")
    assert r.status_code == 400 and "is_active" in r.json()
    r = c.post(account_ui("edit", admins.sysadmin), account_form(admins.sysadmin, is_active=False))
    assert r.status_code == 422
    # the auditor's: not without the security administrator's grant …
    auditor = admins.auditor
    r = a.patch(account_api(auditor), {"is_active": False}, format="json")
    assert r.status_code == 400 and "is_active" in r.json()
    # … and not the last active auditor even with it
    grant(admins.secadmin, auditor, "disable")
    r = c.post(account_ui("edit", auditor), account_form(auditor, is_active=False))
    assert r.status_code == 422
    assert "is_active" in r.context["form"].errors  # the last active auditor
    assert User.objects.get(pk=auditor.pk).is_active
    # with a second auditor it works, once
    user_with_role("auditor")
    r = c.post(account_ui("edit", auditor), account_form(auditor, is_active=False))
    assert r.status_code == 302
    assert not User.objects.get(pk=auditor.pk).is_active
    r = a.patch(account_api(auditor), {"is_active": True}, format="json")
    assert r.status_code == 400  # enabling again is another grant
    s = ui_client(admins.secadmin)  # the grant through the pages this time
    assert s.get(org_ui("accountgrant", "add")).status_code == 200
    r = s.post(
        org_ui("accountgrant", "add"),
        {"account": auditor.pk, "action": "enable", "note": "复职"},
    )
    assert r.status_code == 302
    assert s.get(org_ui("accountgrant", "list")).status_code == 200
    assert a.patch(account_api(auditor), {"is_active": True}, format="json").status_code == 200
    assert AccountGrant.objects.filter(action="enable", used_at__isnull=False).exists()
    # their e-mail (where the alerts go) is not redirected either
    r = a.patch(account_api(auditor), {"email": "evil@example.org"}, format="json")
    assert r.status_code == 400


def test_the_last_holder_keeps_a_privileged_role(admins: Admins) -> None:
    c, a = admins.clients("secadmin")
    mine = RoleAssignment.objects.get(user=admins.auditor, role__code="auditor")
    assert a.delete(org_api("roleassignment", mine)).status_code == 400
    assert c.post(org_ui("roleassignment", "delete", mine)).status_code == 302
    r = a.patch(org_api("roleassignment", mine), {"role": role("engineer").pk}, format="json")
    assert r.status_code == 400
    assert RoleAssignment.objects.filter(pk=mine.pk, role__code="auditor").exists()
    other = user_with_role("auditor")
    other.is_active = False
    other.save()  # a disabled holder does not count
    assert a.delete(org_api("roleassignment", mine)).status_code == 400
    user_with_role("auditor")
    assert a.delete(org_api("roleassignment", mine)).status_code == 204
    # nobody removes their own assignment
    own = RoleAssignment.objects.get(user=admins.secadmin)
    user_with_role("secadmin")
    assert a.delete(org_api("roleassignment", own)).status_code == 400


def test_privileged_grants_and_removals_notify_the_auditors(admins: Admins) -> None:
    mail = make_channel("email")
    admins.auditor.email = "auditor@example.org"
    admins.auditor.save()
    c, a = admins.clients("secadmin")
    newbie = UserFactory()
    r = c.post(org_ui("roleassignment", "add"), {"user": newbie.pk, "role": role("sysadmin").pk})
    assert r.status_code == 302
    r = a.post(
        org_api("roleassignment"),
        {"user": UserFactory().pk, "role": role("engineer").pk},
        format="json",
    )
    assert r.status_code == 201
    ra = RoleAssignment.objects.get(user=newbie)
    assert a.delete(org_api("roleassignment", ra)).status_code == 204
    kinds = list(
        InboxMessage.objects.filter(user=admins.auditor)
        .order_by("pk")
        .values_list("notification__kind", flat=True)
    )
    assert kinds == ["org.privileged_role_granted", "org.privileged_role_removed"]
    assert Delivery.objects.filter(channel=mail, recipient=admins.auditor).count() == 2
    assert not InboxMessage.objects.filter(user=admins.sysadmin).exists()


# --- the invariant, tried with every role -------------------------------------------------------
@pytest.mark.parametrize("code", [spec.code for spec in BUILTIN_ROLES])
def test_no_one_alone_produces_an_account_with_rights_they_lack(admins: Admins, code: str) -> None:
    """Whatever role one person holds, the accounts they can create or take over (by setting
    a password) never hold rights that person lacks."""
    actor = {"sysadmin": admins.sysadmin, "secadmin": admins.secadmin}.get(code) or user_with_role(
        code
    )
    mine = held(actor)
    c, a = ui_client(actor), api_client(actor)
    a.post(account_api(), {"username": f"sock-{code}", "password": PASSWORD}, format="json")
    c.post(account_ui("add"), {"username": f"sock2-{code}", "password": PASSWORD})
    controlled = list(User.objects.filter(username__startswith="sock"))
    # take over existing accounts by resetting their password
    for target in (admins.auditor, admins.secadmin, admins.sysadmin):
        if target.pk != actor.pk:
            a.patch(account_api(target), {"password": NEW_PASSWORD}, format="json")
            if User.objects.get(pk=target.pk).check_password(NEW_PASSWORD):
                controlled.append(target)
    for account in controlled:
        for spec in BUILTIN_ROLES:
            a.post(
                org_api("roleassignment"),
                {"user": account.pk, "role": role(spec.code).pk},
                format="json",
            )
            c.post(
                org_ui("roleassignment", "add"),
                {"user": account.pk, "role": role(spec.code).pk},
            )
    for account in controlled:
        extra = held(account) - mine
        assert not extra, (code, account.username, sorted(extra)[:5])
    # and their own rights stay theirs: nothing granted to themselves
    a.post(org_api("roleassignment"), {"user": actor.pk, "role": role("auditor").pk})
    assert held(actor) == mine


def test_the_secadmin_who_grants_cannot_create_or_take_over_accounts(admins: Admins) -> None:
    with pytest.raises(PermissionDenied):
        AccountService().create(admins.secadmin, {"username": "s1", "password": PASSWORD})
    with pytest.raises(PermissionDenied):
        AccountService().update(admins.secadmin, UserFactory(), {"password": NEW_PASSWORD})
    with pytest.raises(ValidationError):
        RoleAssignmentService().create(
            admins.secadmin, {"user": admins.secadmin, "role": role("auditor")}
        )


# --- upgrading an existing database --------------------------------------------------------------
def _tamper() -> None:
    """A database as the old code left it, plus what an administrator could do with it."""
    sysadmin, secadmin, auditor = role("sysadmin"), role("secadmin"), role("auditor")
    old = Permission.objects.filter(
        content_type__app_label__in=["org", "auth"],
        content_type__model__in=["role", "roleassignment", "user"],
    )
    sysadmin.permissions.add(*old)
    secadmin.permissions.remove(
        *Permission.objects.filter(codename__in=["add_roleassignment", "delete_roleassignment"])
    )
    auditor.permissions.add(*Permission.objects.filter(codename="change_person"))
    Role.objects.filter(pk=auditor.pk).update(require_2fa=False, scope="own", is_active=False)


@pytest.mark.parametrize("via", ["migration", "sync"])
def test_migrate_brings_the_privileged_roles_back_to_their_rule(via: str, settings: Any) -> None:
    settings.NETDEPT = {**settings.NETDEPT, "PRIVILEGED_ROLES_REQUIRE_2FA": True}
    _tamper()
    engineer_before = perm_ids(role("engineer"))
    if via == "migration":
        module = importlib.import_module("netdept.org.migrations.0003_separation_of_duties")
        module.enforce_privileged_roles(django_apps, None)
    else:
        sync_builtin_roles()  # what every ``migrate`` runs at the end
    for code in PRIVILEGED:
        r = role(code)
        assert perm_ids(r) == rule_perm_ids(code), code
        assert r.require_2fa and r.is_active and r.scope == "all"
    sysadmin = {p.codename for p in role("sysadmin").permissions.all()}
    assert "add_roleassignment" not in sysadmin and "delete_user" not in sysadmin
    assert {"add_user", "change_user", "view_roleassignment"} <= sysadmin
    secadmin = {p.codename for p in role("secadmin").permissions.all()}
    assert {"add_roleassignment", "change_role", "add_accountgrant"} <= secadmin
    assert "add_user" not in secadmin
    assert perm_ids(role("engineer")) == engineer_before  # ordinary roles are left alone
