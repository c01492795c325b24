"""The working rhythm's figures per person, team and period (point 8 of issue 13): daily logs
submitted and on time, weekly / monthly reports submitted, tasks done, meeting attendance and
leave days.

Pure queries: the people are those whose daily logs the reader may see (the scope of
``worklog.view_dailylog``: themselves, their team, their department, everyone), one query per
ledger for all of them, teams and the total summed from the people's rows. The period is the
duties reports' ``Period`` (the same period form on both pages).

Definitions (period = the days ``first``…``last``):

* working days — of the default working calendar (holidays and 调休 days included);
* logs expected — working days up to today less days on approved leave;
* logs submitted — daily logs of the period's days that were submitted; on time — submitted
  by the end of their day (local time);
* reports — weekly and monthly reports (not team reports) of periods starting in the period
  that were submitted;
* tasks done — tasks owned by the person and completed in the period;
* meetings — the person's attendance at meetings held in the period (present, late, absent,
  excused);
* leave days — working days of approved leave (half days 0.5).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.duties.reports import Period
from netdept.org.models import Person, Team
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog.models import (
    Attendance,
    DailyLog,
    MeetingAttendee,
    Report,
    Task,
    TaskStatus,
)

VIEW = "worklog.view_dailylog"
COUNTS = (
    "logs_expected", "logs_submitted", "logs_on_time", "reports", "tasks_done", "present",
    "late", "absent", "excused",
)  # fmt: skip


@dataclass
class Row:
    key: int | None = None
    name: str = ""
    team_key: int | None = None
    team_name: str = ""
    employee_no: str = ""
    logs_expected: int = 0
    logs_submitted: int = 0
    logs_on_time: int = 0
    reports: int = 0
    tasks_done: int = 0
    present: int = 0
    late: int = 0
    absent: int = 0
    excused: int = 0
    leave_days: float = 0.0

    @property
    def on_time_rate(self) -> float | None:
        return self.logs_on_time / self.logs_expected if self.logs_expected else None

    @property
    def attendance_rate(self) -> float | None:
        base = self.present + self.late + self.absent
        return (self.present + self.late) / base if base else None

    def add(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.leave_days += other.leave_days


@dataclass
class Figures:
    period: Period
    working_days: int
    people: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=Row)


def may_read(user: Any) -> bool:
    return permissions.scope_of(user, VIEW) is not None


def require(user: Any) -> None:
    """Refuse (403, audited) a reader without the permission at any scope."""
    if not may_read(user):
        audit.record(
            AuditAction.DENIED, None, actor=user, extra={"permission": VIEW},
            object_type_label="worklog.analytics", object_repr="",
        )  # fmt: skip
        raise PermissionDenied(VIEW)


def people_for(user: Any, team: Team | None = None) -> QuerySet[Person]:
    """The active people whose figures ``user`` reads."""
    scope = permissions.scope_of(user, VIEW)
    me: Person | None = getattr(user, "person", None) if hasattr(user, "person") else None
    qs = Person.objects.filter(is_active=True)
    if scope == "all":
        pass
    elif scope == "department" and me is not None and me.department_id:
        qs = qs.filter(department_id=me.department_id)
    elif scope == "team" and me is not None and me.team_id:
        qs = qs.filter(team_id=me.team_id)
    elif scope is not None and me is not None:
        qs = qs.filter(pk=me.pk)
    else:
        return qs.none()
    if team is not None:
        qs = qs.filter(team=team)
    return qs.select_related("team").order_by("team__name", "name", "pk")


def build(user: Any, period: Period, team: Team | None = None) -> Figures:
    first, last = period.first, period.last
    schedule = WorkSchedule(default_calendar())
    working = [d for d in period.dates() if schedule.is_working_day(d)]
    people = list(people_for(user, team))
    ids = [p.pk for p in people]
    rows = {
        p.pk: Row(
            key=p.pk, name=p.name, team_key=p.team_id, employee_no=p.employee_no,
            team_name=p.team.name if p.team is not None else "",
        )
        for p in people
    }  # fmt: skip
    from netdept.worklog.services.leave import leave_days_by_person

    for pid, days in leave_days_by_person(ids, first, last).items():
        rows[pid].leave_days = float(days)
    # a log is expected for the working days up to today (not for the rest of the period)
    today = timezone.localdate()
    due = [d for d in working if d <= today]
    if len(due) == len(working):
        away = {pid: row.leave_days for pid, row in rows.items()}
    elif due:
        away = {pid: float(d) for pid, d in leave_days_by_person(ids, first, due[-1]).items()}
    else:
        away = {}
    for pid, row in rows.items():
        row.logs_expected = max(len(due) - int(away.get(pid, 0)), 0)
    tz = timezone.get_current_timezone()
    logs = DailyLog.objects.filter(
        person_id__in=ids, day__gte=first, day__lte=last, submitted_at__isnull=False
    ).values_list("person_id", "day", "submitted_at")
    for pid, day, submitted in logs:
        rows[pid].logs_submitted += 1
        after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if submitted is not None and submitted < after:
            rows[pid].logs_on_time += 1
    reports = (
        Report.objects.filter(
            person_id__in=ids,
            is_team_report=False,
            period_start__gte=first,
            period_start__lte=last,
            submitted_at__isnull=False,
        )
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
    )
    for submitted_n in reports:
        rows[submitted_n["person_id"]].reports = submitted_n["n"]
    tasks = (
        Task.objects.filter(owner_id__in=ids, status=TaskStatus.DONE)
        .filter(period.q("done_at"))
        .order_by()
        .values("owner_id")
        .annotate(n=Count("pk"))
    )
    for done in tasks:
        rows[done["owner_id"]].tasks_done = done["n"]
    marks = Counter(
        MeetingAttendee.objects.filter(person_id__in=ids)
        .filter(period.q("meeting__starts_at"))
        .filter(~Q(attendance=Attendance.INVITED))
        .values_list("person_id", "attendance")
    )
    for (pid, mark), n in marks.items():
        if mark in ("present", "late", "absent", "excused"):
            setattr(rows[pid], mark, getattr(rows[pid], mark) + n)
    figures = Figures(period=period, working_days=len(working), people=list(rows.values()))
    teams: dict[int | None, Row] = {}
    for row in figures.people:
        t = teams.setdefault(row.team_key, Row(key=row.team_key, name=row.team_name))
        t.add(row)
        figures.total.add(row)
    figures.teams = sorted(teams.values(), key=lambda r: (r.key is None, r.name))
    return figures
