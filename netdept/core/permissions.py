"""The one place that decides what a user may do and see.

A user's permissions come from the roles assigned to them (``org.Role``): each role is a set
of Django permissions plus a scope. For each permission the user keeps the widest scope any of
their roles gives. ``restrict()`` narrows a queryset to the rows that scope allows, using the
model's ``scope_paths``; ``has_perm()`` answers for a model or for one object.

Django's ``is_superuser`` flag grants nothing here: 三权分立 means no account holds every right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from netdept.core.models.base import is_config
from netdept.core.scopes import is_multivalued

ALL = "all"
DEPARTMENT = "department"
TEAM = "team"
OWN = "own"
SCOPE_ORDER = {OWN: 1, TEAM: 2, DEPARTMENT: 3, ALL: 4}

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_netdept_perm_cache"

# Scope paths of models NetDept does not own (the login model is Django's).
EXTRA_SCOPE_PATHS: dict[str, dict[str, str]] = {
    "auth.user": {"own": "pk", "team": "person__team", "department": "person__department"},
}


def perm_name(model: type[models.Model] | models.Model, action: str) -> str:
    """``perm_name(Team, "view")`` → ``"org.view_team"``."""
    meta = model._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


class _UserPerms:
    def __init__(self, scopes: dict[str, str], team_ids: set[int], department_ids: set[int]):
        self.scopes = scopes
        self.team_ids = team_ids
        self.department_ids = department_ids  # own department and all its descendants


@dataclass(frozen=True)
class Grants:
    """What a grants provider answers for one active, signed-in user: the (scope, "app.codename")
    pairs of every permission their active roles give, the ids of their teams (member or lead)
    and of their department with all its descendants."""

    perms: Iterable[tuple[str, str]] = ()
    team_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()


#: Where roles live is the organisation app's business (``org.RoleAssignment``), above core:
#: it registers the one provider in its ``ready()`` (``netdept.org.grants``). Without a provider
#: nobody holds anything.
GrantsProvider = Callable[[Any], Grants]
_provider: list[GrantsProvider] = []


def register_grants_provider(provider: GrantsProvider) -> None:
    _provider[:] = [provider]


def _load(user: Any) -> _UserPerms:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    scopes: dict[str, str] = {}
    team_ids: set[int] = set()
    department_ids: set[int] = set()
    if user is not None and user.is_authenticated and user.is_active and _provider:
        grants = _provider[0](user)
        for scope, key in grants.perms:
            if SCOPE_ORDER[scope] > SCOPE_ORDER.get(scopes.get(key, ""), 0):
                scopes[key] = scope
        team_ids = set(grants.team_ids)
        department_ids = set(grants.department_ids)
    result = _UserPerms(scopes, team_ids, department_ids)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget(user: Any) -> None:
    """Drop the cached permissions of ``user`` (after its roles changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_of(user: Any, perm: str) -> str | None:
    """The widest scope at which ``user`` holds ``perm``, or None."""
    return _load(user).scopes.get(perm)


def user_perms(user: Any) -> set[str]:
    return set(_load(user).scopes)


def scope_q(model: type[models.Model], user: Any, scope: str) -> Q | None:
    """The filter for ``scope``; None means no row is visible at that scope."""
    if scope == ALL or is_config(model):
        return Q()  # configuration belongs to the whole department (core.models.base)
    paths: dict[str, str] = EXTRA_SCOPE_PATHS.get(model._meta.label_lower) or getattr(
        model, "scope_paths", {}
    )
    perms = _load(user)
    path = paths.get(scope)
    if not path:
        return None
    q: Q | None = None
    if scope == OWN:
        q = Q(**{path: user.pk})
    elif scope == TEAM:
        q = Q(**{f"{path}__in": perms.team_ids}) if perms.team_ids else None
    elif scope == DEPARTMENT:
        q = Q(**{f"{path}__in": perms.department_ids}) if perms.department_ids else None
    if q is not None and is_multivalued(model, path):
        # A to-many path (a department's teams) would repeat a row once per match.
        return Q(pk__in=model._default_manager.filter(q).values("pk"))
    return q


def restrict(queryset: models.QuerySet[M], user: Any, action: str = "view") -> models.QuerySet[M]:
    """``queryset`` narrowed to the rows ``user`` may ``action`` (view, change, delete…)."""
    perm = action if "." in action else perm_name(queryset.model, action)
    scope = scope_of(user, perm)
    if scope is None:
        return queryset.none()
    q = scope_q(queryset.model, user, scope)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q else queryset


def has_perm(user: Any, perm: str, obj: models.Model | None = None) -> bool:
    """May ``user`` use ``perm`` ("app.action_model"), on ``obj`` if given?"""
    scope = scope_of(user, perm)
    if scope is None:
        return False
    if obj is None or scope == ALL:
        return True
    q = scope_q(type(obj), user, scope)
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def has_any(user: Any, perms: Iterable[str]) -> bool:
    held = _load(user).scopes
    return any(p in held for p in perms)
