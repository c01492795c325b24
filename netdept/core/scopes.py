"""What a scope path is and where it leads.

A model's ``scope_paths`` (see ``core.models.base.BaseModel``) maps a scope to a lookup path
from the model to the model of that scope: ``own`` leads to the user model, ``team`` to
``org.Team``, ``department`` to ``org.Department``. ``resolve()`` walks a path through the
model's relations; the system check (``core.checks``) resolves every path at start-up and the
permission engine (``core.permissions``) asks whether a path crosses a to-many relation (then
one row could match several times and the filter becomes a subquery).

Core never imports ``org``: the models of the scopes are named by label and looked up in the
app registry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# The scopes that have a path (``all`` needs none) and the model each path must end at.
TEAM_MODEL = "org.Team"
DEPARTMENT_MODEL = "org.Department"


def target_labels() -> dict[str, str]:
    """Scope → label of the model its path must end at."""
    return {"own": settings.AUTH_USER_MODEL, "team": TEAM_MODEL, "department": DEPARTMENT_MODEL}


def target_model(scope: str) -> type[models.Model]:
    """The model a ``scope`` path must end at; LookupError if it is not installed."""
    return apps.get_model(target_labels()[scope])


class PathError(ValueError):
    """A scope path that does not exist on its model."""


@dataclass(frozen=True)
class Resolved:
    target: type[models.Model]  # the model the path ends at
    multivalued: bool  # the path crosses a to-many relation (reverse foreign key, m2m)


@functools.cache
def resolve(model: type[models.Model], path: str) -> Resolved:
    """Follow ``path`` (``"order__requester__user"``, ``"pk"``) from ``model``."""
    current = model
    multivalued = False
    parts = path.split("__")
    for i, part in enumerate(parts):
        if part == "pk":
            if i != len(parts) - 1:
                raise PathError(f"{current._meta.label}: 'pk' must end the path")
            pk = current._meta.pk
            assert pk is not None
            if pk.is_relation and pk.related_model is not None:
                current = pk.related_model
            continue
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise PathError(f"{current._meta.label} has no field '{part}'") from exc
        related = field.related_model
        if not field.is_relation or related is None or isinstance(related, str):
            raise PathError(f"{current._meta.label}.{part} is not a relation")
        if field.many_to_many or field.one_to_many:
            multivalued = True
        current = related
    return Resolved(current, multivalued)


def is_multivalued(model: type[models.Model], path: str) -> bool:
    """Whether ``path`` crosses a to-many relation (False for a path that does not resolve:
    the query then names the problem itself)."""
    try:
        return resolve(model, path).multivalued
    except PathError:
        return False
