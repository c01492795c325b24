"""Audit records for people: who (the person's name, the login in a tooltip), what (the action,
or the transition), on what (the object type's translated name, the object linked when the
viewer may open it), when (in the viewer's time zone) and the changes as field label / before /
after — choice labels, linked objects by name, times in the viewer's zone; the creation of an
object shows only the fields that were set. Used by the history tab of every page (the order
page's too), the audit trail and its exports."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import context, display, permissions, permlabels
from netdept.core.audit import MASK
from netdept.core.machines import machine_of
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import page_for

#: Related objects named per model and page of records (a bound on one in_bulk query).
MAX_RELATED = 5000
#: Longest text of one value shown (the record keeps all of it).
MAX_TEXT = 2000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Value:
    """One shown value: its text, the object's page when the viewer may open it, a tooltip."""

    text: str
    url: str = ""
    title: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Shown:
    """One side of a change: no value ("—"), one, or several (a many-to-many link)."""

    values: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return display.joined(v.text for v in self.values) or "—"

    def __bool__(self) -> bool:
        return bool(self.values)


class Change(NamedTuple):
    label: str
    before: Shown
    after: Shown


@dataclass
class Entry:
    record: AuditRecord
    actor: str  # the person's name, else the login, else who acted without an account
    changes: list[Change]
    actor_login: str = ""  # the login as written in the record (the tooltip)
    action: str = ""  # the action's label, or the transition's ("Accept")
    object_type: str = ""  # the model's translated name
    object_url: str = ""  # the object's page, when it exists and the viewer may open it
    when: datetime.datetime | None = None  # in the viewer's zone
    zone: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def when_text(self) -> str:
        return self.when.strftime(TIME_FORMAT) if self.when is not None else ""

    @property
    def changes_text(self) -> str:
        """The changes on one line, for exports: "Status: New → Accepted; Team: 网络组"."""
        action = self.record.action
        parts = []
        for label, before, after in self.changes:
            if action == AuditAction.DELETE:
                parts.append(f"{label}: {before}")
            elif action == AuditAction.CREATE:
                parts.append(f"{label}: {after}")
            else:
                parts.append(f"{label}: {before} → {after}")
        return "; ".join(parts)

    @property
    def details_text(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.details)


# --- details (the record's ``extra``) ----------------------------------------------------------
DETAIL_LABELS: dict[str, Any] = {
    "permission": gettext_lazy("permission"),
    "reason": gettext_lazy("reason"),
    "event": gettext_lazy("event"),
    "username": gettext_lazy("login name entered"),
    "transition": gettext_lazy("transition"),
    "format": gettext_lazy("format"),
    "rows": gettext_lazy("rows"),
    "filters": gettext_lazy("filters"),
    "query": gettext_lazy("filters"),
    "factor": gettext_lazy("factor"),
    "second_factor": gettext_lazy("second factor"),
    "awaiting": gettext_lazy("awaiting"),
    "via": gettext_lazy("through"),
    "ip_raw": gettext_lazy("source address as given"),
    "method": gettext_lazy("method"),
    "path": gettext_lazy("address"),
    "into": gettext_lazy("merged into"),
    "file": gettext_lazy("file"),
    "deleted": gettext_lazy("records deleted"),
    "through_seq": gettext_lazy("up to record"),
    "cutoff": gettext_lazy("older than"),
    "by": gettext_lazy("locked by"),
    "ip": gettext_lazy("source IP"),
    "on": gettext_lazy("waiting on"),
    "auto": gettext_lazy("automatic"),
    "or": gettext_lazy("or the permission"),
}
#: Details that name a permission ("app.codename").
PERMISSION_DETAILS = frozenset({"permission", "or"})
#: Details that only repeat what the record shows elsewhere.
HIDDEN_DETAILS = frozenset({"into_id", "delivery"})
DETAIL_VALUES: dict[str, Any] = {
    # events (``extra["event"]``)
    "totp_enabled": gettext_lazy("two-factor sign-in set up"),
    "totp_verified": gettext_lazy("second factor passed"),
    "totp_removed": gettext_lazy("two-factor sign-in removed"),
    "password_changed": gettext_lazy("password changed"),
    "retry_now": gettext_lazy("retry now"),
    "channel_test": gettext_lazy("channel test"),
    "notification_delivery_failed": gettext_lazy("notification delivery failed"),
    # factors, the way in, lockouts
    "totp": gettext_lazy("authenticator code (TOTP)"),
    "totp_setup": gettext_lazy("setting up the authenticator"),
    "web": gettext_lazy("web page"),
    "account": gettext_lazy("account"),
    "wrong code": gettext_lazy("wrong code"),
    "throttled": gettext_lazy("too many attempts"),
    "idle timeout": gettext_lazy("idle timeout"),
    # the creation of an object with a state machine (``extra["transition"]``), automatic steps
    "open": gettext_lazy("opened"),
    "requester replied": gettext_lazy("the requester replied"),
    **display.VIA_NAMES,
}


