"""How field values are shown in lists, detail pages and exports."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.registry import page_for


def list_separator() -> str:
    """How the active language lists words: "、" in Chinese, ", " in English."""
    return "、" if (get_language() or "").startswith("zh") else ", "


def joined(items: Iterable[Any]) -> str:
    """``items`` as one text, listed the way the active language lists them."""
    return list_separator().join(str(i) for i in items)


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


# --- the audit trail's names: actors, object types, links, the viewer's time zone ------------
#: The organisation app (above the kernel) knows people's names; it registers, in its
#: ``ready()``, a function answering ``{user id: person's name}`` for some user ids and one
#: answering the ids of the users whose person's name contains a text (``org.actors``).
ActorNames = Callable[[Iterable[Any]], dict[Any, str]]
ActorsMatching = Callable[[str], "models.QuerySet[Any]"]
_actor_names: list[ActorNames] = []
_actors_matching: list[ActorsMatching] = []


def register_actor_names(names: ActorNames, matching: ActorsMatching | None = None) -> None:
    _actor_names[:] = [names]
    _actors_matching[:] = [matching] if matching is not None else []


def actor_names(user_ids: Iterable[Any]) -> dict[Any, str]:
    """``{user id: the person's name}`` for the ids that belong to a person (one query)."""
    ids = {i for i in user_ids if i is not None}
    if not ids or not _actor_names:
        return {}
    return _actor_names[0](ids)


def actors_matching(text: str) -> models.QuerySet[Any] | None:
    """The ids (a queryset, for a subquery) of the users whose person's name contains
    ``text``; None when no organisation is installed."""
    return _actors_matching[0](text) if _actors_matching else None


#: Who acted when no account did, as ``audit.record`` writes it in ``actor_name``.
VIA_NAMES: dict[str, Any] = {
    "command": gettext_lazy("command line"),
    "task": gettext_lazy("background task"),
    "system": gettext_lazy("system"),
    "api": gettext_lazy("API"),
}


def model_for_label(label: str) -> type[models.Model] | None:
    """The model an audit record's ``object_type`` names, also under a label it had before
    it moved to another app (``audit.FORMER_LABELS``)."""
    if not label or "." not in label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        pass
    for current, former in audit.FORMER_LABELS.items():
        if label in former:
            return apps.get_model(current)
    return None


#: Object types that are no model (``"workorders.report"``: an exported report), with their
#: names; registered by their app in ``ready()``.
OBJECT_TYPES: dict[str, Any] = {}


def register_object_type(label: str, name: Any) -> None:
    OBJECT_TYPES[label] = name


def object_type_label(label: str) -> str:
    """The translated name of the model an ``object_type`` names ("工单"), else the label."""
    if label in OBJECT_TYPES:
        return capfirst(str(OBJECT_TYPES[label]))
    model = model_for_label(label)
    return capfirst(str(model._meta.verbose_name)) if model is not None else label


#: How to reach an object of a model whose page is not the generic detail (``ui=False``):
#: ``{model label: function(obj) → URL}``, registered by the model's app in ``ready()``.
ObjectUrl = Callable[[Any], str]
_object_urls: dict[str, ObjectUrl] = {}


def register_object_url(model: type[models.Model], url: ObjectUrl) -> None:
    _object_urls[model._meta.label_lower] = url


def has_object_url(model: type[models.Model]) -> bool:
    if model._meta.label_lower in _object_urls:
        return True
    page = page_for(model)
    return page is not None and page.ui


def object_url(obj: models.Model) -> str:
    """The URL of ``obj``'s page ("" when it has none). Whether the viewer may open it is the
    caller's question (``permissions.restrict``)."""
    custom = _object_urls.get(obj._meta.label_lower)
    if custom is not None:
        return custom(obj)
    page = page_for(obj)
    if page is None or not page.ui:
        return ""
    try:
        return reverse(page.url_name("detail"), args=[obj.pk])
    except NoReverseMatch:
        return ""


def viewer_zone(user: Any) -> datetime.tzinfo:
    """The time zone ``user`` chose in their preferences (accounts' profile, reached through
    the reverse one-to-one link, so the kernel imports nothing above it), else the site's."""
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    name = getattr(profile, "time_zone", "") or ""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def local_seconds(value: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """``value`` in ``zone``, to the second, without a time zone (for spreadsheets, which
    have none; the column header names the zone)."""
    if timezone.is_aware(value):
        value = value.astimezone(zone)
    return value.replace(microsecond=0, tzinfo=None)
