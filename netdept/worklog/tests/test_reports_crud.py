"""Generated CRUD + permission tests of reports, drafting runs and the rhythm's policy
(netdept.testing.crud).

Reports change through ``services.reports`` only (their writing page and the machine's
actions): the generated pages and endpoints are read-only (no add, edit or delete). Drafting
runs are written by the task. The policy is configuration with the ordinary pages."""

from __future__ import annotations

from typing import Any

from netdept.duties.tests.test_crud_work import _elsewhere, _person_at
from netdept.testing.crud import CrudTests
from netdept.testing.factories import DepartmentFactory, PersonFactory
from netdept.worklog.models import DraftRun, Report, WorklogPolicy
from netdept.worklog.tests.factories_reports import MONDAY, make_report


class TestReportCrud(CrudTests):
    model = Report
    key_field = "person"

    def make(self) -> Any:
        return make_report(_elsewhere(), done="巡检核心交换机")

    def make_rows(self, count: int) -> list[Any]:
        return [make_report(_elsewhere(), done="巡检") for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_report(_person_at(scope, department, team, user), done="巡检")


class TestDraftRunCrud(CrudTests):
    model = DraftRun
    key_field = "period_start"

    def make(self) -> Any:
        return DraftRun.objects.create(
            kind="weekly", period_start=MONDAY, period_end=MONDAY,
            department=DepartmentFactory.create(), total=3, done=1,
        )  # fmt: skip

    def make_rows(self, count: int) -> list[Any]:
        return [self.make() for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope in ("own", "team"):
            by = user.person if scope == "own" else PersonFactory.create(team=team)
            return DraftRun.objects.create(
                kind="weekly", period_start=MONDAY, period_end=MONDAY, started_by=by
            )
        return DraftRun.objects.create(
            kind="weekly", period_start=MONDAY, period_end=MONDAY, department=department
        )


class TestPolicyCrud(CrudTests):
    model = WorklogPolicy
    key_field = "name"
    extra_perms = ["org.view_department", "duties.view_penaltyrule", "duties.view_article"]

    def make(self) -> Any:
        return WorklogPolicy.objects.create(
            name="网络部工作节奏", department=DepartmentFactory.create(), close_after_days=3
        )

    def make_rows(self, count: int) -> list[Any]:
        return [self.make() for _ in range(count)]

    def valid_data(self) -> dict[str, Any]:
        return {
            "name": "运维部工作节奏", "department": DepartmentFactory.create().pk,
            "close_after_days": 5, "review_reports": True, "task_overdue_penalty_rule": None,
            "articles": [], "pack": "", "is_active": True,
        }  # fmt: skip

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": "新的工作节奏", "department": obj.department_id, "close_after_days": 2,
            "review_reports": False, "task_overdue_penalty_rule": None, "articles": [],
            "pack": "marketing", "is_active": True,
        }  # fmt: skip
