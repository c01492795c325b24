"""Generated CRUD + permission tests of the leave and attendance pages (netdept.testing.crud).

Leave types and attendance rules are configuration (forms; every scoped reader sees every
row). Leave requests, attendance records and imports are written by the services only: their
pages and endpoints are read-only (404 on add/edit/delete pages, 405 in the API); their rows
are made here directly, scoped by the person (an import: by who imported it and the
department)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from netdept.org.models import Department, Person
from netdept.testing.crud import CrudTests
from netdept.testing.factories import DepartmentFactory, PersonFactory
from netdept.worklog.models.leave import (
    AttendanceImport,
    AttendanceRecord,
    AttendanceRule,
    LeaveRequest,
    LeaveType,
)
from netdept.worklog.tests.factories_leave import at

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def _person_at(scope: str, department: Any, team: Any, user: Any) -> Person:
    if scope == "own":
        return user.person
    if scope == "team":
        return PersonFactory.create(department=department, team=team)
    return PersonFactory.create(department=department)


def make_type() -> LeaveType:
    i = n()
    return LeaveType.objects.create(code=f"type-{i}", name=f"假别{i}")


def make_leave(person: Person | None = None) -> LeaveRequest:
    person = person or PersonFactory.create()
    i = n()
    return LeaveRequest.objects.create(
        person=person, team=person.team, department=person.department, leave_type=make_type(),
        starts_at=(at(2025, 9, 1, 8, 30) + dt.timedelta(days=i)).astimezone(dt.UTC),
        ends_at=(at(2025, 9, 1, 17, 30) + dt.timedelta(days=i)).astimezone(dt.UTC),
        working_days=Decimal("1.0"), reason=f"请假事由{i}",
    )  # fmt: skip


def make_record(person: Person | None = None) -> AttendanceRecord:
    i = n()
    return AttendanceRecord.objects.create(
        person=person or PersonFactory.create(), day=dt.date(2025, 1, 1) + dt.timedelta(days=i),
        clock_in=at(2025, 9, 1, 8, 30).astimezone(dt.UTC), status="normal",
    )  # fmt: skip


def make_import(person: Person | None = None, department: Department | None = None) -> Any:
    i = n()
    imp = AttendanceImport(
        source="csv", file_name=f"考勤{i}.csv", department=department or DepartmentFactory.create(),
        imported_by=person, rows=1,
    )  # fmt: skip
    imp.file.save(f"a{i}.csv", ContentFile(b"a,b\n"), save=False)
    imp.save()
    return imp


class TestLeaveTypeCrud(CrudTests):
    model = LeaveType

    def make(self) -> Any:
        return make_type()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"事假{i}", "code": f"personal-{i}", "description": "当面或电话请假",
            "paid": False, "max_days": Decimal("5.0"), "valid_channels": ["in_person", "phone"],
            "approval_rule": None, "articles": [], "pack": "marketing", "is_active": True,
        }  # fmt: skip

    def api_valid_data(self) -> dict[str, Any]:
        return {**self.valid_data(), "max_days": "5.0"}

    def to_form(self, data: dict[str, Any]) -> dict[str, Any]:
        import json

        from netdept.testing.clients import form_data

        return form_data({**data, "valid_channels": json.dumps(data["valid_channels"])})

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）", "code": obj.code, "description": "", "paid": True,
            "max_days": None, "valid_channels": [], "approval_rule": None, "articles": [],
            "pack": "", "is_active": False,
        }  # fmt: skip


class TestAttendanceRuleCrud(CrudTests):
    model = AttendanceRule
    extra_perms = ["org.view_department", "duties.view_penaltyrule"]

    def make(self) -> Any:
        i = n()
        return AttendanceRule.objects.create(
            code=f"clock-{i}", name=f"考勤规则{i}", department=DepartmentFactory.create(),
            work_starts=dt.time(8, 30), work_ends=dt.time(17, 30),
        )  # fmt: skip

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"上下班打卡{i}", "code": f"clock-in-{i}", "department": DepartmentFactory().pk,
            "work_starts": "08:30:00", "work_ends": "17:30:00", "late_grace_minutes": 5,
            "absent_after_minutes": 120, "late_penalty_rule": None, "absence_penalty_rule": None,
            "articles": [], "pack": "", "is_active": True,
        }  # fmt: skip

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）", "code": obj.code, "department": obj.department_id,
            "work_starts": "09:00:00", "work_ends": "18:00:00", "late_grace_minutes": 0,
            "absent_after_minutes": 240, "late_penalty_rule": None, "absence_penalty_rule": None,
            "articles": [], "pack": "", "is_active": False,
        }  # fmt: skip


class TestLeaveRequestCrud(CrudTests):
    model = LeaveRequest
    key_field = "reason"

    def make(self) -> Any:
        return make_leave()

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_leave(_person_at(scope, department, team, user))


class TestAttendanceRecordCrud(CrudTests):
    model = AttendanceRecord
    key_field = "day"

    def make(self) -> Any:
        return make_record()

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_record(_person_at(scope, department, team, user))


class TestAttendanceImportCrud(CrudTests):
    model = AttendanceImport
    key_field = "file_name"

    def make(self) -> Any:
        return make_import()

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return make_import(user.person)
        return make_import(department=department)