def register_detail_labels(labels: dict[str, Any], values: dict[str, Any] | None = None) -> None:
    """An app names the details it writes in its audit records (``extra`` keys) and the codes
    they hold, so that the history and the audit trail read them in the reader's language."""
    DETAIL_LABELS.update(labels)
    DETAIL_VALUES.update(values or {})


def _detail_text(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_flat(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = _flat(value)
    known = DETAIL_VALUES.get(text) if key not in ("username", "path", "file") else None
    return str(known) if known is not None else text


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return display.joined(value)
    return str(value)


def _details(
    rec: AuditRecord, model: type[models.Model] | None, perms: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    rows = []
    choices = _transition_choices(model, str((rec.extra or {}).get("transition", "")))
    order = {k: i for i, k in enumerate(DETAIL_LABELS)}  # the same order on every database
    extra = sorted((rec.extra or {}).items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    for key, value in extra:
        if key in HIDDEN_DETAILS or value in (None, "", [], {}):
            continue
        if key == "via" and value == "web":
            continue
        label = capfirst(str(DETAIL_LABELS.get(key, key.replace("_", " "))))
        if key == "transition":
            rows.append((label, _transition_label(model, str(value)) or _detail_text(key, value)))
        elif key in PERMISSION_DETAILS and perms and str(value) in perms:
            rows.append((label, f"{perms[str(value)]} ({value})"))
        elif key in choices and str(value) in choices[key]:
            rows.append((label, choices[key][str(value)]))
        else:
            rows.append((label, _detail_text(key, value)[:MAX_TEXT]))
    return rows


def _transition_choices(model: type[models.Model] | None, name: str) -> dict[str, dict[str, str]]:
    """The labels of the choices of a transition's fields (``{"on": {"vendor": "a vendor"}}``):
    what the person chose, stored as a code in the record's details."""
    if model is None or not name:
        return {}
    machine = getattr(page_for(model), "machine", None) or machine_of(model)
    if machine is None or name not in machine:
        return {}
    found = {}
    for f in machine[name].fields:
        choices = None if callable(f.choices) else f.choices  # a callable may query
        if choices is None and f.model_field:
            mf = _field(f.of or model, f.model_field)
            choices = getattr(mf, "flatchoices", None) if mf is not None else None
        if choices:
            found[f.name] = {str(k): str(v) for k, v in choices}
    return found


def _transition_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return ""
    page = page_for(model)
    machine = getattr(page, "machine", None) or machine_of(model)
    if machine is None or name not in machine:
        return ""
    return capfirst(str(machine[name].label))


# --- values ------------------------------------------------------------------------------------
def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _key(model: type[models.Model], value: Any) -> Any:
    """``value`` as ``model``'s primary key, or None when it cannot be one ("abc" for an int)."""
    try:
        return model._meta.pk.to_python(value) if model._meta.pk is not None else None
    except (ValidationError, TypeError, ValueError):
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_default(f: Any, value: Any) -> bool:
    """Whether a created object's ``value`` is only ``f``'s default (not set by anyone)."""
    if _empty(value):
        return True
    if f is None or not isinstance(f, models.Field) or not f.has_default():
        return value is False and isinstance(f, models.BooleanField)
    default = f.get_default()
    if isinstance(default, models.Model):
        default = default.pk
    if isinstance(default, datetime.date | datetime.datetime):
        return False  # "now": set when created, worth showing
    return bool(default == value)


def _name_of(obj: models.Model) -> str:
    if isinstance(obj, Permission):
        return permlabels.permission_label(obj)
    return str(obj)


def permission_labels(names: Iterable[str]) -> dict[str, str]:
    """``{"app.codename": its label}`` for the permissions named (one query)."""
    q = Q()
    for name in sorted(set(names))[:200]:
        app, _dot, codename = name.partition(".")
        if app and codename:
            q |= Q(content_type__app_label=app, codename=codename)
    if not q:
        return {}
    perms = Permission.objects.filter(q).select_related("content_type")
    return {
        f"{p.content_type.app_label}.{p.codename}": permlabels.permission_label(p) for p in perms
    }


class _Resolver:
    """Names and links of the objects the records point at, fetched once per model."""

    def __init__(self, viewer: Any, zone: datetime.tzinfo, links: bool = True) -> None:
        self.viewer = viewer
        self.links = links
        self.zone = zone
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[type[models.Model], dict[str, str]] = {}
        self.urls: dict[type[models.Model], dict[str, str]] = {}
        self.people: dict[Any, str] = {}
        self.user_model = get_user_model()
        self.yes, self.no = _("Yes"), _("No")

    def want(self, model: type[models.Model], value: Any) -> None:
        key = _key(model, value)
        if key is not None and len(self.wanted[model]) < MAX_RELATED:
            self.wanted[model].add(key)

    def fetch(self, actor_ids: Iterable[Any]) -> None:
        for model, ids in self.wanted.items():
            manager: Any = model._default_manager
            if model is Permission:  # named by module and action ("工单 · 查看"), not raw
                manager = manager.select_related("content_type")
            objs = manager.in_bulk(list(ids))
            self.names[model] = {str(k): _name_of(v) for k, v in objs.items()}
            if not self.links or not display.has_object_url(model) or self.viewer is None:
                continue
            visible = permissions.restrict(
                model._default_manager.filter(pk__in=list(objs)), self.viewer, "view"
            ).values_list("pk", flat=True)
            self.urls[model] = {str(pk): display.object_url(objs[pk]) for pk in visible}
        users = {*actor_ids, *self.wanted.get(self.user_model, ())}
        self.people = display.actor_names(users)

    def value(self, model: type[models.Model], raw: Any) -> Value:
        key = str(raw)
        if model is self.user_model:
            login = self.names.get(model, {}).get(key, "")
            pk = _key(model, raw)
            name = self.people.get(pk) or login or f"#{raw}"
            return Value(name, self.urls.get(model, {}).get(key, ""), login)
        text = self.names.get(model, {}).get(key, f"#{raw}")
        return Value(text, self.urls.get(model, {}).get(key, ""))

    def show(self, f: Any, raw: Any) -> Shown:
        if _empty(raw):
            return Shown()
        if raw == MASK:
            return Shown((Value(MASK),))
        if f is not None and f.is_relation and f.related_model is not None:
            items = raw if isinstance(raw, list) else [raw]
            return Shown(tuple(self.value(f.related_model, v) for v in items))
        return Shown((Value(self.text(f, raw)),))

    def text(self, f: Any, raw: Any) -> str:
        if f is not None and getattr(f, "choices", None):
            return str(dict(f.flatchoices).get(raw, raw))
        if isinstance(raw, bool):
            return self.yes if raw else self.no
        if isinstance(f, models.DateTimeField) and isinstance(raw, str):
            when = parse_datetime(raw)
            if when is not None:
                if timezone.is_aware(when):
                    when = when.astimezone(self.zone)
                return when.strftime(TIME_FORMAT)
        if isinstance(f, models.DateField) and isinstance(raw, str) and parse_date(raw[:10]):
            return raw[:10]
        if isinstance(raw, dict | list):
            return json.dumps(raw, ensure_ascii=False)[:MAX_TEXT]
        return str(raw)[:MAX_TEXT]


def _label(model: type[models.Model] | None, f: Any, name: str) -> str:
    if f is not None and hasattr(f, "verbose_name"):
        return capfirst(str(f.verbose_name))
    if model is not None:
        return capfirst(display.field_label(model, name))
    return name


def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    if model is None:
        return {}
    meta = model._meta
    return {f.name: i for i, f in enumerate([*meta.concrete_fields, *meta.many_to_many])}


def _pairs(rec: AuditRecord, model: type[models.Model] | None) -> list[tuple[str, Any, Any]]:
    """``(field, before, after)`` in the model's field order (PostgreSQL's JSON does not keep
    the order the record was written in)."""
    out = []
    for name, pair in (rec.changes or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            out.append((name, pair[0], pair[1]))
        else:
            out.append((name, None, pair))
    order = _field_order(model)
    return sorted(out, key=lambda row: (order.get(row[0], len(order)), row[0]))


def actor_text(rec: AuditRecord, people: dict[Any, str]) -> tuple[str, str]:
    """Who acted, as people read it, and the login as written (for the tooltip): the
    person's name (``people``: ``display.actor_names``), else the login; without an account,
    the way in (command line, background task…); "—" for nobody (a failed sign-in)."""
    login = rec.actor_name
    if rec.actor_id:
        return people.get(rec.actor_id) or login or f"#{rec.actor_ref}", login
    if rec.actor_ref:  # the account is gone: the login as written
        return login or f"#{rec.actor_ref}", login
    return (str(display.VIA_NAMES.get(login, login)) if login else "—"), ""


def describe(
    records: Iterable[AuditRecord],
    viewer: Any = None,
    *,
    model: type[models.Model] | None = None,
    links: bool = True,
) -> list[Entry]:
    """The records as people read them, for ``viewer`` (default: the one acting now).

    ``model`` is the records' model when the caller knows it (an object's history); otherwise
    each record's ``object_type`` names it. A bounded number of queries: one per model the
    records link to (names), one more for those with a page (what the viewer may open), one
    for the people's names. ``links=False`` (exports) skips the links."""
    records = list(records)
    if viewer is None:
        viewer = context.current().user
    zone = display.viewer_zone(viewer)
    res = _Resolver(viewer if getattr(viewer, "is_authenticated", False) else None, zone, links)
    models_of: dict[int, type[models.Model] | None] = {}
    for rec in records:
        m = display.model_for_label(rec.object_type) or model
        models_of[rec.pk] = m
        linkable = links and m is not None and display.has_object_url(m)
        if m is not None and linkable and rec.object_id and rec.action != AuditAction.DELETE:
            res.want(m, rec.object_id)
        for name, before, after in _pairs(rec, m):
            f = _field(m, name)
            if f is None or not f.is_relation or f.related_model is None:
                continue
            for value in (before, after):
                for v in value if isinstance(value, list) else [value]:
                    if not _empty(v) and v != MASK:
                        res.want(f.related_model, v)
    res.fetch(rec.actor_id for rec in records if rec.actor_id)
    denied = [str((r.extra or {}).get(k, "")) for r in records for k in PERMISSION_DETAILS]
    perms = permission_labels(p for p in denied if "." in p)

    # Labels once per call, not per record (a choice's display costs a hash of all choices).
    action_labels = {str(k): capfirst(str(v)) for k, v in AuditAction.choices}
    type_labels: dict[str, str] = {}
    transition_labels: dict[tuple[Any, str], str] = {}
    field_labels: dict[tuple[Any, str], str] = {}
    result = []
    for rec in records:
        m = models_of[rec.pk]
        rows = []
        for name, before, after in _pairs(rec, m):
            f = _field(m, name)
            if rec.action == AuditAction.CREATE and _is_default(f, after):
                continue  # the creation shows what was set, not every default
            if rec.action == AuditAction.DELETE and _empty(before):
                continue
            if (m, name) not in field_labels:
                field_labels[(m, name)] = _label(m, f, name)
            rows.append(Change(field_labels[(m, name)], res.show(f, before), res.show(f, after)))
        actor, login = actor_text(rec, res.people)
        transition = str((rec.extra or {}).get("transition", ""))
        if transition and (m, transition) not in transition_labels:
            transition_labels[(m, transition)] = _transition_label(m, transition)
        action = (transition_labels.get((m, transition), "") if transition else "") or (
            action_labels.get(rec.action, rec.action)
        )
        if rec.object_type not in type_labels:
            type_labels[rec.object_type] = (
                display.object_type_label(rec.object_type) if rec.object_type else ""
            )
        url = ""
        if m is not None and rec.object_id and rec.action != AuditAction.DELETE:
            url = res.urls.get(m, {}).get(str(_key(m, rec.object_id)), "")
        result.append(
            Entry(
                rec,
                actor,
                rows,
                actor_login=login,
                action=action,
                object_type=type_labels[rec.object_type],
                object_url=url,
                when=timezone.localtime(rec.ts, zone),
                zone=str(zone),
                details=_details(rec, m, perms),
            )
        )
    return result


def entries(
    model: type[models.Model], records: Iterable[AuditRecord], viewer: Any = None
) -> list[Entry]:
    """An object's history (the history tab, the history page)."""
    return describe(records, viewer, model=model)
