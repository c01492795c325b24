"""How field values are shown in lists, detail pages and exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def field_label(model: type[models.Model], name: str) -> str:
    try:
        f = model._meta.get_field(name)
    except Exception:
        f = None
    if isinstance(f, models.Field):  # not a reverse relation: those have no verbose_name
        return str(f.verbose_name)
    attr = getattr(model, name, None)
    return str(getattr(attr, "short_description", name))


def raw_value(obj: models.Model, name: str) -> Any:
    """The value for export: text for relations and choices, native for numbers and dates."""
    try:
        f = obj._meta.get_field(name)
    except Exception:
        value = getattr(obj, name, "")
        return value() if callable(value) else value
    if f.many_to_many:
        return "、".join(str(o) for o in getattr(obj, name).all())
    if getattr(f, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return "" if value is None else value


def display(obj: models.Model, name: str) -> str:
    value = raw_value(obj, name)
    if isinstance(value, datetime.datetime):
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    return str(value)


def is_sortable(model: type[models.Model], name: str) -> bool:
    try:
        f = model._meta.get_field(name)
    except Exception:
        return False
    return bool(getattr(f, "concrete", False)) and not f.many_to_many
