"""The SLA engine: due times on the working calendar (2026 holidays and 调休 days), 7×24,
pauses, priority changes, reopen, policy selection and the escalation job.

Expected values are worked out by hand from the official 2026 calendar: holidays 1-01~03,
2-15~23, 4-04~06, 5-01~05, 6-19~21, 9-25~27, 10-01~07; make-up working days 1-04 (Sun),
2-14 (Sat), 2-28 (Sat), 5-09 (Sat), 9-20 (Sun), 10-10 (Sat); working hours 08:30–12:00 and
13:30–17:30 (7.5 h a day).
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection

from netdept.accounts.models import UserProfile
from netdept.notify.models import InboxMessage, Notification
from netdept.org.models import Person, Team
from netdept.tasks.scheduler import jobs
from netdept.testing.factories import (
    PersonFactory,
    TeamFactory,
    UserFactory,
    user_with_role,
)
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workcal.schedule import default_calendar
from netdept.workorders import sla
from netdept.workorders.models import (
    Category,
    EscalationRule,
    Kind,
    SlaEvent,
    SlaPolicy,
    Status,
    WaitingOn,
    WorkOrder,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _own_settings() -> None:
    """Each test sets up its own policies; the seeded escalation rules are the engine's
    defaults, so they are removed too (the ladder is then the built-in one)."""
    SlaPolicy.objects.all().delete()
    EscalationRule.objects.all().delete()


def at(text: str) -> dt.datetime:
    """An instant in Beijing time: ``at("2026-09-30 16:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def policy(priority: int = 3, response: int = 60, resolution: int = 960, **kw: Any) -> SlaPolicy:
    return SlaPolicy.objects.create(
        name=kw.pop("name", f"P{priority} {response}/{resolution}"),
        priority=priority,
        response_minutes=response,
        resolution_minutes=resolution,
        **kw,
    )


def order(priority: int = 3, **kw: Any) -> WorkOrder:
    return WorkOrder.objects.create(
        number=f"WO-SLA-{next(_numbers):06d}",
        title=kw.pop("title", "交换机端口故障"),
        priority=priority,
        **kw,
    )


def opened(when: str, priority: int = 3, **kw: Any) -> WorkOrder:
    o = order(priority, **kw)
    sla.on_open(o, at(when))
    o.save()
    return o


def local(value: dt.datetime | None) -> str:
    assert value is not None
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def events(o: WorkOrder) -> list[str]:
    return list(o.sla_events.order_by("ts", "id").values_list("type", flat=True))


# --- due times on the working calendar ----------------------------------------------------
@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # National Day: 0.5 h on 9-30 (Wed), 10-01~07 off, 10-08 7.5 h, 10-09 3.5 h + 3.5 h.
        ("2026-09-30 16:00", 16 * 60, "2026-10-09 17:00"),
        # Friday 17:00, 8 h: 0.5 h on 2-13, 7.5 h on the 调休 Saturday 2-14.
        ("2026-02-13 17:00", 8 * 60, "2026-02-14 17:30"),
        # …20 minutes later: nothing until after the Spring Festival (2-15~23).
        ("2026-02-13 17:20", 8 * 60, "2026-02-24 08:50"),
        # New Year 1-01~03 off; Sunday 1-04 is a working day.
        ("2025-12-31 16:30", 4 * 60, "2026-01-04 11:30"),
        # Qingming: the lunch break does not count; 4-04~06 off.
        ("2026-04-03 12:30", 4 * 60, "2026-04-03 17:30"),
        ("2026-04-03 15:00", 4 * 60, "2026-04-07 10:00"),
        # Labour Day 5-01~05 off; 5-06 and 5-07 full days; 5-08 09:00.
        ("2026-04-30 17:00", 16 * 60, "2026-05-08 09:00"),
        # Saturday 5-09 is a make-up working day.
        ("2026-05-08 16:00", 4 * 60, "2026-05-09 11:00"),
        # Dragon Boat 6-19~21.
        ("2026-06-18 17:00", 60, "2026-06-22 09:00"),
        # Sunday 9-20 is a make-up working day (Saturday 9-19 is not).
        ("2026-09-18 17:00", 2 * 60, "2026-09-20 10:00"),
        # Mid-Autumn 9-25~27.
        ("2026-09-24 17:00", 60, "2026-09-28 09:00"),
        # Saturday 2-28 and Saturday 10-10 are make-up working days.
        ("2026-02-27 17:00", 60, "2026-02-28 09:00"),
        ("2026-10-09 17:00", 60, "2026-10-10 09:00"),
        # Opened during a holiday: the clock starts on the first working morning.
        ("2026-10-03 10:00", 60, "2026-10-08 09:30"),
        # An ordinary weekend.
        ("2026-03-06 17:00", 60, "2026-03-09 09:00"),
    ],
)
def test_due_on_the_default_calendar(start: str, minutes: int, due: str) -> None:
    policy(2, response=30, resolution=minutes)
    o = opened(start, 2)
    assert local(o.resolution_due) == due
    assert o.sla_policy is not None
    assert events(o) == [SlaEvent.Type.STARTED]


def test_response_due_and_started_event() -> None:
    p = policy(2, response=30, resolution=480)
    o = opened("2026-02-13 17:00", 2)
    assert local(o.response_due) == "2026-02-13 17:30"
    assert local(o.resolution_due) == "2026-02-14 17:30"
    ev = o.sla_events.get()
    assert ev.detail["policy"] == p.pk
    assert ev.detail["resolution_minutes"] == 480
    assert ev.ts == at("2026-02-13 17:00")


def test_no_policy_means_no_clock() -> None:
    o = opened("2026-03-09 09:00", 4)
    assert o.sla_policy is None
    assert o.response_due is None and o.resolution_due is None
    assert sla.share(o, at("2026-12-01 09:00")) == 0.0
    assert sla.elapsed(o, at("2026-12-01 09:00")) == dt.timedelta(0)
    assert events(o) == [SlaEvent.Type.STARTED]


