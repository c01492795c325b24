from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Abstract base of every NetDept domain model.

    ``scope_paths`` tells the permission engine how a row relates to a user for each scope:
    ``own`` is a path to a User, ``team`` a path to a Team, ``department`` a path to a
    Department. A scope whose path is missing grants nothing at that scope.
    ``audit_exclude`` lists fields the audit trail leaves out; ``audit_mask`` fields are
    recorded as changed without their values (secrets).
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths: ClassVar[dict[str, str]] = {}
    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")
    audit_mask: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True
