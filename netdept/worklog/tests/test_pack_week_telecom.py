"""One week of the telecom pack's life on an empty site (Monday 2 to Friday 6 March 2026): the
weekly department meeting is scheduled from its type, held, its action item becomes a task,
and its minutes do the head's meeting duty; the head's monthly report is due on the month's
last working day; the prohibited acts escalate — oral warning, written warning, then a fine
the director decides — and a serious breach against the law goes to the superior unit."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from netdept.approvals.models import DecisionStatus
from netdept.duties.models import Pack, ProhibitedAct
from netdept.duties.packs.coverage import coverage
from netdept.duties.services import engine, violations
from netdept.worklog.models import MeetingType, Task, WorklogPolicy
from netdept.worklog.tests.factories_packs import Office, Spec, at, build, sweep

pytestmark = pytest.mark.django_db

PEOPLE: list[Spec] = [
    ("ma", "马部长", "部长（部门经理）", "", "director", "", False),
    ("niu", "牛副部长", "副部长", "网络建设和维护小组", "team_lead", "ma", True),
    ("yang", "杨工", "网络工程师", "网络建设和维护小组", "engineer", "niu", False),
    ("zhu", "朱运维", "运维人员", "网络建设和维护小组", "engineer", "niu", False),
]
MONDAY = at(3, 2, 8, 0)


@pytest.fixture
def office() -> Office:
    return build("telecom", MONDAY, PEOPLE, head="ma")


def test_the_meeting_duty_fires_on_mondays_and_the_report_at_month_end(office: Office) -> None:
    with freeze_time(MONDAY):
        engine.materialise(now=MONDAY, until=dt.date(2026, 4, 3))
    meeting_days = [
        o.due_at.astimezone(MONDAY.tzinfo).date()
        for o in office.occurrences("telecom-weekly-meeting", "ma")
    ]
    assert meeting_days[:5] == [dt.date(2026, 3, d) for d in (2, 9, 16, 23, 30)]
    report = office.occurrences("telecom-monthly-report", "ma")
    assert report[0].due_at == at(3, 31, 17, 30)  # a Tuesday: the month's last working day
    assert not office.occurrences("telecom-weekly-meeting", "yang")
    assert WorklogPolicy.objects.get(department=office.department).pack == "telecom"
    cov = coverage(Pack.objects.get(name="telecom"))
    assert cov.complete
    row = next(r for r in cov.rows if r.article.label == "第八条")
    assert row.status == "encoded" and not row.article.not_automatable_reason


def test_the_weekly_meeting_makes_a_task_and_does_the_duty(office: Office) -> None:
    from netdept.worklog.services import meetings

    mtype = MeetingType.objects.get(code="telecom-weekly")
    assert (mtype.kind, mtype.start_time, mtype.rrule) == (
        "weekly",
        dt.time(9, 30),
        "FREQ=WEEKLY;BYDAY=MO",
    )
    with freeze_time(at(3, 2, 8, 30)):
        meeting = meetings.schedule(mtype, at(3, 2, 9, 30))
    assert meeting is not None and meeting.chair == office["ma"]
    assert {a.person for a in meeting.attendees.all()} >= {office["yang"], office["zhu"]}
    chair = office.user("ma")
    with freeze_time(at(3, 2, 10, 40)):
        meeting = meetings.hold(chair, meeting)
        marks = {a.person_id: ("present", "") for a in meeting.attendees.all()}
        marks[office["zhu"].pk] = ("late", "晚到10分钟")
        meeting = meetings.mark_attendance(chair, meeting, marks)
        meetings.add_action_item(
            chair,
            meeting,
            title="核心交换机配置备份检查",
            owner=office["yang"],
            due_on=dt.date(2026, 3, 6),
        )
        meetings.submit_minutes(
            chair,
            meeting,
            minutes="各人汇报上周进展；部长总结任务完成情况。",
            decisions="本周完成备份检查。",
        )
    task = Task.objects.get(meeting=meeting)
    assert (task.owner, task.due_on) == (office["yang"], dt.date(2026, 3, 6))
    sweep(at(3, 2, 17, 31))
    occ = office.occurrences("telecom-weekly-meeting", "ma")[0]
    assert (occ.status, occ.by_check) == ("done", True)


def test_prohibited_acts_escalate_and_a_serious_breach_goes_up(office: Office) -> None:
    yang = office["yang"]
    acts = ["telecom-unapproved-config-change", "telecom-info-leak", "telecom-task-delayed"]
    penalties = []
    for day, code in zip((2, 3, 4), acts, strict=True):
        with freeze_time(at(3, day, 11, 0)):
            penalties.append(
                violations.record_violation(
                    yang,
                    "prohibited",
                    prohibited_act=ProhibitedAct.objects.get(code=code),
                    occurred_at=at(3, day, 10, 0),
                    by=office["niu"],
                ).penalty
            )
    assert [p.sanction for p in penalties] == ["oral_warning", "written_warning", "discretionary"]
    third = penalties[2]
    assert third.status == "pending" and third.approval_request is not None
    pending = third.approval_request.decisions.filter(status=DecisionStatus.PENDING)
    assert [d.approver for d in pending] == [office["ma"]]
    with freeze_time(at(3, 5, 11, 0)):
        serious = violations.record_violation(
            office["zhu"],
            "prohibited",
            prohibited_act=ProhibitedAct.objects.get(code="telecom-illegal-serious"),
            occurred_at=at(3, 5, 9, 0),
            by=office["ma"],
        ).penalty
    assert (serious.sanction, serious.status) == ("report", "pending")