def test_around_the_clock_policy() -> None:
    cal = WorkCalendar.objects.create(name="7×24", around_the_clock=True)
    policy(1, response=15, resolution=16 * 60, calendar=cal)
    o = opened("2026-09-30 16:00", 1)
    assert local(o.response_due) == "2026-09-30 16:15"
    assert local(o.resolution_due) == "2026-10-01 08:00"
    assert sla.elapsed(o, at("2026-10-01 00:00")) == dt.timedelta(hours=8)
    assert sla.share(o, at("2026-10-01 12:00")) == pytest.approx(1.25)


def test_elapsed_and_share_count_working_time_only() -> None:
    policy(3, resolution=16 * 60)
    o = opened("2026-09-30 16:00")
    # 1.5 h on 9-30, nothing during the holiday, 3.5 h on the morning of 10-08.
    assert sla.elapsed(o, at("2026-10-05 10:00")) == dt.timedelta(hours=1, minutes=30)
    assert sla.elapsed(o, at("2026-10-08 12:30")) == dt.timedelta(hours=5)
    assert sla.share(o, at("2026-10-08 12:30")) == pytest.approx(5 / 16)
    # Past the due time the share goes on growing: 10-09 17:00 + 0.5 h + 2 h (10-10 is 调休).
    assert sla.share(o, at("2026-10-10 10:30")) == pytest.approx(18.5 / 16)


# --- respond, resolve, reopen, close ------------------------------------------------------
def test_response_met_and_missed() -> None:
    policy(2, response=30, resolution=480)
    o = opened("2026-03-09 08:30", 2)
    sla.on_respond(o, at("2026-03-09 08:50"))
    assert o.responded_at == at("2026-03-09 08:50")
    assert not o.response_breached
    late = opened("2026-03-09 08:30", 2)
    sla.on_respond(late, at("2026-03-09 09:15"))
    assert late.response_breached
    ev = late.sla_events.get(type=SlaEvent.Type.RESPONDED)
    assert ev.detail["met"] is False
    assert ev.detail["spent_minutes"] == 45
    # A second response changes nothing.
    sla.on_respond(late, at("2026-03-09 10:00"))
    assert late.responded_at == at("2026-03-09 09:15")
    assert events(late).count(SlaEvent.Type.RESPONDED) == 1


def test_resolve_within_and_past_the_target() -> None:
    policy(3, response=60, resolution=240)
    o = opened("2026-03-09 08:30")
    sla.on_resolve(o, at("2026-03-09 14:00"))  # 3.5 h + 0.5 h = 4 h: just in time
    assert o.resolved_at == at("2026-03-09 14:00")
    assert o.responded_at == at("2026-03-09 14:00")  # resolving answers the requester too
    assert not o.resolution_breached
    assert o.sla_events.get(type=SlaEvent.Type.RESOLVED).detail["met"] is True
    late = opened("2026-03-09 08:30")
    sla.on_resolve(late, at("2026-03-09 14:01"))
    assert late.resolution_breached
    assert late.sla_events.get(type=SlaEvent.Type.RESOLVED).detail["spent_minutes"] == 241


def test_reopen_continues_from_the_time_spent() -> None:
    policy(3, resolution=16 * 60)
    o = opened("2026-03-09 08:30")
    sla.on_respond(o, at("2026-03-09 09:00"))
    sla.on_resolve(o, at("2026-03-09 12:00"))  # 3.5 h spent
    o.status = Status.RESOLVED
    o.save()
    # Nothing counts while resolved.
    assert sla.elapsed(o, at("2026-03-10 12:00")) == dt.timedelta(hours=3, minutes=30)
    sla.on_reopen(o, at("2026-03-11 09:00"))
    o.status = Status.IN_PROGRESS
    o.save()
    # 12.5 h left: 7 h on 3-11 from 09:00, 3.5 h + 2 h on 3-12.
    assert local(o.resolution_due) == "2026-03-12 15:30"
    assert o.resolved_at is None
    assert sla.elapsed(o, at("2026-03-11 10:00")) == dt.timedelta(hours=4, minutes=30)
    ev = o.sla_events.get(type=SlaEvent.Type.REOPENED)
    assert ev.detail["spent_minutes"] == 210


def test_reopen_after_a_breach_stays_breached() -> None:
    policy(3, resolution=60)
    o = opened("2026-03-09 08:30")
    sla.on_resolve(o, at("2026-03-09 10:30"))  # 2 h of a 1 h target
    assert o.resolution_breached
    sla.on_reopen(o, at("2026-03-10 09:00"))
    # Already 1 h past: due one working hour before the reopening (3-09 17:00).
    assert local(o.resolution_due) == "2026-03-09 17:00"
    assert o.resolution_breached
    assert sla.share(o, at("2026-03-10 09:00")) == pytest.approx(2.0)


def test_close_without_resolving_stops_the_clock() -> None:
    policy(3, resolution=60)
    o = opened("2026-03-09 08:30")
    sla.on_close(o, at("2026-03-09 09:00"))
    assert o.closed_at == at("2026-03-09 09:00")
    assert o.resolved_at is None
    assert sla.elapsed(o, at("2026-03-20 09:00")) == dt.timedelta(minutes=30)
    ev = o.sla_events.get(type=SlaEvent.Type.RESOLVED)
    assert ev.detail["closed"] is True and ev.detail["met"] is True
    # Closing a resolved order records nothing more.
    r = opened("2026-03-09 08:30")
    sla.on_resolve(r, at("2026-03-09 09:00"))
    n = r.sla_events.count()
    sla.on_close(r, at("2026-03-10 09:00"))
    assert r.sla_events.count() == n


