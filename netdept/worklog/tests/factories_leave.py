"""Factories of leave and attendance: a network department with its director, a team with its
lead and engineers (each with a login), leave types (the marketing pack's 事假 accepts only
in person or by phone), a leave submitted and decided through the services, clock files."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from netdept.approvals import services as approvals
from netdept.duties.models import PenaltyRule, PenaltyStep
from netdept.org.models import Department, Person, RoleAssignment, Team
from netdept.testing.factories import DepartmentFactory, PersonFactory, UserFactory, role
from netdept.worklog.models.leave import AttendanceRule, LeaveRequest, LeaveType
from netdept.worklog.services import leave as svc

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def person(department: Department, team: Team | None = None, role_code: str = "engineer",
           name: str = "") -> Person:  # fmt: skip
    user = UserFactory.create()
    p = PersonFactory.create(department=department, team=team, user=user,
                             name=name or f"员工{n()}")  # fmt: skip
    RoleAssignment.objects.create(user=user, role=role(role_code))
    return p


@dataclass
class World:
    department: Department
    team: Team
    director: Person
    lead: Person
    engineer: Person
    other: Person
    annual: LeaveType
    personal: LeaveType


def world() -> World:
    dept = DepartmentFactory.create(kind="network", name=f"网络部{n()}")
    director = person(dept, role_code="director", name=f"主任{n()}")
    dept.head = director
    dept.save()
    team = Team.objects.create(name=f"运维组{n()}", department=dept)
    lead = person(dept, team, "team_lead", name=f"组长{n()}")
    team.lead = lead
    team.save()
    engineer = person(dept, team, name=f"张伟{n()}")
    other = person(dept, team, name=f"李娜{n()}")
    annual = leave_type("annual", "年假")
    personal = leave_type("personal", "事假", valid_channels=["in_person", "phone"],
                          max_days=Decimal("5"))  # fmt: skip
    return World(dept, team, director, lead, engineer, other, annual, personal)


def leave_type(code: str = "", name: str = "", **kw: Any) -> LeaveType:
    i = n()
    return LeaveType.objects.create(code=f"{code or 'leave'}-{i}", name=f"{name or '假'}{i}", **kw)


def ask(w: World, start: dt.datetime, end: dt.datetime, *, who: Person | None = None,
        leave_type: LeaveType | None = None, **kw: Any) -> LeaveRequest:  # fmt: skip
    return svc.submit_leave(by=who or w.engineer, leave_type=leave_type or w.annual,
                            starts_at=start, ends_at=end, reason="家中有事", **kw)  # fmt: skip


def approve(w: World, leave: LeaveRequest, channel: str = "in_person") -> LeaveRequest:
    """The approver now deciding approves, recording ``channel``."""
    decision = approvals.pending_for(w.lead).filter(request_id=leave.approval_id).first()
    approver = w.lead if decision is not None else w.director
    return svc.decide(approver, leave, approvals.APPROVE, channel=channel)


def penalty_rule(code: str, amounts: Sequence[str]) -> PenaltyRule:
    rule = PenaltyRule.objects.create(code=f"{code}-{n()}", name=f"{code}{n()}", period="month")
    for i, amount in enumerate(amounts, start=1):
        PenaltyStep.objects.create(rule=rule, offence=i, sanction="fine", amount=Decimal(amount))
    return rule


def attendance_rule(department: Department | None, **kw: Any) -> AttendanceRule:
    fields: dict[str, Any] = {
        "work_starts": dt.time(8, 30),
        "work_ends": dt.time(17, 30),
        "late_grace_minutes": 5,
        "absent_after_minutes": 120,
    }
    fields.update(kw)
    return AttendanceRule.objects.create(code=f"clock-{n()}", name=f"考勤{n()}",
                                         department=department, **fields)  # fmt: skip


def xlsx(rows: Sequence[Sequence[Any]], title: str = "概况统计与打卡明细") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "attendance.xlsx"
    return buf


def csv_file(text: str, name: str = "attendance.csv") -> io.BytesIO:
    buf = io.BytesIO(text.encode("utf-8-sig"))
    buf.name = name
    return buf


DINGTALK_DAILY_HEADER = [
    "姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "班次",
    "上班1打卡时间", "上班1打卡结果", "下班1打卡时间", "下班1打卡结果",
]  # fmt: skip


def dingtalk_daily(rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    """A DingTalk 每日统计 export: a title row, then the header, then the rows."""
    return xlsx([["每日统计 统计日期：2025-09-01 至 2025-09-30"], DINGTALK_DAILY_HEADER, *rows],
                title="每日统计")  # fmt: skip


def wecom_daily(rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    """A WeCom 上下班打卡 日报: a title row, two header rows (grouped), then the rows."""
    top = ["时间", "姓名", "账号", "基础信息", None, "考勤概况", None, None, None, None, None]
    sub = [None, None, None, "部门", "职务", "所属规则", "班次", "最早", "最晚", "打卡次数(次)",
           "标准工作时长(小时)"]  # fmt: skip
    return xlsx([["上下班打卡_日报 统计时间：2025-09-01 - 2025-09-30"], top, sub, *rows])
