"""Generate a realistic approvals database for the "待我审批" benchmark (issue 11).

    # PostgreSQL (uses COPY; a database of its own)
    createdb -h 127.0.0.1 -U postgres bench11
    export NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench11
    .venv/bin/python manage.py migrate
    nice -n 10 .venv/bin/python bench/generate_approvals.py [--decisions 1000000] [--reset]

What it builds:

* an organisation of 416 people (prefix ``AP-``): the hospital (root department, head: the
  president 院长), the network department 信息网络部 whose head is the director
  (``appr-director``), six teams (a lead and eight engineers each; an engineer's manager is
  their lead, a lead's is the director), 40 served departments with a head and eight staff
  each (one of them, 外科, has no head: its requests' first step goes to the director with
  the reason, as the engine routes them), an auditor; everyone has a login (password
  ``Bench-Pass-1234!``) with the matching built-in role;
* a committee (网络管理委员会, 5 members, 3 of 5) and four rules of ``approvals.general``:
  设备采购 (department head → director → president), 系统权限 (department head → the security
  team's lead → the systems team's lead), 网络变更 (逐级: team lead → director, then the
  security lead with the second factor; emergency allowed) and 年度建设计划 (director →
  the committee);
* ``--decisions`` (default 1,000,000) decided decisions — approved, rejected, returned or no
  longer needed — with their requests (≈ 346,000, three steps each) over the last three
  years; the director decides ≈ 20 % of them;
* the open work of today: exactly ``--pending`` (default 500) pending decisions held by the
  director — ~20 % overdue, some without a time limit, 40 held for the president while he is
  away (a delegation: "张主任 代 李院长"), 20 routed to him because 外科 has no head, 25
  emergencies acted on first — and ~2,000 pending decisions of other approvers.

Rows are written with ``COPY`` on PostgreSQL (``bulk_create`` elsewhere), ids given by the
script; no audit records and no notifications are written. The generation is refused when
generated requests exist already, unless ``--reset`` (which deletes them first). The script
ends with ``VACUUM ANALYZE`` of the approval tables (index-only scans need the visibility map).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATABASE_URL") and not os.environ.get("NETDEPT_DATA_DIR"):
    sys.exit("set NETDEPT_DATABASE_URL (PostgreSQL) or NETDEPT_DATA_DIR to the bench database")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from netdept.approvals.models import (  # noqa: E402
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    ApprovalStepRule,
    Committee,
    Delegation,
)
from netdept.approvals.services import steps as build  # noqa: E402
from netdept.org.models import Department, Person, Role, RoleAssignment, Team  # noqa: E402

User = get_user_model()
PASSWORD = "Bench-Pass-1234!"
PREFIX = "AP-"  # department codes and employee numbers of the generated organisation
RULE_PREFIX = "bench-"  # codes of the generated rules: what --reset deletes
KIND = "approvals.general"
BATCH = 5000
YEARS = 3
HOUR = dt.timedelta(hours=1)

TEAMS = ["网络运维组", "系统运维组", "信息安全组", "软件开发组", "桌面支持组", "服务台"]
SERVED = [
    "心内科", "呼吸内科", "消化内科", "神经内科", "内分泌科", "肾内科", "血液科", "感染科",
    "普外科", "骨科", "神经外科", "胸外科", "泌尿外科", "妇产科", "儿科", "眼科", "耳鼻喉科",
    "口腔科", "皮肤科", "急诊科", "重症医学科", "麻醉科", "检验科", "放射科", "超声科",
    "病理科", "药剂科", "康复科", "中医科", "体检中心", "门诊部", "医务处", "护理部",
    "财务处", "人事处", "总务处", "设备处", "院办", "后勤保障部", "外科",
]  # fmt: skip
HEADLESS = "外科"  # a served department without a head (its first steps go to the director)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志伟晓东海燕春梅"
TITLES = {
    "purchase": ["采购核心交换机 2 台", "采购接入交换机 12 台", "采购服务器内存 256 GB",
                 "采购 UPS 电池组", "采购无线 AP 30 个", "采购防火墙授权续期", "采购打印机 5 台"],
    "access": ["申请开通 HIS 医生站权限", "申请 PACS 阅片权限", "申请 VPN 远程访问",
               "申请报表系统导出权限", "申请电子病历质控权限", "申请 LIS 审核权限"],
    "change": ["核心交换机配置变更", "防火墙策略调整", "数据库版本升级", "VLAN 划分调整",
               "无线控制器固件升级", "机房 UPS 切换演练"],
    "plan": ["2027 年信息化建设计划", "网络安全等级保护整改计划", "机房扩容计划"],
}  # fmt: skip
REASONS = ["预算不足，请明年再报。", "请补充用途说明。", "与已有设备重复。", "请附三家报价。"]
APPROVE_COMMENTS = ["", "", "", "同意。", "同意，请尽快实施。", "已阅，同意。"]


@dataclass
class Org:
    director: int
    president: int
    security_lead: int
    systems_lead: int
    dept_head: dict[int, int | None]  # served department id → head person id
    staff: list[tuple[int, int]]  # (person id, department id) of served staff
    engineers: list[tuple[int, int]]  # (person id, team lead id)
    leads: list[int]
    committee: list[int]
    users: dict[int, int]  # person id → user id


# ---------------------------------------------------------------------------------------------
# organisation and rules


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % 23]


def ensure_org() -> Org:
    """Create (once) and return the generated organisation."""
    if not Department.objects.filter(code=f"{PREFIX}ROOT").exists():
        with transaction.atomic():
            _create_org()
    root = Department.objects.get(code=f"{PREFIX}ROOT")
    net = Department.objects.get(code=f"{PREFIX}NET")
    teams = {t.name: t for t in Team.objects.filter(department=net)}
    served = Department.objects.filter(parent=root, kind="served")
    people = Person.objects.filter(employee_no__startswith=PREFIX)
    assert net.head_id and root.head_id
    lead_ids = [t.lead_id for t in teams.values() if t.lead_id]
    return Org(
        director=net.head_id,
        president=root.head_id,
        security_lead=teams["信息安全组"].lead_id or 0,
        systems_lead=teams["系统运维组"].lead_id or 0,
        dept_head={d.pk: d.head_id for d in served},
        staff=list(
            people.filter(department__in=served, employee_no__startswith=f"{PREFIX}S")
            .order_by("pk")
            .values_list("pk", "department_id")
        ),
        engineers=list(
            people.filter(team__isnull=False, manager__isnull=False)
            .exclude(pk__in=lead_ids)
            .order_by("pk")
            .values_list("pk", "manager_id")
        ),
        leads=sorted(lead_ids),
        committee=list(
            Committee.objects.get(name="网络管理委员会（基准）")
            .members.order_by("pk")
            .values_list("pk", flat=True)
        ),
        users=dict(people.values_list("pk", "user_id")),
    )


def _create_org() -> None:
    pw = make_password(PASSWORD)
    roles = {r.code: r for r in Role.objects.all()}
    root = Department.objects.create(code=f"{PREFIX}ROOT", name="示例市中心医院", kind="served")
    net = Department.objects.create(
        code=f"{PREFIX}NET", name="信息网络部", kind="network", parent=root
    )
    served = Department.objects.bulk_create(
        [
            Department(code=f"{PREFIX}D{i:03d}", name=name, kind="served", parent=root)
            for i, name in enumerate(SERVED, 1)
        ]
    )
    teams = Team.objects.bulk_create([Team(name=n, department=net) for n in TEAMS])
    # (username, employee no, name, department, team, role)
    spec: list[tuple[str, str, str, Department, Team | None, str]] = [
        ("appr-director", f"{PREFIX}DIR", "张主任", net, None, "director"),
        ("appr-president", f"{PREFIX}PRES", "李院长", root, None, "requester"),
        ("appr-auditor", f"{PREFIX}AUD", "冯审计", root, None, "auditor"),
    ]
    n = 0
    for team in teams:
        for j in range(9):
            n += 1
            spec.append((f"appr-e{n:03d}", f"{PREFIX}E{n:03d}", _name(n), net, team,
                         "team_lead" if j == 0 else "engineer"))  # fmt: skip
    s = 0
    for d_idx, dept in enumerate(served):
        for j in range(9 if dept.name != HEADLESS else 8):
            s += 1
            kind = "H" if j == 0 and dept.name != HEADLESS else "S"
            spec.append((f"appr-{kind.lower()}{s:03d}", f"{PREFIX}{kind}{s:03d}",
                         _name(100 + s), dept, None, "requester"))  # fmt: skip
        _ = d_idx
    User.objects.bulk_create([User(username=u, password=pw, is_active=True) for u, *_ in spec])
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in spec])}
    Person.objects.bulk_create(
        [
            Person(name=name, employee_no=emp, user=users[u], department=dept, team=team)
            for u, emp, name, dept, team, _role in spec
        ]
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[u], role=roles[r]) for u, _e, _n, _d, _t, r in spec]
    )
    person = {p.employee_no: p for p in Person.objects.filter(employee_no__startswith=PREFIX)}
    director, president = person[f"{PREFIX}DIR"], person[f"{PREFIX}PRES"]
    net.head, root.head = director, president
    net.save(update_fields=["head"])
    root.save(update_fields=["head"])
    for team in teams:
        members = sorted(
            (p for p in person.values() if p.team_id == team.pk), key=lambda p: p.employee_no
        )
        team.lead = members[0]
        team.save(update_fields=["lead"])
        Person.objects.filter(pk=members[0].pk).update(manager=director)
        Person.objects.filter(pk__in=[p.pk for p in members[1:]]).update(manager=members[0])
    for dept in served:
        head = min(
            (p for p in person.values() if p.department_id == dept.pk and "H" in p.employee_no),
            key=lambda p: p.employee_no,
            default=None,
        )
        if head is not None:
            dept.head = head
            dept.save(update_fields=["head"])
    leads = [t.lead for t in teams]
    committee = Committee.objects.create(
        name="网络管理委员会（基准）", chair=director, quorum="count", quorum_count=3
    )
    committee.members.set([director, president, *(p for p in leads[:3] if p is not None)])
    _create_rules(net, root, teams, committee)


def _create_rules(
    net: Department, root: Department, teams: list[Team], committee: Committee
) -> None:
    by_name = {t.name: t for t in teams}

    def rule(code: str, name: str, **kw: Any) -> ApprovalRule:
        return ApprovalRule.objects.create(code=f"{RULE_PREFIX}{code}", name=name, kind=KIND, **kw)

    def step(r: ApprovalRule, order: int, name: str, approver: str, **kw: Any) -> None:
        ApprovalStepRule.objects.create(rule=r, order=order, name=name, approver=approver, **kw)

    limits = {"time_limit_hours": 16, "remind_before_hours": 4, "escalate_to": ""}
    r = rule("purchase", "设备采购审批", allow_bulk=True, is_default=True)
    step(r, 10, "科室主任审批", "department_head", **limits)
    step(r, 20, "信息网络部主任审批", "director", **limits)
    step(r, 30, "院长审批", "head_of", department=root, time_limit_hours=24, remind_before_hours=8)
    r = rule("access", "系统权限申请", allow_bulk=True)
    step(r, 10, "科室主任审批", "department_head", time_limit_hours=8, remind_before_hours=2)
    step(r, 20, "信息安全组审核", "person", person=by_name["信息安全组"].lead, time_limit_hours=8)
    step(r, 30, "系统运维组实施确认", "person", person=by_name["系统运维组"].lead)
    r = rule("change", "网络变更审批", emergency_allowed=True, emergency_hours=8)
    step(r, 10, "逐级审批", "superiors", levels=2)
    step(r, 20, "安全复核", "person", person=by_name["信息安全组"].lead, require_2fa=True,
         time_limit_hours=8)  # fmt: skip
    r = rule("plan", "年度建设计划审批")
    step(r, 10, "信息网络部主任审核", "director", time_limit_hours=40)
    step(r, 20, "网络管理委员会审议", "committee", committee=committee, time_limit_hours=80)
    _ = net


# ---------------------------------------------------------------------------------------------
# rows


class Ids:
    """Ids given by the script (one writer on the bench database): max(id) + 1 onwards."""

    def __init__(self, model: type[models.Model]) -> None:
        self.next = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


class Table:
    """Buffered rows of one model, written by COPY (PostgreSQL) or bulk_create."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = ["id", *(str(f.column) for f in fields)]
        self.json = [str(f.column) for f in fields if isinstance(f, models.JSONField)]
        self.defaults = {str(f.column): f.get_default() for f in fields}
        self.pairs = [("id", None), *((c, _cell(v)) for c, v in self.defaults.items())]
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self.ids = Ids(model)

    def add(self, row: dict[str, Any]) -> int:
        row["id"] = self.ids.take()
        self.rows.append(row)
        return int(row["id"])

    def flush(self) -> None:
        if not self.rows:
            return
        self.count += len(self.rows)
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            with (
                connection.cursor() as cur,
                cur.cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN") as copy,
            ):
                pairs, json_columns = self.pairs, self.json
                for row in self.rows:
                    for c in json_columns:
                        if c in row:
                            row[c] = _cell(row[c])
                    get = row.get
                    copy.write_row([get(c, d) for c, d in pairs])
        else:
            attnames = {str(f.column): f.attname for f in self.model._meta.concrete_fields}
            for row in self.rows:  # the snapshot is kept as JSON text for COPY
                for c in self.json:
                    if isinstance(row.get(c), str):
                        row[c] = json.loads(row[c])
            self.model._default_manager.bulk_create(
                [
                    self.model(
                        **{attnames[c]: row.get(c, self.defaults.get(c)) for c in self.columns}
                    )
                    for row in self.rows
                ],
                BATCH,
            )
        self.rows.clear()

    def reset_sequence(self) -> None:
        if connection.vendor != "postgresql":
            return
        table = self.model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


