"""Generate a realistic work-order database for benchmarks (default 1,000,000 orders).

    # SQLite (a fresh database in a temporary data directory unless NETDEPT_DATA_DIR is set)
    NETDEPT_DATA_DIR=/tmp/wo-bench .venv/bin/python bench/generate_workorders.py --count 200000

    # PostgreSQL (uses COPY; createdb netdept_bench first)
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/netdept_bench \\
        nice -n 10 .venv/bin/python bench/generate_workorders.py --count 1000000

What it builds:

* an organisation of ~200 people: the hospital (root department), the network department with
  six teams (a lead and engineers each, one director) and 40 served departments with their
  staff; every person has a login (``bench-e001``…, ``bench-r001``…, ``bench-director``) with the
  built-in role matching their job; password ``Bench-Pass-1234!``;
* categories with default teams, SLA policies per priority;
* ``--count`` work orders over the last three years (more on weekdays and in working hours):
  ~97 % resolved or closed, ~3 % open (recent), priorities P1 2 % / P2 13 % / P3 55 % /
  P4 30 %, ratings on ~40 % of the closed ones, a few reopened, a few major incidents;
* their history: SLA events (clock started, responded, resolved), public comments and internal
  notes for most orders, and audit records (a valid hash chain, appended to the existing one)
  for ``--audit-share`` of them.

Idempotent-ish: the organisation is created once and reused; a second run adds orders until
``--count`` exist; ``--reset`` deletes the generated orders (and their history) first. The
script refuses to touch a database holding work orders it did not generate unless ``--force``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATABASE_URL"):
    os.environ.setdefault("NETDEPT_DATA_DIR", tempfile.mkdtemp(prefix="netdept-bench-"))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from netdept.core import audit, audit_seal  # noqa: E402
from netdept.core.models import AuditChain, AuditRecord  # noqa: E402
from netdept.org.models import Department, Person, Role, RoleAssignment, Team  # noqa: E402
from netdept.workorders import sla  # noqa: E402
from netdept.workorders.models import (  # noqa: E402
    Category,
    Comment,
    SlaEvent,
    SlaPolicy,
    WorkOrder,
)

User = get_user_model()
PASSWORD = "Bench-Pass-1234!"
PREFIX = "B-"  # department codes / employee numbers of the generated organisation
NUMBER_PREFIX = "WO-"
BATCH = 5000
YEARS = 3

TEAMS = ["网络运维组", "系统运维组", "信息安全组", "软件开发组", "桌面支持组", "服务台"]
SERVED = [
    "心内科", "呼吸内科", "消化内科", "神经内科", "内分泌科", "肾内科", "血液科", "感染科",
    "普外科", "骨科", "神经外科", "胸外科", "泌尿外科", "妇产科", "儿科", "眼科", "耳鼻喉科",
    "口腔科", "皮肤科", "急诊科", "重症医学科", "麻醉科", "检验科", "放射科", "超声科",
    "病理科", "药剂科", "康复科", "中医科", "体检中心", "门诊部", "医务处", "护理部",
    "财务处", "人事处", "总务处", "设备处", "院办", "后勤保障部", "科研处",
]  # fmt: skip
# (name, kind, team index)
CATEGORIES = [
    ("无法上网", "fault", 0), ("无线网络", "fault", 0), ("交换机/路由器故障", "fault", 0),
    ("服务器故障", "fault", 1), ("HIS 系统故障", "fault", 1), ("数据库", "fault", 1),
    ("病毒/安全事件", "fault", 2), ("账号与权限", "service", 2), ("VPN 开通", "service", 2),
    ("系统功能需求", "service", 3), ("报表需求", "service", 3), ("接口对接", "service", 3),
    ("电脑故障", "fault", 4), ("打印机", "fault", 4), ("软件安装", "service", 4),
    ("新增网络点位", "service", 0), ("咨询", "consultation", 5), ("使用培训", "consultation", 5),
    ("网站/QQ/百度商桥线索", "lead", 5), ("其他", "", 5),
]  # fmt: skip
# priority: (share, response minutes, resolution minutes)
PRIORITIES = {1: (0.02, 15, 240), 2: (0.13, 30, 480), 3: (0.55, 120, 1440), 4: (0.30, 480, 4320)}
KINDS = [("fault", 0.60), ("service", 0.28), ("consultation", 0.10), ("lead", 0.02)]
OPEN_STATES = [("new", 0.25), ("accepted", 0.20), ("in_progress", 0.40), ("waiting", 0.15)]
RATINGS = [(5, 0.60), (4, 0.25), (3, 0.10), (2, 0.03), (1, 0.02)]
TITLES = {
    "fault": ["办公室电脑无法上网", "无线信号弱经常掉线", "HIS 登录缓慢", "打印机无法打印",
              "交换机端口指示灯不亮", "服务器告警 CPU 过高", "电脑蓝屏", "网络时断时续"],
    "service": ["申请开通 VPN 账号", "新员工开通系统账号", "新增两个网络点位",
                "安装 Office 软件", "申请报表导出权限", "对接检验设备接口"],
    "consultation": ["如何连接访客无线网络", "系统密码忘记怎么办", "如何设置打印机共享"],
    "lead": ["网站咨询体检套餐", "百度商桥咨询挂号", "QQ 咨询专家门诊时间"],
}  # fmt: skip
COMMENTS = [
    "已电话联系，马上到现场。",
    "已更换网线，请确认。",
    "需要厂商配合，等待备件。",
    "请提供设备编号。",
    "问题已解决，请确认。",
    "已远程处理。",
    "谢谢，已经好了。",
]
NOTES = [
    "核心交换机日志无异常。",
    "疑似网卡驱动问题。",
    "已联系厂商工程师。",
    "与上周同类故障，建议更换设备。",
]
LOCATIONS = ["门诊楼", "住院部", "医技楼", "行政楼", "急诊楼", "科研楼"]


def weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values = [p[0] for p in pairs]
    cum, total = [], 0.0
    for _v, w in pairs:
        total += w
        cum.append(total)
    return values, [c / total for c in cum]


def pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    values, cum = table
    return values[min(bisect.bisect_left(cum, rng.random()), len(values) - 1)]


# ---------------------------------------------------------------------------------------------
# organisation


def ensure_org() -> dict[str, Any]:
    """Create (once) and return the generated organisation."""
    root = Department.objects.filter(code=f"{PREFIX}ROOT").first()
    if root is None:
        with transaction.atomic():
            _create_org()
        root = Department.objects.get(code=f"{PREFIX}ROOT")
    net = Department.objects.get(code=f"{PREFIX}NET")
    teams = list(Team.objects.filter(department=net).order_by("pk"))
    engineers: dict[int, list[int]] = {t.pk: [] for t in teams}
    for pk, team_id in Person.objects.filter(department=net, team__isnull=False).values_list(
        "pk", "team_id"
    ):
        engineers[team_id].append(pk)
    requesters = list(
        Person.objects.filter(employee_no__startswith=f"{PREFIX}R").values_list(
            "pk", "department_id", "user_id"
        )
    )
    categories = []
    for name, kind, team_idx in CATEGORIES:
        cat, _ = Category.objects.get_or_create(
            name=name, parent=None, defaults={"kind": kind, "default_team": teams[team_idx]}
        )
        categories.append((cat.pk, kind, cat.default_team_id or teams[team_idx].pk))
    policies = {}
    for prio, (_share, resp, res) in PRIORITIES.items():
        pol, _ = SlaPolicy.objects.get_or_create(
            name=f"P{prio} 标准",
            defaults={
                "priority": prio,
                "response_minutes": resp,
                "resolution_minutes": res,
            },
        )
        policies[prio] = pol.pk
    return {
        "teams": [t.pk for t in teams],
        "engineers": engineers,
        "requesters": requesters,
        "categories": categories,
        "policies": policies,
        "director": Person.objects.get(employee_no=f"{PREFIX}DIR").pk,
    }


def _create_org() -> None:
    pw = make_password(PASSWORD)
    root = Department.objects.create(code=f"{PREFIX}ROOT", name="示例市人民医院", kind="served")
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
    roles = {r.code: r for r in Role.objects.all()}
    people: list[tuple[str, str, Department, Team | None, str]] = [
        ("bench-director", "张主任", net, None, "director")
    ]
    n = 0
    for t_idx, team in enumerate(teams):
        size = 12 if t_idx in (0, 4) else 9
        for j in range(size):
            n += 1
            role = "team_lead" if j == 0 else "engineer"
            people.append((f"bench-e{n:03d}", f"工程师{n:03d}", net, team, role))
    served_count = 200 - len(people)
    for i in range(served_count):
        people.append(
            (f"bench-r{i + 1:03d}", f"职工{i + 1:03d}", served[i % len(served)], None, "requester")
        )
    users = User.objects.bulk_create(
        [User(username=u, password=pw, is_active=True) for u, *_ in people]
    )
    users = list(User.objects.filter(username__in=[p[0] for p in people]))
    by_name = {u.username: u for u in users}
    persons = []
    for username, name, dept, team, role in people:
        if username == "bench-director":
            emp = f"{PREFIX}DIR"
        elif role == "requester":
            emp = f"{PREFIX}R{username[-3:]}"
        else:
            emp = f"{PREFIX}E{username[-3:]}"
        persons.append(
            Person(name=name, employee_no=emp, user=by_name[username], department=dept, team=team)
        )
    Person.objects.bulk_create(persons)
    for team in teams:
        lead = Person.objects.filter(team=team).order_by("employee_no").first()
        team.lead = lead
        team.save(update_fields=["lead"])
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=by_name[u], role=roles[role]) for u, _n, _d, _t, role in people]
    )


# ---------------------------------------------------------------------------------------------
# orders and history


def _created_times(rng: random.Random, n: int, now: datetime.datetime) -> list[datetime.datetime]:
    """``n`` sorted creation times over the last YEARS years, weighted to working hours."""
    span = YEARS * 365 * 86400
    start = now - datetime.timedelta(seconds=span)
    out: list[float] = []
    while len(out) < n:
        s = rng.random() * span
        t = start + datetime.timedelta(seconds=s)
        local_hour = (t.hour + 8) % 24
        weekday = (t + datetime.timedelta(hours=8)).weekday()
        w = (1.0 if 8 <= local_hour < 18 else 0.15) * (1.0 if weekday < 5 else 0.35)
        if rng.random() < w:
            out.append(s)
    out.sort()
    return [start + datetime.timedelta(seconds=s) for s in out]


def generate(
    org: dict[str, Any], count: int, first_index: int, seed: int, audit_share: float
) -> Iterator[tuple[str, Any]]:
    """Yield ("order", row), ("comment", row), ("event", row), ("audit", order-tuple) items.

    Rows are dicts keyed by column; the writer turns them into COPY rows or model instances.
    """
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    times = _created_times(rng, count, now)
    kinds = weighted(KINDS)
    prios = weighted([(p, v[0]) for p, v in PRIORITIES.items()])
    open_states = weighted(OPEN_STATES)
    ratings = weighted(RATINGS)
    cats_by_kind: dict[str, list[tuple[int, str, int]]] = {}
    for cat in org["categories"]:
        cats_by_kind.setdefault(cat[1] or "fault", []).append(cat)
    teams = org["teams"]
    engineers = org["engineers"]
    requesters = org["requesters"]
    engineer_users = _person_users([p for ps in engineers.values() for p in ps])
    prio_levels = {1: (1, 1), 2: (1, 2), 3: (2, 2), 4: (3, 3)}
    recent = now - datetime.timedelta(days=60)
    min_ = datetime.timedelta(minutes=1)
    for i, created in enumerate(times):
        idx = first_index + i
        kind = pick(rng, kinds)
        cat_id, _ck, team_id = rng.choice(cats_by_kind.get(kind) or cats_by_kind["fault"])
        if rng.random() < 0.08:
            team_id = rng.choice(teams)
        prio = pick(rng, prios)
        impact, urgency = prio_levels[prio]
        _share, resp_min, res_min = PRIORITIES[prio]
        req_id, req_dept, req_user = rng.choice(requesters)
        status = "closed"
        if created >= recent and rng.random() < 0.55:
            status = pick(rng, open_states)
        elif created >= now - datetime.timedelta(days=5):
            status = "resolved"
        assignee = None if status == "new" else rng.choice(engineers[team_id])
        response_due = created + resp_min * min_
        resolution_due = created + int(res_min * 1.6) * min_  # working time ≈ 1.6× wall clock
        responded_at = resolved_at = closed_at = rated_at = paused_at = None
        rating = None
        if status != "new":
            factor = rng.lognormvariate(-0.9, 0.8)  # ~5 % beyond the target
            responded_at = created + max(1, int(resp_min * factor)) * min_
        if status in ("resolved", "closed"):
            factor = rng.lognormvariate(-0.8, 0.6)  # ~8 % beyond the target
            resolved_at = max(responded_at, created + max(5, int(res_min * 1.6 * factor)) * min_)
            if resolved_at > now:
                resolved_at = now
        if status == "closed":
            closed_at = min(now, resolved_at + datetime.timedelta(hours=rng.randint(1, 72)))
            if rng.random() < 0.4:
                rating = pick(rng, ratings)
                rated_at = closed_at
        if status == "waiting":
            paused_at = (responded_at or created) + datetime.timedelta(minutes=rng.randint(5, 600))
        last = closed_at or resolved_at or paused_at or responded_at or created
        reopen = 1 if status in ("resolved", "closed") and rng.random() < 0.02 else 0
        title = rng.choice(TITLES[kind])
        number = f"{NUMBER_PREFIX}{(created + datetime.timedelta(hours=8)):%Y%m%d}-{idx:07d}"
        yield (
            "order",
            {
                "number": number,
                "kind": kind,
                "category_id": cat_id,
                "title": title,
                "description": f"{title}，请尽快处理。联系人分机 {rng.randint(1000, 9999)}。",
                "source": "portal" if rng.random() < 0.7 else "phone",
                "requester_id": req_id,
                "requester_department_id": req_dept,
                "contact": f"{rng.randint(1000, 9999)}",
                "location": f"{rng.choice(LOCATIONS)} {rng.randint(1, 12)} 层",
                "device": "",
                "registration_no": f"KF{idx:08d}" if kind == "lead" and status == "closed" else "",
                "impact": impact,
                "urgency": urgency,
                "priority": prio,
                "priority_reason": "",
                "solution": "已处理。" if resolved_at else "",
                "is_major": prio == 1 and rng.random() < 0.05,
                "major_report": "",
                "status": status,
                "waiting_on": "requester" if status == "waiting" else "",
                "team_id": team_id,
                "assignee_id": assignee,
                "sla_policy_id": org["policies"][prio],
                "response_target_minutes": resp_min,
                "resolution_target_minutes": res_min,
                "response_due": response_due,
                "resolution_due": resolution_due,
                "responded_at": responded_at,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "paused_at": paused_at,
                "response_breached": bool(
                    (responded_at or now) > response_due and (responded_at or created) < now
                ),
                "resolution_breached": bool((resolved_at or now) > resolution_due),
                "escalation_percent": 0,
                "rating": rating,
                "rating_comment": "处理及时，态度很好。" if rating == 5 else "",
                "rated_at": rated_at,
                "reopen_count": reopen,
                "merged_into_id": None,
                "created_by_id": req_user,
                "version": 1 + (status != "new") + (resolved_at is not None) * 2,
                "created_at": created,
                "updated_at": last,
            },
        )
        # history: SLA events, comments, audit records
        yield "event", (idx, created, "started", {"priority": prio})
        if responded_at:
            yield "event", (idx, responded_at, "responded", {})
        if paused_at:
            yield "event", (idx, paused_at, "paused", {"on": "requester"})
        if resolved_at:
            yield "event", (idx, resolved_at, "resolved", {})
        r = rng.random()
        if responded_at and r < 0.7:
            yield (
                "comment",
                (idx, responded_at, rng.choice(COMMENTS), False, engineer_users, assignee),
            )
            if r < 0.2:
                yield (
                    "comment",
                    (
                        idx,
                        responded_at + min_ * 7,
                        rng.choice(NOTES),
                        True,
                        engineer_users,
                        assignee,
                    ),
                )
        if rng.random() < audit_share:
            yield (
                "audit",
                (
                    idx,
                    number,
                    title,
                    created,
                    responded_at,
                    resolved_at,
                    status,
                    req_user,
                    engineer_users.get(assignee),
                ),
            )


def _person_users(person_ids: list[int]) -> dict[int, int | None]:
    return dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "user_id"))


ORDER_FIELDS = [f for f in WorkOrder._meta.concrete_fields if not f.primary_key]
ORDER_COLUMNS = [f.column for f in ORDER_FIELDS]
# columns the generator does not fill (added by later migrations) get their model default
ORDER_DEFAULTS = {f.column: f.get_default() for f in ORDER_FIELDS}


class Writer:
    """Buffers generated rows and writes them in batches (COPY on PostgreSQL)."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.orders: list[dict[str, Any]] = []
        self.pending: list[tuple[str, Any]] = []  # history waiting for its order id
        self.counts = {"orders": 0, "comments": 0, "events": 0, "audit": 0}
        head = AuditChain.objects.filter(pk=1).first()
        self.audit_seq = head.seq if head else 0
        self.audit_prev = head.last_hash if head else audit.GENESIS

    def add(self, kind: str, row: Any) -> None:
        if kind == "order":
            self.orders.append(row)
            if len(self.orders) >= BATCH:
                self.flush()
        else:
            self.pending.append((kind, row))

    def flush(self) -> None:
        if not self.orders:
            return
        with transaction.atomic():
            ids = self._write_orders()
            first_idx = int(self.orders[0]["number"].rsplit("-", 1)[1])
            comments, events, audits = [], [], []
            for kind, row in self.pending:
                order_id = ids[row[0] - first_idx]
                if kind == "event":
                    events.append((order_id, row[1], row[2], row[3]))
                elif kind == "comment":
                    _i, ts, body, internal, users, assignee = row
                    comments.append((order_id, users.get(assignee), body, internal, ts))
                else:
                    audits.append((order_id, *row[1:]))
            self._write_events(events)
            self._write_comments(comments)
            self._write_audit(audits)
        self.counts["orders"] += len(self.orders)
        self.orders.clear()
        self.pending.clear()

    # -- writers ---------------------------------------------------------------------------

    def _write_orders(self) -> list[int]:
        if self.pg:
            table = WorkOrder._meta.db_table
            with connection.cursor() as cur:
                # reserve a contiguous block of ids
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"nextval(pg_get_serial_sequence('{table}', 'id')) + %s - 1)",
                    [len(self.orders)],
                )
                last = cur.fetchone()[0]
                first = last - len(self.orders) + 1
                ids = list(range(first, last + 1))
                cols = ["id", *ORDER_COLUMNS]
                raw = cur.cursor  # psycopg cursor
                with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for pk, row in zip(ids, self.orders, strict=True):
                        copy.write_row(
                            [pk, *(row.get(c, ORDER_DEFAULTS[c]) for c in ORDER_COLUMNS)]
                        )
            return ids
        objs = WorkOrder.objects.bulk_create([WorkOrder(**row) for row in self.orders])
        return [o.pk for o in objs]

    def _write_events(self, rows: list[tuple[Any, ...]]) -> None:
        self.counts["events"] += len(rows)
        if self.pg:
            self._copy(
                SlaEvent._meta.db_table,
                ["order_id", "ts", "type", "detail"],
                ([o, ts, t, _json(d)] for o, ts, t, d in rows),
            )
            return
        SlaEvent.objects.bulk_create(
            [SlaEvent(order_id=o, ts=ts, type=t, detail=d) for o, ts, t, d in rows], BATCH
        )

    def _write_comments(self, rows: list[tuple[Any, ...]]) -> None:
        self.counts["comments"] += len(rows)
        if self.pg:
            cols = ["order_id", "author_id", "body", "internal", "created_at", "updated_at"]
            self._copy(
                Comment._meta.db_table, cols, ([o, a, b, i, ts, ts] for o, a, b, i, ts in rows)
            )
            return
        Comment.objects.bulk_create(
            [
                Comment(order_id=o, author_id=a, body=b, internal=i, created_at=ts, updated_at=ts)
                for o, a, b, i, ts in rows
            ],
            BATCH,
        )

    def _write_audit(self, rows: list[tuple[Any, ...]]) -> None:
        """Audit records (a valid continuation of the chain): created, accepted, resolved."""
        recs = []
        for order_id, number, title, created, responded, resolved, _status, req_user, eng in rows:
            steps = [(created, req_user, "create", {"status": [None, "new"]})]
            if responded:
                steps.append((responded, eng, "update", {"status": ["new", "accepted"]}))
            if resolved:
                steps.append((resolved, eng, "update", {"status": ["in_progress", "resolved"]}))
            for ts, actor, action, changes in steps:
                self.audit_seq += 1
                rec = AuditRecord(
                    seq=self.audit_seq,
                    ts=ts,
                    actor_id=actor,
                    actor_ref="" if actor is None else str(actor),
                    actor_name="" if actor is None else f"user{actor}",
                    ip=f"10.20.{order_id % 250}.{(order_id // 250) % 250}",
                    action=action,
                    object_type="workorders.workorder",
                    object_id=str(order_id),
                    object_repr=f"{number} {title}"[:255],
                    changes=changes,
                    extra={"bench": True},
                    prev_hash=self.audit_prev,
                )
                rec.hash = audit.record_hash(rec)
                rec.seal = audit_seal.record_seal(rec.hash)
                self.audit_prev = rec.hash
                recs.append(rec)
        if not recs:
            return
        AuditRecord.objects.bulk_create(recs, BATCH)
        head, _new = AuditChain.objects.update_or_create(
            pk=1, defaults={"seq": self.audit_seq, "last_hash": self.audit_prev}
        )
        _seal_head(head)
        self.counts["audit"] += len(recs)

    def _copy(self, table: str, cols: list[str], rows: Any) -> None:
        with (
            connection.cursor() as cur,
            cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)


