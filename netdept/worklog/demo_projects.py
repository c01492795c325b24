"""Demo data of projects: the web team's flow (需求分析 → 技术方案 → 开发 → 测试 → 上线 → 运维; the
requirements and the test report are approved by the director, the other gates
passed by their owners) and one project of the 系统开发组 — 陈静 manages, 王芳 is the
technical lead, 孙浩 tests. It runs after the work orders' replay of the past (late:
the replayed clock never goes back), in the order of the last twelve days: the
requirements are written and approved, the technical design is passed, development
is under way with its tasks — so that the project's stepper, the approvals inbox's
history and my tasks are not empty after ``netdept demo``. Everything goes through
the services (``services.projects``, the approvals engine, the tasks service).
Loading again adds nothing (the flow is looked up by its code)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from netdept.approvals import services as approvals
from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.org.models import Person
from netdept.worklog.models.projects import ProjectFlow
from netdept.worklog.services import projects as svc

FLOW = "demo-website-flow"
RULE = "demo-stage-gate"
NEEDED = ("director", "chenjing", "wangfang", "sunhao")
#: (code, name, project role of the owner, required documents, approved by the director)
STAGES: tuple[tuple[str, str, str, list[str], bool], ...] = (
    ("requirements", "需求分析", "manager", ["需求规格说明书"], True),
    ("design", "技术方案", "tech_lead", ["技术方案", "数据库设计"], False),
    ("development", "开发", "tech_lead", [], False),
    ("testing", "测试", "tester", ["测试报告"], True),
    ("release", "上线", "manager", ["上线方案"], False),
    ("operation", "运维", "tech_lead", [], False),
)


def _approve(director: Person) -> None:
    decision = ApprovalDecision.objects.filter(
        approver=director, status=DecisionStatus.PENDING, request__kind=svc.GATE_KIND
    ).first()
    if decision is not None:
        approvals.approve(director.user, decision, comment="同意进入下一阶段。")


def load(world: DemoWorld) -> int:
    if ProjectFlow.objects.filter(code=FLOW).exists() or any(u not in world.people for u in NEEDED):
        return 0
    director, manager, tech, tester = (world.people[u] for u in NEEDED)
    rule = define_rule(
        {
            "code": RULE, "name": "网站项目阶段评审（演示）", "kind": svc.GATE_KIND,
            "steps": [{"name": "主任审批", "approver": "director"}],
        }
    )  # fmt: skip
    flow = svc.FLOWS.create(
        None,
        {"code": FLOW, "name": "网站项目流程", "pack": "",
         "description": "需求分析 → 技术方案 → 开发 → 测试 → 上线 → 运维；需求与测试须主任审批。"},
        check=False,
    )  # fmt: skip
    for order, (code, name, role, docs, approved) in enumerate(STAGES, start=1):
        svc.TEMPLATES.create(
            None,
            {"flow": flow, "order": order * 10, "code": code, "name": name, "owner_role": role,
             "required_documents": docs, "approval_rule": rule if approved else None},
            check=False,
        )  # fmt: skip
    world.at(world.now - dt.timedelta(days=12))
    today = timezone.localdate(world.now)
    project = svc.PROJECTS.create(
        None,
        {"code": "hospital-website-2026", "name": "医院官网改版", "flow": flow,
         "department": manager.department, "team": manager.team, "manager": manager,
         "tech_lead": tech, "tester": tester, "starts_on": today,
         "due_on": today + dt.timedelta(days=75),
         "description": "官网改版：预约挂号入口、科室介绍、移动端适配。"},
        check=False,
    )  # fmt: skip
    stages = list(project.stages.order_by("order"))
    link = "https://wiki.hospital.example/website/"
    svc.add_document(manager.user, stages[0], name="需求规格说明书", link=link + "requirements")
    svc.request_gate(manager.user, stages[0], note="需求已与各科室确认。")
    world.at(world.now - dt.timedelta(days=10))
    _approve(director)
    world.at(world.now - dt.timedelta(days=7))
    design = project.stages.get(order=stages[1].order)
    svc.add_document(tech.user, design, name="技术方案", link=link + "design")
    svc.add_document(tech.user, design, name="数据库设计", link=link + "database")
    svc.pass_gate(tech.user, design, note="方案评审通过。")
    world.at(world.now - dt.timedelta(days=6))
    development = project.stages.get(order=stages[2].order)
    due = timezone.localdate(world.now)
    for owner, title, days in (
        (tech, "预约挂号接口对接", 10),
        (tech, "科室介绍栏目开发", 14),
        (tester, "编写测试用例", 12),
    ):
        svc.add_stage_task(
            manager.user, development, title=title, owner=owner,
            due_on=due + dt.timedelta(days=days), weight=Decimal(1),
        )  # fmt: skip
    return 1 + len(STAGES) + 1 + len(stages)


register_demo_loader(load, late=True)
