"""Generated CRUD + permission tests of the work-order settings pages (netdept.testing.crud):
categories, the priority matrix, SLA policies and escalation rules."""

from __future__ import annotations

import itertools
from typing import Any

from netdept.testing.crud import CrudTests
from netdept.testing.factories import TeamFactory
from netdept.workorders.models import Category, EscalationRule, PriorityRule, SlaPolicy
from netdept.workorders.tests.factories import (
    CategoryFactory,
    EscalationRuleFactory,
    PriorityRuleFactory,
    SlaPolicyFactory,
)

_seq = itertools.count(1)
# The matrix has nine cells (seeded after migrate); each use takes the next one and frees it.
_cells = itertools.cycle([(i, u) for i in (1, 2, 3) for u in (1, 2, 3)])


def n() -> int:
    return next(_seq)


def free_cell() -> tuple[int, int]:
    impact, urgency = next(_cells)
    PriorityRule.objects.filter(impact=impact, urgency=urgency).delete()
    return impact, urgency


class TestCategoryCrud(CrudTests):
    model = Category
    extra_perms = ["org.view_team"]

    def make(self) -> Any:
        return CategoryFactory()

    def valid_data(self) -> dict[str, Any]:
        return {
            "name": f"网络故障{n()}",
            "kind": "fault",
            "parent": CategoryFactory().pk,
            "default_team": TeamFactory().pk,
            "description": "有线与无线网络",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）",
            "kind": "",
            "parent": None,
            "default_team": TeamFactory().pk,
            "description": "",
            "is_active": False,
        }


class TestPriorityRuleCrud(CrudTests):
    model = PriorityRule

    def make(self) -> Any:
        impact, urgency = free_cell()
        return PriorityRuleFactory(impact=impact, urgency=urgency, priority=3)

    def valid_data(self) -> dict[str, Any]:
        impact, urgency = free_cell()
        return {"impact": impact, "urgency": urgency, "priority": 2}

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"impact": obj.impact, "urgency": obj.urgency, "priority": 4}


class TestSlaPolicyCrud(CrudTests):
    model = SlaPolicy
    extra_perms = ["workorders.view_category"]

    def make(self) -> Any:
        return SlaPolicyFactory()

    def valid_data(self) -> dict[str, Any]:
        return {
            "name": f"机房故障 P1 {n()}",
            "priority": 1,
            "category": CategoryFactory().pk,
            "kind": "fault",
            "response_minutes": 15,
            "resolution_minutes": 120,
            "calendar": None,
            "warn_percent": 80,
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）",
            "priority": 2,
            "category": None,
            "kind": "",
            "response_minutes": 30,
            "resolution_minutes": 480,
            "calendar": None,
            "warn_percent": 75,
            "is_active": False,
        }


class TestEscalationRuleCrud(CrudTests):
    model = EscalationRule

    def make(self) -> Any:
        return EscalationRuleFactory(percent=300 + n(), target=EscalationRule.Target.TEAM_LEAD)

    def valid_data(self) -> dict[str, Any]:
        return {"percent": 300 + n(), "target": "director", "is_active": True}

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"percent": obj.percent + 100, "target": "assignee", "is_active": False}
