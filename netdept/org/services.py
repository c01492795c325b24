"""State changes of the organisation. Views, API, imports and commands call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core import permissions
from netdept.core.services import ModelService
from netdept.org.models import Department, Person, Role, RoleAssignment, Team


class DepartmentService(ModelService[Department]):
    model = Department


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
    "accounts": {
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "org.add_role",
        "org.change_role",
        "org.delete_role",
        "org.add_roleassignment",
        "org.change_roleassignment",
        "org.delete_roleassignment",
    },
    "audit": {"core.view_auditrecord", "core.export_auditrecord"},
    "security": {"core.change_securitypolicy"},
}
DUTY_NAMES = {"accounts": "account administration", "audit": "audit", "security": "security"}


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


class RoleService(ModelService[Role]):
    model = Role

    def before_save(self, actor: Any, obj: Role, data: Mapping[str, Any], creating: bool) -> None:
        if (
            not creating
            and actor is not None
            and RoleAssignment.objects.filter(user=actor, role=obj).exists()
        ):
            raise ValidationError(_("You cannot change a role you hold yourself."))
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


class RoleAssignmentService(ModelService[RoleAssignment]):
    model = RoleAssignment

    def before_save(
        self, actor: Any, obj: RoleAssignment, data: Mapping[str, Any], creating: bool
    ) -> None:
        if actor is not None and obj.user_id == actor.pk:
            raise ValidationError({"user": _("You cannot assign roles to yourself.")})
        if (
            not creating
            and actor is not None
            and RoleAssignment.objects.filter(pk=obj.pk, user=actor).exists()
        ):
            raise ValidationError({"user": _("You cannot change your own role assignment.")})
        previous = (
            RoleAssignment.objects.filter(pk=obj.pk).values_list("role_id", flat=True).first()
            if obj.pk
            else None
        )
        combined = _user_perms(obj.user_id, exclude_role=previous)
        combined |= _perm_names(obj.role.permissions.select_related("content_type"))
        pair = separation_conflict(combined)
        if pair:
            raise ValidationError({"role": _conflict_message(pair)})

    def after_save(
        self, actor: Any, obj: RoleAssignment, data: Mapping[str, Any], creating: bool
    ) -> None:
        permissions.forget(obj.user)


User = get_user_model()


class AccountService(ModelService[Any]):
    """Logins. Passwords are set through ``set_password`` and never audited in clear."""

    model = User

    def before_save(self, actor: Any, obj: Any, data: Mapping[str, Any], creating: bool) -> None:
        password = data.get("password")
        if password:
            obj.set_password(password)

    def create(self, actor: Any, data: Mapping[str, Any], *, check: bool = True) -> Any:
        return super().create(actor, _without_password(data) | _pw(data), check=check)

    def update(self, actor: Any, obj: Any, data: Mapping[str, Any], *, check: bool = True) -> Any:
        return super().update(actor, obj, _without_password(data) | _pw(data), check=check)


def _without_password(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "password"}


def _pw(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"password": data["password"]} if data.get("password") else {}