# --- pauses ---------------------------------------------------------------------------------
def test_waiting_on_a_vendor_over_a_weekend() -> None:
    policy(3, response=60, resolution=16 * 60)
    o = opened("2026-03-06 09:00")  # Friday
    # 7 h on Friday, 7.5 h on Monday, 1.5 h on Tuesday.
    assert local(o.resolution_due) == "2026-03-10 10:00"
    sla.on_respond(o, at("2026-03-06 09:10"))
    o.status, o.waiting_on = Status.WAITING, WaitingOn.VENDOR
    sla.on_pause(o, at("2026-03-06 15:30"), "等待厂商更换光模块")  # 5 h spent
    o.save()
    # Time stands still while waiting, however long.
    for when in ("2026-03-07 12:00", "2026-03-08 20:00", "2026-03-09 09:59"):
        assert sla.elapsed(o, at(when)) == dt.timedelta(hours=5)
    assert sla.share(o, at("2026-03-10 12:00")) == pytest.approx(5 / 16)
    o.status = Status.IN_PROGRESS
    sla.on_resume(o, at("2026-03-09 10:00"))  # Monday
    o.save()
    assert o.paused_at is None
    # 11 h left from Monday 10:00: 6 h on Monday, 5 h on Tuesday → 15:00.
    assert local(o.resolution_due) == "2026-03-10 15:00"
    assert sla.elapsed(o, at("2026-03-09 11:00")) == dt.timedelta(hours=6)
    resumed = o.sla_events.get(type=SlaEvent.Type.RESUMED)
    assert resumed.detail["paused_minutes"] == 210  # Fri 15:30–17:30 + Mon 08:30–10:00
    assert resumed.detail["paused_wall_minutes"] == (2 * 24 + 18) * 60 + 30
    paused = o.sla_events.get(type=SlaEvent.Type.PAUSED)
    assert paused.detail["reason"] == "等待厂商更换光模块"
    assert paused.detail["waiting_on"] == WaitingOn.VENDOR
    assert paused.detail["spent_minutes"] == 300


def test_pause_before_the_response_moves_the_response_due_too() -> None:
    policy(3, response=60, resolution=480)
    o = opened("2026-03-09 08:30")
    sla.on_pause(o, at("2026-03-09 09:00"), "等待申请人回复")
    sla.on_resume(o, at("2026-03-09 14:00"))  # 3 h + 0.5 h paused
    assert local(o.response_due) == "2026-03-09 14:30"
    sla.on_respond(o, at("2026-03-09 14:20"))
    assert not o.response_breached


def test_pause_and_resume_are_idempotent() -> None:
    policy(3, resolution=480)
    o = opened("2026-03-09 08:30")
    sla.on_pause(o, at("2026-03-09 09:00"), "a")
    sla.on_pause(o, at("2026-03-09 10:00"), "b")
    assert o.paused_at == at("2026-03-09 09:00")
    sla.on_resume(o, at("2026-03-09 11:00"))
    due = o.resolution_due
    sla.on_resume(o, at("2026-03-09 12:00"))
    assert o.resolution_due == due
    assert events(o) == ["started", "paused", "resumed"]


def test_resolving_while_waiting() -> None:
    policy(3, resolution=480)
    o = opened("2026-03-09 08:30")
    sla.on_pause(o, at("2026-03-09 09:30"), "等待申请人确认")
    sla.on_resolve(o, at("2026-03-12 09:00"))
    assert o.paused_at is None
    assert not o.resolution_breached
    assert o.sla_events.get(type=SlaEvent.Type.RESOLVED).detail["spent_minutes"] == 60


# --- priority changes ------------------------------------------------------------------------
def test_priority_change_keeps_the_time_spent() -> None:
    policy(3, response=240, resolution=24 * 60)
    policy(1, response=15, resolution=240)
    o = opened("2026-03-09 08:30")
    sla.on_respond(o, at("2026-03-09 09:00"))
    o.priority = 1
    sla.on_priority_change(o, at("2026-03-09 12:00"), 3)  # 3.5 h of P1's 4 h spent
    assert o.sla_policy is not None and o.sla_policy.priority == 1
    assert local(o.resolution_due) == "2026-03-09 14:00"  # 30 min left, after lunch
    assert not o.resolution_breached
    assert local(o.response_due) != "2026-03-09 08:45"  # a response given stays as it was
    ev = o.sla_events.get(type=SlaEvent.Type.RECALCULATED)
    assert ev.detail["old_priority"] == 3 and ev.detail["priority"] == 1
    assert ev.detail["spent_minutes"] == 210


def test_raising_the_priority_past_its_target_breaches_at_once() -> None:
    policy(3, response=240, resolution=24 * 60)
    policy(1, response=15, resolution=240)
    o = opened("2026-03-09 08:30")
    o.priority = 1
    sla.on_priority_change(o, at("2026-03-09 15:00"), 3)  # 5 h spent, P1 allows 4 h
    assert o.resolution_breached
    assert local(o.resolution_due) == "2026-03-09 14:00"  # one working hour ago
    assert sla.share(o, at("2026-03-09 15:00")) == pytest.approx(1.25)
    assert events(o) == ["started", "recalculated", "breached"]
    # The response (15 min) is long overdue too: the job flags and notifies it.
    assert o.response_due is not None and o.response_due < at("2026-03-09 15:00")


def test_lowering_the_priority_clears_the_breach_and_the_escalation() -> None:
    policy(1, response=15, resolution=60)
    policy(3, response=240, resolution=24 * 60)
    o = opened("2026-03-09 08:30", 1)
    o.resolution_breached, o.escalation_percent = True, 150
    o.priority = 3
    sla.on_priority_change(o, at("2026-03-09 11:00"), 1)  # 2.5 h of 24 h
    assert not o.resolution_breached
    assert o.escalation_percent == 0


def test_priority_change_while_paused() -> None:
    policy(3, resolution=16 * 60)
    policy(2, resolution=8 * 60)
    o = opened("2026-03-09 08:30")
    sla.on_pause(o, at("2026-03-09 10:30"), "等待厂商")  # 2 h spent
    o.priority = 2
    sla.on_priority_change(o, at("2026-03-10 09:00"), 3)
    assert sla.elapsed(o, at("2026-03-11 09:00")) == dt.timedelta(hours=2)
    sla.on_resume(o, at("2026-03-11 08:30"))
    # 6 h left from Wednesday 08:30: 3.5 h + 2.5 h → 16:00.
    assert local(o.resolution_due) == "2026-03-11 16:00"


def test_priority_change_to_a_priority_without_policy() -> None:
    policy(3, resolution=480)
    o = opened("2026-03-09 08:30")
    o.priority = 4
    sla.on_priority_change(o, at("2026-03-09 09:00"), 3)
    assert o.sla_policy is None and o.resolution_due is None
    assert not o.resolution_breached


