"""What other modules add to the daily log: work orders (work records with their time, orders
accepted and resolved that day) and duties (occurrences handed in that day), each one query for
many people; and the duty check ``worklog.daily_log`` through the duty engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from netdept.duties import checks
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.services import engine, sweeping
from netdept.duties.tests.engine_world import make_duty
from netdept.duties.tests.test_work_fixtures import make_duty as make_plain_duty
from netdept.duties.tests.test_work_fixtures import make_occurrence
from netdept.worklog import contributions
from netdept.worklog.checks_logs import log_day, submitted_logs
from netdept.worklog.models.logs import LogEntry, LogStatus
from netdept.worklog.services import logs
from netdept.worklog.tests.factories_logs import DailyLogFactory, team3
from netdept.workorders.models import Status
from netdept.workorders.tests.factories import WorkOrderFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    start, _end = logs.day_bounds(day)
    return start + dt.timedelta(hours=hour, minutes=minute)


def test_the_contributions_are_registered() -> None:
    codes = {c.code for c in contributions.all_contributions()}
    assert {"workorders.work", "workorders.resolved", "workorders.accepted", "duties.done"} <= codes
    assert contributions.label_of("nobody.registers.this") == "nobody.registers.this"


def test_a_resolved_work_order_drafts_itself_into_the_log() -> None:
    t = team3()
    day = logs.today()
    order = WorkOrderFactory.create(
        title="门诊楼交换机故障",
        assignee=t.alice,
        status=Status.RESOLVED,
        responded_at=at(day, 9),
        resolved_at=at(day, 11),
    )
    WorkRecordFactory.create(
        order=order, person=t.alice, description="更换光模块", minutes=50, performed_at=at(day, 10)
    )
    taken = WorkOrderFactory.create(
        title="无线覆盖不足", assignee=t.alice, responded_at=at(day, 14)
    )
    WorkOrderFactory.create(assignee=t.bob, resolved_at=at(day, 11))  # somebody else's
    WorkRecordFactory.create(
        order=order, person=t.alice, performed_at=at(day, 0) - dt.timedelta(minutes=1)
    )  # the day before
    with translation.override("zh-hans"):
        log = logs.open_log(t.alice, day)
    rows = list(LogEntry.objects.filter(log=log).order_by("position"))
    assert [(e.source, e.minutes, e.state) for e in rows] == [
        ("workorders.work", 50, "done"),
        ("workorders.resolved", 0, "done"),
        ("workorders.accepted", 0, "in_progress"),
    ]
    assert order.number in rows[0].text and "更换光模块" in rows[0].text
    assert rows[1].text.startswith("已解决") or order.number in rows[1].text
    assert taken.number in rows[2].text
    assert log.minutes == 50
    # the resolved order is not also listed as accepted (the resolution says it)
    assert not LogEntry.objects.filter(
        log=log, source="workorders.accepted", record_id=str(order.pk)
    ).exists()


def test_duties_done_that_day() -> None:
    t = team3()
    day = logs.today()
    duty = make_plain_duty(name="机房巡检")
    done = make_occurrence(
        duty, t.alice, status="done", submitted_at=at(day, 9), done_at=at(day, 9), text="温湿度正常"
    )
    waiting = make_occurrence(
        make_plain_duty(name="备份检查"), t.alice, status="submitted", submitted_at=at(day, 10)
    )
    make_occurrence(
        make_plain_duty(name="自动"), t.alice, status="done", by_check=True, done_at=at(day, 11)
    )  # done by its records: left out
    make_occurrence(
        make_plain_duty(name="昨天"),
        t.alice,
        status="done",
        submitted_at=at(day, 0) - dt.timedelta(hours=1),
    )
    start, end = logs.day_bounds(day)
    lines = contributions.collect([t.alice.pk], start, end)[t.alice.pk]
    mine = [
        (code, ln.record.pk if ln.record else None, ln.state)
        for code, ln in lines
        if code == "duties.done"
    ]
    assert mine == [("duties.done", done.pk, "done"), ("duties.done", waiting.pk, "in_progress")]
    assert "温湿度正常" in lines[0][1].text


def test_one_query_per_contribution_for_many_people() -> None:
    t = team3()
    day = logs.today()
    for p in (t.alice, t.bob, t.lead):
        order = WorkOrderFactory.create(
            assignee=p, resolved_at=at(day, 11), responded_at=at(day, 9)
        )
        WorkRecordFactory.create(order=order, person=p, performed_at=at(day, 10))
    start, end = logs.day_bounds(day)
    with CaptureQueriesContext(connection) as few:
        contributions.collect([t.alice.pk], start, end)
    with CaptureQueriesContext(connection) as many:
        got = contributions.collect([t.alice.pk, t.bob.pk, t.lead.pk], start, end)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert all(len(got[p]) >= 2 for p in got)


# --- the duty check ----------------------------------------------------------------------------
def test_the_check_is_declared() -> None:
    check = checks.get("worklog.daily_log")
    assert check is not None
    assert check.check_params({"min": 5}) == {}
    assert check.check_params({"min": "five"}) == {"min": "integer"}


def test_which_days_log_is_due() -> None:
    day = dt.date(2026, 3, 3)
    assert log_day(at(day, 18)) == day
    assert log_day(at(day, 17)) == day
    assert log_day(at(day, 9)) == day - dt.timedelta(days=1)
    assert log_day(at(day, 5)) == day - dt.timedelta(days=1)


def test_the_check_counts_submitted_logs_of_the_day() -> None:
    t = team3()
    day = dt.date(2026, 3, 3)
    start, end = at(day, 18) - dt.timedelta(days=1), at(day, 18)
    DailyLogFactory.create(
        person=t.alice,
        day=day - dt.timedelta(days=1),
        status=LogStatus.SUBMITTED,
        submitted_at=at(day, 8),
    )
    assert submitted_logs(t.alice, start, end, {}) == []  # yesterday's does not count
    log = DailyLogFactory.create(person=t.alice, day=day, status=LogStatus.DRAFT)
    assert submitted_logs(t.alice, start, end, {}) == []
    log.status, log.submitted_at = LogStatus.RETURNED, at(day, 17)
    log.save()
    assert submitted_logs(t.alice, start, end, {}) == []
    log.status = LogStatus.SUBMITTED
    log.save()
    assert submitted_logs(t.alice, start, end, {}) == [log]
    log.submitted_at = at(day, 19)  # after the due instant: not yet at 18:00
    log.save()
    assert submitted_logs(t.alice, start, end, {}) == []
    # a weekly duty with min: the logs of its period
    week = submitted_logs(t.alice, at(day, 17) - dt.timedelta(days=7), at(day, 19), {"min": 5})
    assert len(week) == 2


def test_the_engine_marks_the_daily_log_duty_done() -> None:
    t = team3()
    duty = make_duty(
        "daily-log",
        name="每天写工作日志",
        person=t.alice,
        rrule="FREQ=DAILY",
        due_time=dt.time(18, 0),
        check_code="worklog.daily_log",
        check_params={},
        reviewer_kind="",
        grace_minutes=0,
    )
    day = dt.date(2026, 3, 3)  # a Tuesday
    engine.materialise(now=at(day, 8))
    occ = Occurrence.objects.get(duty=duty, due_at=at(day, 18))
    log = DailyLogFactory.create(
        person=t.alice, day=day, status=LogStatus.SUBMITTED, submitted_at=at(day, 17)
    )
    sweeping.sweep(now=at(day, 18))
    occ.refresh_from_db()
    assert occ.status == "done" and occ.by_check
    ev = Evidence.objects.get(occurrence=occ)
    assert ev.record_id == str(log.pk)


def test_a_missing_log_leaves_the_duty_overdue(django_capture_on_commit_callbacks: Any) -> None:
    t = team3()
    duty = make_duty(
        "daily-log-2",
        name="每天写工作日志",
        person=t.alice,
        rrule="FREQ=DAILY",
        due_time=dt.time(18, 0),
        check_code="worklog.daily_log",
        check_params={},
        reviewer_kind="",
    )
    day = dt.date(2026, 3, 4)
    engine.materialise(now=at(day, 8))
    with django_capture_on_commit_callbacks(execute=True):
        sweeping.sweep(now=at(day, 18))
    occ = Occurrence.objects.get(duty=duty, due_at=at(day, 18))
    assert occ.status in ("overdue", "pending") and not occ.by_check
