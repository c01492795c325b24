"""A small hospital's org chart for approval tests (each test builds its own).

信息科 (network department, head 王建国 the director) with 网络运维组 (lead 刘强, engineers
张伟 and 李娜, whose manager is 刘强); 内科 (served, head 陈志强) with the nurse 黄丽; 外科
(served, no head) with 徐明. Every person has a login (username = the key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netdept.approvals import services
from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Committee
from netdept.org.models import Department, Person, RoleAssignment, Team
from netdept.testing.factories import UserFactory, role

ROLES = {
    "wangjg": "director",
    "liuqiang": "team_lead",
    "zhangwei": "engineer",
    "lina": "engineer",
    "chenzq": "requester",
    "huangli": "requester",
    "xuming": "requester",
    "fengli": "auditor",
}


@dataclass
class Hospital:
    network: Department
    neike: Department
    waike: Department
    ops: Team
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]

    def user(self, key: str) -> Any:
        return self.people[key].user


def build() -> Hospital:
    root = Department.objects.create(name="人民医院", code="RMYY")
    network = Department.objects.create(name="信息科", code="XXK", kind="network", parent=root)
    neike = Department.objects.create(name="内科", code="NK", parent=root)
    waike = Department.objects.create(name="外科", code="WK", parent=root)
    ops = Team.objects.create(name="网络运维组", department=network)
    h = Hospital(network=network, neike=neike, waike=waike, ops=ops)
    spec = {
        "wangjg": ("王建国", network, None),
        "liuqiang": ("刘强", network, ops),
        "zhangwei": ("张伟", network, ops),
        "lina": ("李娜", network, ops),
        "chenzq": ("陈志强", neike, None),
        "huangli": ("黄丽", neike, None),
        "xuming": ("徐明", waike, None),
        "fengli": ("冯丽", root, None),
    }
    for i, (key, (name, dept, team)) in enumerate(spec.items()):
        user = UserFactory.create(username=key)
        h.people[key] = Person.objects.create(
            name=name, employee_no=f"H{i:03d}", department=dept, team=team, user=user
        )
        RoleAssignment.objects.create(user=user, role=role(ROLES[key]))
    ops.lead = h["liuqiang"]
    ops.save()
    network.head = h["wangjg"]
    network.save()
    neike.head = h["chenzq"]
    neike.save()
    for key in ("zhangwei", "lina"):
        h[key].manager = h["liuqiang"]
        h[key].save()
    h["liuqiang"].manager = h["wangjg"]
    h["liuqiang"].save()
    return h


def rule(kind: str = "approvals.general", code: str = "r", **kw: Any) -> ApprovalRule:
    return services.ApprovalRuleService().create(
        None, {"name": kw.pop("name", code), "code": code, "kind": kind, **kw}, check=False
    )


def step(r: ApprovalRule, name: str, approver: str, order: int = 10, **kw: Any) -> ApprovalStepRule:
    return services.ApprovalStepRuleService().create(
        None, {"rule": r, "name": name, "approver": approver, "order": order, **kw}, check=False
    )


def committee(name: str, members: list[Person], quorum: str, count: int = 1,
              chair: Person | None = None) -> Committee:  # fmt: skip
    return services.CommitteeService().create(
        None,
        {"name": name, "members": members, "quorum": quorum, "quorum_count": count,
         "chair": chair},
        check=False,
    )  # fmt: skip
