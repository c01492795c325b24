"""Reports (周报 / 月报): drafted from the period's logs and records, written, submitted
before the period closes, reviewed by the lead (accept, return with a comment), and the
team lead's roll-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.notify.models import Notification
from netdept.worklog import drafting
from netdept.worklog.contributions import Line
from netdept.worklog.models import LogStatus, Report, ReportKind
from netdept.worklog.services import reports as services
from netdept.worklog.tests.factories_reports import (
    MONDAY,
    TeamWorld,
    aware,
    contribution,
    make_log,
    make_policy,
    make_report,
)

pytestmark = pytest.mark.django_db
S = LogStatus


@pytest.fixture
def world() -> TeamWorld:
    return TeamWorld()


def test_periods() -> None:
    week = services.period_of(ReportKind.WEEKLY, dt.date(2026, 11, 19))
    assert (week.first, week.last) == (MONDAY, dt.date(2026, 11, 22))
    assert week.previous().first == dt.date(2026, 11, 9)
    month = services.period_of(ReportKind.MONTHLY, dt.date(2026, 12, 31))
    assert (month.first, month.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert month.next().first == dt.date(2027, 1, 1)
    assert services.period_of(ReportKind.MONTHLY, dt.date(2028, 2, 10)).last == dt.date(2028, 2, 29)
    with pytest.raises(ValidationError):
        services.period_of("daily", MONDAY)


def test_open_drafts_from_logs_and_contributions_once(world: TeamWorld) -> None:
    make_log(world.person, MONDAY, ["巡检核心交换机", "更换 3 楼 AP"], problems="机房空调告警")
    make_log(world.person, MONDAY + dt.timedelta(days=1), [], summary="配合财务处迁移服务器")
    lines = [
        Line(world.person.pk, aware(MONDAY + dt.timedelta(days=2)), "工单 WO-7 已解决", 90,
             record=world.other, state="done"),
        Line(world.person.pk, aware(MONDAY + dt.timedelta(days=3)), "防火墙策略梳理",
             state="in_progress"),
        Line(world.person.pk, aware(MONDAY + dt.timedelta(days=3)), "光模块缺货", state="problem"),
        Line(world.other.pk, aware(MONDAY), "别人的工作"),
        Line(world.person.pk, aware(MONDAY + dt.timedelta(days=8)), "下周的工作"),
    ]  # fmt: skip
    prev = make_report(world.person, day=MONDAY - dt.timedelta(days=7), next_plan="完成 VPN 升级")
    with contribution("test.work", lines):
        report = services.open_report(
            world.person, ReportKind.WEEKLY, MONDAY + dt.timedelta(days=4)
        )
        again = services.open_report(world.person, ReportKind.WEEKLY, MONDAY)
    assert again.pk == report.pk
    assert (report.period_start, report.period_end) == (MONDAY, dt.date(2026, 11, 22))
    assert report.status == S.DRAFT and report.reviewer == world.lead
    assert "11-16 巡检核心交换机" in report.done and "更换 3 楼 AP" in report.done
    assert "11-17 配合财务处迁移服务器" in report.done
    assert "工单 WO-7 已解决" in report.done
    assert "别人的工作" not in report.done and "下周的工作" not in report.done
    assert report.in_progress == "防火墙策略梳理"
    assert "机房空调告警" in report.problems and "光模块缺货" in report.problems
    assert report.carried_plan == prev.next_plan
    assert report.figures["logs"] == 2 and report.figures["logs_submitted"] == 2
    assert report.figures["working_days"] == 5
    assert report.figures["minutes"] == 150
    assert AuditRecord.objects.filter(action=AuditAction.CREATE, object_id=str(report.pk)).exists()


def test_a_record_already_in_a_log_is_not_written_twice(world: TeamWorld) -> None:
    from django.contrib.contenttypes.models import ContentType

    log = make_log(world.person, MONDAY, [])
    log.entries.create(
        text="工单 WO-9 已解决（日志）", source="test.wo",
        record_type=ContentType.objects.get_for_model(world.other), record_id=str(world.other.pk),
    )  # fmt: skip
    line = Line(world.person.pk, aware(MONDAY), "工单 WO-9 已解决", record=world.other)
    with contribution("test.wo", [line]):
        report = services.open_report(world.person, ReportKind.WEEKLY, MONDAY)
    assert report.done.count("WO-9") == 1


def test_week_with_a_holiday_and_a_makeup_saturday(world: TeamWorld) -> None:
    """National Day 2025: Mon 6 – Wed 8 October off, Saturday 11 October a working day (调休):
    Thursday, Friday and the Saturday are the week's working days; logs of each are drafted."""
    monday = dt.date(2025, 10, 6)
    for day in (dt.date(2025, 10, 9), dt.date(2025, 10, 10), dt.date(2025, 10, 11)):
        make_log(world.person, day, [f"{day:%m-%d} 值守"])
    report = services.open_report(world.person, ReportKind.WEEKLY, monday)
    assert report.figures["working_days"] == 3
    assert "10-11 10-11 值守" in report.done


