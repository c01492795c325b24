"""Generated CRUD + permission tests of the goal and task pages (netdept.testing.crud)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from netdept.testing.crud import CrudTests
from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory
from netdept.worklog.models import Goal, Task
from netdept.worklog.tests.factories_tasks import GoalFactory, TaskFactory

ORG = ["org.view_department", "org.view_team", "org.view_person"]


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


class TestGoalCrud(CrudTests):
    model = Goal
    key_field = "title"
    extra_perms = ORG

    def make(self) -> Any:
        return GoalFactory.create()

    def valid_data(self) -> dict[str, Any]:
        dept = DepartmentFactory.create()
        return {
            "title": "全年网络可用率 99.9%",
            "level": "department",
            "parent": None,
            "department": dept.pk,
            "team": None,
            "owner": PersonFactory.create(department=dept).pk,
            "starts_on": _day(0),
            "due_on": _day(300),
            "measure": "监控平台月度可用率",
            "description": "核心交换、出口、无线三项。",
            "status": "active",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "title": f"{obj.title}（修订）",
            "level": obj.level,
            "parent": None,
            "department": obj.department_id,
            "team": None,
            "owner": obj.owner_id,
            "starts_on": obj.starts_on.isoformat(),
            "due_on": (obj.due_on + dt.timedelta(days=10)).isoformat(),
            "measure": "按季度统计",
            "description": "",
            "status": "active",
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            return GoalFactory.create(department=user.person.department, owner=user.person)
        if scope == "team":
            return GoalFactory.create(
                department=team.department, team=team, level="team",
                owner=PersonFactory.create(department=team.department),
            )  # fmt: skip
        return GoalFactory.create(department=department)


class TestTaskCrud(CrudTests):
    model = Task
    key_field = "title"
    extra_perms = ORG

    def make(self) -> Any:
        return TaskFactory.create()

    def valid_data(self) -> dict[str, Any]:
        team = TeamFactory.create()
        return {
            "title": "更换三楼汇聚交换机",
            "owner": PersonFactory.create(department=team.department, team=team).pk,
            "due_on": _day(5),
            "weight": "2.00",
            "goal": None,
            "description": "周六晚割接，提前通知各科室。",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "title": f"{obj.title}（改期）",
            "owner": obj.owner_id,
            "due_on": (obj.due_on + dt.timedelta(days=3)).isoformat(),
            "weight": "1.50",
            "goal": None,
            "description": "改到下周。",
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        # the task in scope is one the user assigned (who may edit a task: services.tasks)
        me = user.person
        if scope == "own":
            return TaskFactory.create(
                owner=me, department=me.department, team=me.team, assigned_by=me
            )
        if scope == "team":
            owner = PersonFactory.create(department=team.department, team=team)
            return TaskFactory.create(
                owner=owner, department=team.department, team=team, assigned_by=me
            )
        owner = PersonFactory.create(department=department)
        return TaskFactory.create(owner=owner, department=department, team=None, assigned_by=me)
