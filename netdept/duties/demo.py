"""Demo data of duties: a few duties of the demo hospital's teams, their occurrences of the last
days — most done on time, one done late, one missed (a violation with its fine) — and a reward,
so that "my duties", the reviewer's queue, violations, statements and the compliance report
are not empty after ``netdept demo``.

Registered late (``register_demo_loader(load, late=True)``): it replays nothing on the demo's
clock; it passes the instants of the past to the services themselves (``now=``): the engine
materialises from ten days ago, each person submits at their instant, the reviewers accept at
theirs, and the sweep at the real now finds what was missed and imposes the rule's fine.
Everything goes through the services (DutyService, the engine, occurrences, violations,
rewards). Loading again adds nothing (the duties are looked up by their codes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from netdept.core.services import service_for
from netdept.duties.models import (
    Duty,
    Occurrence,
    OccurrenceStatus,
    PenaltyRule,
    PenaltyStep,
    Reward,
    Violation,
)
from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.org.models import Team

RULE_CODE = "demo-duty-not-done"
INSPECTION = "demo-room-inspection"
WEEKLY = "demo-weekly-report"
BACKUP = "demo-backup-check"
#: how far back the demo's duties start
DAYS_BACK = 10
CHECKLIST = ["UPS 与空调运行正常", "核心交换机、防火墙指示灯正常", "机房温湿度已记录"]


def _rule() -> PenaltyRule:
    rule = service_for(PenaltyRule).create(
        None,
        {
            "code": RULE_CODE,
            "name": "职责未按时完成",
            "description": "职责到期未完成：当月第一次罚款 50 元，第二次起每次罚款 100 元。",
            "family": RULE_CODE,
            "period": "month",
            "appeal_days": 3,
        },
        check=False,
    )
    for offence, amount in ((1, "50.00"), (2, "100.00")):
        service_for(PenaltyStep).create(
            None,
            {"rule": rule, "offence": offence, "sanction": "fine", "amount": Decimal(amount)},
            check=False,
        )
    return rule


def _duty(data: dict[str, Any]) -> Duty:
    base: dict[str, Any] = {
        "assignee_mode": "each",
        "shift": "next",
        "grace_minutes": 0,
        "horizon_days": 14,
        "remind_before_minutes": 60,
        "escalate_after_days": 1,
        "violation_on": "missed",
    }
    return service_for(Duty).create(None, {**base, **data}, check=False)


def _duties(world: DemoWorld, rule: PenaltyRule, starts_on: dt.date) -> list[Duty]:
    ops = Team.objects.filter(name="网络运维组").first()
    dev = Team.objects.filter(name="系统开发组").first()
    out: list[Duty] = []
    if ops is not None:
        out.append(
            _duty(
                {
                    "code": INSPECTION,
                    "name": "每日机房巡检",
                    "description": "每个工作日上午巡检中心机房，逐项确认并记录。",
                    "assignee_kind": "team",
                    "team": ops,
                    "rrule": "FREQ=DAILY",
                    "shift": "skip",
                    "starts_on": starts_on,
                    "due_time": dt.time(9, 30),
                    "evidence_kind": "checklist",
                    "checklist": CHECKLIST,
                    "reviewer_kind": "team_lead",
                    "penalty_rule": rule,
                }
            )
        )
    if dev is not None:
        out.append(
            _duty(
                {
                    "code": WEEKLY,
                    "name": "每周五提交周工作报告",
                    "description": "每周五 17:00 前提交本周工作报告，组长审阅。",
                    "assignee_kind": "team",
                    "team": dev,
                    "rrule": "FREQ=WEEKLY;BYDAY=FR",
                    "starts_on": starts_on,
                    "due_time": dt.time(17, 0),
                    "evidence_kind": "text",
                    "reviewer_kind": "team_lead",
                    "penalty_rule": rule,
                }
            )
        )
    if "zhaolei" in world.people:
        out.append(
            _duty(
                {
                    "code": BACKUP,
                    "name": "月末核对关键设备配置备份",
                    "description": "每月最后一个工作日核对核心交换机、防火墙的配置备份是否完整。",
                    "assignee_kind": "person",
                    "person": world.people["zhaolei"],
                    "rrule": "FREQ=MONTHLY;BYMONTHDAY=-1",
                    "shift": "previous",
                    "starts_on": starts_on,
                    "due_time": dt.time(17, 0),
                    "evidence_kind": "text",
                    "violation_on": "",
                }
            )
        )
    return out


def _evidence(occ: Occurrence) -> dict[str, Any]:
    duty = occ.duty
    if duty.evidence_kind == "checklist":
        return {"checklist": list(duty.checklist), "text": "巡检正常。"}
    return {"text": f"{duty.name}：已完成（{timezone.localtime(occ.due_at):%m-%d}）。"}


def _do(occ: Occurrence, submit_at: dt.datetime, review_at: dt.datetime) -> None:
    from netdept.duties.services import occurrences

    occ = occurrences.submit(occ, by=occ.person, now=submit_at, **_evidence(occ))
    if occ.status == OccurrenceStatus.SUBMITTED and occ.reviewer is not None:
        occurrences.review(occ, by=occ.reviewer, accept=True, comment="已核对。", now=review_at)


def load(world: DemoWorld) -> int:
    """Into a site without the demo's duties only; answers the number of objects created."""
    if Duty.objects.filter(code=INSPECTION).exists():
        return 0
    from netdept.duties.services import engine, rewards, sweeping

    now = world.now
    today = timezone.localtime(now).date()
    start = today - dt.timedelta(days=DAYS_BACK)
    started = timezone.make_aware(dt.datetime.combine(start, dt.time(0, 0)))
    before = Occurrence.objects.count(), Violation.objects.count()
    rule = _rule()
    duties = _duties(world, rule, start)
    engine.materialise(now=started, duties=duties, until=today + dt.timedelta(days=7))
    past = list(
        Occurrence.objects.filter(duty__in=duties, due_at__lt=now)
        .select_related("duty", "person", "reviewer")
        .order_by("due_at", "person__employee_no")
    )
    # 李娜 forgets her last inspection (the sweep will find it missed); 张伟 hands in one
    # inspection three hours late; everybody else does their duties on time.
    lina_last = max((o for o in past if o.person.name == "李娜"), key=lambda o: o.due_at,
                    default=None)  # fmt: skip
    zhang = [o for o in past if o.person.name == "张伟"]
    late_one = zhang[len(zhang) // 2] if zhang else None
    for occ in past:
        if occ == lina_last:
            continue
        if occ == late_one:
            _do(occ, occ.due_at + dt.timedelta(hours=3), occ.due_at + dt.timedelta(hours=4))
        else:
            _do(occ, occ.due_at - dt.timedelta(minutes=40), occ.due_at + dt.timedelta(hours=1))
    sweeping.sweep(now=now)
    created = len(duties) + 3  # the rule and its two steps
    if "zhangwei" in world.people and "director" in world.people:
        rewards.grant(
            world.people["zhangwei"],
            kind="bonus",
            amount=Decimal("200.00"),
            reason="巡检中及时发现 UPS 电池告警并处置，避免机房断电",
            awarded_on=today,
            by=world.people["director"],
            source="review",
        )
        created += 1
    after = Occurrence.objects.count(), Violation.objects.count()
    return created + (after[0] - before[0]) + (after[1] - before[1])


def demo_rows() -> dict[str, int]:
    """What the demo left (for the tests and ``netdept demo``'s summary)."""
    mine = Q(duty__code__in=[INSPECTION, WEEKLY, BACKUP])
    return {
        "duties": Duty.objects.filter(code__in=[INSPECTION, WEEKLY, BACKUP]).count(),
        "done": Occurrence.objects.filter(mine, status=OccurrenceStatus.DONE).count(),
        "done_late": Occurrence.objects.filter(mine, status=OccurrenceStatus.DONE_LATE).count(),
        "missed": Occurrence.objects.filter(mine, status=OccurrenceStatus.MISSED).count(),
        "violations": Violation.objects.filter(occurrence__duty__code=INSPECTION).count(),
        "rewards": Reward.objects.filter(reason__startswith="巡检中及时发现").count(),
    }


register_demo_loader(load, late=True)