def test_redraft_keeps_what_the_person_wrote(world: TeamWorld) -> None:
    make_log(world.person, MONDAY, ["巡检"])
    report = services.open_report(world.person, ReportKind.WEEKLY, MONDAY)
    report = services.write(world.user, report, {"done": "我自己写的总结", "next_plan": "下周计划"})
    make_log(world.person, MONDAY + dt.timedelta(days=1), ["新增的工作"])
    make_log(world.person, MONDAY + dt.timedelta(days=2), [], problems="新问题")
    report = services.redraft(world.user, report)
    assert report.done.startswith("我自己写的总结")
    assert "新增的工作" in report.done  # new lines are added
    assert report.problems.endswith("新问题")  # left as drafted: replaced by the new draft
    assert report.next_plan == "下周计划"
    with pytest.raises(PermissionDenied):
        services.redraft(world.other_user, report)


def test_submit_review_return_resubmit(
    world: TeamWorld, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    make_log(world.person, MONDAY, ["巡检"])
    report = services.open_report(world.person, ReportKind.WEEKLY, MONDAY)
    now = aware(MONDAY + dt.timedelta(days=6), 16)
    with pytest.raises(PermissionDenied):
        services.submit(world.other_user, report, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.submit(world.user, report, {"next_plan": "升级核心"}, now=now)
    assert report.status == S.SUBMITTED and report.submitted_at == now
    assert report.reviewer == world.lead and report.next_plan == "升级核心"
    assert Notification.objects.filter(kind="worklog.report_submitted").exists()
    with pytest.raises(PermissionDenied):
        services.review(world.user, report, accept=True)  # never one's own
    with pytest.raises(PermissionDenied):
        services.review(world.other_user, report, accept=True)  # a colleague
    with pytest.raises(ValidationError) as exc:
        services.review(world.lead_user, report, accept=False, comment="  ")
    assert "comment" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        report = services.review(world.lead_user, report, accept=False, comment="补充工单数量")
    assert report.status == S.RETURNED and report.review_comment == "补充工单数量"
    assert Notification.objects.filter(kind="worklog.report_reviewed").exists()
    with pytest.raises(ValidationError):
        services.review(world.lead_user, report, accept=True)  # awaits no review
    report = services.submit(world.user, report, {"done": "巡检；解决工单 12 张"}, now=now)
    assert report.status == S.SUBMITTED and report.review_comment == ""
    report = services.review(world.lead_user, report, accept=True)
    assert report.status == S.ACCEPTED
    with translation.override("en"), pytest.raises(ValidationError) as exc2:
        services.submit(world.user, report, now=now)
    assert "This report is accepted: there is nothing to submit." in exc2.value.messages
    with pytest.raises(ValidationError):
        services.write(world.user, report, {"done": "改"})


def test_a_closed_period_is_refused_naming_the_day(world: TeamWorld) -> None:
    make_policy(department=world.department, close_after_days=2)
    report = make_report(world.person, done="巡检")
    # the week ends Sunday 22 November; two working days after: Tuesday 24 November
    assert services.closes_on(report) == dt.date(2026, 11, 24)
    services.check_open(report, dt.date(2026, 11, 24))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit(world.user, report, now=aware(dt.date(2026, 11, 25)))
    assert "2026-11-24" in str(exc.value)
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.submitted_at is None  # nothing half-saved


def test_policy_without_review_accepts_at_once_and_zero_never_closes(world: TeamWorld) -> None:
    make_policy(department=world.department, close_after_days=0, review_reports=False)
    report = make_report(world.person, done="巡检")
    assert services.closes_on(report) is None
    report = services.submit(world.user, report, now=aware(dt.date(2027, 6, 1)))
    assert report.status == S.ACCEPTED and report.reviewer is None


def test_an_empty_report_is_refused(world: TeamWorld) -> None:
    report = make_report(world.person)
    with pytest.raises(ValidationError) as exc:
        services.submit(world.user, report, now=aware(MONDAY + dt.timedelta(days=5)))
    assert "done" in exc.value.message_dict


def test_bad_text_is_refused_naming_the_field(world: TeamWorld) -> None:
    report = make_report(world.person)
    with pytest.raises(ValidationError) as exc:
        services.write(world.user, report, {"problems": "x" * 10001})
    assert "problems" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.write(world.user, report, {"done": "a\x00b"})
    assert "done" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.write(world.user, report, {"next_plan": 5})
    assert "next_plan" in exc.value.message_dict


def test_a_stale_version_is_a_conflict(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检")
    services.write(world.user, report, {"done": "巡检 1"})
    with pytest.raises(services.Conflict):
        services.write(world.user, report, {"done": "巡检 2"}, expected_version=1)


def test_the_leads_own_report_goes_one_level_up(world: TeamWorld) -> None:
    from netdept.testing.factories import PersonFactory

    boss = PersonFactory.create(department=world.department)
    world.lead.manager = boss
    world.lead.save()
    assert services.reviewer_for(world.lead) == boss
    assert services.reviewer_for(world.person) == world.lead


def test_team_report_rolls_up_members(world: TeamWorld) -> None:
    make_report(world.person, done="巡检", next_plan="升级", status=S.SUBMITTED)
    make_report(world.other, done="写文档", problems="缺人")
    make_report(world.lead, done="组织周会")
    with pytest.raises(PermissionDenied):
        services.open_team_report(world.user, world.team, ReportKind.WEEKLY, MONDAY)
    team_report = services.open_team_report(world.lead_user, world.team, ReportKind.WEEKLY, MONDAY)
    assert team_report.is_team_report and team_report.person == world.lead
    assert services.open_team_report(world.lead_user, world.team, "weekly", MONDAY) == team_report
    assert team_report.done.index("组织周会") < team_report.done.index("巡检")
    assert f"【{world.person.name}】" in team_report.done and "写文档" in team_report.done
    assert "缺人" in team_report.problems and "升级" in team_report.next_plan
    assert len(team_report.figures["members"]) == 3
    # the lead's own report and the team's are two reports
    assert Report.objects.filter(person=world.lead, period_start=MONDAY).count() == 2


def test_merge() -> None:
    assert drafting.merge("", "", "a\nb") == "a\nb"
    assert drafting.merge("a", "a", "a\nb") == "a\nb"
    assert drafting.merge("mine\na", "a", "a\nb") == "mine\na\nb"
    assert drafting.merge("mine", "a", "a") == "mine\na"


def test_awaiting_review(world: TeamWorld) -> None:
    r = make_report(world.person, status=S.SUBMITTED, reviewer=world.lead, done="x")
    make_report(world.other, status=S.DRAFT, reviewer=world.lead)
    assert list(services.awaiting_review(world.lead)) == [r]
    assert not services.awaiting_review(None).exists()