# --- policy selection ---------------------------------------------------------------------
def test_policy_selection_precedence() -> None:
    parent = Category.objects.create(name="网络")
    child = Category.objects.create(name="无线", parent=parent)
    other = Category.objects.create(name="电话")
    generic = policy(2, name="generic")
    policy(3, name="other priority")
    policy(2, name="inactive", category=child, is_active=False)
    policy(2, name="other category", category=other)
    by_kind = policy(2, name="service", kind=Kind.SERVICE)
    on_parent = policy(2, name="parent", category=parent)
    on_child = policy(2, name="child", category=child)
    on_child_kind = policy(2, name="child+service", category=child, kind=Kind.SERVICE)

    def pick(**kw: Any) -> SlaPolicy | None:
        return sla.policy_for(WorkOrder(priority=kw.pop("priority", 2), **kw))

    assert pick(category=child, kind=Kind.SERVICE) == on_child_kind
    assert pick(category=child, kind=Kind.FAULT) == on_child
    assert pick(category=parent, kind=Kind.SERVICE) == on_parent
    assert pick(category=other, kind=Kind.SERVICE) == other.sla_policies.get()
    assert pick(kind=Kind.SERVICE) == by_kind
    assert pick(kind=Kind.FAULT) == generic
    assert pick(kind=Kind.FAULT, priority=1) is None
    on_child.is_active = False
    on_child.save()
    assert pick(category=child, kind=Kind.FAULT) == on_parent


def test_on_open_before_the_first_save() -> None:
    policy(3, resolution=480)
    o = WorkOrder(number="WO-SLA-UNSAVED", title="新装网络", priority=3)
    sla.on_open(o, at("2026-03-09 08:30"))
    assert not SlaEvent.objects.exists()
    o.save()
    assert events(o) == [SlaEvent.Type.STARTED]
    o.save()  # written once
    assert o.sla_events.count() == 1


# --- escalation -----------------------------------------------------------------------------
class Desk:
    """An assignee in a team with a lead, and a director."""

    def __init__(self) -> None:
        self.team: Team = TeamFactory.create()
        self.assignee_user = user_with_role("engineer", team=self.team)
        self.lead_user = user_with_role("team_lead", team=self.team)
        self.director = user_with_role("director")
        self.assignee: Person = self.assignee_user.person
        self.team.lead = self.lead_user.person
        self.team.save()

    def order(self, when: str, priority: int = 3, **kw: Any) -> WorkOrder:
        kw.setdefault("assignee", self.assignee)
        o = opened(when, priority, team=self.team, status=Status.IN_PROGRESS, **kw)
        sla.on_respond(o, at(when))
        o.save()
        return o

    def inbox(self) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            InboxMessage.objects.filter(user=u).count()
            for u in (self.assignee_user, self.lead_user, self.director)
        )


