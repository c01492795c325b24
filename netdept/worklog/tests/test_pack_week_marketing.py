"""One week of the marketing pack's life on an empty site (Monday 2 to Monday 9 March 2026).

The pack is loaded through ``netdept.duties.packs.load.load`` into a new network department;
five people take its positions. Then the week runs through the services: the duties fire on
the right days, a missed first check of the leads costs ¥10, the daily log is done by its own
check, a late weekly report costs ¥50 (one on time costs nothing), the weekly meeting's minutes
do the meeting duty, the 15-day digest is approved and signed for, the third public quarrel
with a superior goes to the director as a 20 % pay cut or dismissal, a leave asked by SMS is
invalid and the absence costs ¥50, and an accepted task left unfinished costs ¥20.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation
from freezegun import freeze_time

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalRule, DecisionStatus
from netdept.duties.models import Pack, Penalty, ProhibitedAct, Violation
from netdept.duties.packs.coverage import coverage
from netdept.duties.services import engine, occurrences, violations
from netdept.duties.tests.test_work_fixtures import photo
from netdept.worklog.models import (
    AttendanceRule,
    LeaveStatus,
    LeaveType,
    MeetingType,
    WorklogPolicy,
)
from netdept.worklog.tests.factories_packs import Office, Spec, at, build, sweep

pytestmark = pytest.mark.django_db

PEOPLE: list[Spec] = [
    ("wang", "王经理", "网络部经理", "", "director", "", False),
    ("zhou", "周组长", "组长", "社交媒体管理组", "team_lead", "wang", True),
    ("li", "李娜", "社交媒体运营专员", "社交媒体管理组", "engineer", "zhou", False),
    ("zhang", "张伟", "网站运营专员", "网站运营组", "engineer", "wang", False),
    ("liu", "刘强", "网络营销专员", "网络营销组", "engineer", "wang", False),
]
MONDAY = at(3, 2, 8, 0)


@pytest.fixture
def office(tmp_path: Path) -> Office:
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        return build("marketing", MONDAY, PEOPLE, head="wang")


def _fines(person_key: str, office: Office) -> list[tuple[str, Decimal | None]]:
    return [
        (p.rule.code if p.rule else "", p.amount)
        for p in Penalty.objects.filter(violation__person=office[person_key]).order_by("pk")
    ]


def test_the_rhythm_is_loaded(office: Office) -> None:
    types = {t.code: t for t in MeetingType.objects.filter(pack="marketing")}
    assert set(types) == {"marketing-standup", "marketing-weekly", "marketing-monthly-review"}
    assert types["marketing-monthly-review"].records_commendations
    # a meeting due on a day off: the stand-up is skipped, the others come earlier
    assert {c: t.shift for c, t in types.items()} == {
        "marketing-standup": "skip",
        "marketing-weekly": "previous",
        "marketing-monthly-review": "previous",
    }
    assert types["marketing-weekly"].department == office.department
    leave = {t.code: t for t in LeaveType.objects.filter(pack="marketing")}
    assert set(leave) == {"marketing-personal-leave", "marketing-sick-leave"}
    assert all(t.valid_channels == ["in_person", "phone"] for t in leave.values())
    assert {t.approval_rule.code for t in leave.values() if t.approval_rule} == {"marketing-leave"}
    rule = AttendanceRule.objects.get(code="marketing-office-hours")
    assert (rule.work_starts, rule.work_ends) == (dt.time(8, 30), dt.time(17, 30))
    assert rule.absence_penalty_rule is not None
    assert rule.absence_penalty_rule.code == "mkt-absenteeism"
    policy = WorklogPolicy.objects.get(department=office.department)
    assert policy.task_overdue_penalty_rule is not None
    assert policy.task_overdue_penalty_rule.code == "mkt-task-unfinished"
    assert {a.label for a in policy.articles.all()} == {"11", "二-2"}
    # the coverage names them as what encodes their articles
    with translation.override("en"):
        cov = coverage(Pack.objects.get(name="marketing"))
    assert cov.complete
    kinds = {(r.regulation, r.article.label): {e.kind for e in r.encoders} for r in cov.rows}
    assert "meeting type" in kinds[("装修公司网络部日常管理制度", "三-1")]
    assert "leave type" in kinds[("网络部管理制度（4篇）", "9")]
    assert "attendance rule" in kinds[("大客户部管理制度（网络部）", "第一条")]
    assert "working rhythm policy" in kinds[("网络部管理制度（4篇）", "11")]


def test_the_duties_fire_on_the_right_days(office: Office) -> None:
    def days(code: str, person: str) -> list[tuple[dt.date, dt.time]]:
        return [
            (o.due_at.astimezone(MONDAY.tzinfo).date(), o.due_at.astimezone(MONDAY.tzinfo).time())
            for o in office.occurrences(code, person)
            if o.due_at < at(3, 9)
        ]

    weekdays = [dt.date(2026, 3, d) for d in range(2, 7)]
    assert days("marketing-leads-first-check", "li") == [(d, dt.time(9, 0)) for d in weekdays]
    assert not office.occurrences("marketing-leads-first-check", "zhang")
    for key in ("wang", "zhou", "li", "zhang", "liu"):
        assert days("marketing-daily-work-log", key) == [(d, dt.time(17, 30)) for d in weekdays]
        # due "Sunday": the last working day before it, Friday, at the pack's 17:00
        assert days("marketing-weekly-report", key) == [(dt.date(2026, 3, 6), dt.time(17, 0))]
    assert days("marketing-news-articles", "zhang") == [(dt.date(2026, 3, 2), dt.time(17, 0))]
    assert days("marketing-weekly-meeting", "wang") == [(dt.date(2026, 3, 6), dt.time(17, 30))]
    assert days("marketing-campaign-digest", "liu") == [(dt.date(2026, 3, 2), dt.time(17, 0))]
    # every 15 days: the next digest is due on Tuesday 17 March
    with freeze_time(MONDAY):
        engine.materialise(now=MONDAY, until=dt.date(2026, 3, 20))
    nxt = office.occurrences("marketing-campaign-digest", "liu")[1]
    assert nxt.due_at.astimezone(MONDAY.tzinfo).date() == dt.date(2026, 3, 17)
    # one stand-up per team (its lead when it has one), not one per person
    monday = [o for o in office.occurrences("marketing-daily-standup") if o.due_at < at(3, 3)]
    standup = {o.person for o in monday}
    assert office["zhou"] in standup and office["li"] not in standup


def test_a_missed_lead_costs_ten_yuan(office: Office) -> None:
    sweep(at(3, 2, 11, 0))  # due 09:00, missed after 90 working minutes (10:30)
    occ = office.occurrences("marketing-leads-first-check", "li")[0]
    assert occ.status == "missed"
    assert _fines("li", office) == [("mkt-unanswered-message", Decimal("10.00"))]


def test_the_daily_log_is_done_by_its_check(office: Office) -> None:
    from netdept.worklog.services import logs

    with freeze_time(at(3, 2, 17, 0)):
        log = logs.open_log(office["zhang"], now=at(3, 2, 17, 0))
        log = logs.save(log, by=office["zhang"], summary="更新了官网产品页，写了两篇新闻稿。")
        logs.submit(log, by=office["zhang"], now=at(3, 2, 17, 0))
    sweep(at(3, 2, 17, 31))
    occ = office.occurrences("marketing-daily-work-log", "zhang")[0]
    assert (occ.status, occ.by_check) == ("done", True)
    assert occ.evidence.filter(kind="record").count() == 1
    # who wrote none waits within the grace; a log alone is never fined
    other = office.occurrences("marketing-daily-work-log", "li")[0]
    assert other.status == "overdue"
    assert not Violation.objects.filter(occurrence=other).exists()


def _write_weekly(office: Office, key: str, when: dt.datetime) -> None:
    from netdept.worklog.models import ReportKind
    from netdept.worklog.services import reports

    with freeze_time(when):
        report = reports.open_report(office[key], ReportKind.WEEKLY, dt.date(2026, 3, 4))
        reports.submit(office.user(key), report, {"done": "本周完成了网站改版和四篇新闻稿。"})


def test_a_late_weekly_report_costs_fifty_yuan(office: Office) -> None:
    _write_weekly(office, "li", at(3, 6, 16, 0))  # on time
    sweep(at(3, 6, 17, 1))
    _write_weekly(office, "zhang", at(3, 9, 10, 0))  # the next Monday: late
    sweep(at(3, 9, 17, 31))  # 480 working minutes after Friday 17:00
    on_time = office.occurrences("marketing-weekly-report", "li")[0]
    late = office.occurrences("marketing-weekly-report", "zhang")[0]
    assert (on_time.status, on_time.by_check) == ("done", True)
    assert (late.status, late.by_check) == ("done_late", True)
    late_fines = [f for f in _fines("zhang", office) if f[0] == "mkt-late-weekly-report"]
    assert late_fines == [("mkt-late-weekly-report", Decimal("50.00"))]  # once, not twice
    assert ("mkt-late-weekly-report", Decimal("50.00")) not in _fines("li", office)
    # who wrote none by the missed instant is fined too
    missed = office.occurrences("marketing-weekly-report", "liu")[0]
    assert missed.status == "missed"
    assert ("mkt-late-weekly-report", Decimal("50.00")) in _fines("liu", office)


def test_the_weekly_meeting_is_done_by_its_minutes(office: Office) -> None:
    from netdept.worklog.services import meetings

    mtype = MeetingType.objects.get(code="marketing-weekly")
    with freeze_time(at(3, 6, 14, 0)):
        meeting = meetings.schedule(mtype, at(3, 6, 15, 0))
        assert meeting is not None and meeting.chair == office["wang"]
    with freeze_time(at(3, 6, 16, 0)):
        chair = office.user("wang")
        meeting = meetings.hold(chair, meeting)
        marks = {a.person_id: ("present", "") for a in meeting.attendees.all()}
        meeting = meetings.mark_attendance(chair, meeting, marks)
        meetings.submit_minutes(
            chair, meeting, minutes="各组汇报了本周成果。", decisions="下周上线新专题页。"
        )
    sweep(at(3, 6, 17, 31))
    occ = office.occurrences("marketing-weekly-meeting", "wang")[0]
    assert (occ.status, occ.by_check) == ("done", True)


def test_the_fifteen_day_digest_is_approved_and_signed_for(office: Office, tmp_path: Path) -> None:
    liu, wang = office["liu"], office["wang"]
    rule = ApprovalRule.objects.get(code="marketing-campaign-digest-review")
    with freeze_time(at(3, 2, 10, 0)):
        request = approvals.submit(
            office.user("liu"), kind="approvals.general", rule=rule, title="3月上半月活动汇总"
        )
        decision = request.decisions.get(status=DecisionStatus.PENDING)
        assert decision.approver == wang  # the department's head reviews it
        approvals.approve(office.user("wang"), decision, "可以，打印交市场部。")
    request.refresh_from_db()
    assert request.status == "approved"
    occ = office.occurrences("marketing-campaign-digest", "liu")[0]
    with override_settings(MEDIA_ROOT=str(tmp_path)), freeze_time(at(3, 2, 15, 0)):
        occ = occurrences.submit(occ, by=liu, files=[photo("市场部签收页.png")])
        assert occ.status == "submitted"  # the superior confirms the signed page
        occ = occurrences.review(occ, by=wang, accept=True)
    assert occ.status == "done"
    sweep(at(3, 3, 17, 0))
    assert not Violation.objects.filter(person=liu, occurrence=occ).exists()


def test_the_third_quarrel_goes_to_the_director(office: Office) -> None:
    quarrel = ProhibitedAct.objects.get(code="mkt-quarrel-superior")
    recorded = []
    for day in (3, 4, 5):
        with freeze_time(at(3, day, 10, 0)):
            recorded.append(
                violations.record_violation(
                    office["li"],
                    "prohibited",
                    prohibited_act=quarrel,
                    occurred_at=at(3, day, 9, 30),
                    by=office["zhou"],
                ).penalty
            )
    assert [(p.sanction, p.amount) for p in recorded[:2]] == [
        ("fine", Decimal("100.00")),
        ("fine", Decimal("200.00")),
    ]
    third = recorded[2]
    assert (third.sanction, third.percent, third.status) == ("pay_cut", Decimal("20.00"), "pending")
    assert violations.alternative_of(third) == "dismissal"
    assert third.approval_request is not None
    pending = third.approval_request.decisions.filter(status=DecisionStatus.PENDING)
    assert [d.approver for d in pending] == [office["wang"]]


def test_leave_by_sms_is_invalid_and_the_absence_costs_fifty(office: Office) -> None:
    from netdept.worklog.services import attendance, leave

    personal = LeaveType.objects.get(code="marketing-personal-leave")
    li, zhou = office["li"], office["zhou"]
    with freeze_time(at(3, 3, 8, 0)):
        request = leave.submit_leave(
            by=li,
            leave_type=personal,
            starts_at=at(3, 4, 8, 30),
            ends_at=at(3, 4, 17, 30),
            reason="家里有事",
        )
        # the pack's rule: the department's manager decides, and records how it was asked
        assert leave.pending_decision(zhou, request) is None
        request = leave.decide(office["wang"], request, approvals.APPROVE, channel="sms")
    assert request.status == LeaveStatus.INVALID
    assert request.invalid_reason
    with freeze_time(at(3, 5, 9, 0)):
        record = attendance.record_day(None, li, dt.date(2026, 3, 4))
    assert record.status == "absent"
    assert ("mkt-absenteeism", Decimal("50.00")) in _fines("li", office)


def test_an_unfinished_task_costs_twenty_yuan(office: Office) -> None:
    from netdept.worklog import sweep_tasks
    from netdept.worklog.services import tasks

    with freeze_time(at(3, 2, 9, 0)):
        tasks.create_task(
            by=office["wang"],
            title="整理本月关键词报表",
            owner=office["liu"],
            due_on=dt.date(2026, 3, 3),
        )
    with freeze_time(at(3, 5, 9, 0)):
        sweep_tasks.sweep(now=at(3, 5, 9, 0))
    assert ("mkt-task-unfinished", Decimal("20.00")) in _fines("liu", office)


def test_absences_escalate_to_dismissal(office: Office) -> None:
    """旷工: ¥50, then ¥100, then dismissal (a decision through approvals)."""
    from netdept.worklog.services import attendance

    with freeze_time(at(3, 6, 18, 0)):
        for day in (3, 4, 5):
            attendance.record_day(None, office["zhang"], dt.date(2026, 3, day))
    penalties = list(
        Penalty.objects.filter(
            violation__person=office["zhang"], rule__code="mkt-absenteeism"
        ).order_by("pk")
    )
    assert [(p.sanction, p.amount) for p in penalties] == [
        ("fine", Decimal("50.00")),
        ("fine", Decimal("100.00")),
        ("dismissal", None),
    ]
    assert penalties[2].status == "pending" and penalties[2].approval_request is not None
    # an on-time clock costs nothing
    with freeze_time(at(3, 6, 18, 0)):
        record = attendance.record_day(
            None, office["li"], dt.date(2026, 3, 6), at(3, 6, 8, 20), at(3, 6, 17, 40)
        )
    assert record.status == "normal"
    assert not Penalty.objects.filter(violation__person=office["li"], rule__code="mkt-absenteeism")