@dataclass
class RuleInfo:
    rule: ApprovalRule
    snapshot: str  # JSON text, the same for every request of the rule
    steps: list[dict[str, Any]]  # one per ApprovalStep (a 逐级 rule step gives one per level)


def rule_infos() -> dict[str, RuleInfo]:
    out = {}
    for r in ApprovalRule.objects.filter(code__startswith=RULE_PREFIX):
        snap = build.snapshot_of(r)
        rows = []
        for spec in snap["steps"]:
            levels = range(1, spec["levels"] + 1) if spec["approver"] == "superiors" else [0]
            for level in levels:
                name = spec["name"] if not level else f"{spec['name']}（第 {level} 级）"
                rows.append({"spec": spec, "level": level, "name": name})
        out[r.code.removeprefix(RULE_PREFIX)] = RuleInfo(
            r, json.dumps(snap, ensure_ascii=False), rows
        )
    return out


class Generator:
    """Writes requests with their steps and decisions, in batches."""

    def __init__(self, org: Org, rules: dict[str, RuleInfo], seed: int) -> None:
        self.org, self.rules = org, rules
        self.rng = random.Random(seed)
        self.requests = Table(ApprovalRequest)
        self.steps = Table(ApprovalStep)
        self.decisions = Table(ApprovalDecision)
        self.decided = 0  # decisions that are not pending
        self.pending: dict[str, int] = {"director": 0, "others": 0}
        self.director_decided = 0
        self.headless = {d for d, h in org.dept_head.items() if h is None}

    # who a step is for: (person, on behalf of, routing note, needed) -------------------------
    def seats(
        self, kind: str, index: int, requester: tuple[int, int], meant: dict[str, Any]
    ) -> tuple[list[int], str, int]:
        o = self.org
        approver = meant["spec"]["approver"]
        if approver == "department_head":
            head = o.dept_head.get(requester[1])
            if head is None:
                return [o.director], f"{HEADLESS}没有科室主任。已转交信息网络部主任。", 1
            return [head], "", 1
        if approver == "director":
            return [o.director], "", 1
        if approver == "head_of":
            return [o.president], "", 1
        if approver == "person":
            return [meant["spec"]["person"]], "", 1
        if approver == "superiors":
            return [requester[1] if meant["level"] == 1 else o.director], "", 1
        if approver == "committee":
            return list(o.committee), "", 3
        raise ValueError(approver)

    def request(
        self,
        kind: str,
        at: dt.datetime,
        now: dt.datetime,
        *,
        outcome: str,
        stop: int = 0,
        pending_due: dt.datetime | str | None = "auto",
        on_behalf: int | None = None,
        emergency: bool = False,
        requester: tuple[int, int] | None = None,
    ) -> None:
        """One request of ``kind`` submitted at ``at``. ``outcome``: approved, rejected,
        returned, withdrawn (ending at the step of index ``stop``) or pending (waiting at
        ``stop``, due at ``pending_due``)."""
        rng, o = self.rng, self.org
        info = self.rules[kind]
        if requester is None:
            if kind in ("purchase", "access"):
                requester = rng.choice(o.staff)  # (person, department)
            elif kind == "change":
                requester = rng.choice(o.engineers)  # (person, their lead)
            else:
                requester = (rng.choice(o.leads), 0)
        n_steps = len(info.steps)
        last = n_steps - 1 if outcome == "approved" else stop
        amount = rng.choice([3800, 6500, 12000, 28000, 56000, 150000])
        data: dict[str, Any] = {"amount": amount} if kind in ("purchase", "plan") else {}
        if kind == "change":
            data = {"risk": rng.choice(["low", "medium", "high"])}
        req_id = self.requests.ids.next
        step_rows: list[dict[str, Any]] = []
        t = at
        decided_at = None
        for i, meant in enumerate(info.steps):
            spec = meant["spec"]
            row: dict[str, Any] = {
                "request_id": req_id, "position": i + 1, "name": meant["name"][:100],
                "rule_step": spec["index"], "level": meant["level"],
                "approver_kind": spec["approver"], "require_2fa": spec["require_2fa"],
                "time_limit_hours": spec["time_limit_hours"],
                "remind_before_hours": spec["remind_before_hours"],
                "escalate_to": spec["escalate_to"] or "",
                "escalate_person_id": spec["escalate_person"],
                "status": "waiting", "needed": 1, "created_at": at, "updated_at": at,
            }  # fmt: skip
            step_rows.append(row)
            if i > last:
                row["status"] = "cancelled" if outcome != "pending" else "waiting"
                continue
            people, note, needed = self.seats(kind, i, requester, meant)
            if on_behalf is not None and i == stop and outcome == "pending":
                people = [o.director]
            row.update(status="pending", needed=needed, routed_reason=note, activated_at=t)
            limit = spec["time_limit_hours"]
            due = t + limit * 2.5 * HOUR if limit else None
            if outcome == "pending" and i == stop:
                if pending_due != "auto":
                    due = pending_due
                row.update(due_at=due, remind_at=due - 2 * HOUR if due else None, updated_at=t)
                self._seats(row, people, "pending", due, t, None, on_behalf)
                continue  # the later steps wait
            took = dt.timedelta(minutes=rng.lognormvariate(4.6, 1.2))  # median ≈ 1.7 h
            dec_at = min(t + took, now - dt.timedelta(minutes=1))
            status = "approved"
            if i == stop and outcome in ("rejected", "returned"):
                status = outcome
            elif i == stop and outcome == "withdrawn":
                status = "cancelled"
            row.update(due_at=due, decided_at=dec_at if status != "cancelled" else None,
                       status=status, updated_at=dec_at)  # fmt: skip
            dec_status = {"cancelled": "not_needed"}.get(status, status)
            self._seats(row, people, dec_status, due, t, dec_at, None, needed=needed)
            t = decided_at = dec_at
        status = outcome if outcome != "approved" else "approved"
        emergency_due = at + 8 * 2.5 * HOUR if emergency else None
        self.requests.add(
            {
                "kind": KIND, "rule_id": info.rule.pk, "rule_version": info.rule.version,
                "snapshot": info.snapshot, "title": rng.choice(TITLES[kind]),
                "requester_id": requester[0], "submitted_by_id": o.users.get(requester[0]),
                "data": data, "status": status, "emergency": emergency,
                "emergency_due": emergency_due,
                "current_position": min(last, n_steps - 1) + 1,
                "submitted_at": at, "decided_at": decided_at if outcome != "pending" and
                outcome != "returned" else None,
                "version": 1 if outcome == "pending" else 2,
                "created_at": at, "updated_at": decided_at or at,
            }
        )  # fmt: skip
        for row in step_rows:
            step_id = self.steps.add(row)
            for d in row.pop("_seats", []):
                d["step_id"] = step_id
                self.decisions.add(d)
        if len(self.requests.rows) >= BATCH:
            self.flush()

    def _seats(
        self,
        step: dict[str, Any],
        people: list[int],
        status: str,
        due: dt.datetime | None,
        at: dt.datetime,
        decided_at: dt.datetime | None,
        on_behalf: int | None,
        needed: int = 1,
    ) -> None:
        rng, o = self.rng, self.org
        seats = step.setdefault("_seats", [])
        approved = 0
        for n, p in enumerate(people):
            s = status
            if status == "approved" and approved >= needed:
                s = "not_needed"  # the quorum was reached before this member decided
            elif status in ("rejected", "returned") and n > 0:
                s = "not_needed"  # one member's rejection or return closes the step
            approved += s == "approved"
            done = s in ("approved", "rejected", "returned")
            comment = ""
            if s == "approved":
                comment = rng.choice(APPROVE_COMMENTS)
            elif done:
                comment = rng.choice(REASONS)
            seats.append(
                {
                    "request_id": step["request_id"], "approver_id": p,
                    "on_behalf_of_id": on_behalf, "status": s, "comment": comment,
                    "due_at": due, "decided_at": decided_at if done else None,
                    "decided_by_id": o.users.get(p) if done else None,
                    "ip": f"10.20.{p % 250}.{rng.randint(2, 250)}" if done else None,
                    "version": 1 if s == "pending" else 2,
                    "created_at": at, "updated_at": decided_at or at,
                }
            )  # fmt: skip
            if s == "pending":
                self.pending["director" if p == o.director else "others"] += 1
            else:
                self.decided += 1
                self.director_decided += p == o.director

    def flush(self) -> None:
        with transaction.atomic():
            self.requests.flush()
            self.steps.flush()
            self.decisions.flush()

    def finish(self) -> None:
        self.flush()
        for table in (self.requests, self.steps, self.decisions):
            table.reset_sequence()


