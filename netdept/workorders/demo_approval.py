"""Demo of approvals before work starts (issue 11): the rules 账号开通审批 (the requester's
department head) and 设备采购审批 (the head, then the director above ¥5,000), the categories
that require them, and orders waiting for them — so that 陈志强 (head of 内科) finds them in
待我审批, and the director one of 外科 (which has no head) and a costly purchase.

Called by the work-order demo (``demo.load``): the rules and categories on every run (each is
created once), the orders only with the demo's other orders (into an empty table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from netdept.approvals import services as approvals
from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalRule, DecisionStatus
from netdept.core.services import service_for
from netdept.org.demo import DemoWorld
from netdept.org.models import Team
from netdept.workorders import services
from netdept.workorders.models import APPROVAL_KIND, Category, Kind, WorkOrder
from netdept.workorders.services import approval

RULES: list[dict[str, Any]] = [
    {
        "code": "account-opening",
        "name": "账号开通审批",
        "kind": APPROVAL_KIND,
        "description": "开通业务系统账号须经申请人所在科室负责人同意。",
        "steps": [
            {"name": "科室负责人审批", "approver": "department_head", "time_limit_hours": 8,
             "remind_before_hours": 2},
        ],
    },
    {
        "code": "device-purchase",
        "name": "设备采购审批",
        "kind": APPROVAL_KIND,
        "description": "设备采购须经科室负责人同意；预计费用超过 5000 元的，还须主任审批。",
        "steps": [
            {"name": "科室负责人审批", "approver": "department_head"},
            {"name": "主任审批", "approver": "director",
             "condition": {"field": "amount", "op": "gt", "value": 5000}},
        ],
    },
]  # fmt: skip

# (name, parent, kind, team, rule code, purchase, description)
CATEGORIES = [
    ("账号开通", "业务系统", Kind.SERVICE, "系统开发组", "account-opening", False,
     "新员工开通 HIS、电子病历等业务系统账号：须科室负责人审批。"),
    ("设备采购", "终端与外设", Kind.SERVICE, "网络运维组", "device-purchase", True,
     "电脑、打印机、扫码枪等设备的采购申请：填写预计费用，超过 5000 元须主任审批。"),
]  # fmt: skip

# (requester, category, title, description, estimated cost, approved by the head)
ORDERS = [
    ("huangli", "账号开通", "为新入职护士开通 HIS 账号", "内科护士站新入职护士 2 名，需开通 HIS "
     "和电子病历账号。", None, False),
    ("huangli", "设备采购", "采购护士站条码打印机 2 台", "原打印机老化，腕带打印经常卡纸。",
     Decimal("8600"), True),
    ("xuming", "账号开通", "开通手术麻醉系统账号", "外科新进修医生 1 名。", None, False),
    ("huangli", "设备采购", "采购扫码枪 3 把", "发药核对用。", Decimal("1800"), False),
]  # fmt: skip


def rules_and_categories() -> int:
    """The two rules and their categories (each created once); answers how many were made."""
    created = 0
    rules: dict[str, ApprovalRule] = {}
    for spec in RULES:
        found = ApprovalRule.objects.filter(code=spec["code"]).first()
        if found is None:
            found = define_rule(spec)
            created += 1
        rules[spec["code"]] = found
    teams = {t.name: t for t in Team.objects.all()}
    for name, parent, kind, team, rule, purchase, text in CATEGORIES:
        if Category.objects.filter(name=name).exists():
            continue
        service_for(Category).create(
            None,
            {
                "name": name,
                "parent": Category.objects.filter(name=parent, parent__isnull=True).first(),
                "kind": kind,
                "default_team": teams.get(team),
                "approval_rule": rules[rule],
                "is_purchase": purchase,
                "description": text,
                "is_active": True,
            },
            check=False,
        )
        created += 1
    return created


def events(world: DemoWorld) -> list[tuple[dt.datetime, Callable[[], None]]]:
    """The orders waiting for their approval, filed during the last hours (and one purchase
    already approved by 陈志强, now with the director): ``(instant, run)`` pairs that the
    work-order demo replays in the order of time with its own."""
    people = world.people
    if not {"huangli", "xuming", "chenzq"} <= set(people):
        return []
    categories = {c.name: c for c in Category.objects.filter(name__in=[c[0] for c in CATEGORIES])}
    out: list[tuple[dt.datetime, Callable[[], None]]] = []
    for n, (who, category, title, text, cost, head_approves) in enumerate(ORDERS):
        filed = world.now - dt.timedelta(hours=5 - n)
        data = {
            "title": title,
            "description": text,
            "kind": Kind.SERVICE,
            "category": categories[category],
            "estimated_cost": cost,
            "contact": people[who].phone or "",
        }
        out.append((filed, partial(_open, people[who].user, data)))
        if head_approves:
            out.append((filed + dt.timedelta(minutes=40), partial(_head_approves, world, title)))
    return out


def _open(user: Any, data: dict[str, Any]) -> None:
    services.open_order(user, data)


def _head_approves(world: DemoWorld, title: str) -> None:
    head = world.people["chenzq"]
    order = WorkOrder.objects.filter(title=title).order_by("-pk").first()
    request = approval.request_of(order) if order is not None else None
    if request is None:
        return
    decision = request.decisions.filter(status=DecisionStatus.PENDING, approver=head).first()
    if decision is not None:
        approvals.approve(head.user, decision, "同意，请主任审批。")
