"""The organisation's answers to the hooks of the layers below it: the permissions a user's
roles grant (``core.permissions``), who must use two-factor sign-in (``accounts.twofactor``)
and who a person, team or role is as notification recipients (``notify.engine``). Registered
by ``OrgConfig.ready()``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from netdept.core.permissions import Grants
from netdept.org.models import Department, Person, Role, RoleAssignment, Team


def grants_of(user: Any) -> Grants:
    rows = RoleAssignment.objects.filter(user=user, role__is_active=True).values_list(
        "role__scope",
        "role__permissions__content_type__app_label",
        "role__permissions__codename",
    )
    perms = [(scope, f"{app}.{code}") for scope, app, code in rows if code]
    team_ids: set[int] = set()
    department_ids: set[int] = set()
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is not None:
        if person.team_id:
            team_ids.add(person.team_id)
        team_ids.update(person.led_teams.values_list("pk", flat=True))
        if person.department_id:
            department_ids = Department.subtree_ids(person.department_id)
    return Grants(perms, frozenset(team_ids), frozenset(department_ids))


def roles_requiring_2fa(user: Any) -> models.QuerySet[Any]:
    """Active role assignments of ``user`` (a user or an ``OuterRef``) that require 2FA."""
    return RoleAssignment.objects.filter(user=user, role__require_2fa=True, role__is_active=True)


def recipients_of(r: Any) -> Iterable[Any] | None:
    user_model = get_user_model()
    if isinstance(r, Person):
        return [r.user] if r.is_active and r.user_id else []
    if isinstance(r, Team):
        return user_model.objects.filter(
            person__team=r, person__is_active=True, is_active=True
        ).order_by("pk")
    if isinstance(r, Role):
        if not r.is_active:
            return []
        return (
            user_model.objects.filter(role_assignments__role=r, is_active=True)
            .distinct()
            .order_by("pk")
        )
    if isinstance(r, str) and r.startswith("role:"):
        return (
            user_model.objects.filter(
                role_assignments__role__code=r[5:],
                role_assignments__role__is_active=True,
                is_active=True,
            )
            .distinct()
            .order_by("pk")
        )
    return None
