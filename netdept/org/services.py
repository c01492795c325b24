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
        if obj.lead_id and obj.lead.department_id != obj.department_id:
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


class RoleService(ModelService[Role]):
    model = Role


class RoleAssignmentService(ModelService[RoleAssignment]):
    model = RoleAssignment

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
