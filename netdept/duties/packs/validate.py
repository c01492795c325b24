"""Validating a pack: every file against ``packs/schema.json``, then the pack as a whole (keys
unique across files, every reference resolved, amounts that are money, recurrences that fire,
the site's people, departments, roles, permissions and registered checks found). Every problem
is a ``PackError`` naming the file and the line of the key at fault; all of them are collected,
and a pack with any problem is refused whole (``PackInvalid``) before anything is written.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.duties import checks, recurrence
from netdept.duties.packs.sections import all_sections
from netdept.duties.packs.source import (
    HEADER_FILE,
    LocatedDict,
    LocatedList,
    PackError,
    PackInvalid,
    PackSource,
    read,
)
from netdept.org.models import Department, Person, Role

HEADER_KEYS = ("name", "title", "version", "description")
#: the sections of items (``org`` holds three of them), in the order they are written
SECTIONS = (
    "teams",
    "positions",
    "roles",
    "regulations",
    "penalty_rules",
    "prohibited_acts",
    "reward_rules",
    "duties",
    "approval_rules",
    "article_links",
)
ORG_SECTIONS = ("teams", "positions", "roles")
#: ``article_links.target`` → the section whose keys it names
LINK_TARGETS = {
    "org.team": "teams",
    "org.position": "positions",
    "org.role": "roles",
    "duties.duty": "duties",
    "duties.penaltyrule": "penalty_rules",
    "duties.prohibitedact": "prohibited_acts",
    "duties.rewardrule": "reward_rules",
    "approvals.approvalrule": "approval_rules",
}
#: the fields of an approval rule besides those of ``define_rule``
APPROVAL_EXTRA = {"key", "articles"}
TWO_PLACES = Decimal("0.01")


def _schema_file() -> Path:
    """``packs/schema.json`` of the repository (beside the ``netdept`` package)."""
    return Path(__file__).resolve().parents[3] / "packs" / "schema.json"


@cache
def schema() -> dict[str, Any]:
    """``packs/schema.json`` as shipped (the built-in sections)."""
    with _schema_file().open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def pack_schema() -> dict[str, Any]:
    """The schema of one pack file: the shipped one plus the registered sections (each a list
    of items of the section's schema) and their models as ``article_links`` targets."""
    base = schema()
    extra = all_sections()
    if not extra:
        return base
    out = copy.deepcopy(base)
    for section in extra:
        out["properties"][section.name] = {"type": "array", "items": dict(section.item_schema)}
    target = out["$defs"]["article_link"]["properties"]["target"]
    target["enum"] = [*target["enum"], *(s.target for s in extra)]
    return out


def sections() -> tuple[str, ...]:
    """Every section of items: the built-in ones, then the registered ones."""
    return SECTIONS + tuple(s.name for s in all_sections())


def link_targets() -> dict[str, str]:
    """``article_links.target`` → the section whose keys it names (registered ones too)."""
    return {**LINK_TARGETS, **{s.target: s.name for s in all_sections()}}


@dataclass
class Item:
    """One item of a section, where it is written."""

    section: str
    key: str
    data: LocatedDict
    file: str
    line: int

    def error(self, field_name: str | None, message: str) -> PackError:
        line = self.data.line_of(field_name) if field_name else self.line
        where = f"{self.section}[{self.key}]" + (f".{field_name}" if field_name else "")
        return PackError(self.file, line, f"{where}: {message}")


@dataclass
class PackData:
    """A validated pack: its header and its items by section, in file order."""

    name: str
    title: str
    version: str
    description: str
    header_file: str
    items: dict[str, list[Item]] = field(default_factory=dict)

    def section(self, name: str) -> list[Item]:
        return self.items.get(name, [])

    def by_key(self, section: str) -> dict[str, Item]:
        return {i.key: i for i in self.section(section)}


# --- the schema --------------------------------------------------------------------------


def _type_name(name: Any) -> str:
    names = {
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "object": _("a mapping (name: value)"),
        "array": _("a list"),
        "boolean": _("true or false"),
    }
    if isinstance(name, list):
        return _(" or ").join(names.get(n, str(n)) for n in name)
    return names.get(str(name), str(name))


def _walk(data: Any, path: list[Any]) -> tuple[Any, Any]:
    """The container holding the last element of ``path`` and that element."""
    parent: Any = None
    node = data
    for part in path:
        parent = node
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return parent, node


def _line(data: LocatedDict, path: list[Any]) -> int:
    if not path:
        return data.line
    parent, _node = _walk(data, path)
    last = path[-1]
    if isinstance(parent, LocatedDict) and isinstance(last, str):
        return parent.line_of(last)
    if isinstance(parent, LocatedList) and isinstance(last, int):
        return parent.line_of(last)
    return getattr(parent, "line", data.line)


def _where(data: LocatedDict, path: list[Any]) -> str:
    """``duties[news-articles].evidence.kind``: list items named by their key when they have one."""
    text = ""
    node: Any = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            key = item.get("key") if isinstance(item, dict) else None
            label = item.get("label") if isinstance(item, dict) else None
            shown = key if isinstance(key, str) else label if isinstance(label, str | int) else part
            text += f"[{shown}]"
        else:
            text += ("." if text else "") + str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return text


def _pattern_message(path: list[Any], value: Any) -> str:
    name = str(path[-1]) if path else ""
    if name == "key" or name in {"position", "team", "penalty_rule", "target_key"}:
        return _("%(value)s is not a key: letters, digits, “-”, “_” and “.”, at most 100") % {
            "value": value
        }
    if name == "code":
        return _("%(value)s is not a code: letters, digits, “-” and “_”") % {"value": value}
    if name in {"due_time", "start_time", "work_starts", "work_ends"}:
        return _("%(value)s is not a time of day: write it as “17:00” (in quotes)") % {
            "value": value
        }
    if name in {"starts_on", "ends_on"}:
        return _("%(value)s is not a date: write it as 2026-01-31") % {"value": value}
    if name == "name":
        return _("a pack name is lower-case letters, digits and hyphens")
    if name in {"permissions", "record"} or (path and isinstance(path[-1], int)):
        if len(path) >= 2 and path[-2] == "articles":
            return _("%(value)s is not an article reference: <regulation key>#<article label>") % {
                "value": value
            }
        return _("%(value)s is not of the form app.name") % {"value": value}
    if name == "article":
        return _("%(value)s is not an article reference: <regulation key>#<article label>") % {
            "value": value
        }
    if name in {"amount", "min"}:
        return _money_message(value)
    if name == "percent":
        return _("%(value)s is not a percentage from 0 to 100 (such as “20”)") % {"value": value}
    return _("%(value)s does not have the expected form") % {"value": value}


def _money_message(value: Any) -> str:
    return _(
        "%(value)s is not an amount of money: write it in quotes with at most two decimals, "
        "such as “10.00”"
    ) % {"value": value}


def _schema_message(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    """(path to the part at fault, message) of one schema error."""
    path = list(error.absolute_path)
    kind = error.validator
    value = error.instance
    defs = pack_schema()["$defs"]
    if kind == "required":
        missing = [r for r in error.validator_value if r not in (value or {})]
        return path, _("%(field)s is required") % {"field": ", ".join(missing)}
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = [k for k in value if k not in known]
        if extra:
            return [*path, extra[0]], _("unknown field %(field)s (known: %(known)s)") % {
                "field": extra[0],
                "known": ", ".join(sorted(known)),
            }
    if kind == "type":
        if error.validator_value == "string" and path and path[-1] in {"version", "title"}:
            return path, _("%(value)s: write it in quotes (text)") % {"value": value}
        return path, _("expected %(type)s, found %(value)s") % {
            "type": _type_name(error.validator_value),
            "value": json.dumps(value, ensure_ascii=False, default=str)[:60],
        }
    if kind in {"enum", "const"}:
        choices = error.validator_value if kind == "enum" else [error.validator_value]
        return path, _("%(value)s is not one of: %(choices)s") % {
            "value": json.dumps(value, ensure_ascii=False, default=str),
            "choices": ", ".join(json.dumps(c, ensure_ascii=False) for c in choices),
        }
    if kind == "oneOf":
        if error.schema == defs["money"] or (path and path[-1] in {"amount", "min"}):
            return path, _money_message(value)
        if error.schema == defs["percent"]:
            return path, _pattern_message(["percent"], value)
        if path and path[-1] == "alternative":
            return path, _("%(value)s is not a sanction") % {"value": value}
    if kind == "pattern":
        return path, _pattern_message(path, value)
    if kind == "minLength":
        return path, _("must not be empty")
    if kind == "maxLength":
        return path, _("is longer than %(n)d characters") % {"n": error.validator_value}
    if kind == "minimum":
        return path, _("must be at least %(n)s") % {"n": error.validator_value}
    if kind == "maximum":
        return path, _("must be at most %(n)s") % {"n": error.validator_value}
    if kind == "minItems":
        return path, _("needs at least one item")
    return path, error.message


def schema_errors(data: LocatedDict) -> list[PackError]:
    """The problems of one parsed file against the schema, each with its line."""
    validator = jsonschema.Draft202012Validator(pack_schema())
    out: list[PackError] = []
    for error in validator.iter_errors(data):
        path, message = _schema_message(error)
        where = _where(data, path)
        text = f"{where}: {message}" if where else message
        out.append(PackError(data.file, _line(data, path), text))
    return out


# --- values ------------------------------------------------------------------------------


def money(value: Any) -> Decimal | None:
    """A schema-valid amount as a Decimal of two places (None when absent)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(TWO_PLACES)
    except InvalidOperation:
        return None


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_time(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def split_ref(ref: str) -> tuple[str, str]:
    regulation, _sep, label = ref.partition("#")
    return regulation, label


# --- the whole pack ----------------------------------------------------------------------


def _items(source: PackSource) -> tuple[dict[str, list[Item]], list[PackError]]:
    """The items of every file by section (schema-valid files only), duplicates refused."""
    section_names = sections()
    items: dict[str, list[Item]] = {s: [] for s in section_names}
    errors: list[PackError] = []
    seen: dict[tuple[str, str], Item] = {}
    codes: dict[tuple[str, str], Item] = {}
    for pf in source.files:
        data = pf.data
        if data is None:
            continue
        containers: list[tuple[str, Any]] = [
            (s, data.get(s)) for s in section_names if s not in ORG_SECTIONS
        ]
        org = data.get("org")
        if isinstance(org, dict):
            containers += [(s, org.get(s)) for s in ORG_SECTIONS]
        for section, rows in containers:
            if not isinstance(rows, LocatedList):
                continue
            for index, row in enumerate(rows):
                if not isinstance(row, LocatedDict):
                    continue
                key = str(row.get("key") or row.get("label") or index)
                item = Item(section, key, row, pf.label, rows.line_of(index))
                other = seen.get((section, key))
                if other is not None and section != "article_links":
                    errors.append(
                        item.error(
                            "key",
                            _("the key %(key)s is used twice in %(section)s (also %(where)s)")
                            % {
                                "key": key,
                                "section": section,
                                "where": f"{other.file}:{other.line}",
                            },
                        )
                    )
                    continue
                seen[(section, key)] = item
                code = row.get("code")
                if isinstance(code, str) and section not in {"teams", "positions", "article_links"}:
                    first = codes.get((section, code))
                    if first is not None:
                        errors.append(
                            item.error(
                                "code",
                                _("the code %(code)s is used twice in %(section)s (also %(where)s)")
                                % {
                                    "code": code,
                                    "section": section,
                                    "where": f"{first.file}:{first.line}",
                                },
                            )
                        )
                    codes[(section, code)] = item
                items[section].append(item)
    for section in ("teams", "positions"):
        names: dict[str, Item] = {}
        for item in items[section]:
            name = str(item.data.get("name", ""))
            if name in names:
                errors.append(
                    item.error(
                        "name",
                        _("the name %(name)s is used twice in %(section)s")
                        % {"name": name, "section": section},
                    )
                )
            names[name] = item
    return items, errors


def _header(source: PackSource) -> tuple[dict[str, str], str, list[PackError]]:
    errors: list[PackError] = []
    header: dict[str, str] = {}
    header_file = f"{source.name}/{HEADER_FILE}"
    for pf in source.files:
        if pf.data is None:
            continue
        if pf.label.endswith("/" + HEADER_FILE):
            header_file = pf.label
            for key in HEADER_KEYS:
                if isinstance(pf.data.get(key), str):
                    header[key] = pf.data[key]
            for key in ("name", "title", "version"):
                if key not in pf.data:
                    errors.append(
                        PackError(
                            pf.label, pf.data.line, _("%(field)s is required") % {"field": key}
                        )
                    )
            name = pf.data.get("name")
            if isinstance(name, str) and name != source.name:
                errors.append(
                    PackError(
                        pf.label,
                        pf.data.line_of("name"),
                        _("name: %(name)s differs from the folder's name %(folder)s")
                        % {"name": name, "folder": source.name},
                    )
                )
        else:
            for key in HEADER_KEYS:
                if key in pf.data:
                    errors.append(
                        PackError(
                            pf.label,
                            pf.data.line_of(key),
                            _("%(field)s belongs in pack.yaml only") % {"field": key},
                        )
                    )
    return header, header_file, errors


class _Checker:
    """The cross-checks of a pack whose files passed the schema."""

    def __init__(self, pack: PackData, department: Department | None) -> None:
        self.pack = pack
        self.department = department
        self.errors: list[PackError] = []
        self.articles: set[tuple[str, str]] = set()
        for item in pack.section("regulations"):
            for article in item.data.get("articles", []):
                self.articles.add((item.key, str(article.get("label"))))

    def run(self) -> list[PackError]:
        self._regulations()
        for section in sections():
            for item in self.pack.section(section):
                self._refs(item)
        self._roles()
        self._penalty_rules()
        for item in self.pack.section("prohibited_acts"):
            self._key_ref(item, "penalty_rule", "penalty_rules")
        self._duties()
        self._approval_rules()
        for registered in all_sections():
            if registered.check is not None:
                for item in self.pack.section(registered.name):
                    registered.check(self, item)
        self._links()
        return self.errors

    # --- for the sections other modules register ---------------------------------------
    def key_ref(self, item: Item, field_name: str, section: str, value: Any = None) -> None:
        """Refuse ``item``'s ``field_name`` unless it names an item of ``section``."""
        self._key_ref(item, field_name, section, value)

    def error(self, item: Item, field_name: str | None, message: str) -> None:
        """Refuse ``item`` (at the line of ``field_name``) with ``message``."""
        self.errors.append(item.error(field_name, message))

    def article_refs(self, item: Item, refs: Any, where: str) -> None:
        """Refuse each reference of ``refs`` (a list of a sub-item, such as a flow's stage)
        that names no article of the pack; ``where`` says which sub-item."""
        if not isinstance(refs, list):
            return
        for index, ref in enumerate(refs):
            if isinstance(ref, str) and split_ref(ref) not in self.articles:
                line = refs.line_of(index) if isinstance(refs, LocatedList) else item.line
                self.errors.append(
                    PackError(
                        item.file,
                        line,
                        f"{item.section}[{item.key}].{where}: "
                        + _("no article %(ref)s in this pack's regulations") % {"ref": ref},
                    )
                )

    def _regulations(self) -> None:
        for item in self.pack.section("regulations"):
            labels: dict[str, int] = {}
            rows = item.data.get("articles", [])
            for index, article in enumerate(rows):
                label = str(article.get("label"))
                if label in labels:
                    self.errors.append(
                        PackError(
                            item.file,
                            rows.line_of(index),
                            _(
                                "regulations[%(key)s].articles: the label %(label)s is used "
                                "twice (line %(line)d)"
                            )
                            % {"key": item.key, "label": label, "line": labels[label]},
                        )
                    )
                labels[label] = rows.line_of(index)

    def _refs(self, item: Item) -> None:
        refs = item.data.get("articles")
        if item.section == "article_links":
            refs = LocatedList([item.data.get("article")])
            refs.file, refs.line, refs.item_lines = (
                item.file,
                item.line,
                [item.data.line_of("article")],
            )
        if not isinstance(refs, list):
            return
        for index, ref in enumerate(refs):
            if not isinstance(ref, str):
                continue
            if split_ref(ref) not in self.articles:
                line = refs.line_of(index) if isinstance(refs, LocatedList) else item.line
                field_name = "article" if item.section == "article_links" else "articles"
                self.errors.append(
                    PackError(
                        item.file,
                        line,
                        f"{item.section}[{item.key}].{field_name}: "
                        + _("no article %(ref)s in this pack's regulations") % {"ref": ref},
                    )
                )

    def _key_ref(self, item: Item, field_name: str, section: str, value: Any = None) -> None:
        key = item.data.get(field_name) if value is None else value
        if key in (None, ""):
            return
        if key not in self.pack.by_key(section):
            self.errors.append(
                item.error(
                    field_name,
                    _("no %(section)s item has the key %(key)s") % {"section": section, "key": key},
                )
            )

    def _roles(self) -> None:
        for item in self.pack.section("roles"):
            wanted = item.data.get("permissions", [])
            found = set()
            for name in wanted:
                app, _sep, codename = name.partition(".")
                if Permission.objects.filter(
                    content_type__app_label=app, codename=codename
                ).exists():
                    found.add(name)
            missing = [n for n in wanted if n not in found]
            if missing:
                self.errors.append(
                    item.error(
                        "permissions",
                        _("no such permission: %(names)s") % {"names": ", ".join(missing)},
                    )
                )

    def _penalty_rules(self) -> None:
        for item in self.pack.section("penalty_rules"):
            steps = item.data.get("steps", [])
            offences: set[int] = set()
            for index, step in enumerate(steps):
                line = steps.line_of(index)
                where = f"penalty_rules[{item.key}].steps[{step.get('offence')}]"

                def err(
                    message: str, line: int = line, where: str = where, file: str = item.file
                ) -> None:
                    self.errors.append(PackError(file, line, f"{where}: {message}"))

                offence = step.get("offence")
                if offence in offences:
                    err(_("offence %(n)s is given twice") % {"n": offence})
                offences.add(offence)
                sanction = step.get("sanction")
                if sanction == "fine" and money(step.get("amount")) is None:
                    err(_("a fine needs its amount"))
                if sanction == "pay_cut" and step.get("percent") in (None, ""):
                    err(_("a pay cut needs its percent"))
                if step.get("per_item") and money(step.get("amount")) is None:
                    err(_("per_item needs an amount"))
                if step.get("alternative") and step.get("alternative") == sanction:
                    err(_("the alternative is the sanction itself"))
            if offences and 1 not in offences:
                self.errors.append(item.error("steps", _("the steps start with offence 1")))

    def _person(self, item: Item, field_name: str, employee_no: Any, data: LocatedDict) -> None:
        if employee_no and not Person.objects.filter(employee_no=employee_no).exists():
            self.errors.append(
                PackError(
                    item.file,
                    data.line_of(field_name),
                    f"{item.section}[{item.key}].{field_name}: "
                    + _("no person has the employee number %(no)s") % {"no": employee_no},
                )
            )

    def _duties(self) -> None:
        today = timezone.localdate()
        for item in self.pack.section("duties"):
            d = item.data
            assignee: LocatedDict = d["assignee"]
            kind = assignee["kind"]
            where = f"duties[{item.key}].assignee"

            def aerr(
                field_name: str,
                message: str,
                where: str = where,
                assignee: LocatedDict = assignee,
                file: str = item.file,
            ) -> None:
                line = assignee.line_of(field_name)
                self.errors.append(PackError(file, line, f"{where}.{field_name}: {message}"))

            if kind in {"person", "position", "role", "team"} and not assignee.get(kind):
                aerr("kind", _("an assignee of kind %(kind)s names its %(kind)s") % {"kind": kind})
            if kind == "person":
                self._person(item, "person", assignee.get("person"), assignee)
            elif kind in {"position", "team"} and assignee.get(kind):
                section = "positions" if kind == "position" else "teams"
                if assignee[kind] not in self.pack.by_key(section):
                    aerr(
                        kind,
                        _("no %(section)s item has the key %(key)s")
                        % {"section": section, "key": assignee[kind]},
                    )
            elif kind == "role" and assignee.get("role"):
                code = assignee["role"]
                if (
                    code not in self.pack.by_key("roles")
                    and not Role.objects.filter(code=code).exists()
                ):
                    aerr(
                        "role",
                        _("no role of this pack has the key %(key)s and no role has this code")
                        % {"key": code},
                    )
            elif kind == "department":
                code = assignee.get("department")
                if code and not Department.objects.filter(code=code).exists():
                    aerr("department", _("no department has the code %(code)s") % {"code": code})
            starts = parse_date(d.get("starts_on")) or today
            ends = parse_date(d.get("ends_on"))
            for name in ("starts_on", "ends_on"):
                if d.get(name) and parse_date(d.get(name)) is None:
                    self.errors.append(
                        item.error(name, _("%(value)s is not a date") % {"value": d.get(name)})
                    )
            try:
                recurrence.validate(str(d["rrule"]), starts, ends)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.errors.append(
                        item.error(name if name in d else "rrule", " ".join(messages))
                    )
            evidence = d.get("evidence")
            if isinstance(evidence, LocatedDict):
                ekind = evidence.get("kind")
                if ekind == "checklist" and not evidence.get("items"):
                    self.errors.append(item.error("evidence", _("a checklist needs its items")))
                if ekind == "record":
                    label = evidence.get("record")
                    if not label:
                        self.errors.append(
                            item.error(
                                "evidence",
                                _("a record as evidence names its kind (record: app.model)"),
                            )
                        )
                    else:
                        try:
                            apps.get_model(label)
                        except (LookupError, ValueError):
                            self.errors.append(
                                item.error(
                                    "evidence",
                                    _("no such kind of record: %(label)s") % {"label": label},
                                )
                            )
                if ekind != "number" and evidence.get("min") is not None:
                    self.errors.append(item.error("evidence", _("min is for a number as evidence")))
            check = d.get("check")
            if isinstance(check, LocatedDict):
                found = checks.get(str(check["code"]))
                if found is None:
                    self.errors.append(
                        item.error(
                            "check",
                            _("no self-check is registered as %(code)s") % {"code": check["code"]},
                        )
                    )
                else:
                    bad = found.check_params(check.get("params") or {})
                    if bad:
                        self.errors.append(
                            item.error(
                                "check",
                                _("bad parameters: %(names)s") % {"names": ", ".join(sorted(bad))},
                            )
                        )
            reviewer = d.get("reviewer")
            if isinstance(reviewer, LocatedDict) and reviewer.get("kind") == "person":
                if not reviewer.get("person"):
                    self.errors.append(
                        item.error("reviewer", _("a reviewer of kind person names the person"))
                    )
                self._person(item, "person", reviewer.get("person"), reviewer)
            self._key_ref(item, "penalty_rule", "penalty_rules")

    def _approval_rules(self) -> None:
        from netdept.approvals.define import RULE_ALL_KEYS

        for item in self.pack.section("approval_rules"):
            unknown = sorted(set(item.data) - RULE_ALL_KEYS - APPROVAL_EXTRA)
            for name in unknown:
                self.errors.append(item.error(name, _("unknown field %(field)s") % {"field": name}))

    def _links(self) -> None:
        targets = link_targets()
        for item in self.pack.section("article_links"):
            section = targets[item.data["target"]]
            self._key_ref(item, "target_key", section)


def validate_source(source: PackSource, department: Department | None = None) -> PackData:
    """The pack of ``source`` validated whole, or ``PackInvalid`` with every problem."""
    errors = list(source.errors)
    for pf in source.files:
        if pf.data is not None:
            errors += schema_errors(pf.data)
    header, header_file, header_errors = _header(source)
    errors += header_errors
    if errors:
        raise PackInvalid(errors)
    items, item_errors = _items(source)
    pack = PackData(
        name=source.name,
        title=header.get("title", ""),
        version=header.get("version", ""),
        description=header.get("description", ""),
        header_file=header_file,
        items=items,
    )
    errors += item_errors
    errors += _Checker(pack, department).run()
    if errors:
        raise PackInvalid(errors)
    return pack


def validate(name: str, department: Department | None = None) -> PackData:
    """Read and validate the pack ``name`` of the packs folder."""
    return validate_source(read(name), department)
