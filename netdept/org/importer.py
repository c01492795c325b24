"""Import departments and people from an Excel (xlsx) file, with a preview.

``parse()`` reads and validates the whole file without writing anything: every row gets an
action (create, update, unchanged) and the list of its problems, each naming the column.
``apply()`` writes a parsed file through the org services, in one transaction, and only when no
row has a problem: a file with one bad row imports nothing.

Rules of the file: the header row is matched in Chinese or English, in any column order;
unknown columns are ignored. An existing code / employee number updates that record. On an
update a blank cell leaves the stored value as it is. References (parent department, manager)
may point to rows of the same file or to existing records. A person's team and position are
looked up by name in the person's department and created there when no department has them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.registry import page_for
from netdept.core.services import ModelService, require, service_for
from netdept.org.import_file import MAX_BYTES as MAX_BYTES  # the limits, re-exported
from netdept.org.import_file import MAX_PART_BYTES as MAX_PART_BYTES
from netdept.org.import_file import MAX_PARTS as MAX_PARTS
from netdept.org.import_file import MAX_RATIO as MAX_RATIO
from netdept.org.import_file import MAX_ROWS, ImportFileError, open_workbook
from netdept.org.import_file import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES
from netdept.org.models import Department, DepartmentKind, Person, Position, Team

HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 100

DEPARTMENTS = "departments"
PEOPLE = "people"
KINDS = (DEPARTMENTS, PEOPLE)

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    headers: tuple[str, ...]  # the first is the header of the template
    required: bool = False


DEPARTMENT_COLUMNS = (
    Column("code", gettext_lazy("code"), ("编码", "科室编码", "部门编码", "code"), True),
    Column("name", gettext_lazy("name"), ("名称", "科室名称", "部门名称", "name"), True),
    Column("kind", gettext_lazy("kind"), ("类型", "科室类型", "kind", "type")),
    Column(
        "parent",
        gettext_lazy("parent code"),
        ("上级编码", "上级科室编码", "上级部门编码", "parent code", "parent"),
    ),
    Column("phone", gettext_lazy("phone"), ("电话", "联系电话", "phone", "telephone")),
    Column("location", gettext_lazy("location"), ("位置", "地点", "location")),
)
PERSON_COLUMNS = (
    Column(
        "employee_no",
        gettext_lazy("employee number"),
        ("工号", "employee number", "employee no", "employee_no"),
        True,
    ),
    Column("name", gettext_lazy("name"), ("姓名", "name"), True),
    Column(
        "department",
        gettext_lazy("department code"),
        ("科室编码", "部门编码", "department code", "department"),
        True,
    ),
    Column("team", gettext_lazy("team"), ("组", "班组", "team", "team name")),
    Column("position", gettext_lazy("position"), ("岗位", "position", "position name")),
    Column(
        "manager",
        gettext_lazy("manager employee number"),
        ("直属上级工号", "上级工号", "manager employee number", "manager employee no", "manager"),
    ),
    Column("phone", gettext_lazy("phone"), ("电话", "手机", "联系电话", "phone")),
    Column("email", gettext_lazy("email"), ("邮箱", "电子邮箱", "email", "e-mail")),
    Column(
        "user", gettext_lazy("login"), ("登录名", "账号", "login", "login username", "username")
    ),
)
COLUMNS = {DEPARTMENTS: DEPARTMENT_COLUMNS, PEOPLE: PERSON_COLUMNS}
MODELS: dict[str, type[models.Model]] = {DEPARTMENTS: Department, PEOPLE: Person}
EXAMPLES = {
    DEPARTMENTS: [
        ["XXK", "信息科", "网络部", "", "0571-88880001", "行政楼3楼"],
        ["XXK-YW", "网络运维室", "网络部", "XXK", "0571-88880002", "行政楼3楼"],
        ["NK", "内科", "服务科室", "", "0571-88880100", "门诊楼2楼"],
    ],
    PEOPLE: [
        ["1001", "张三", "XXK", "网络运维组", "网络工程师", "", "13800000001", "zhang@example.org"],
        ["1002", "李四", "XXK", "网络运维组", "网络工程师", "1001", "13800000002", ""],
    ],
}
KIND_VALUES = {
    DepartmentKind.NETWORK: ("network", "网络部", "网络部门", "network department"),
    DepartmentKind.SERVED: ("served", "服务科室", "科室", "served department"),
}


@dataclass
class RowResult:
    row: int  # the row number shown by Excel
    values: dict[str, str]
    action: str = CREATE
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    obj: Any = None  # the existing record (update / unchanged)
    data: dict[str, Any] = field(default_factory=dict)  # plain field values to write
    refs: dict[str, str] = field(default_factory=dict)  # field → code / employee number
    new_refs: dict[str, tuple[int, str]] = field(default_factory=dict)  # team/position to create
    error_keys: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    kind: str
    columns: list[tuple[str, str]]  # (key, header as written in the file), in file order
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "error": 0}
        for r in self.rows:
            counts["error" if r.errors else r.action] += 1
        return counts

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]


# --- reading ---------------------------------------------------------------------------------
def _norm(text: str) -> str:
    text = re.sub(r"[（(\[【].*?[)）\]】]", "", str(text))
    return re.sub(r"[\s_\-*.:：]", "", text).lower()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Sheet:
    """What an import file holds, read once: the recognised columns (key, header as written)
    and the non-blank rows (row number, values). Kept between the preview and the import
    (``to_json``/``from_json``) so that confirming validates again without reading the
    workbook again."""

    kind: str
    columns: list[tuple[str, str]]
    rows: list[tuple[int, dict[str, str]]]

    def to_json(self) -> str:
        return json.dumps(
            {"kind": self.kind, "columns": self.columns, "rows": self.rows}, ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> Sheet:
        """The sheet stored by ``to_json``; ValueError if ``text`` is not one."""
        try:
            raw = json.loads(text)
            kind = str(raw["kind"])
            columns = [(str(k), str(h)) for k, h in raw["columns"]]
            rows = [
                (int(n), {str(k): str(v) for k, v in values.items()}) for n, values in raw["rows"]
            ]
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError("not a stored import sheet") from exc
        if kind not in KINDS:
            raise ValueError("not a stored import sheet")
        return cls(kind, columns, rows)


def read(kind: str, upload: IO[bytes], *, size: int | None = None) -> Sheet:
    """Read ``upload`` (the only place the workbook is unpacked); nothing is validated
    against the database yet. Raises ImportFileError."""
    if kind not in KINDS:
        raise ValueError(kind)
    columns, data = _read(upload, kind, size)
    return Sheet(kind, columns, data)


def _read(
    upload: IO[bytes], kind: str, size: int | None
) -> tuple[list[tuple[str, str]], list[tuple[int, dict[str, str]]]]:
    """The recognised columns (key, header) and the non-blank rows (row number, values)."""
    specs = COLUMNS[kind]
    aliases = {_norm(h): c.key for c in specs for h in c.headers}
    wb = open_workbook(upload, size)
    try:
        if not wb.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."))
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header: dict[int, tuple[str, str]] = {}
        header_row = 0
        for number, raw in enumerate(rows, start=1):
            found = {
                i: (aliases[_norm(_cell(v))], _cell(v))
                for i, v in enumerate(raw)
                if _norm(_cell(v)) in aliases
            }
            if len(found) > len(header):
                header, header_row = found, number
            if number >= HEADER_SEARCH_ROWS or any(
                c.required for c in specs if c.key in {k for k, _h in found.values()}
            ):
                break
        keys = [k for k, _h in header.values()]
        missing = [c for c in specs if c.required and c.key not in keys]
        if missing:
            names = "、".join(f"{c.headers[0]} ({c.headers[-1]})" for c in missing)
            raise ImportFileError(
                _("Required columns are missing from the header row: %(columns)s.")
                % {"columns": names}
            )
        doubled = sorted({h for k, h in header.values() if keys.count(k) > 1})
        if doubled:
            raise ImportFileError(
                _("These columns mean the same thing; keep one: %(columns)s.")
                % {"columns": "、".join(doubled)}
            )
        data: list[tuple[int, dict[str, str]]] = []
        ws_rows = ws.iter_rows(min_row=header_row + 1, values_only=True, max_col=MAX_COLUMNS)
        for number, raw in enumerate(ws_rows, start=header_row + 1):
            values = {key: _cell(raw[i]) if i < len(raw) else "" for i, (key, _h) in header.items()}
            if not any(values.values()):
                continue
            if len(data) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": MAX_ROWS}
                )
            data.append((number, values))
    finally:
        wb.close()
    if not data:
        raise ImportFileError(_("The file has a header row but no data rows."))
    columns = [header[i] for i in sorted(header)]
    return columns, data


# --- validation helpers ----------------------------------------------------------------------
class _Row:
    """Collects the errors of one row, naming the column as it is written in the file."""

    def __init__(self, result: RowResult, headers: dict[str, str]) -> None:
        self.result = result
        self.headers = headers

    def error(self, key: str | None, message: str) -> None:
        if key is not None:
            self.result.error_keys.add(key)
        if key is None or key not in self.headers:
            self.result.errors.append(message)
        else:
            self.result.errors.append(
                _("%(column)s: %(message)s") % {"column": self.headers[key], "message": message}
            )

    def validation_error(self, exc: ValidationError, field_to_key: dict[str, str]) -> None:
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                key = field_to_key.get(name) if name != NON_FIELD_ERRORS else None
                if key is not None and key in self.result.error_keys:
                    continue  # already explained, in the importer's own words
                for e in errs:
                    for msg in e.messages:
                        self.error(key, msg)
        else:
            for msg in exc.messages:
                self.error(None, msg)


def _required(row: _Row, specs: Iterable[Column]) -> None:
    for c in specs:
        if c.required and not row.result.values.get(c.key):
            row.error(c.key, _("This value is required."))


def _duplicates(rows: list[RowResult], key: str, headers: dict[str, str]) -> None:
    seen: dict[str, list[int]] = {}
    for r in rows:
        value = r.values.get(key, "")
        if value:
            seen.setdefault(value, []).append(r.row)
    for r in rows:
        numbers = seen.get(r.values.get(key, ""), [])
        if len(numbers) > 1:
            others = "、".join(str(n) for n in numbers if n != r.row)
            _Row(r, headers).error(
                key,
                _("%(value)s appears more than once in the file (also in rows %(rows)s).")
                % {"value": r.values[key], "rows": others},
            )


def _clone(obj: models.Model) -> Any:
    import copy

    return copy.copy(obj)


def _full_clean(row: _Row, candidate: models.Model, field_to_key: dict[str, str]) -> None:
    # References were resolved (and checked) by the importer: skip their one-query-per-row check.
    refs = [f.name for f in candidate._meta.concrete_fields if f.is_relation]
    try:
        candidate.full_clean(exclude=refs, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.validation_error(exc, field_to_key)


def _visible_ids(model: type[models.Model], ids: Iterable[int], user: Any, action: str) -> set[int]:
    qs = model._default_manager.filter(pk__in=set(ids))
    if user is not None:
        qs = permissions.restrict(qs, user, action)
    return set(qs.values_list("pk", flat=True))


def _walk_cycle(start: str, parent_of: dict[str, str | None]) -> list[str] | None:
    """The loop through ``start`` in the ``parent_of`` graph, if there is one."""
    path, node = [start], parent_of.get(start)
    seen = {start}
    while node:
        path.append(node)
        if node == start:
            return path
        if node in seen:
            return None  # a loop above this row: the rows on it report it
        seen.add(node)
        node = parent_of.get(node)
    return None


def _dependency_order(rows: list[RowResult], key: str, ref: str) -> list[RowResult]:
    """``rows`` with every row after the row of the same file it refers to by ``ref``."""
    by_key = {r.values[key]: r for r in rows}
    done: set[int] = set()
    ordered: list[RowResult] = []
    for r in rows:
        chain: list[RowResult] = []
        in_chain: set[int] = set()
        node: RowResult | None = r
        while node is not None and node.row not in done and node.row not in in_chain:
            chain.append(node)
            in_chain.add(node.row)
            target = node.refs.get(ref)
            node = by_key.get(target) if target else None
        for n in reversed(chain):
            done.add(n.row)
            ordered.append(n)
    return ordered


def _kind_value(text: str) -> str | None:
    wanted = _norm(text)
    for value, names in KIND_VALUES.items():
        candidates = {*names, str(DepartmentKind(value).label)}
        if wanted in {_norm(n) for n in candidates}:
            return str(value)
    return None


# --- departments -----------------------------------------------------------------------------
DEPT_FIELDS = {"code": "code", "name": "name", "kind": "kind", "phone": "phone"}
DEPT_FIELDS |= {"location": "location", "parent": "parent"}


def _parse_departments(
    columns: list[tuple[str, str]], data: list[tuple[int, dict[str, str]]], user: Any
) -> list[RowResult]:
    headers = dict(columns)
    present = set(headers)
    results = [RowResult(row=n, values=v) for n, v in data]
    _duplicates(results, "code", headers)
    codes = {r.values["code"] for r in results if r.values.get("code")}
    file_codes = codes
    db_parent = dict(Department.objects.values_list("code", "parent__code"))
    existing = {d.code: d for d in Department.objects.filter(code__in=codes)}
    parent_codes = {r.values.get("parent", "") for r in results} - {""} - file_codes
    parents = {d.code: d for d in Department.objects.filter(code__in=parent_codes)}
    visible = _visible_ids(Department, [d.pk for d in parents.values()], user, "view")
    changeable = _visible_ids(Department, [d.pk for d in existing.values()], user, "change")
    parent_of: dict[str, str | None] = dict(db_parent)

    for r in results:
        row = _Row(r, headers)
        v = r.values
        _required(row, DEPARTMENT_COLUMNS)
        obj = existing.get(v.get("code", ""))
        r.obj = obj
        r.action = UPDATE if obj is not None else CREATE
        candidate = _clone(obj) if obj is not None else Department()
        for key in ("code", "name", "phone", "location"):
            if key in present and (v.get(key) or obj is None):
                r.data[key] = v.get(key, "")
        if v.get("kind"):
            kind = _kind_value(v["kind"])
            if kind is None:
                row.error(
                    "kind",
                    _("%(value)s is not a department kind; use one of: %(choices)s.")
                    % {"value": v["kind"], "choices": "网络部、服务科室、network、served"},
                )
            else:
                r.data["kind"] = kind
        parent = v.get("parent", "")
        if parent:
            r.refs["parent"] = parent
            if parent == v.get("code"):
                row.error("parent", _("A department cannot be its own parent."))
            elif parent not in file_codes and (
                parent not in parents or parents[parent].pk not in visible
            ):
                row.error(
                    "parent",
                    _("No department with code %(code)s in the file or in the system.")
                    % {"code": parent},
                )
            elif v.get("code"):
                parent_of[v["code"]] = parent
        elif obj is None and v.get("code"):
            parent_of[v["code"]] = None
        for name, value in r.data.items():
            setattr(candidate, name, value)
        candidate.parent = None  # checked above and by the cycle search below
        _full_clean(row, candidate, DEPT_FIELDS)
        if obj is not None:
            changed = any(getattr(obj, k) != val for k, val in r.data.items())
            if "parent" in r.refs and db_parent.get(obj.code) != r.refs["parent"]:
                changed = True
            r.action = UPDATE if changed else UNCHANGED
            if changed:
                r.notes.append(_("Updates the existing department %(name)s.") % {"name": obj})
                if obj.pk not in changeable:
                    row.error(
                        None, _("You may not change the department %(name)s.") % {"name": obj}
                    )

    for r in results:
        code = r.values.get("code", "")
        if code and "parent" in r.refs and r.values.get("parent") != code:
            loop = _walk_cycle(code, parent_of)
            if loop:
                _Row(r, headers).error(
                    "parent",
                    _("The parent departments form a loop: %(path)s.") % {"path": " → ".join(loop)},
                )
    return results


def _apply_departments(result: ImportResult, actor: Any) -> dict[str, int]:
    service = _service(Department)
    done: dict[str, Department] = {}
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
    for r in _dependency_order(result.rows, "code", "parent"):
        counts[r.action] += 1
        if r.action == UNCHANGED:
            done[r.values["code"]] = r.obj
            continue
        data = dict(r.data)
        if "parent" in r.refs:
            code = r.refs["parent"]
            data["parent"] = done.get(code) or Department.objects.get(code=code)
        if r.action == CREATE:
            done[r.values["code"]] = service.create(actor, data)
        else:
            done[r.values["code"]] = service.update(actor, r.obj, data)
    return counts


# --- people ----------------------------------------------------------------------------------
PERSON_FIELDS = {k: k for k in ("employee_no", "name", "phone", "email", "team", "position")}
PERSON_FIELDS |= {"department": "department", "manager": "manager", "user": "user"}


def _named(model: type[Team] | type[Position], names: set[str]) -> dict[str, dict[int, Any]]:
    """name → {department id: record} for teams or positions."""
    found: dict[str, dict[int, Any]] = {}
    for obj in model.objects.filter(name__in=names).select_related("department"):
        found.setdefault(obj.name, {})[obj.department_id] = obj
    return found


def _parse_people(
    columns: list[tuple[str, str]], data: list[tuple[int, dict[str, str]]], user: Any
) -> list[RowResult]:
    headers = dict(columns)
    present = set(headers)
    results = [RowResult(row=n, values=v) for n, v in data]
    _duplicates(results, "employee_no", headers)
    _duplicates(results, "user", headers)

    def values(key: str) -> set[str]:
        return {r.values.get(key, "") for r in results} - {""}

    file_nos = values("employee_no")
    existing = {p.employee_no: p for p in Person.objects.filter(employee_no__in=file_nos)}
    changeable = _visible_ids(Person, [p.pk for p in existing.values()], user, "change")
    departments = {d.code: d for d in Department.objects.filter(code__in=values("department"))}
    dept_visible = _visible_ids(Department, [d.pk for d in departments.values()], user, "view")
    managers = {
        p.employee_no: p
        for p in Person.objects.filter(employee_no__in=values("manager") - file_nos)
    }
    mgr_visible = _visible_ids(Person, [p.pk for p in managers.values()], user, "view")
    db_manager = dict(
        Person.objects.filter(employee_no__in=values("manager") | file_nos).values_list(
            "employee_no", "manager__employee_no"
        )
    )
    User = get_user_model()
    users = {u.get_username(): u for u in User.objects.filter(username__in=values("user"))}
    linked = dict(
        Person.objects.filter(user__in=users.values()).values_list("user_id", "employee_no")
    )
    named = {"team": _named(Team, values("team")), "position": _named(Position, values("position"))}
    may_add = {
        "team": user is None or permissions.has_perm(user, "org.add_team"),
        "position": user is None or permissions.has_perm(user, "org.add_position"),
    }
    manager_of: dict[str, str | None] = dict(db_manager)

    for r in results:
        row = _Row(r, headers)
        v = r.values
        _required(row, PERSON_COLUMNS)
        obj = existing.get(v.get("employee_no", ""))
        r.obj = obj
        candidate = _clone(obj) if obj is not None else Person()
        for key in ("employee_no", "name", "phone", "email"):
            if key in present and (v.get(key) or obj is None):
                r.data[key] = v.get(key, "")
        dept = departments.get(v.get("department", ""))
        if v.get("department"):
            if dept is None or dept.pk not in dept_visible:
                row.error(
                    "department",
                    _("No department with code %(code)s in the system.")
                    % {"code": v["department"]},
                )
                dept = None
            else:
                r.data["department"] = dept
                candidate.department = dept
        for key, model in (("team", Team), ("position", Position)):
            name = v.get(key, "")
            if not name or dept is None:
                continue
            holders = named[key].get(name, {})
            if dept.pk in holders:
                r.data[key] = holders[dept.pk]
            elif holders:
                others = "、".join(sorted({str(o.department) for o in holders.values()}))
                row.error(
                    key,
                    _("%(name)s belongs to %(departments)s, not to the department %(department)s.")
                    % {"name": name, "departments": others, "department": dept},
                )
            elif not may_add[key]:
                row.error(
                    key,
                    _("%(name)s does not exist in %(department)s and you may not create it.")
                    % {"name": name, "department": dept},
                )
            else:
                r.new_refs[key] = (dept.pk, name)
                r.notes.append(
                    _("Creates the %(kind)s %(name)s in %(department)s.")
                    % {"kind": model._meta.verbose_name, "name": name, "department": dept}
                )
        manager = v.get("manager", "")
        if manager:
            r.refs["manager"] = manager
            if manager == v.get("employee_no"):
                row.error("manager", _("A person cannot be their own manager."))
            elif manager not in file_nos and (
                manager not in managers or managers[manager].pk not in mgr_visible
            ):
                row.error(
                    "manager",
                    _("No person with employee number %(number)s in the file or in the system.")
                    % {"number": manager},
                )
            elif v.get("employee_no"):
                manager_of[v["employee_no"]] = manager
        elif obj is None and v.get("employee_no"):
            manager_of[v["employee_no"]] = None
        username = v.get("user", "")
        if username:
            login = users.get(username)
            owner = linked.get(login.pk) if login is not None else None
            if login is None:
                row.error("user", _("No login named %(name)s.") % {"name": username})
            elif owner is not None and owner != v.get("employee_no"):
                row.error(
                    "user",
                    _("The login %(name)s belongs to the person with employee number %(number)s.")
                    % {"name": username, "number": owner},
                )
            else:
                r.data["user"] = login
        for name, value in r.data.items():
            if name not in ("team", "position", "department"):
                setattr(candidate, name, value)
        candidate.team = candidate.position = candidate.manager = None
        _full_clean(row, candidate, PERSON_FIELDS)
        if obj is None:
            r.action = CREATE
            continue
        changed = bool(r.new_refs) or any(
            (getattr(obj, f"{k}_id") != val.pk)
            if isinstance(val, models.Model)
            else getattr(obj, k) != val
            for k, val in r.data.items()
        )
        if "manager" in r.refs and db_manager.get(obj.employee_no) != r.refs["manager"]:
            changed = True
        r.action = UPDATE if changed else UNCHANGED
        if changed:
            r.notes.append(_("Updates the existing person %(name)s.") % {"name": obj})
            if obj.pk not in changeable:
                row.error(None, _("You may not change the person %(name)s.") % {"name": obj})

    for r in results:
        number = r.values.get("employee_no", "")
        if number and "manager" in r.refs and r.refs["manager"] != number:
            loop = _walk_cycle(number, manager_of)
            if loop:
                _Row(r, headers).error(
                    "manager",
                    _("The managers form a loop: %(path)s.") % {"path": " → ".join(loop)},
                )
    return results


def _apply_people(result: ImportResult, actor: Any) -> dict[str, int]:
    service = _service(Person)
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "teams": 0, "positions": 0}
    made: dict[tuple[str, int, str], models.Model] = {}
    for key, model in (("team", Team), ("position", Position)):
        wanted = sorted({r.new_refs[key] for r in result.rows if key in r.new_refs})
        for dept_id, name in wanted:
            dept = Department.objects.get(pk=dept_id)
            made[(key, dept_id, name)] = _service(model).create(
                actor, {"name": name, "department": dept}
            )
            counts[f"{key}s"] += 1
    done: dict[str, Person] = {}
    for r in _dependency_order(result.rows, "employee_no", "manager"):
        counts[r.action] += 1
        if r.action == UNCHANGED:
            done[r.values["employee_no"]] = r.obj
            continue
        data = dict(r.data)
        for key, (dept_id, name) in r.new_refs.items():
            data[key] = made[(key, dept_id, name)]
        if "manager" in r.refs:
            number = r.refs["manager"]
            data["manager"] = done.get(number) or Person.objects.get(employee_no=number)
        if r.action == CREATE:
            done[r.values["employee_no"]] = service.create(actor, data)
        else:
            done[r.values["employee_no"]] = service.update(actor, r.obj, data)
    return counts


# --- entry points ----------------------------------------------------------------------------
def _service(model: type[models.Model]) -> ModelService[Any]:
    page = page_for(model)
    if page is not None and page.service is not None:
        return page.service
    return service_for(model)


def parse(
    kind: str, upload: IO[bytes], *, user: Any = None, size: int | None = None
) -> ImportResult:
    """Read and validate ``upload``; nothing is written. Raises ImportFileError."""
    return validate(read(kind, upload, size=size), user=user)


def validate(sheet: Sheet, *, user: Any = None) -> ImportResult:
    """Validate the rows of a sheet read before against the database as it is now; nothing
    is written."""
    if sheet.kind == DEPARTMENTS:
        rows = _parse_departments(sheet.columns, sheet.rows, user)
    else:
        rows = _parse_people(sheet.columns, sheet.rows, user)
    return ImportResult(kind=sheet.kind, columns=sheet.columns, rows=rows)


def require_import(actor: Any, kind: str) -> None:
    """Raise PermissionDenied unless ``actor`` may add and change records of ``kind``."""
    require(actor, "add", MODELS[kind])
    require(actor, "change", MODELS[kind])


def apply(result: ImportResult, actor: Any, filename: str) -> dict[str, int]:
    """Write ``result`` in one transaction, or nothing when any row has a problem.

    Raises ValidationError when the result has bad rows or a service refuses a record (then
    everything is rolled back) and PermissionDenied without add and change permission.
    """
    require_import(actor, result.kind)
    if not result.ok:
        raise ValidationError(
            _("%(count)s rows have problems; nothing was imported.")
            % {"count": len(result.bad_rows)}
        )
    model = MODELS[result.kind]
    with transaction.atomic():
        if result.kind == DEPARTMENTS:
            counts = _apply_departments(result, actor)
        else:
            counts = _apply_people(result, actor)
        audit.record(
            AuditAction.IMPORT,
            None,
            actor=actor,
            object_type_label=audit.object_type(model),
            object_repr=filename[:255],
            extra={"file": filename, "rows": len(result.rows), **counts},
        )
    return counts


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The Chinese headers and example rows of the downloadable template."""
    return [c.headers[0] for c in COLUMNS[kind]], EXAMPLES[kind]


def iter_errors(result: ImportResult) -> Iterator[tuple[int, str]]:
    for r in result.rows:
        for e in r.errors:
            yield r.row, e
