"""An object's history for people: audit records with field labels and readable values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from netdept.core.models.audit import AuditRecord


@dataclass
class Entry:
    record: AuditRecord
    actor: str
    changes: list[tuple[str, str, str]]


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def entries(model: type[models.Model], records: Iterable[AuditRecord]) -> list[Entry]:
    records = list(records)
    # Collect the ids of related objects, fetch each model's names in one query.
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for rec in records:
        for name, pair in (rec.changes or {}).items():
            f = _field(model, name)
            if f is None or not f.is_relation or f.related_model is None:
                continue
            for value in pair:
                if isinstance(value, list):
                    wanted[f.related_model].update(value)
                elif value is not None:
                    wanted[f.related_model].add(value)
    names: dict[type[models.Model], dict[Any, str]] = {}
    for related, ids in wanted.items():
        objs = related._default_manager.in_bulk(list(ids)[:1000])
        names[related] = {str(k): str(v) for k, v in objs.items()}

    def show(f: Any, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if f is None:
            return str(value)
        if f.is_relation and f.related_model is not None:
            known = names.get(f.related_model, {})
            if isinstance(value, list):
                return "、".join(known.get(str(v), f"#{v}") for v in value) or "—"
            return known.get(str(value), f"#{value}")
        if getattr(f, "choices", None):
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    result = []
    for rec in records:
        rows = []
        for name, pair in (rec.changes or {}).items():
            f = _field(model, name)
            label = str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else name
            before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            rows.append((label, show(f, before), show(f, after)))
        person = getattr(rec.actor, "person", None) if rec.actor_id else None
        via = {"command": _("command line"), "task": _("background task"), "system": _("system")}
        name = rec.actor_name or "system"
        actor = person.name if person is not None else str(via.get(name, name))
        result.append(Entry(rec, actor, rows))
    return result
