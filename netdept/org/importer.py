"""Import departments and people from an Excel (xlsx) or CSV file, with a preview: two
importers of the generic engine (``netdept.core.importing``) with the organisation's rules.

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

import copy
from collections.abc import Iterable
from typing import IO, Any, ClassVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import permissions
from netdept.core.import_files import MAX_BYTES as MAX_BYTES  # the limits, re-exported
from netdept.core.import_files import MAX_PART_BYTES as MAX_PART_BYTES
from netdept.core.import_files import MAX_PARTS as MAX_PARTS
from netdept.core.import_files import MAX_RATIO as MAX_RATIO
from netdept.core.import_files import MAX_ROWS as MAX_ROWS
from netdept.core.import_files import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES
from netdept.core.import_files import Column, ImportFileError, Sheet, norm
from netdept.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    ImportResult,
    RowErrors,
    RowResult,
    find_duplicates,
    register_importer,
    visible_ids,
)
from netdept.core.importing import iter_errors as iter_errors
from netdept.core.services import require
from netdept.org.models import Department, DepartmentKind, Person, Position, Team

DEPARTMENTS = "departments"
PEOPLE = "people"
KINDS = (DEPARTMENTS, PEOPLE)


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


def _required(row: RowErrors, specs: Iterable[Column]) -> None:
    for c in specs:
        if c.required and not row.result.values.get(c.key):
            row.error(c.key, _("This value is required."))


def _full_clean(row: RowErrors, candidate: models.Model, field_to_key: dict[str, str]) -> None:
    # References were resolved (and checked) by the importer: skip their one-query-per-row check.
    refs = [f.name for f in candidate._meta.concrete_fields if f.is_relation]
    try:
        candidate.full_clean(exclude=refs, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.validation_error(exc, field_to_key)


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
    wanted = norm(text)
    for value, names in KIND_VALUES.items():
        candidates = {*names, str(DepartmentKind(value).label)}
        if wanted in {norm(n) for n in candidates}:
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
    find_duplicates(results, "code", headers)
    codes = {r.values["code"] for r in results if r.values.get("code")}
    file_codes = codes
    db_parent = dict(Department.objects.values_list("code", "parent__code"))
    existing = {d.code: d for d in Department.objects.filter(code__in=codes)}
    parent_codes = {r.values.get("parent", "") for r in results} - {""} - file_codes
    parents = {d.code: d for d in Department.objects.filter(code__in=parent_codes)}
    visible = visible_ids(Department, [d.pk for d in parents.values()], user, "view")
    changeable = visible_ids(Department, [d.pk for d in existing.values()], user, "change")
    parent_of: dict[str, str | None] = dict(db_parent)

    for r in results:
        row = RowErrors(r, headers)
        v = r.values
        _required(row, DEPARTMENT_COLUMNS)
        obj = existing.get(v.get("code", ""))
        r.obj = obj
        r.action = UPDATE if obj is not None else CREATE
        candidate = copy.copy(obj) if obj is not None else Department()
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
                RowErrors(r, headers).error(
                    "parent",
                    _("The parent departments form a loop: %(path)s.") % {"path": " → ".join(loop)},
                )
    return results


def _apply_departments(imp: Importer, result: ImportResult, actor: Any) -> dict[str, int]:
    service = imp.service(Department)
    headers = dict(result.columns)
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
            data["parent"] = done.get(code) or Department.objects.filter(code=code).first()
        if r.action == CREATE:
            made = imp.write_row(r, headers, DEPT_FIELDS, lambda d=data: service.create(actor, d))
        else:
            obj = copy.copy(r.obj)
            made = imp.write_row(
                r, headers, DEPT_FIELDS, lambda o=obj, d=data: service.update(actor, o, d)
            )
        if made is not None:
            done[r.values["code"]] = made
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
    find_duplicates(results, "employee_no", headers)
    find_duplicates(results, "user", headers)

    def values(key: str) -> set[str]:
        return {r.values.get(key, "") for r in results} - {""}

    file_nos = values("employee_no")
    existing = {p.employee_no: p for p in Person.objects.filter(employee_no__in=file_nos)}
    changeable = visible_ids(Person, [p.pk for p in existing.values()], user, "change")
    departments = {d.code: d for d in Department.objects.filter(code__in=values("department"))}
    dept_visible = visible_ids(Department, [d.pk for d in departments.values()], user, "view")
    managers = {
        p.employee_no: p
        for p in Person.objects.filter(employee_no__in=values("manager") - file_nos)
    }
    mgr_visible = visible_ids(Person, [p.pk for p in managers.values()], user, "view")
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
        row = RowErrors(r, headers)
        v = r.values
        _required(row, PERSON_COLUMNS)
        obj = existing.get(v.get("employee_no", ""))
        r.obj = obj
        candidate = copy.copy(obj) if obj is not None else Person()
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
                RowErrors(r, headers).error(
                    "manager",
                    _("The managers form a loop: %(path)s.") % {"path": " → ".join(loop)},
                )
    return results


def _apply_people(imp: Importer, result: ImportResult, actor: Any) -> dict[str, int]:
    service = imp.service(Person)
    headers = dict(result.columns)
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "teams": 0, "positions": 0}
    made: dict[tuple[str, int, str], Any] = {}
    for key, model in (("team", Team), ("position", Position)):
        wanted = sorted({r.new_refs[key] for r in result.rows if key in r.new_refs})
        for dept_id, name in wanted:
            dept = Department.objects.get(pk=dept_id)
            row = next(r for r in result.rows if r.new_refs.get(key) == (dept_id, name))
            made[(key, dept_id, name)] = imp.write_row(
                row,
                headers,
                {"name": key, "department": key},
                lambda m=model, n=name, d=dept: imp.service(m).create(
                    actor, {"name": n, "department": d}
                ),
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
            data["manager"] = done.get(number) or Person.objects.filter(employee_no=number).first()
        if r.action == CREATE:
            person = imp.write_row(
                r, headers, PERSON_FIELDS, lambda d=data: service.create(actor, d)
            )
        else:
            obj = copy.copy(r.obj)
            person = imp.write_row(
                r, headers, PERSON_FIELDS, lambda o=obj, d=data: service.update(actor, o, d)
            )
        if person is not None:
            done[r.values["employee_no"]] = person
    return counts


# --- the importers ---------------------------------------------------------------------------
class _OrgImporter(Importer):
    """An org file: imported by those who may add and change its records."""

    columns: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, page: Any = None) -> None:
        super().__init__()

    def get_columns(self) -> list[Column]:
        return list(self.columns)

    def require(self, actor: Any) -> None:
        require(actor, "add", self.model)
        require(actor, "change", self.model)

    def may_import(self, user: Any) -> bool:
        return all(
            permissions.has_perm(user, permissions.perm_name(self.model, a))
            for a in ("add", "change")
        )

    def template(self) -> tuple[list[str], list[list[str]]]:
        return [c.headers[0] for c in self.columns], EXAMPLES[self.kind]


class DepartmentImporter(_OrgImporter):
    model = Department
    kind = DEPARTMENTS
    columns = DEPARTMENT_COLUMNS
    sheet_title = "科室"

    @property
    def title(self) -> str:
        return _("Import departments")

    def instructions(self) -> list[str]:
        return [
            *super().instructions(),
            _("%(column)s: %(network)s (network department) or %(served)s (served department).")
            % {"column": "类型", "network": "网络部", "served": "服务科室"},
            _("%(column)s may name a department defined further down in the same file.")
            % {"column": "上级编码"},
        ]

    def check(self, sheet: Sheet, user: Any) -> list[RowResult]:
        return _parse_departments(sheet.columns, sheet.rows, user)

    def write(self, result: ImportResult, actor: Any) -> dict[str, int]:
        return _apply_departments(self, result, actor)


class PersonImporter(_OrgImporter):
    model = Person
    kind = PEOPLE
    columns = PERSON_COLUMNS
    sheet_title = "人员"

    @property
    def title(self) -> str:
        return _("Import people")

    def instructions(self) -> list[str]:
        return [
            *super().instructions(),
            _("%(column)s must name an existing department.") % {"column": "科室编码"},
            _(
                "%(team)s and %(position)s are looked up by name in the department "
                "and created there when missing."
            )
            % {"team": "组", "position": "岗位"},
            _("%(column)s may name a person defined elsewhere in the same file.")
            % {"column": "直属上级工号"},
            _("%(column)s (optional) links an existing login to the person.")
            % {"column": "登录名"},
        ]

    def check(self, sheet: Sheet, user: Any) -> list[RowResult]:
        return _parse_people(sheet.columns, sheet.rows, user)

    def write(self, result: ImportResult, actor: Any) -> dict[str, int]:
        return _apply_people(self, result, actor)


register_importer(Department, DepartmentImporter)
register_importer(Person, PersonImporter)
IMPORTERS: dict[str, type[_OrgImporter]] = {DEPARTMENTS: DepartmentImporter, PEOPLE: PersonImporter}


# --- entry points ----------------------------------------------------------------------------
def importer(kind: str) -> _OrgImporter:
    if kind not in KINDS:
        raise ValueError(kind)
    return IMPORTERS[kind]()


def read(kind: str, upload: IO[bytes], *, size: int | None = None, name: str = "") -> Sheet:
    """Read ``upload`` (the only place the file is unpacked). Raises ImportFileError."""
    return importer(kind).read(upload, size=size, name=name)


def parse(
    kind: str, upload: IO[bytes], *, user: Any = None, size: int | None = None
) -> ImportResult:
    """Read and validate ``upload``; nothing is written. Raises ImportFileError."""
    return validate(read(kind, upload, size=size), user=user)


def validate(sheet: Sheet, *, user: Any = None) -> ImportResult:
    """Validate the rows of a sheet read before against the database as it is now; nothing
    is written."""
    return importer(sheet.kind).validate(sheet, user=user)


def require_import(actor: Any, kind: str) -> None:
    """Raise PermissionDenied unless ``actor`` may add and change records of ``kind``."""
    importer(kind).require(actor)


def apply(result: ImportResult, actor: Any, filename: str) -> dict[str, int]:
    """Write ``result`` in one transaction, or nothing when any row has a problem.

    Raises ValidationError when the result has bad rows or a service refuses a record (then
    everything is rolled back) and PermissionDenied without add and change permission.
    """
    return importer(result.kind).apply(result, actor, filename)


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The Chinese headers and example rows of the downloadable template."""
    return importer(kind).template()


__all__ = [
    "CREATE",
    "UNCHANGED",
    "UPDATE",
    "ImportFileError",
    "ImportResult",
    "RowResult",
    "Sheet",
    "ValidationError",
    "iter_errors",
]
