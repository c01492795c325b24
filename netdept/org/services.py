"""State changes of the organisation. Views, API, imports and commands call these.

三权分立 (等保 2.0 separation of duties) — the rule enforced here
-----------------------------------------------------------------
The invariant: **no single person can produce an account holding rights they do not hold
themselves.** It rests on five rules, each enforced in this module (so the UI, the API, the
importer and the commands all obey it):

1. *Three duties never meet in one role or one login* (``SEPARATED_DUTIES``): account
   administration (create, change, disable accounts — the system administrator), security
   (security policy, roles, role assignments and account-management grants — the security
   administrator), and audit (reading the audit trail — the auditor). A role combining two, or
   an assignment that would give one login two, is refused.
2. *Accounts are born empty.* The system administrator creates an account with no role and
   sets its first password; only the security administrator grants roles. So whoever knows an
   account's password cannot give it rights, and whoever can give it rights does not know its
   password. Nobody grants, changes or removes their own role assignment, and nobody edits a
   role they hold.
3. *The privileged roles are fixed.* The built-in system administrator, security administrator
   and auditor roles keep exactly their rule (``org.roles``): nobody changes their code, scope,
   permissions, 2FA requirement or active flag, nor deletes them (name and description may be
   changed). Roles a site adds are checked by rule 1.
4. *Privileged accounts are not taken over.* An account holding any separated right is a
   privileged administrator's. Nobody resets the password of, disables, enables or edits
   another privileged administrator's account without a one-time grant (``AccountGrant``) the
   security administrator gave for that account and that action within the last 24 hours;
   nobody resets or disables their own account through account management (their own password
   is changed on the password page, knowing the old one). The last active holder of each
   privileged role can neither be disabled nor lose that role.
5. *Accounts are never deleted*, only disabled (``is_active``), so that the audit trail keeps
   naming everyone who acted.

Every grant or removal of a privileged role and every reset, disabling, enabling or renaming
of a privileged account notifies the auditors at once (``org.notifications``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.accounts.models import UserProfile
from netdept.core import permissions
from netdept.core.services import ModelService
from netdept.notify import listing, notify
from netdept.org.models import (
    AccountGrant,
    Department,
    GrantAction,
    Person,
    Role,
    RoleAssignment,
    Team,
)
from netdept.org.notifications import AUDITORS
from netdept.org.roles import PRIVILEGED


class DepartmentService(ModelService[Department]):
    model = Department

    def before_save(
        self, actor: Any, obj: Department, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.head_id and obj.head is not None and not obj.head.is_active:
            raise ValidationError({"head": _("The head of a department must be active.")})


class TeamService(ModelService[Team]):
    model = Team

    def before_save(self, actor: Any, obj: Team, data: Mapping[str, Any], creating: bool) -> None:
        if obj.lead_id and obj.lead is not None and obj.lead.department_id != obj.department_id:
            raise ValidationError({"lead": _("The team lead must belong to the department.")})


class PersonService(ModelService[Person]):
    model = Person

    def before_save(self, actor: Any, obj: Person, data: Mapping[str, Any], creating: bool) -> None:
        if obj.user_id:
            other = Person.objects.filter(user_id=obj.user_id).exclude(pk=obj.pk).first()
            if other is not None:
                raise ValidationError(
                    {"user": _("This login belongs to %(name)s.") % {"name": other.name}}
                )


# 三权分立: these groups of rights are never held together, by one role or by one login.
SEPARATED_DUTIES: dict[str, set[str]] = {
    "accounts": {"auth.add_user", "auth.change_user", "auth.delete_user"},
    "audit": {"core.view_auditrecord", "core.export_auditrecord"},
    "security": {
        "accounts.change_securitypolicy",
        "org.add_role",
        "org.change_role",
        "org.delete_role",
        "org.add_roleassignment",
        "org.change_roleassignment",
        "org.delete_roleassignment",
        "org.add_accountgrant",
        "org.change_accountgrant",
        "org.delete_accountgrant",
    },
}
DUTY_NAMES = {"accounts": "account administration", "audit": "audit", "security": "security"}
SEPARATED_RIGHTS: set[str] = set().union(*SEPARATED_DUTIES.values())
# What of a privileged role nobody may change (name and description may be).
FIXED_ROLE_FIELDS = ("code", "scope", "require_2fa", "is_active")


def _perm_names(perms: Any) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def separation_conflict(perms: set[str]) -> tuple[str, str] | None:
    """The first two separated duties that ``perms`` combine, or None."""
    held = [name for name, group in SEPARATED_DUTIES.items() if perms & group]
    return (held[0], held[1]) if len(held) > 1 else None


def _conflict_message(pair: tuple[str, str]) -> str:
    return _("Separation of duties (三权分立): %(a)s and %(b)s rights cannot be held together.") % {
        "a": _(DUTY_NAMES[pair[0]]),
        "b": _(DUTY_NAMES[pair[1]]),
    }


def _user_perms(user_id: Any, exclude_role: Any = None) -> set[str]:
    from django.contrib.auth.models import Permission

    roles = RoleAssignment.objects.filter(user_id=user_id)
    if exclude_role is not None:
        roles = roles.exclude(role_id=exclude_role)
    perms = Permission.objects.filter(
        pk__in=Role.permissions.through.objects.filter(role_id__in=roles.values("role_id")).values(
            "permission_id"
        )
    ).select_related("content_type")
    return _perm_names(perms)


def is_privileged_account(user_id: Any) -> bool:
    """Does the login hold a privileged role or any separated right (an administrator's)?"""
    if RoleAssignment.objects.filter(user_id=user_id, role__code__in=PRIVILEGED).exists():
        return True
    return bool(_user_perms(user_id) & SEPARATED_RIGHTS)


def _name(user: Any) -> str:
    return str(user) if user is not None else _("the command line")


def check_last_holder(user: Any, role: Role | None = None) -> None:
    """Refuse when ``user`` is the last active holder of a privileged role (of ``role`` only,
    if given): disabling them or taking the role away would leave nobody to do that duty."""
    held = RoleAssignment.objects.filter(user=user, role__code__in=PRIVILEGED).select_related(
        "role"
    )
    if role is not None:
        held = held.filter(role=role)
    for assignment in held:
        others = RoleAssignment.objects.filter(role=assignment.role, user__is_active=True).exclude(
            user=user
        )
        if not others.exists():
            raise ValidationError(
                _(
                    "%(user)s is the last active %(role)s: another account must hold the role "
                    "first (三权分立)."
                )
                % {"user": user, "role": assignment.role.name}
            )


class RoleService(ModelService[Role]):
    model = Role

    def before_save(self, actor: Any, obj: Role, data: Mapping[str, Any], creating: bool) -> None:
        if (
            not creating
            and actor is not None
            and RoleAssignment.objects.filter(user=actor, role=obj).exists()
        ):
            raise ValidationError(_("You cannot change a role you hold yourself."))
        if not creating:
            _check_fixed_role(obj, data)
        elif obj.code in PRIVILEGED:
            raise ValidationError({"code": _("This code belongs to a built-in privileged role.")})
        if "permissions" in data:
            pair = separation_conflict(_perm_names(data["permissions"]))
            if pair:
                raise ValidationError({"permissions": _conflict_message(pair)})
        if not creating:
            holders = RoleAssignment.objects.filter(role=obj).values_list("user", flat=True)
            new_perms = (
                _perm_names(data["permissions"])
                if "permissions" in data
                else _perm_names(obj.permissions.select_related("content_type"))
            )
            for user_id in holders:
                other = _user_perms(user_id, exclude_role=obj.pk) | new_perms
                pair = separation_conflict(other)
                if pair:
                    raise ValidationError({"permissions": _conflict_message(pair)})

    def before_delete(self, actor: Any, obj: Role) -> None:
        if Role.objects.filter(pk=obj.pk, code__in=PRIVILEGED).exists():
            raise ValidationError(_("The built-in privileged roles cannot be deleted (三权分立)."))


def _check_fixed_role(obj: Role, data: Mapping[str, Any]) -> None:
    """A built-in privileged role keeps its code, scope, permissions, 2FA and active flag."""
    stored = Role.objects.filter(pk=obj.pk).first()
    if stored is None or stored.code not in PRIVILEGED:
        return
    message = _(
        "The rules of the built-in privileged roles cannot be changed (三权分立); only the "
        "name and description can."
    )
    errors = {
        name: message for name in FIXED_ROLE_FIELDS if getattr(stored, name) != getattr(obj, name)
    }
    if "permissions" in data:
        wanted = {p.pk for p in data["permissions"]}
        if wanted != set(stored.permissions.values_list("pk", flat=True)):
            errors["permissions"] = message
    if errors:
        raise ValidationError(errors)


class RoleAssignmentService(ModelService[RoleAssignment]):
    model = RoleAssignment

    def before_save(
        self, actor: Any, obj: RoleAssignment, data: Mapping[str, Any], creating: bool
    ) -> None:
        if actor is not None and obj.user_id == actor.pk:
            raise ValidationError({"user": _("You cannot assign roles to yourself.")})
        stored = None if creating else RoleAssignment.objects.filter(pk=obj.pk).first()
        if stored is not None and actor is not None and stored.user_id == actor.pk:
            raise ValidationError({"user": _("You cannot change your own role assignment.")})
        if stored is not None and (stored.role_id, stored.user_id) != (obj.role_id, obj.user_id):
            check_last_holder(stored.user, stored.role)
        combined = _user_perms(obj.user_id, exclude_role=stored.role_id if stored else None)
        combined |= _perm_names(obj.role.permissions.select_related("content_type"))
        pair = separation_conflict(combined)
        if pair:
            raise ValidationError({"role": _conflict_message(pair)})
        moved = stored is not None and (stored.role_id, stored.user_id) != (
            obj.role_id,
            obj.user_id,
        )
        events: list[tuple[str, Any, Role]] = []
        if stored is not None and moved and stored.role.code in PRIVILEGED:
            events.append(("org.privileged_role_removed", stored.user, stored.role))
        if obj.role.code in PRIVILEGED and (stored is None or moved):
            events.append(("org.privileged_role_granted", obj.user, obj.role))
        obj._privileged_events = events  # type: ignore[attr-defined]  # sent in after_save
        obj._previous_user = stored.user if moved and stored else None  # type: ignore[attr-defined]

    def after_save(
        self, actor: Any, obj: RoleAssignment, data: Mapping[str, Any], creating: bool
    ) -> None:
        permissions.forget(obj.user)
        previous = getattr(obj, "_previous_user", None)
        if previous is not None:
            permissions.forget(previous)
        for kind, user, role in getattr(obj, "_privileged_events", []):
            _notify_role(actor, kind, user, role, obj)

    def before_delete(self, actor: Any, obj: RoleAssignment) -> None:
        if actor is not None and obj.user_id == actor.pk:
            raise ValidationError({"user": _("You cannot change your own role assignment.")})
        check_last_holder(obj.user, obj.role)
        if obj.role.code in PRIVILEGED:
            _notify_role(actor, "org.privileged_role_removed", obj.user, obj.role)
        permissions.forget(obj.user)


def _notify_role(actor: Any, kind: str, user: Any, role: Role, obj: Any = None) -> None:
    notify(
        kind,
        obj=obj if obj is not None else user,
        recipients=[AUDITORS],
        data={"account": str(user), "role": role.name, "action": "", "actor": _name(actor)},
    )


User = get_user_model()


class AccountService(ModelService[Any]):
    """Logins. Passwords are set through ``set_password`` and never audited in clear.
    Accounts are never deleted, only disabled; see the module docstring for who may reset,
    disable or enable whom."""

    model = User

    def before_save(self, actor: Any, obj: Any, data: Mapping[str, Any], creating: bool) -> None:
        if not creating:
            _check_account_change(actor, obj, data)
        password = data.get("password")
        if password:
            obj.set_password(password)

    def after_save(self, actor: Any, obj: Any, data: Mapping[str, Any], creating: bool) -> None:
        """A password someone else set (a new account, a reset) is changed by its owner at
        their next sign-in, before anything else (``PasswordChangeRequiredMiddleware``). The
        system setting one (``nd_createadmin`` at the owner's terminal, the demo) does not."""
        if data.get("password") and actor is not None and actor.pk != obj.pk:
            UserProfile.objects.update_or_create(user=obj, defaults={"must_change_password": True})

    def create(self, actor: Any, data: Mapping[str, Any], *, check: bool = True) -> Any:
        return super().create(actor, _without_password(data) | _pw(data), check=check)

    def update(self, actor: Any, obj: Any, data: Mapping[str, Any], *, check: bool = True) -> Any:
        return super().update(actor, obj, _without_password(data) | _pw(data), check=check)

    def before_delete(self, actor: Any, obj: Any) -> None:
        raise ValidationError(
            _(
                "Accounts are never deleted, so that the audit trail keeps naming everyone who "
                "acted: disable the account instead."
            )
        )


def _account_actions(stored: Any, obj: Any, data: Mapping[str, Any]) -> list[str]:
    """What an update does to an account, as ``GrantAction`` values."""
    actions = []
    if data.get("password"):
        actions.append(GrantAction.RESET_PASSWORD.value)
    if stored.is_active and not obj.is_active:
        actions.append(GrantAction.DISABLE.value)
    if not stored.is_active and obj.is_active:
        actions.append(GrantAction.ENABLE.value)
    if (stored.username, stored.email) != (obj.username, obj.email):
        actions.append(GrantAction.EDIT.value)
    return actions


def _check_account_change(actor: Any, obj: Any, data: Mapping[str, Any]) -> None:
    stored = User.objects.get(pk=obj.pk)
    actions = _account_actions(stored, obj, data)
    if not actions:
        return
    if actor is not None and obj.pk == actor.pk:
        errors = {}
        if GrantAction.RESET_PASSWORD in actions:
            errors["password"] = _("Change your own password on the password page.")
        if GrantAction.DISABLE in actions or GrantAction.ENABLE in actions:
            errors["is_active"] = _("You cannot disable or enable your own account.")
        if errors:
            raise ValidationError(errors)
    if GrantAction.DISABLE in actions:
        try:
            check_last_holder(stored)
        except ValidationError as exc:
            raise ValidationError({"is_active": exc.messages}) from exc
    if actor is None or not is_privileged_account(obj.pk):
        return  # the command line (server access) and ordinary accounts
    if obj.pk != actor.pk:
        _use_grants(actor, obj, actions)
    _notify_account(actor, obj, actions)  # their own: only a new name or email gets here


def _use_grants(actor: Any, account: Any, actions: list[str]) -> None:
    since = timezone.now() - datetime.timedelta(hours=AccountGrant.VALID_HOURS)
    grants = []
    for action in actions:
        grant = (
            AccountGrant.objects.select_for_update()
            .filter(account=account, action=action, used_at__isnull=True, created_at__gte=since)
            .exclude(granted_by=actor)
            .order_by("created_at")
            .first()
        )
        if grant is None:
            field = {
                GrantAction.RESET_PASSWORD: "password",
                GrantAction.DISABLE: "is_active",
                GrantAction.ENABLE: "is_active",
            }.get(GrantAction(action), "username")
            raise ValidationError(
                {
                    field: _(
                        "%(account)s is a privileged administrator: to %(action)s this account "
                        "you need the security administrator's grant (三权分立)."
                    )
                    % {"account": account.username, "action": GrantAction(action).label}
                }
            )
        grants.append(grant)
    service = AccountGrantService()
    for grant in grants:
        service.update(actor, grant, {"used_at": timezone.now()}, check=False)


def _notify_account(actor: Any, account: Any, actions: list[str]) -> None:
    notify(
        "org.privileged_account_managed",
        obj=account,
        recipients=[AUDITORS],
        data={
            "account": account.username,
            "role": "",
            "action": listing(GrantAction(a).label for a in actions),
            "actor": _name(actor),
        },
    )


def notify_second_factor_reset(sender: Any, actor: Any, user: Any, **kwargs: Any) -> None:
    """The auditors hear when a privileged administrator's second factor is reset (a lost phone
    is also how an account is taken over): connected to ``accounts.services.second_factor_reset``
    in ``OrgConfig.ready()``."""
    if not is_privileged_account(user.pk):
        return
    notify(
        "org.privileged_account_managed",
        obj=user,
        recipients=[AUDITORS],
        data={
            "account": user.username,
            "role": "",
            "action": gettext_lazy("reset the second factor"),
            "actor": _name(actor),
        },
    )


class AccountGrantService(ModelService[AccountGrant]):
    """The security administrator's one-time grants to manage a privileged account."""

    model = AccountGrant

    def before_save(
        self, actor: Any, obj: AccountGrant, data: Mapping[str, Any], creating: bool
    ) -> None:
        if not creating:
            return  # only marking it used
        obj.granted_by = actor
        obj.used_at = None
        if actor is not None and obj.account_id == actor.pk:
            raise ValidationError({"account": _("You cannot grant anything for your own account.")})
        if not is_privileged_account(obj.account_id):
            raise ValidationError(
                {
                    "account": _(
                        "This account is not a privileged administrator's; the system "
                        "administrator manages it without a grant."
                    )
                }
            )


def _without_password(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "password"}


def _pw(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"password": data["password"]} if data.get("password") else {}
