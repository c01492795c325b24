"""What a pack load writes and remembers: the canonical values of the fields written, their
checksums (what the pack gave, what was stored), the field sets of each kind of pack item, and
the report of a load. Shared by the loader (``load``), its base writer (``writer``) and the
sections other modules register (``sections``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from netdept.approvals.models import ApprovalRule
from netdept.duties.packs.sections import field_sets

#: keys of these kinds are history: never retired when a newer pack drops them
HISTORY_PREFIXES = ("regulation:", "version:", "article:")
_DUTY_FIELDS = (
    "code", "name", "description", "articles", "pack", "assignee_kind", "assignee_mode",
    "person", "position", "role", "team", "department", "rrule", "ends_on", "due_time", "shift",
    "grace_minutes", "horizon_days", "evidence_kind", "evidence_min", "evidence_unit",
    "checklist", "record_type", "check_code", "check_params", "reviewer_kind", "reviewer",
    "remind_before_minutes", "escalate_after_days", "violation_on", "penalty_rule", "is_active",
)  # fmt: skip
#: the fields the loader writes, by the prefix of the item's key (a duty's start is written
#: when the pack gives it, else only when the duty is made)
FIELD_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "team": (("name", "department", "description"),),
    "position": (("name", "department", "responsibilities"),),
    "role": (("code", "name", "description", "scope", "permissions"),),
    "penalty_rule": (
        (
            "code",
            "name",
            "description",
            "articles",
            "pack",
            "family",
            "period",
            "appeal_days",
            "is_active",
        ),
    ),
    "penalty_step": (
        ("rule", "offence", "sanction", "amount", "per_item", "percent", "alternative", "note"),
    ),
    "prohibited_act": (
        ("code", "name", "description", "articles", "penalty_rule", "pack", "is_active"),
    ),
    "reward_rule": (
        ("code", "name", "description", "articles", "kind", "amount", "pack", "is_active"),
    ),
    "duty": (_DUTY_FIELDS, (*_DUTY_FIELDS, "starts_on")),
    "link": (("article", "target_type", "target_id", "note"),),
}
SECTION_PREFIX = {
    "teams": "team",
    "positions": "position",
    "roles": "role",
    "duties": "duty",
    "penalty_rules": "penalty_rule",
    "prohibited_acts": "prohibited_act",
    "reward_rules": "reward_rule",
    "approval_rules": "approval_rule",
}


@dataclass
class LoadReport:
    """What a load did."""

    pack: str
    version: str
    previous_version: str = ""
    department: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept: list[dict[str, str]] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.retired)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "previous_version": self.previous_version,
            "department": self.department,
            "changes": self.changes,
            "created": self.created,
            "updated": self.updated,
            "retired": self.retired,
            "kept": self.kept,
            "edited": self.edited,
            "unchanged": self.unchanged,
        }


# --- canonical values and checksums ------------------------------------------------------


def _canon(f: Any, value: Any) -> Any:
    if f.many_to_many:
        return sorted(int(getattr(v, "pk", v)) for v in value)
    if f.is_relation:
        pk = getattr(value, "pk", value)
        return None if pk is None else str(pk)
    if value is None:
        return None
    if isinstance(f, models.DecimalField):
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-f.decimal_places)))
    if isinstance(f, models.DateField | models.TimeField):
        return f.to_python(value).isoformat()
    if isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def canonical(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _canon(model._meta.get_field(name), v) for name, v in values.items()}


def state(obj: models.Model, names: list[str]) -> dict[str, Any]:
    """The current values of ``names`` of ``obj`` (read from the database), canonical."""
    out: dict[str, Any] = {}
    for name in names:
        f = obj._meta.get_field(name)
        if f.many_to_many:
            out[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        elif isinstance(f, models.ForeignKey):
            out[name] = _canon(f, getattr(obj, f.attname))
        else:
            out[name] = _canon(f, getattr(obj, name))
    return out


def checksum(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """A located YAML value as plain JSON data."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def approval_rule_state(rule: ApprovalRule) -> dict[str, Any]:
    skip = {"id", "rule", "created_at", "updated_at", "version"}
    rule_fields = [
        f.name
        for f in ApprovalRule._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "version"}
    ]
    step_fields = [f.name for f in rule.steps.model._meta.concrete_fields if f.name not in skip]
    return {
        "rule": state(rule, rule_fields),
        "steps": [state(s, step_fields) for s in rule.steps.order_by("order", "pk")],
    }


def fields_of(prefix: str) -> tuple[tuple[str, ...], ...]:
    """The field sets the loader writes for pack item keys of ``prefix`` (the built-in kinds,
    then the registered sections')."""
    return FIELD_SETS.get(prefix) or field_sets(prefix)


__all__ = [
    "FIELD_SETS", "HISTORY_PREFIXES", "SECTION_PREFIX", "LoadReport", "approval_rule_state",
    "canonical", "checksum", "fields_of", "plain", "state",
]  # fmt: skip