KINDS = [("purchase", 0.38), ("access", 0.36), ("change", 0.25), ("plan", 0.01)]
OUTCOMES = [("approved", 0.88), ("rejected", 0.05), ("returned", 0.03), ("withdrawn", 0.04)]


def _pick(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    r, acc = rng.random(), 0.0
    for value, w in pairs:
        acc += w
        if r < acc:
            return value
    return pairs[-1][0]


def history(gen: Generator, target: int, now: dt.datetime, t0: float) -> None:
    """Decided requests over the last YEARS years until ``target`` decisions are decided."""
    rng = gen.rng
    span = YEARS * 365 * 86400
    start = now - dt.timedelta(seconds=span)
    # ≈ 2.7 decisions per request (some end early): spread the submission times evenly, oldest first
    expected = int((target - gen.decided) / 2.7) + 1
    i, last_report = 0, time.monotonic()
    while gen.decided < target:
        at = start + dt.timedelta(seconds=span * min(i, expected - 1) / expected)
        at += dt.timedelta(seconds=rng.randint(0, 3600))
        i += 1
        kind = _pick(rng, KINDS)
        outcome = _pick(rng, OUTCOMES)
        n = len(gen.rules[kind].steps)
        stop = rng.randrange(n) if outcome != "approved" else n - 1
        left = target - gen.decided
        if left < 10:  # land exactly on the target: single-seat steps, one by one
            kind, outcome, stop = "access", "rejected", min(left, 3) - 1
        gen.request(kind, at, now, outcome=outcome, stop=stop,
                    emergency=kind == "change" and rng.random() < 0.03)  # fmt: skip
        if time.monotonic() - last_report > 15:
            last_report = time.monotonic()
            rate = gen.decided / (last_report - t0)
            print(f"  {gen.decided:,} decisions ({rate:,.0f}/s)", flush=True)


def open_work(gen: Generator, director_pending: int, others: int, now: dt.datetime) -> None:
    """Today's pending requests: exactly ``director_pending`` decisions held by the director,
    ``others`` pending with other approvers."""
    rng, o = gen.rng, gen.org
    headless_staff = [s for s in o.staff if s[1] in gen.headless]
    delegation_from = now - 3 * 24 * HOUR
    Delegation.objects.create(
        delegator_id=o.president, delegate_id=o.director, starts_at=delegation_from,
        ends_at=now + 4 * 24 * HOUR, reason="出差（基准数据）",
    )  # fmt: skip
    shares = [("behalf", 0.08), ("headless", 0.04), ("emergency", 0.05), ("plan", 0.02),
              ("change", 0.15)]  # fmt: skip
    plan = [(what, int(director_pending * share)) for what, share in shares]
    plan.append(("purchase", director_pending - sum(n for _k, n in plan)))
    for what, count in plan:
        for _j in range(count):
            at = now - dt.timedelta(minutes=rng.randint(10, 14 * 24 * 60))
            overdue = rng.random() < 0.2
            due: dt.datetime | None = (
                now - dt.timedelta(minutes=rng.randint(5, 3 * 24 * 60))
                if overdue
                else now + dt.timedelta(minutes=rng.randint(30, 5 * 24 * 60))
            )
            if what == "behalf":
                gen.request("purchase", at, now, outcome="pending", stop=2, pending_due=due,
                            on_behalf=o.president)  # fmt: skip
            elif what == "headless":
                gen.request("purchase", at, now, outcome="pending", stop=0, pending_due=due,
                            requester=rng.choice(headless_staff))  # fmt: skip
            elif what == "emergency":
                at = now - dt.timedelta(minutes=rng.randint(10, 24 * 60))
                gen.request("change", at, now, outcome="pending", stop=1, pending_due=None,
                            emergency=True)  # fmt: skip
            elif what == "change":  # 逐级 level 2: no time limit
                gen.request("change", at, now, outcome="pending", stop=1, pending_due=None)
            elif what == "plan":
                gen.request("plan", at, now, outcome="pending", stop=0, pending_due=due)
            else:
                member = rng.choice([s for s in o.staff if s[1] not in gen.headless])
                gen.request("purchase", at, now, outcome="pending", stop=1, pending_due=due,
                            requester=member)  # fmt: skip
    for _j in range(others):
        at = now - dt.timedelta(minutes=rng.randint(10, 10 * 24 * 60))
        kind = rng.choice(["purchase", "access", "access", "change"])
        stop = 0 if kind != "access" else rng.randrange(3)
        requester: tuple[int, int] | None = None
        if kind != "change":
            requester = rng.choice([s for s in o.staff if s[1] not in gen.headless])
        gen.request(kind, at, now, outcome="pending", stop=stop, requester=requester)


# ---------------------------------------------------------------------------------------------


def reset() -> None:
    """Delete the generated requests (their steps and decisions) and the bench delegation."""
    print("deleting generated requests…", flush=True)
    generated = ApprovalRequest.objects.filter(rule__code__startswith=RULE_PREFIX)
    others = ApprovalRequest.objects.exclude(rule__code__startswith=RULE_PREFIX).exists()
    if connection.vendor == "postgresql" and not others:
        tables = [m._meta.db_table for m in (ApprovalDecision, ApprovalStep, ApprovalRequest)]
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)}")
    else:
        with transaction.atomic():
            ApprovalDecision.objects.filter(request__in=generated).delete()
            ApprovalStep.objects.filter(request__in=generated).delete()
            generated.delete()
    Delegation.objects.filter(delegator__employee_no__startswith=PREFIX).delete()


