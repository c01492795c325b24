"""Demo data of approvals: the leading group (a committee), two rules of general requests, and
requests in flight, so that the director and the team leads find something in 待我审批.

The work-order rules (账号开通, 设备采购, major-incident reports) are the work-order demo's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netdept.approvals import services
from netdept.approvals.models import ApprovalRule, Committee
from netdept.org.demo import DemoWorld

LEADERS = ("director", "liuqiang", "chenjing", "zhaolei")


def _committee(world: DemoWorld) -> Committee | None:
    found = Committee.objects.filter(name="网络安全与信息化领导小组").first()
    if found is not None:
        return found
    members = [world.people[u] for u in LEADERS if u in world.people]
    if len(members) < 3:
        return None
    return services.CommitteeService().create(
        None,
        {
            "name": "网络安全与信息化领导小组",
            "chair": members[0],
            "members": members,
            "quorum": "count",
            "quorum_count": 3,
            "description": "审议信息化建设规划、重大项目和网络安全重大事项。",
        },
        check=False,
    )


def _rule(code: str, data: dict[str, Any], steps: list[dict[str, Any]]) -> ApprovalRule:
    found = ApprovalRule.objects.filter(code=code).first()
    if found is not None:
        return found
    rule = services.ApprovalRuleService().create(None, {"code": code, **data}, check=False)
    for order, step in enumerate(steps, start=1):
        services.ApprovalStepRuleService().create(
            None, {"rule": rule, "order": order * 10, **step}, check=False
        )
    return rule


def load(world: DemoWorld) -> int:
    """Into an empty approvals table only; answers the number of objects created."""
    if ApprovalRule.objects.filter(kind="approvals.general").exists():
        return 0
    world.at(world.now - dt.timedelta(days=3))
    created = 0
    committee = _committee(world)
    general = _rule(
        "general",
        {
            "name": "一般事项审批",
            "kind": "approvals.general",
            "is_default": True,
            "allow_bulk": True,
            "emergency_allowed": True,
            "emergency_hours": 8,
            "description": "科室负责人审批；金额超过 5000 元的再由主任审批。",
        },
        [
            {"name": "科室负责人审批", "approver": "department_head", "time_limit_hours": 8,
             "remind_before_hours": 2, "escalate_to": "superior"},
            {"name": "主任审批", "approver": "director", "condition_field": "amount",
             "condition_op": "gt", "condition_value": "5000"},
        ],
    )  # fmt: skip
    created += 1 + general.steps.count()
    if committee is not None:
        plan = _rule(
            "plan",
            {
                "name": "信息化规划审议",
                "kind": "approvals.general",
                "restart_on_return": "returning",
                "description": "年度信息化建设规划由领导小组审议，4 人中 3 人同意即通过。",
            },
            [{"name": "领导小组审议", "approver": "committee", "committee": committee}],
        )
        created += 2
        if "chenjing" in world.people:
            world.at(world.now - dt.timedelta(days=1, hours=2))
            chenjing = world.people["chenjing"]
            services.submit(
                chenjing.user,
                kind="approvals.general",
                rule=plan,
                title="2027 年信息化建设规划（送审稿）",
                data={"amount": 1200000, "type": "规划"},
            )
            created += 1
    if "zhangwei" in world.people:
        world.at(world.now - dt.timedelta(hours=5))
        services.submit(
            world.people["zhangwei"].user,
            kind="approvals.general",
            rule=general,
            title="采购万兆光模块 20 个",
            data={"amount": 6800, "type": "采购"},
        )
        created += 1
    world.at(world.now)
    return created