def test_warning_breach_and_escalation_each_once() -> None:
    desk = Desk()
    policy(3, resolution=8 * 60)
    o = desk.order("2026-03-09 08:30")
    # due Tuesday 09:00; 75 % (6 h) on Monday 16:00; 150 % (12 h) on Tuesday 14:30.
    assert local(o.resolution_due) == "2026-03-10 09:00"
    assert sla.check_all(at("2026-03-09 15:59")) == 0
    assert desk.inbox() == (0, 0, 0)

    assert sla.check_all(at("2026-03-09 16:00")) == 1
    assert sla.check_all(at("2026-03-09 16:01")) == 0
    assert desk.inbox() == (1, 0, 0)
    warning = InboxMessage.objects.get(user=desk.assignee_user)
    assert o.number in warning.title
    assert warning.severity == "warning"

    assert sla.check_all(at("2026-03-10 09:01")) == 1
    assert sla.check_all(at("2026-03-10 09:02")) == 0
    assert desk.inbox() == (2, 1, 0)
    o.refresh_from_db()
    assert o.resolution_breached and o.escalation_percent == 100

    assert sla.check_all(at("2026-03-10 14:29")) == 0
    assert sla.check_all(at("2026-03-10 14:31")) == 1
    assert sla.check_all(at("2026-03-10 14:31")) == 0
    assert sla.check_all(at("2026-03-20 09:00")) == 0
    assert desk.inbox() == (2, 1, 1)
    o.refresh_from_db()
    assert o.escalation_percent == 150
    assert events(o) == ["started", "responded", "warning", "breached", "escalated", "escalated"]
    kinds = list(Notification.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["workorders.sla_warning", "workorders.sla_breached", "workorders.escalated"]
    last = o.sla_events.filter(type=SlaEvent.Type.ESCALATED).last()
    assert last is not None and last.detail["step"] == 150


def test_a_late_first_check_skips_the_stale_warning() -> None:
    desk = Desk()
    policy(3, resolution=60)
    o = desk.order("2026-03-09 08:30")
    assert sla.check_all(at("2026-03-09 11:00")) == 1  # 250 %
    assert desk.inbox() == (1, 1, 1)
    o.refresh_from_db()
    assert o.escalation_percent == 150
    assert not Notification.objects.filter(kind="workorders.sla_warning").exists()


def test_p1_breach_is_critical_and_urgent() -> None:
    desk = Desk()
    # the assignee reads English in Berlin, the team lead Chinese in Beijing
    UserProfile.objects.update_or_create(
        user=desk.assignee_user, defaults={"language": "en", "time_zone": "Europe/Berlin"}
    )
    UserProfile.objects.update_or_create(
        user=desk.lead_user, defaults={"language": "zh-hans", "time_zone": "Asia/Shanghai"}
    )
    policy(1, response=15, resolution=60)
    desk.order("2026-03-09 08:30", 1)
    sla.check_all(at("2026-03-09 09:31"))
    note = Notification.objects.get(kind="workorders.sla_breached")
    assert note.severity == "critical" and note.urgent
    assert note.data["priority"] == "P1" and note.data["target"] == "resolution"
    # the instant is kept, and each reader reads it in their own zone
    assert dt.datetime.fromisoformat(note.data["due"]) == at("2026-03-09 09:30")
    english = InboxMessage.objects.get(user=desk.assignee_user, notification=note).body
    chinese = InboxMessage.objects.get(user=desk.lead_user, notification=note).body
    assert "2026-03-09 02:30" in english and "resolution" in english, english
    assert "2026-03-09 09:30" in chinese and "解决" in chinese, chinese


def test_paused_orders_never_warn() -> None:
    desk = Desk()
    policy(3, resolution=60)
    o = desk.order("2026-03-09 08:30")
    o.status = Status.WAITING
    sla.on_pause(o, at("2026-03-09 08:45"), "等待厂商")
    o.save()
    assert sla.check_all(at("2026-03-16 09:00")) == 0
    assert desk.inbox() == (0, 0, 0)
    # …and after the wait the clock goes on from 25 %.
    o.status = Status.IN_PROGRESS
    sla.on_resume(o, at("2026-03-16 09:00"))
    o.save()
    assert sla.check_all(at("2026-03-16 09:29")) == 0
    assert sla.check_all(at("2026-03-16 09:30")) == 1  # 45 of 60 minutes
    assert desk.inbox() == (1, 0, 0)


def test_resolved_and_closed_orders_never_warn() -> None:
    desk = Desk()
    policy(3, resolution=60)
    for status in (Status.RESOLVED, Status.CLOSED):
        o = desk.order("2026-03-09 08:30")
        sla.on_resolve(o, at("2026-03-09 09:00"))
        o.status = status
        o.save()
    assert sla.check_all(at("2026-03-20 09:00")) == 0
    assert desk.inbox() == (0, 0, 0)


def test_response_breach_notified_once() -> None:
    desk = Desk()
    policy(2, response=30, resolution=8 * 60)
    o = opened("2026-03-09 08:30", 2, team=desk.team)  # new, nobody assigned yet
    assert sla.check_all(at("2026-03-09 08:59")) == 0
    assert sla.check_all(at("2026-03-09 09:01")) == 1
    assert sla.check_all(at("2026-03-09 09:05")) == 0
    # No assignee yet: the team lead hears of it.
    assert desk.inbox() == (0, 1, 0)
    o.refresh_from_db()
    assert o.response_breached
    note = Notification.objects.get()
    assert note.kind == "workorders.sla_breached" and note.data["target"] == "response"
    assert events(o) == ["started", "breached", "escalated"]


def test_priority_raised_past_the_target_escalates_on_the_next_check() -> None:
    desk = Desk()
    policy(3, resolution=24 * 60)
    policy(1, response=15, resolution=240)
    o = desk.order("2026-03-09 08:30")
    o.priority = 1
    sla.on_priority_change(o, at("2026-03-09 15:00"), 3)
    o.save()
    assert sla.check_all(at("2026-03-09 15:01")) == 1  # 125 %: breach, no warning
    assert desk.inbox() == (1, 1, 0)
    assert sla.check_all(at("2026-03-09 15:02")) == 0


def test_configured_rules_replace_the_defaults() -> None:
    desk = Desk()
    EscalationRule.objects.create(percent=50, target=EscalationRule.Target.TEAM_LEAD)
    EscalationRule.objects.create(percent=100, target=EscalationRule.Target.DIRECTOR)
    EscalationRule.objects.create(
        percent=200, target=EscalationRule.Target.ASSIGNEE, is_active=False
    )
    policy(3, resolution=60)
    desk.order("2026-03-09 08:30")
    assert sla.check_all(at("2026-03-09 09:01")) == 1
    assert desk.inbox() == (0, 1, 0)
    assert sla.check_all(at("2026-03-09 09:31")) == 1
    assert desk.inbox() == (0, 1, 1)
    assert sla.check_all(at("2026-03-10 09:31")) == 0


def test_the_policy_warn_share() -> None:
    desk = Desk()
    policy(3, resolution=100, warn_percent=90)
    desk.order("2026-03-09 08:30")
    assert sla.check_all(at("2026-03-09 09:59")) == 0  # 89 %
    assert sla.check_all(at("2026-03-09 10:01")) == 1
    assert desk.inbox() == (1, 0, 0)


def test_ladder() -> None:
    p = SlaPolicy(warn_percent=75)
    assert [(s.percent, s.targets) for s in sla.ladder(p, [])] == [
        (75, ("assignee",)),
        (100, ("assignee", "team_lead")),
        (150, ("director",)),
    ]
    assert [s.kind for s in sla.ladder(p, [])] == [
        "workorders.sla_warning",
        "workorders.sla_breached",
        "workorders.escalated",
    ]
    assert [s.percent for s in sla.ladder(SlaPolicy(warn_percent=0), [])] == [100, 150]
    assert [s.percent for s in sla.ladder(p, [(80, "team_lead")])] == [80]


def test_order_without_an_assignee_or_lead() -> None:
    team = TeamFactory.create()
    director = user_with_role("director")
    PersonFactory.create(team=team, user=UserFactory.create())
    policy(3, resolution=60)
    opened("2026-03-09 08:30", team=team, status=Status.ACCEPTED)
    assert sla.check_all(at("2026-03-09 11:00")) == 1
    assert InboxMessage.objects.count() == 1
    assert InboxMessage.objects.get().user == director


def test_check_sla_is_a_periodic_job() -> None:
    job = jobs()["workorders.check_sla"]
    assert job.cron == "* * * * *"
    assert job.queue == "default"
    from netdept.workorders.tasks import check_sla

    assert check_sla.enqueue().return_value == 0
    refresh = jobs()["workorders.refresh_sla_next_checks"]
    assert refresh.cron == "50 3 * * *" and refresh.queue == "default"
    from netdept.workorders.tasks import refresh_sla_next_checks

    assert refresh_sla_next_checks.enqueue().return_value == 0


# --- targets fixed on the order -------------------------------------------------------------
def test_a_policy_edit_does_not_change_an_open_order(
    django_capture_on_commit_callbacks: Any,
) -> None:
    desk = Desk()
    p = policy(3, response=60, resolution=8 * 60)
    o = desk.order("2026-03-09 08:30")  # due 3-10 09:00; 75 % (6 h) on 3-09 16:00
    assert (o.response_target_minutes, o.resolution_target_minutes) == (60, 480)
    before = (o.response_due, o.resolution_due, o.sla_next_check_at)
    assert o.sla_next_check_at == at("2026-03-09 16:00")
    with django_capture_on_commit_callbacks(execute=True):
        p.response_minutes, p.resolution_minutes = 15, 60
        p.save()
    o.refresh_from_db()
    assert (o.response_due, o.resolution_due, o.sla_next_check_at) == before
    assert (o.response_target_minutes, o.resolution_target_minutes) == (60, 480)
    # Read against 8 h, not 1 h (which would be 350 % and escalated).
    assert sla.share(o, at("2026-03-09 12:00")) == pytest.approx(3.5 / 8)
    assert sla.elapsed(o, at("2026-03-09 12:00")) == dt.timedelta(hours=3, minutes=30)
    assert sla.check_all(at("2026-03-09 15:59")) == 0
    assert desk.inbox() == (0, 0, 0)
    assert sla.check_all(at("2026-03-09 16:00")) == 1  # the warning at 75 % of 8 h
    o.refresh_from_db()
    assert o.escalation_percent == 75 and not o.resolution_breached
    assert o.sla_events.get(type=SlaEvent.Type.WARNING).detail["percent"] == 75
    # Resolved within its own 8 h although the policy now says 1 h.
    sla.on_resolve(o, at("2026-03-09 17:00"))
    assert not o.resolution_breached
    assert o.sla_events.get(type=SlaEvent.Type.RESOLVED).detail["met"] is True
    # An order opened after the edit takes the new minutes.
    n = desk.order("2026-03-09 08:30")
    assert (n.response_target_minutes, n.resolution_target_minutes) == (15, 60)
    assert local(n.resolution_due) == "2026-03-09 09:30"


def test_reopen_keeps_the_targets_fixed_on_the_order() -> None:
    p = policy(3, resolution=16 * 60)
    o = opened("2026-03-09 08:30")
    sla.on_resolve(o, at("2026-03-09 12:00"))  # 3.5 h spent
    p.resolution_minutes = 60
    p.save()
    sla.on_reopen(o, at("2026-03-11 09:00"))
    assert o.resolution_target_minutes == 960
    assert local(o.resolution_due) == "2026-03-12 15:30"  # 12.5 h left of 16 h
    assert not o.resolution_breached


def test_an_order_stored_without_targets_reads_its_policy() -> None:
    policy(3, resolution=8 * 60)
    o = opened("2026-03-09 08:30")
    WorkOrder.objects.filter(pk=o.pk).update(
        response_target_minutes=None, resolution_target_minutes=None
    )
    o.refresh_from_db()
    assert sla.order_target(o, "resolution") == dt.timedelta(hours=8)
    assert sla.share(o, at("2026-03-09 12:00")) == pytest.approx(3.5 / 8)


def test_a_priority_change_takes_the_new_policys_minutes() -> None:
    policy(3, response=240, resolution=24 * 60)
    p1 = policy(1, response=15, resolution=240)
    o = opened("2026-03-09 08:30")
    assert (o.response_target_minutes, o.resolution_target_minutes) == (240, 1440)
    sla.on_respond(o, at("2026-03-09 09:00"))
    o.priority = 1
    sla.on_priority_change(o, at("2026-03-09 12:00"), 3)  # 3.5 h of P1's 4 h spent
    o.save()
    o.refresh_from_db()
    assert (o.response_target_minutes, o.resolution_target_minutes) == (15, 240)
    assert local(o.resolution_due) == "2026-03-09 14:00"
    ev = o.sla_events.get(type=SlaEvent.Type.RECALCULATED)
    assert ev.detail["resolution_minutes"] == 240
    # A later edit of the P1 policy changes nothing on this order.
    p1.resolution_minutes = 480
    p1.save()
    assert sla.share(o, at("2026-03-09 14:00")) == pytest.approx(1.0)
    assert sla.elapsed(o, at("2026-03-09 13:45")) == dt.timedelta(hours=3, minutes=45)
    # …and a priority change to a priority without a policy clears them.
    o.priority = 4
    sla.on_priority_change(o, at("2026-03-09 13:00"), 1)
    assert (o.response_target_minutes, o.resolution_target_minutes) == (None, None)
    assert o.sla_next_check_at is None


# --- the next-check instant -----------------------------------------------------------------
def check_exactly_at(instant: dt.datetime, done: int = 1) -> None:
    """check_all finds nothing a minute (or a microsecond) before ``instant``, and its order
    at ``instant``."""
    assert sla.check_all(instant - dt.timedelta(minutes=1)) == 0
    assert sla.check_all(instant - dt.timedelta(microseconds=1)) == 0
    assert sla.check_all(instant) == done


def test_next_check_across_national_day_and_a_makeup_saturday() -> None:
    desk = Desk()
    policy(3, response=60, resolution=16 * 60)
    o = opened("2026-09-30 16:00", team=desk.team, assignee=desk.assignee)
    assert local(o.resolution_due) == "2026-10-09 17:00"
    # Unanswered: the response due time comes first.
    assert o.sla_next_check_at == at("2026-09-30 17:00")
    sla.on_respond(o, at("2026-09-30 16:30"))
    o.save()
    # 75 % = 12 h: 1.5 h on 9-30, the holiday 10-01~07 off, 7.5 h on 10-08, 3 h on 10-09.
    assert o.sla_next_check_at == at("2026-10-09 11:30")
    o.status = Status.WAITING
    sla.on_pause(o, at("2026-10-08 09:30"), "等待厂商")  # 2.5 h spent
    o.save()
    assert o.sla_next_check_at is None
    assert sla.check_all(at("2026-10-20 09:00")) == 0
    o.status = Status.IN_PROGRESS
    sla.on_resume(o, at("2026-10-08 10:30"))  # paused 1 working hour
    o.save()
    # Due an hour later: 0.5 h on 10-09, then the 调休 Saturday 10-10 from 08:30.
    assert local(o.resolution_due) == "2026-10-10 09:00"
    # 9.5 h more from 10-08 10:30: 5.5 h that day, 4 h on 10-09.
    assert o.sla_next_check_at == at("2026-10-09 14:00")
    check_exactly_at(at("2026-10-09 14:00"))  # the warning
    o.refresh_from_db()
    assert o.escalation_percent == 75
    assert o.sla_next_check_at == at("2026-10-10 09:00")  # the breach, on the 调休 Saturday
    check_exactly_at(at("2026-10-10 09:00"))
    o.refresh_from_db()
    assert o.resolution_breached and o.escalation_percent == 100
    # 150 % = 8 h past the due time: 7 h on 10-10, Sunday 10-11 off, 1 h on Monday.
    assert o.sla_next_check_at == at("2026-10-12 09:30")
    check_exactly_at(at("2026-10-12 09:30"))
    o.refresh_from_db()
    assert o.escalation_percent == 150
    assert o.sla_next_check_at is None  # no step left
    assert desk.inbox() == (2, 1, 1)
    sla.on_resolve(o, at("2026-10-12 10:00"))
    assert o.sla_next_check_at is None


def test_next_check_after_resolve_reopen_and_a_priority_change() -> None:
    desk = Desk()
    policy(3, response=60, resolution=8 * 60)
    policy(2, response=30, resolution=4 * 60)
    o = desk.order("2026-02-13 09:00")  # Friday; due on the 调休 Saturday 2-14 09:30
    assert local(o.resolution_due) == "2026-02-14 09:30"
    assert o.sla_next_check_at == at("2026-02-13 16:30")  # 75 % = 6 h
    sla.on_resolve(o, at("2026-02-13 11:00"))  # 2 h spent
    o.status = Status.RESOLVED
    o.save()
    assert o.sla_next_check_at is None
    sla.on_reopen(o, at("2026-02-14 09:00"))  # on the 调休 Saturday
    o.status = Status.IN_PROGRESS
    o.save()
    assert local(o.resolution_due) == "2026-02-14 16:30"  # 6 h left
    assert o.sla_next_check_at == at("2026-02-14 14:30")  # 4 h more: 75 %
    o.priority = 2
    sla.on_priority_change(o, at("2026-02-14 10:00"), 3)  # 3 h of P2's 4 h spent
    o.save()
    assert (o.response_target_minutes, o.resolution_target_minutes) == (30, 240)
    assert local(o.resolution_due) == "2026-02-14 11:00"
    assert o.sla_next_check_at == at("2026-02-14 10:00")  # 75 % is reached now
    assert sla.check_all(at("2026-02-14 10:00")) == 1
    o.refresh_from_db()
    assert o.escalation_percent == 75
    assert o.sla_next_check_at == at("2026-02-14 11:00")
    check_exactly_at(at("2026-02-14 11:00"))
    o.refresh_from_db()
    assert o.sla_next_check_at == at("2026-02-14 14:30")  # 150 %: 2 h past the due time
    # The Spring Festival (2-15~23) comes before 150 % of a later order.
    late = desk.order("2026-02-14 16:00", 2)  # 1.5 h on 2-14, then 2.5 h from 2-24
    assert local(late.resolution_due) == "2026-02-24 11:00"
    assert late.sla_next_check_at == at("2026-02-24 10:00")  # 75 % = 3 h


def test_a_step_reached_at_the_end_of_the_morning_is_checked_then() -> None:
    desk = Desk()
    policy(3, resolution=4 * 60)
    o = desk.order("2026-03-09 09:00")  # 3 h in the morning, 1 h after lunch: due 14:30
    assert local(o.resolution_due) == "2026-03-09 14:30"
    # 75 % (3 h) is used at 12:00; the lunch break adds nothing.
    assert o.sla_next_check_at == at("2026-03-09 12:00")
    check_exactly_at(at("2026-03-09 12:00"))


def test_a_response_due_is_checked_exactly_at_its_due_time() -> None:
    desk = Desk()
    policy(2, response=30, resolution=8 * 60)
    o = opened("2026-03-09 08:30", 2, team=desk.team)
    assert o.sla_next_check_at == at("2026-03-09 09:00")
    check_exactly_at(at("2026-03-09 09:00"))
    o.refresh_from_db()
    assert o.response_breached
    assert o.sla_next_check_at == at("2026-03-09 16:00")  # then the warning: 75 % of 8 h


def test_changing_the_rules_a_policy_or_the_calendar_moves_the_next_checks(
    django_capture_on_commit_callbacks: Any,
) -> None:
    desk = Desk()
    p = policy(3, resolution=8 * 60)
    o = desk.order("2026-03-09 08:30")
    other = desk.order("2026-03-09 08:30")
    other.status = Status.WAITING
    sla.on_pause(other, at("2026-03-09 09:00"), "等待申请人")
    other.save()

    def next_check() -> dt.datetime | None:
        o.refresh_from_db()
        return o.sla_next_check_at

    assert next_check() == at("2026-03-09 16:00")
    with django_capture_on_commit_callbacks(execute=True):
        rule = EscalationRule.objects.create(percent=50, target=EscalationRule.Target.TEAM_LEAD)
    assert next_check() == at("2026-03-09 14:00")  # 50 % = 4 h
    with django_capture_on_commit_callbacks(execute=True):
        rule.delete()
    assert next_check() == at("2026-03-09 16:00")
    with django_capture_on_commit_callbacks(execute=True):
        p.warn_percent = 90
        p.save()
    assert next_check() == at("2026-03-09 17:12")  # 90 % = 7 h 12 min
    other.refresh_from_db()
    assert other.sla_next_check_at is None  # waiting: still nothing to check
    sla.check_all(at("2026-03-10 09:00"))  # the warning and the breach
    assert next_check() == at("2026-03-10 14:30")  # 150 %: 4 h past 3-10 09:00
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.create(
            calendar=default_calendar(), date=dt.date(2026, 3, 10), is_working_day=False
        )
    assert next_check() == at("2026-03-11 14:00")  # 3-10 is off now: 4 h from 3-11


def test_refresh_changes_only_the_stale_instants() -> None:
    desk = Desk()
    policy(3, resolution=8 * 60)
    orders = [desk.order("2026-03-09 08:30") for _i in range(3)]
    assert sla.refresh_next_checks() == 0
    WorkOrder.objects.filter(pk=orders[0].pk).update(sla_next_check_at=None)
    WorkOrder.objects.filter(pk=orders[1].pk).update(sla_next_check_at=at("2026-03-01 09:00"))
    assert sla.refresh_next_checks(batch=2) == 2
    assert {o.sla_next_check_at for o in WorkOrder.objects.all()} == {at("2026-03-09 16:00")}


def test_a_stale_early_instant_is_moved_without_notifying() -> None:
    desk = Desk()
    policy(3, resolution=8 * 60)
    o = desk.order("2026-03-09 08:30")
    WorkOrder.objects.filter(pk=o.pk).update(sla_next_check_at=at("2026-03-09 09:00"))
    assert sla.check_all(at("2026-03-09 10:00")) == 0
    o.refresh_from_db()
    assert o.sla_next_check_at == at("2026-03-09 16:00")
    assert desk.inbox() == (0, 0, 0)
    assert events(o) == ["started", "responded"]


def test_the_migration_backfill_matches_the_engine() -> None:
    migration = importlib.import_module("netdept.workorders.migrations.0005_sla_targets_next_check")
    desk = Desk()
    EscalationRule.objects.create(percent=60, target=EscalationRule.Target.ASSIGNEE)
    EscalationRule.objects.create(percent=100, target=EscalationRule.Target.TEAM_LEAD)
    policy(3, response=60, resolution=16 * 60)
    policy(
        2,
        response=30,
        resolution=4 * 60,
        calendar=WorkCalendar.objects.create(name="7×24", around_the_clock=True),
    )
    running = desk.order("2026-09-30 16:00")
    unanswered = opened("2026-09-30 16:00", team=desk.team)
    round_the_clock = desk.order("2026-10-01 10:00", 2)
    escalated = desk.order("2026-03-09 08:30")
    sla.check_all(at("2026-03-12 09:00"))  # 60 % and 100 % passed
    paused = desk.order("2026-03-09 08:30")
    paused.status = Status.WAITING
    sla.on_pause(paused, at("2026-03-09 09:00"), "等待厂商")
    paused.save()
    orders = [running, unanswered, round_the_clock, escalated, paused]
    expected = {
        o.pk: o.sla_next_check_at for o in WorkOrder.objects.filter(pk__in=[x.pk for x in orders])
    }
    assert expected[escalated.pk] is None and expected[paused.pk] is None
    assert expected[running.pk] is not None and expected[round_the_clock.pk] is not None
    WorkOrder.objects.update(
        response_target_minutes=None, resolution_target_minutes=None, sla_next_check_at=None
    )
    editor = SimpleNamespace(connection=connection)
    # The migration names the calendar by its label of the time (core, before issue 9 moved it).
    then = SimpleNamespace(
        get_model=lambda app, name: django_apps.get_model("workcal" if app == "core" else app, name)
    )
    migration.backfill_targets(then, editor)
    migration.backfill_next_checks(then, editor)
    got = {o.pk: o for o in WorkOrder.objects.filter(pk__in=expected)}
    assert {pk: o.sla_next_check_at for pk, o in got.items()} == expected
    assert (got[running.pk].response_target_minutes, got[running.pk].resolution_target_minutes) == (
        60,
        960,
    )
    assert got[round_the_clock.pk].resolution_target_minutes == 240


# --- the timeline ---------------------------------------------------------------------------
def test_timeline() -> None:
    desk = Desk()
    policy(3, response=60, resolution=60, name="标准 P3")
    o = desk.order("2026-03-09 08:30")
    sla.on_pause(o, at("2026-03-09 08:40"), "等待申请人")
    sla.on_resume(o, at("2026-03-09 09:00"))
    o.save()
    sla.check_all(at("2026-03-09 09:36"))  # 46 of 60 minutes
    sla.check_all(at("2026-03-09 10:00"))
    rows = sla.timeline(o)
    assert [r["type"] for r in rows] == [
        "started",
        "responded",
        "paused",
        "resumed",
        "warning",
        "breached",
        "escalated",
    ]
    assert all(r["text"] and r["icon"].startswith("bi-") for r in rows)
    assert "标准 P3" in rows[0]["text"]
    assert "等待申请人" in rows[2]["text"]
    assert rows[5]["tone"] == "danger"


# --- cost -----------------------------------------------------------------------------------
def test_check_all_query_budget(
    django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    desk = Desk()
    policy(3, resolution=8 * 60)
    policy(
        2,
        resolution=4 * 60,
        calendar=WorkCalendar.objects.create(name="7×24", around_the_clock=True),
    )
    for _i in range(40):  # far from their warning
        desk.order("2026-03-09 16:00")
    for _i in range(20):  # past the warning, already warned: next check at 100 %
        o = desk.order("2026-03-09 08:30")
        o.escalation_percent = 75
        sla.reschedule(o)
        o.save()
        assert o.sla_next_check_at == o.resolution_due
    now = at("2026-03-09 17:00")  # 8 h-target orders opened 08:30: 7.5 h = 93 %
    # Nothing to do: one query (the index range), whatever the number of orders.
    with django_assert_num_queries(1):
        assert sla.check_all(now) == 0
    crossing = [desk.order("2026-03-09 08:30") for _i in range(5)]
    # Per order with something to record: a guarded UPDATE, an INSERT of its events and
    # the notification (a few queries of the notification engine).
    with django_assert_max_num_queries(6 + 5 * 16):
        assert sla.check_all(now) == 5
    assert all(WorkOrder.objects.get(pk=o.pk).escalation_percent == 75 for o in crossing)


@pytest.mark.parametrize(
    "kind", ["workorders.sla_warning", "workorders.sla_breached", "workorders.escalated"]
)
def test_sla_kinds_read_well_in_both_languages(kind: str) -> None:
    from netdept.notify import kinds, render

    ek = kinds.get(kind)
    assert ek is not None
    data = {
        "number": "WO-20261008-0001",
        "title": "门诊楼断网",
        "priority": "P1",
        "due": "2026-10-08 09:30",
        "percent": 150,
        "target": "response",
        "assignee": "张三",
        "team": "网络运维组",
        "requester": "",
        "step": 150,
    }
    zh = render.render(ek, "zh-hans", data=data, link="/workorders/1/")
    en = render.render(ek, "en", data=data, link="/workorders/1/")
    assert "WO-20261008-0001" in zh.title and "WO-20261008-0001" in en.title
    assert "响应" in zh.text and "response" in en.text
    assert "网络运维组" in zh.text and "2026-10-08 09:30" in en.text
    assert "申请人" not in zh.text  # empty variables leave no empty line
    assert "/workorders/1/" in en.text
