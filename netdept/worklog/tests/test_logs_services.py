"""Daily logs: drafted from the day's contributions once, re-drafted keeping the person's
edits, written, submitted, reviewed; who may do what; bad input refused naming the field,
nothing half-saved; which days expect a log (the calendar, leave)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.worklog import contributions
from netdept.worklog.contributions import Contribution, Line
from netdept.worklog.models.logs import DailyLog, LogEntry, LogStatus
from netdept.worklog.services import logs
from netdept.worklog.tests.factories_logs import team3, working
from netdept.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
S = LogStatus


class Source:
    """A test contribution whose lines the test sets."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.calls = 0

    def __call__(self, person_ids: Any, start: dt.datetime, end: dt.datetime) -> list[Line]:
        self.calls += 1
        return [ln for ln in self.lines if ln.person_id in person_ids]


@pytest.fixture
def source() -> Iterator[Source]:
    src = Source()
    contributions.register_contribution(Contribution("test.things", "things", src))
    yield src
    contributions.unregister("test.things")


@pytest.fixture
def t() -> Any:
    return team3()


def noon(day: dt.date) -> dt.datetime:
    start, _end = logs.day_bounds(day)
    return start + dt.timedelta(hours=12)


# --- contributions -----------------------------------------------------------------------------
def test_collect_answers_every_person_in_time_order_and_drops_strangers(source: Source) -> None:
    day = logs.today()
    start, end = logs.day_bounds(day)
    source.lines = [
        Line(1, start + dt.timedelta(hours=15), "later"),
        Line(1, start + dt.timedelta(hours=9), "earlier"),
        Line(1, end, "tomorrow"),  # [start, end): not today
        Line(3, start, "not asked"),
    ]
    got = contributions.collect([1, 2], start, end)
    assert set(got) == {1, 2}
    assert [ln.text for _code, ln in got[1]] == ["earlier", "later"]
    assert got[2] == []
    assert source.calls == 1  # one call for everyone


def test_a_failing_contribution_is_skipped(source: Source) -> None:
    def broken(*_a: Any) -> list[Line]:
        raise RuntimeError("boom")

    contributions.register_contribution(Contribution("test.broken", "broken", broken))
    try:
        start, end = logs.day_bounds(logs.today())
        source.lines = [Line(1, start, "fine")]
        assert [ln.text for _c, ln in contributions.collect([1], start, end)[1]] == ["fine"]
    finally:
        contributions.unregister("test.broken")


def test_a_contribution_needs_a_code() -> None:
    with pytest.raises(ValueError):
        contributions.register_contribution(Contribution("", "x", lambda *a: []))
    with pytest.raises(ValueError):
        contributions.register_contribution(Contribution("x" * 61, "x", lambda *a: []))


# --- drafting ----------------------------------------------------------------------------------
def test_open_drafts_once_and_redraft_adds_only_what_is_new(t: Any, source: Source) -> None:
    day = logs.today()
    order = WorkOrderFactory.create(title="交换机端口故障")
    source.lines = [
        Line(t.alice.pk, noon(day), "处理交换机端口故障", minutes=45, record=order),
        Line(t.alice.pk, noon(day), "周例会"),
    ]
    log = logs.open_log(t.alice, day)
    assert log.status == S.DRAFT and log.drafted_at is not None
    texts = list(LogEntry.objects.filter(log=log).values_list("text", "minutes", "source"))
    assert texts == [("处理交换机端口故障", 45, "test.things"), ("周例会", 0, "test.things")]
    assert log.minutes == 45
    # opening again: the same log, nothing drafted twice
    assert logs.open_log(t.alice, day).pk == log.pk
    assert LogEntry.objects.filter(log=log).count() == 2
    # the person edits one line and removes the other; a new record comes in
    first, second = LogEntry.objects.filter(log=log).order_by("position")
    logs.change_entry(first, by=t.alice, text="处理3楼交换机端口故障", minutes=60)
    logs.remove_entry(second, by=t.alice)
    order2 = WorkOrderFactory.create(title="无线AP掉线")
    source.lines.append(Line(t.alice.pk, noon(day), "无线AP掉线", minutes=20, record=order2))
    added = logs.redraft(log, by=t.alice)
    assert added == 1
    visible = LogEntry.objects.filter(log=log, dismissed=False).order_by("position")
    assert [e.text for e in visible] == ["处理3楼交换机端口故障", "无线AP掉线"]
    log.refresh_from_db()
    assert log.minutes == 80
    assert logs.redraft(log, by=t.alice) == 0