def keep_timestamps() -> None:
    """Let bulk_create keep the generated created_at/updated_at (no auto_now)."""
    for model in (ApprovalRequest, ApprovalStep, ApprovalDecision):
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]


def counts(org: Org) -> str:
    dec = ApprovalDecision.objects
    parts: list[tuple[str, Callable[[], int]]] = [
        ("requests", ApprovalRequest.objects.count),
        ("steps", ApprovalStep.objects.count),
        ("decisions", dec.count),
        ("decided", lambda: dec.exclude(status="pending").count()),
        ("decided by the director",
         lambda: dec.filter(approver_id=org.director).exclude(status="pending").count()),
        ("pending, director",
         lambda: dec.filter(approver_id=org.director, status="pending").count()),
        ("pending, others",
         lambda: dec.filter(status="pending").exclude(approver_id=org.director).count()),
    ]  # fmt: skip
    return ", ".join(f"{name} {fn():,}" for name, fn in parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000, help="decided decisions")
    parser.add_argument("--pending", type=int, default=500, help="pending, held by the director")
    parser.add_argument("--others", type=int, default=2000, help="pending requests of others")
    parser.add_argument("--reset", action="store_true", help="delete generated requests first")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    t0 = time.monotonic()
    if args.reset:
        reset()
    org = ensure_org()
    if ApprovalRequest.objects.filter(rule__code__startswith=RULE_PREFIX).exists():
        print("generated requests exist already (use --reset to generate again):")
        print(counts(org))
        return
    keep_timestamps()
    now = timezone.now().replace(microsecond=0)
    gen = Generator(org, rule_infos(), args.seed)
    open_work(gen, args.pending, args.others, now)  # its earlier steps count as decided
    history(gen, args.decisions, now - dt.timedelta(days=15), t0)
    gen.finish()
    print(
        f"generated: requests {gen.requests.count:,}, steps {gen.steps.count:,}, "
        f"decisions {gen.decisions.count:,} ({gen.decided:,} decided, "
        f"{gen.director_decided:,} of them by the director; pending: "
        f"{gen.pending['director']:,} director, {gen.pending['others']:,} others)",
        flush=True,
    )
    t1 = time.monotonic()
    with connection.cursor() as cur:
        for model in (ApprovalRequest, ApprovalStep, ApprovalDecision, Person, Department):
            if connection.vendor == "postgresql":
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        if connection.vendor != "postgresql":
            cur.execute("ANALYZE")
    t2 = time.monotonic()
    print(f"time: generate {t1 - t0:.1f} s, vacuum analyze {t2 - t1:.1f} s", flush=True)
    print(counts(org))


if __name__ == "__main__":
    main()
