"""Demo data of leave and attendance: the leave types (年假, 事假 valid only in person or by
phone, 病假), the network department's clock rule with its fines, a few leave requests (one
approved by phone, one pending, one asked by SMS and so invalid) and the clock of the last
working days (one lateness, one absence without valid leave: two violations by rule), so
that the leave and attendance pages are not empty after ``netdept demo``.

Registered late (it acts at the real now). Everything goes through the services; loading
again adds nothing (the leave types are looked up by their codes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision
from netdept.core.services import service_for
from netdept.duties.models import PenaltyRule, PenaltyStep
from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.org.models import Person
from netdept.worklog.models.leave import AttendanceRule, LeaveRequest, LeaveType
from netdept.worklog.services import attendance, leave

ANNUAL, PERSONAL, SICK = "demo-annual", "demo-personal", "demo-sick"


def _types() -> dict[str, LeaveType]:
    specs = [
        (ANNUAL, "年假", True, Decimal("15"), []),
        (PERSONAL, "事假", False, Decimal("5"), ["in_person", "phone"]),
        (SICK, "病假", True, None, []),
    ]
    out = {}
    for code, name, paid, most, channels in specs:
        out[code] = service_for(LeaveType).create(
            None,
            {"code": code, "name": name, "paid": paid, "max_days": most,
             "valid_channels": channels, "pack": "demo",
             "description": "请假须当面或电话请示，短信、留字条、他人转达均为无效请假。"
             if channels else ""},
        )  # fmt: skip
    return out


def _fine(code: str, name: str, amounts: list[str]) -> PenaltyRule:
    rule = service_for(PenaltyRule).create(
        None, {"code": code, "name": name, "period": "month", "family": code}
    )
    for i, amount in enumerate(amounts, start=1):
        service_for(PenaltyStep).create(
            None, {"rule": rule, "offence": i, "sanction": "fine", "amount": Decimal(amount)}
        )
    return rule


def _decide(leave_: LeaveRequest, channel: str) -> None:
    decision = (
        ApprovalDecision.objects.filter(request_id=leave_.approval_id, status="pending")
        .select_related("approver")
        .first()
    )
    if decision is not None:
        leave.decide(decision.approver, leave_, approvals.APPROVE, channel=channel)


def _working_days_back(n: int) -> list[dt.date]:
    sched = leave.schedule()
    day, out = timezone.localdate(), list[dt.date]()
    while len(out) < n:
        day -= dt.timedelta(days=1)
        if sched.is_working_day(day):
            out.append(day)
    return sorted(out)


def load(world: DemoWorld) -> int:
    if LeaveType.objects.filter(code=ANNUAL).exists():
        return 0
    people = world.people
    needed = ("zhangwei", "lina", "wangfang", "director")
    if any(u not in people for u in needed):
        return 0
    types = _types()
    zhang, lina, wang = people["zhangwei"], people["lina"], people["wangfang"]
    rule = service_for(AttendanceRule).create(
        None,
        {"code": "demo-clock", "name": "上下班打卡", "department": zhang.department,
         "work_starts": dt.time(8, 30), "work_ends": dt.time(17, 30), "late_grace_minutes": 5,
         "absent_after_minutes": 120, "pack": "demo",
         "late_penalty_rule": _fine("demo-late", "迟到", ["20", "50"]),
         "absence_penalty_rule": _fine("demo-absence", "旷工", ["50", "100"])},
    )  # fmt: skip
    tz = leave.schedule().tz
    days = _working_days_back(5)

    def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)

    created = len(types) + 1 + 6
    # 张伟: a personal leave three working days ago, asked by phone and approved
    sick_day = days[1]
    asked = leave.submit_leave(by=zhang, leave_type=types[PERSONAL], starts_at=at(sick_day, 8, 30),
                               ends_at=at(sick_day, 17, 30), reason="孩子发烧，去医院")  # fmt: skip
    _decide(asked, "phone")
    # 王芳: a personal leave asked by SMS: approved, but invalid by the rules
    sms = leave.submit_leave(
        by=wang, leave_type=types[PERSONAL], starts_at=at(days[2], 8, 30),
        ends_at=at(days[2], 17, 30), reason="家中有事（短信请假）",
    )  # fmt: skip
    _decide(sms, "sms")
    # 李娜: annual leave next week, awaiting approval
    sched = leave.schedule()
    nxt = sched.add_working_days(timezone.localdate(), 5)
    leave.submit_leave(by=lina, leave_type=types[ANNUAL], starts_at=at(nxt, 8, 30),
                       ends_at=at(sched.add_working_days(nxt, 1), 17, 30), reason="年假探亲",
                       delegate=zhang)  # fmt: skip
    created += 3
    # the clock of the last working days
    clocks: dict[Person, list[tuple[dt.date, dt.datetime | None, dt.datetime | None]]] = {}
    for person in (zhang, lina, wang):
        clocks[person] = [(d, at(d, 8, 22), at(d, 17, 41)) for d in days]
    clocks[zhang][3] = (days[3], at(days[3], 8, 47), at(days[3], 17, 35))  # late 17 minutes
    clocks[wang][2] = (days[2], None, None)  # the SMS leave does not count: absent
    for person, rows in clocks.items():
        for day, cin, cout in rows:
            attendance.record_day(None, person, day, cin, cout)
            created += 1
    return created if rule.pk else 0


register_demo_loader(load, late=True)