def test_drafting_is_in_the_day_of_the_calendar(t: Any, source: Source) -> None:
    day = logs.today() - dt.timedelta(days=1)
    start, end = logs.day_bounds(day)
    assert start.utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai
    source.lines = [
        Line(t.alice.pk, start - dt.timedelta(seconds=1), "the day before"),
        Line(t.alice.pk, start, "at midnight"),
        Line(t.alice.pk, end - dt.timedelta(seconds=1), "just before midnight"),
        Line(t.alice.pk, end, "the next day"),
    ]
    log = logs.open_log(t.alice, day)
    assert list(LogEntry.objects.filter(log=log).values_list("text", flat=True)) == [
        "at midnight",
        "just before midnight",
    ]


def test_open_refuses_a_future_day_and_a_day_long_ago(t: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        logs.open_log(t.alice, logs.today() + dt.timedelta(days=1))
    assert "day" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        logs.open_log(t.alice, logs.today() - dt.timedelta(days=400))
    assert "day" in exc.value.message_dict
    assert not DailyLog.objects.filter(person=t.alice).exists()


def test_opening_is_audited(t: Any) -> None:
    log = logs.open_log(t.alice)
    assert AuditRecord.objects.filter(
        action=AuditAction.CREATE, object_id=str(log.pk), object_type="worklog.dailylog"
    ).exists()


# --- writing -----------------------------------------------------------------------------------
def test_only_the_person_writes_their_log(t: Any) -> None:
    log = logs.open_log(t.alice)
    for other in (t.bob, t.lead):
        with pytest.raises(PermissionDenied):
            logs.add_entry(log, by=other, text="不是我的")
        with pytest.raises(PermissionDenied):
            logs.save(log, by=other, summary="x")
    assert not LogEntry.objects.filter(log=log).exists()
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, object_id=str(log.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "ok", "minutes": -1}, "minutes"),
        ({"text": "ok", "minutes": 24 * 60 + 1}, "minutes"),
        ({"text": "ok", "minutes": "abc"}, "minutes"),
        ({"text": "ok", "minutes": True}, "minutes"),
        ({"text": "ok", "state": "nonsense"}, "state"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(
    t: Any, kwargs: dict[str, Any], field: str
) -> None:
    log = logs.open_log(t.alice)
    with pytest.raises(ValidationError) as exc:
        logs.add_entry(log, by=t.alice, **kwargs)
    assert field in exc.value.message_dict
    assert not LogEntry.objects.filter(log=log).exists()


def test_text_limits_and_a_stale_version(t: Any) -> None:
    log = logs.open_log(t.alice)
    with pytest.raises(ValidationError) as exc:
        logs.save(log, by=t.alice, summary="长" * 10001)
    assert "summary" in exc.value.message_dict
    logs.save(log, by=t.alice, summary="今天巡检", plan="明天升级", expected_version=log.version)
    with pytest.raises(logs.Conflict):
        logs.save(log, by=t.alice, summary="旧页面", expected_version=log.version)
    log.refresh_from_db()
    assert (log.summary, log.plan) == ("今天巡检", "明天升级")


def test_a_hand_written_entry_is_deleted_a_drafted_one_hidden(t: Any, source: Source) -> None:
    source.lines = [Line(t.alice.pk, noon(logs.today()), "drafted")]
    log = logs.open_log(t.alice)
    mine = logs.add_entry(log, by=t.alice, text="手写", minutes=10)
    drafted = LogEntry.objects.get(log=log, source="test.things")
    logs.remove_entry(mine, by=t.alice)
    logs.remove_entry(drafted, by=t.alice)
    assert not LogEntry.objects.filter(pk=mine.pk).exists()
    assert LogEntry.objects.get(pk=drafted.pk).dismissed
    with pytest.raises(ValidationError):
        logs.change_entry(drafted, by=t.alice, text="back")


# --- submit and review -------------------------------------------------------------------------
def test_submit_return_resubmit_accept(t: Any) -> None:
    log = logs.open_log(t.alice)
    with pytest.raises(ValidationError) as exc:
        logs.submit(log, by=t.alice)  # empty
    assert "summary" in exc.value.message_dict
    logs.add_entry(log, by=t.alice, text="核心交换机巡检", minutes=30)
    log = logs.submit(log, by=t.alice)
    assert log.status == S.SUBMITTED and log.reviewer_id == t.lead.pk
    with pytest.raises(ValidationError):
        logs.add_entry(log, by=t.alice, text="too late")  # submitted: no more changes
    with pytest.raises(PermissionDenied):
        logs.review(log, by=t.alice, accept=True)  # never one's own
    with pytest.raises(PermissionDenied):
        logs.review(log, by=t.bob, accept=True)  # a peer
    with pytest.raises(ValidationError) as exc:
        logs.review(log, by=t.lead, accept=False, comment="")
    assert "comment" in exc.value.message_dict
    log = logs.review(log, by=t.lead, accept=False, comment="请写明故障原因")
    assert log.status == S.RETURNED and log.review_comment == "请写明故障原因"
    logs.save(log, by=t.alice, problems="光模块老化")
    log = logs.submit(log, by=t.alice)
    assert log.status == S.SUBMITTED and log.review_comment == ""
    log = logs.review(log, by=t.lead, accept=True, comment="")
    assert log.status == S.ACCEPTED
    with pytest.raises(ValidationError):
        logs.review(log, by=t.lead, accept=False, comment="again")
    assert list(logs.to_review(t.lead)) == []


def test_the_leads_own_log_goes_up(t: Any) -> None:
    log = logs.open_log(t.lead)
    logs.add_entry(log, by=t.lead, text="组内周会", minutes=60)
    log = logs.submit(log, by=t.lead)
    assert log.reviewer_id != t.lead.pk


def test_the_reviewer_is_notified_and_the_person_too(
    t: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from netdept.notify.models import InboxMessage

    log = logs.open_log(t.alice)
    logs.add_entry(log, by=t.alice, text="巡检", minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        log = logs.submit(log, by=t.alice)
    assert InboxMessage.objects.filter(
        user=t.lead.user, notification__kind="worklog.log_submitted"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        logs.review(log, by=t.lead, accept=False, comment="补充")
    assert InboxMessage.objects.filter(
        user=t.alice.user, notification__kind="worklog.log_reviewed"
    ).exists()


# --- which days expect a log -------------------------------------------------------------------
def test_expected_days_follow_the_calendar(t: Any) -> None:
    # 2026: 国庆 October 1–7 off, Saturday October 10 a 调休 working day (the package knows)
    days = logs.expected_days([t.alice.pk], dt.date(2026, 9, 30), dt.date(2026, 10, 12))
    got = days[t.alice.pk]
    assert dt.date(2026, 9, 30) in got
    assert all(dt.date(2026, 10, d) not in got for d in range(1, 8))
    assert dt.date(2026, 10, 10) in got  # Saturday, 调休
    assert dt.date(2026, 10, 11) not in got  # Sunday
    assert dt.date(2026, 10, 12) in got
    working(dt.date(2026, 10, 12), False)
    assert (
        dt.date(2026, 10, 12)
        not in logs.expected_days([t.alice.pk], dt.date(2026, 10, 12), dt.date(2026, 10, 12))[
            t.alice.pk
        ]
    )


def test_no_log_is_expected_on_approved_leave(t: Any, monkeypatch: Any) -> None:
    day = logs.today()
    monkeypatch.setattr(logs.leave_service, "on_leave_days", lambda ids, a, b: {t.alice.pk: {day}})
    assert not logs.is_expected(t.alice, day)
    assert logs.is_expected(t.bob, day)
    rows = {r.person.pk: r for r in logs.team_day([t.alice, t.bob], day)}
    assert not rows[t.alice.pk].missing and rows[t.bob.pk].missing


def test_team_people_and_day(t: Any) -> None:
    people = logs.team_people(t.lead, t.lead.user)
    assert {p.pk for p in people} >= {t.alice.pk, t.bob.pk}
    log = logs.open_log(t.alice)
    logs.add_entry(log, by=t.alice, text="x", minutes=1)
    logs.submit(log, by=t.alice)
    rows = {r.person.pk: r for r in logs.team_day(people, logs.today())}
    assert not rows[t.alice.pk].missing
    assert rows[t.bob.pk].missing and rows[t.bob.pk].log is None


def test_now_is_aware() -> None:
    assert logs.today(timezone.now()) == timezone.now().astimezone(logs.schedule().tz).date()
