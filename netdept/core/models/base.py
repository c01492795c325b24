from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

#: ``record_kind`` of the department's work: orders, people, devices… (the default)
WORK = "work"
#: ``record_kind`` of configuration: categories, SLA policies, calendars, channels…
CONFIG = "config"
RECORD_KINDS = (WORK, CONFIG)


class BaseModel(models.Model):
    """Abstract base of every NetDept domain model.

    ``scope_paths`` tells the permission engine how a row relates to a user for each scope:
    ``own`` is a path to a User, ``team`` a path to a Team, ``department`` a path to a
    Department. A scope whose path is missing grants nothing at that scope. The paths are
    validated at start-up (``core.checks``).

    ``record_kind`` says whether the rows are the department's work (``WORK``, the default)
    or configuration (``CONFIG``: rules the work follows, such as SLA policies). The
    configuration belongs to the whole department: it declares no scope paths and a holder
    of its view permission sees every row at any scope. The built-in engineer and requester
    roles never write configuration, and the navigation lists a configuration page only to
    those who may write it or read everything (``org.roles``, ``core.context_processors``).

    ``audit_exclude`` lists fields the audit trail leaves out; ``audit_mask`` fields are
    recorded as changed without their values (secrets).
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths: ClassVar[dict[str, str]] = {}
    record_kind: ClassVar[str] = WORK
    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")
    audit_mask: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True


def record_kind(model: type[models.Model] | models.Model | Any) -> str:
    """``WORK`` or ``CONFIG``; models that declare nothing (Django's own) are work."""
    return str(getattr(model, "record_kind", WORK))


def is_config(model: type[models.Model] | models.Model | Any) -> bool:
    return record_kind(model) == CONFIG


def is_config_label(app_label: str, model_name: str) -> bool:
    """``is_config`` for a model named by its app label and model name (as permissions name
    it); an unknown model is work."""
    from django.apps import apps

    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return is_config(model)
