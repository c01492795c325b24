"""Generated CRUD + permission tests of the pages of projects (netdept.testing.crud).

Flows and stage templates are configuration (every scoped reader sees every row). Projects are
scoped by their manager, team and department; their stages (made with the project: no add or
delete) by their owner and the project's team and department; documents by who added them and
the project's. The projects here run a one-stage flow so that "own" holds exactly one stage."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from netdept.testing.crud import CrudTests
from netdept.testing.factories import DepartmentFactory, PersonFactory, PositionFactory
from netdept.worklog.models.projects import (
    Project,
    ProjectDocument,
    ProjectFlow,
    ProjectStage,
    StageTemplate,
)
from netdept.worklog.services import projects as svc
from netdept.worklog.tests.factories_projects import make_flow, make_project, make_template

_seq = itertools.count(1)
ONE_STAGE = (("requirements", "需求分析", "manager", ["需求规格说明书"], False),)


def n() -> int:
    return next(_seq)


def _flow() -> ProjectFlow:
    return make_flow(stages=ONE_STAGE)


def _elsewhere() -> Any:
    return PersonFactory.create(department=DepartmentFactory.create())


def _project_at(scope: str, department: Any, team: Any, user: Any) -> Project:
    """A project the user sees at ``scope``: they manage it, it is their team's, or their
    department's."""
    if scope == "own":
        manager = user.person
        return make_project(_flow(), manager=manager, department=DepartmentFactory.create())
    manager = PersonFactory.create(department=department)
    return make_project(
        _flow(), manager=manager, department=department,
        team=team if scope == "team" else None,
    )  # fmt: skip


def _project_elsewhere() -> Project:
    return make_project(_flow(), manager=_elsewhere())


class TestProjectFlowCrud(CrudTests):
    model = ProjectFlow

    def make(self) -> Any:
        return make_flow(stages=())

    def valid_data(self) -> dict[str, Any]:
        return {
            "code": f"web-{n()}",
            "name": "网站开发流程",
            "description": "需求分析 → 技术方案 → 开发 → 测试 → 上线 → 运维",
            "pack": "webteam",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": f"{obj.name}（修订）",
            "description": "",
            "pack": "",
            "is_active": False,
        }


class TestStageTemplateCrud(CrudTests):
    model = StageTemplate
    extra_perms = ["worklog.view_projectflow", "org.view_position", "approvals.view_approvalrule"]

    def make(self) -> Any:
        return make_template()

    def valid_data(self) -> dict[str, Any]:
        return {
            "flow": make_flow(stages=()).pk,
            "order": 10,
            "code": "design",
            "name": "技术方案",
            "owner_role": "tech_lead",
            "owner_position": None,
            "required_documents": ["技术方案", "数据库设计"],
            "approval_rule": None,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "flow": obj.flow_id,
            "order": obj.order + 1,
            "code": obj.code,
            "name": f"{obj.name}评审",
            "owner_role": "",
            "owner_position": PositionFactory.create().pk,
            "required_documents": ["评审记录"],
            "approval_rule": None,
        }


class TestProjectCrud(CrudTests):
    model = Project
    key_field = "code"
    extra_perms = [
        "worklog.view_projectflow", "org.view_department", "org.view_team", "org.view_person",
    ]  # fmt: skip

    def make(self) -> Any:
        return _project_elsewhere()

    def make_rows(self, count: int) -> list[Any]:
        flow = _flow()
        return [make_project(flow, manager=_elsewhere()) for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return _project_at(scope, department, team, user)

    def valid_data(self) -> dict[str, Any]:
        dept = DepartmentFactory.create()
        today = timezone.localdate()
        return {
            "code": f"portal-{n()}",
            "name": "门户网站改版",
            "description": "首页与新闻栏目改版",
            "flow": _flow().pk,
            "department": dept.pk,
            "team": None,
            "manager": PersonFactory.create(department=dept).pk,
            "tech_lead": PersonFactory.create(department=dept).pk,
            "tester": None,
            "starts_on": today,
            "due_on": today + dt.timedelta(days=60),
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": f"{obj.name}二期",
            "description": "增加移动端",
            "flow": obj.flow_id,
            "department": obj.department_id,
            "team": obj.team_id,
            "manager": obj.manager_id,
            "tech_lead": PersonFactory.create(department=obj.department).pk,
            "tester": None,
            "starts_on": obj.starts_on,
            "due_on": obj.starts_on + dt.timedelta(days=90),
        }


class TestProjectStageCrud(CrudTests):
    model = ProjectStage
    key_field = "name"
    extra_perms = ["org.view_person", "worklog.view_project"]

    def make(self) -> Any:
        return _project_elsewhere().stages.get()

    def make_rows(self, count: int) -> list[Any]:
        flow = _flow()
        return [make_project(flow, manager=_elsewhere()).stages.get() for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return _project_at(scope, department, team, user).stages.get()

    def valid_data(self) -> dict[str, Any]:
        raise AssertionError("stages are made with their project")

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"owner": PersonFactory.create().pk, "note": "需求调研安排在下周"}


class TestProjectDocumentCrud(CrudTests):
    model = ProjectDocument
    extra_perms = ["worklog.view_projectstage"]

    @staticmethod
    def _doc(stage: ProjectStage, added_by: Any = None) -> ProjectDocument:
        return svc.DOCUMENTS.create(
            None,
            {"stage": stage, "name": f"需求规格说明书{n()}", "link": "https://wiki.example.org/req",
             "added_by": added_by},
            check=False,
        )  # fmt: skip

    def make(self) -> Any:
        return self._doc(_project_elsewhere().stages.get())

    def make_rows(self, count: int) -> list[Any]:
        stage = _project_elsewhere().stages.get()
        return [self._doc(stage) for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return self._doc(_project_elsewhere().stages.get(), added_by=user.person)
        return self._doc(_project_at(scope, department, team, user).stages.get())

    def valid_data(self) -> dict[str, Any]:
        return {
            "stage": _project_elsewhere().stages.get().pk,
            "name": "需求规格说明书",
            "link": "https://wiki.example.org/req-v1",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "stage": obj.stage_id,
            "name": f"{obj.name}（终稿）",
            "link": "https://wiki.example.org/req-v2",
        }