def _seal_head(head: AuditChain) -> None:
    """Seal the chain head the generator moved (as ``audit.record`` does)."""
    head.key_id = audit_seal.key_id()
    head.head_seal = audit_seal.head_seal(head.seq, head.last_hash, head.sealed_from)
    if not head.anchor_seal:
        head.anchor_seal = audit_seal.anchor_seal(head.anchor_seq, head.anchor_hash, None)
    head.save(update_fields=["key_id", "head_seal", "anchor_seal"])


def _json(d: dict[str, Any]) -> str:
    import json

    return json.dumps(d, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------


def reset() -> None:
    """Delete the generated orders and their history (and the generated audit tail)."""
    print("deleting generated work orders…", flush=True)
    generated = WorkOrder.objects.filter(number__startswith=NUMBER_PREFIX)
    if (
        connection.vendor == "postgresql"
        and not WorkOrder.objects.exclude(number__startswith=NUMBER_PREFIX).exists()
    ):
        with connection.cursor() as cur:
            tables = [WorkOrder._meta.db_table]
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        with transaction.atomic():
            ids = generated.values("pk")
            SlaEvent.objects.filter(order_id__in=ids).delete()
            Comment.objects.filter(order_id__in=ids).delete()
            generated.delete()
    first = AuditRecord.objects.filter(extra__bench=True).order_by("seq").first()
    if first is None:
        return
    if AuditRecord.objects.filter(seq__gt=first.seq).exclude(extra__bench=True).exists():
        print("audit: records after the generated ones exist; generated audit records kept")
        return
    with transaction.atomic():
        AuditRecord.objects.filter(seq__gte=first.seq).delete()
        prev = AuditRecord.objects.filter(seq__lt=first.seq).order_by("-seq").first()
        head = AuditChain.objects.get(pk=1)
        head.seq = prev.seq if prev else head.anchor_seq
        head.last_hash = prev.hash if prev else (head.anchor_hash or audit.GENESIS)
        head.save()
        _seal_head(head)


def keep_timestamps() -> None:
    """Let bulk inserts keep the generated created_at/updated_at (no auto_now)."""
    for model in (WorkOrder, Comment, AuditRecord):
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                field.auto_now = field.auto_now_add = False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="orders wanted in total")
    parser.add_argument("--reset", action="store_true", help="delete generated orders first")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--audit-share",
        type=float,
        default=0.05,
        help="share of orders given audit records (default 0.05)",
    )
    parser.add_argument(
        "--force", action="store_true", help="run even if the database holds real work orders"
    )
    args = parser.parse_args(argv)

    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']}", flush=True)
    call_command("migrate", verbosity=0)
    if not args.force and WorkOrder.objects.exclude(number__startswith=NUMBER_PREFIX).exists():
        sys.exit("this database holds work orders this script did not generate; use --force")
    t0 = time.monotonic()
    if args.reset:
        reset()
    org = ensure_org()
    keep_timestamps()
    existing = WorkOrder.objects.filter(number__startswith=NUMBER_PREFIX).count()
    todo = args.count - existing
    print(f"existing generated orders: {existing:,}; to generate: {max(0, todo):,}", flush=True)
    if todo > 0:
        writer = Writer()
        seed = args.seed + existing
        last_report = time.monotonic()
        for kind, row in generate(org, todo, existing + 1, seed, args.audit_share):
            writer.add(kind, row)
            if time.monotonic() - last_report > 15:
                last_report = time.monotonic()
                done = writer.counts["orders"]
                rate = done / (last_report - t0)
                print(f"  {done:,} orders ({rate:,.0f}/s)", flush=True)
        writer.flush()
        print(
            "generated: " + ", ".join(f"{k} {v:,}" for k, v in writer.counts.items()),
            flush=True,
        )
        # the SLA job's next-check instants of the running orders (the engine computes them)
        print(f"next SLA checks set: {sla.refresh_next_checks():,}", flush=True)
    t1 = time.monotonic()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (WorkOrder, Comment, SlaEvent, AuditRecord):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    t2 = time.monotonic()
    print(f"time: generate {t1 - t0:.1f} s, analyze {t2 - t1:.1f} s", flush=True)
    total = WorkOrder.objects.count()
    print(f"work orders in the database: {total:,}")


if __name__ == "__main__":
    main()
