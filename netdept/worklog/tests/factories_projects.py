"""Factories of projects with stage gates: a flow with its stage templates (the web team's by
default), a project created through the service (its stages made, the first one started), a
director to approve gates."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalRule
from netdept.org.models import Department, Person
from netdept.testing.factories import DepartmentFactory, PersonFactory, UserFactory
from netdept.worklog.models.projects import Project, ProjectFlow, StageTemplate
from netdept.worklog.services import projects as services

_seq = itertools.count(1)

#: the web team's flow: (code, name, project role of the owner, required documents, approved)
WEB_STAGES: Sequence[tuple[str, str, str, list[str], bool]] = (
    ("requirements", "需求分析", "manager", ["需求规格说明书"], True),
    ("design", "技术方案", "tech_lead", ["技术方案", "数据库设计"], True),
    ("build", "开发", "tech_lead", [], False),
    ("test", "测试", "tester", ["测试报告"], True),
    ("release", "上线", "manager", ["上线方案"], False),
    ("operate", "运维", "tech_lead", [], False),
)


def n() -> int:
    return next(_seq)


def gate_rule(code: str = "web-stage-gate") -> ApprovalRule:
    """A rule of the stage-gate kind: one step, the director."""
    return define_rule(
        {
            "code": code,
            "name": "项目阶段评审",
            "kind": services.GATE_KIND,
            "steps": [{"name": "主管审批", "approver": "director"}],
        }
    )


def make_director(department: Department | None = None) -> Person:
    """The network department's head, with a login (the director of the approvals)."""
    user = UserFactory.create()
    dept = department or DepartmentFactory.create(kind="network")
    head = PersonFactory.create(department=dept, user=user, name="主任")
    dept.head = head
    dept.kind = "network"
    dept.save()
    return head


def make_flow(
    stages: Sequence[tuple[str, str, str, list[str], bool]] = WEB_STAGES,
    *,
    rule: ApprovalRule | None = None,
    **kw: Any,
) -> ProjectFlow:
    i = n()
    flow = services.FLOWS.create(
        None,
        {"code": kw.pop("code", f"web-flow-{i}"), "name": kw.pop("name", f"网站项目流程{i}"), **kw},
        check=False,
    )
    needs_rule = any(approved for *_rest, approved in stages)
    if needs_rule and rule is None:
        rule = ApprovalRule.objects.filter(code="web-stage-gate").first() or gate_rule()
    for order, (code, name, role, docs, approved) in enumerate(stages, start=1):
        services.TEMPLATES.create(
            None,
            {
                "flow": flow, "order": order * 10, "code": code, "name": name,
                "owner_role": role, "required_documents": docs,
                "approval_rule": rule if approved else None,
            },
            check=False,
        )  # fmt: skip
    return flow


def make_template(flow: ProjectFlow | None = None, **kw: Any) -> StageTemplate:
    i = n()
    return services.TEMPLATES.create(
        None,
        {"flow": flow or make_flow(stages=()), "order": kw.pop("order", i),
         "code": kw.pop("code", f"stage-{i}"), "name": kw.pop("name", f"阶段{i}"), **kw},
        check=False,
    )  # fmt: skip


def make_project(
    flow: ProjectFlow | None = None,
    *,
    manager: Person | None = None,
    department: Department | None = None,
    **kw: Any,
) -> Project:
    i = n()
    dept = department or (manager.department if manager else DepartmentFactory.create())
    manager = manager or PersonFactory.create(department=dept)
    data: dict[str, Any] = {
        "code": kw.pop("code", f"proj-{i}"),
        "name": kw.pop("name", f"门户网站改版{i}"),
        "flow": flow or make_flow(),
        "department": dept,
        "manager": manager,
        "starts_on": kw.pop("starts_on", timezone.localdate() - dt.timedelta(days=3)),
        **kw,
    }
    return services.PROJECTS.create(None, data, check=False)
