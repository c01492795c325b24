"""The report pages: my weekly report (drafted on open), writing and submitting it on a
phone, the reviewer's buttons, print / Word, the team's page with its roll-up, the drafting
run's progress and the Excel export — in Chinese; bad input a 422 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from netdept.testing.clients import denials, ui_client, xlsx_rows
from netdept.testing.factories import user_with_role
from netdept.worklog.models import DraftRun, LogStatus, Report
from netdept.worklog.services import reports as services
from netdept.worklog.tests.factories_reports import MONDAY, TeamWorld, make_log, make_report

pytestmark = pytest.mark.django_db
S = LogStatus


@pytest.fixture
def world() -> TeamWorld:
    return TeamWorld()


@pytest.fixture(autouse=True)
def _open_week(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is Friday of the test week (its reports are open)."""
    monkeypatch.setattr(services, "today", lambda: MONDAY + dt.timedelta(days=4))


def _zh(c: Any) -> Any:
    c.cookies["django_language"] = "zh-hans"
    return c


def test_my_weekly_report_drafts_and_opens_the_writing_page(world: TeamWorld) -> None:
    make_log(world.person, MONDAY, ["巡检核心交换机"])
    c = _zh(ui_client(world.user))
    r = c.get(reverse("worklog:report_mine_weekly") + "?day=2026-11-18")
    assert r.status_code == 302
    report = Report.objects.get(person=world.person, kind="weekly")
    assert r["Location"] == reverse("worklog:report_write", args=[report.pk])
    with translation.override("zh-hans"):
        page = c.get(r["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "巡检核心交换机" in html and 'id="wr-submit"' in html
    assert "提交" in html and "周报" in html


def test_save_submit_and_bad_input(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检")
    c = ui_client(world.user)
    url = reverse("worklog:report_write", args=[report.pk])
    r = c.post(url, {"action": "save", "done": "巡检；修复 VPN", "expected_version": 1})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.done == "巡检；修复 VPN" and report.version == 2
    r = c.post(url, {"action": "save", "problems": "x" * 10001, "expected_version": 2})
    assert r.status_code == 422 and b'data-field="problems"' in r.content
    r = c.post(url, {"action": "save", "done": "旧页面", "expected_version": 1})
    assert r.status_code == 422  # a stale page: the conflict is shown, nothing saved
    report.refresh_from_db()
    assert report.done == "巡检；修复 VPN"
    r = c.post(url, {"action": "submit", "done": "巡检；修复 VPN", "next_plan": "升级",
                     "expected_version": 2})  # fmt: skip
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == S.SUBMITTED and report.next_plan == "升级"
    page = c.get(url)
    assert page.status_code == 200 and b'id="wr-form"' not in page.content  # read only now


def test_a_closed_week_is_refused_on_the_page(world: TeamWorld) -> None:
    report = make_report(world.person, day=MONDAY - dt.timedelta(days=28), done="巡检")
    c = ui_client(world.user)
    r = c.post(
        reverse("worklog:report_write", args=[report.pk]),
        {"action": "submit", "done": "巡检", "expected_version": 1},
    )
    assert r.status_code == 422 and "不再受理" in r.content.decode()
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_redraft_button(world: TeamWorld) -> None:
    report = services.open_report(world.person, "weekly", MONDAY)
    make_log(world.person, MONDAY, ["后来补的日志"])
    c = ui_client(world.user)
    data = {"action": "redraft", "done": report.done, "expected_version": report.version}
    r = c.post(reverse("worklog:report_write", args=[report.pk]), data)
    assert r.status_code == 302
    report.refresh_from_db()
    assert "后来补的日志" in report.done


def test_the_reviewer_returns_it_from_the_detail_page(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检", status=S.SUBMITTED, reviewer=world.lead)
    c = ui_client(world.lead_user)
    detail = c.get(reverse("worklog:reports_detail", args=[report.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "return_for_changes" in html and "巡检" in html
    # the writing page sends someone else to the detail page
    w = c.get(reverse("worklog:report_write", args=[report.pk]))
    assert w.status_code == 302
    url = reverse("worklog:reports_transition", args=[report.pk, "return_for_changes"])
    r = c.post(url, {"comment": "补充数据", "expected_version": report.version})
    assert r.status_code in (200, 302)
    report.refresh_from_db()
    assert report.status == S.RETURNED and report.review_comment == "补充数据"


def test_who_may_open_a_report(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检")
    outsider = user_with_role("requester")
    r = ui_client(outsider).get(reverse("worklog:report_write", args=[report.pk]))
    assert r.status_code == 403 and denials(outsider).exists()
    assert (
        ui_client(world.other_user)
        .get(reverse("worklog:report_print", args=[report.pk]))
        .status_code
        == 200
    )  # a colleague of the team reads it (team scope)
    elsewhere = user_with_role("engineer")
    assert (
        ui_client(elsewhere).get(reverse("worklog:report_print", args=[report.pk])).status_code
        == 404
    )


def test_print_and_word(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检核心交换机", next_plan="升级")
    c = ui_client(world.user)
    r = c.get(reverse("worklog:report_print", args=[report.pk]))
    assert r.status_code == 200 and "巡检核心交换机" in r.content.decode()
    # the browser's page links its A4 style and keeps the strict policy (no inline style)
    assert "worklog/print.css" in r.content.decode() and "@page" not in r.content.decode()
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    # the Word document carries the same style inline: Word reads no linked stylesheet
    w = c.get(reverse("worklog:report_word", args=[report.pk]))
    assert w.status_code == 200 and w["Content-Type"].startswith("application/msword")
    assert ".doc" in w["Content-Disposition"] and "升级" in w.content.decode()
    assert "<style>" in w.content.decode() and "@page" in w.content.decode()


def test_team_page_rollup_export_and_run(
    world: TeamWorld, django_capture_on_commit_callbacks: Any
) -> None:
    make_report(world.person, done="巡检", status=S.SUBMITTED, reviewer=world.lead,
                submitted_at=services.ReportPeriod("weekly", MONDAY, MONDAY).start)  # fmt: skip
    c = ui_client(world.lead_user)
    q = "?kind=weekly&day=2026-11-18"
    page = c.get(reverse("worklog:report_team") + q)
    html = page.content.decode()
    assert page.status_code == 200
    assert world.person.name in html and world.other.name in html and 'id="wr-to-review"' in html
    r = c.post(reverse("worklog:report_team_rollup"),
               {"kind": "weekly", "day": "2026-11-18", "team": world.team.pk})  # fmt: skip
    assert r.status_code == 302
    team_report = Report.objects.get(is_team_report=True, team=world.team)
    assert "巡检" in team_report.done
    x = c.get(reverse("worklog:report_team_export") + q)
    rows = xlsx_rows(x.content)
    assert x.status_code == 200 and len(rows) == 4  # heading + the three members
    assert any(row[0] == world.person.name and "巡检" in str(row[4]) for row in rows)
    with django_capture_on_commit_callbacks(execute=True):
        s = c.post(reverse("worklog:report_run_start"), {"kind": "weekly", "day": "2026-11-18"})
    assert s.status_code == 302
    run = DraftRun.objects.get()
    assert run.department == world.department
    p = c.get(reverse("worklog:report_run", args=[run.pk]))
    assert p.status_code == 200 and b"wr-run" in p.content
    # an engineer neither starts a run nor writes the team's report
    e = ui_client(world.user)
    assert e.post(reverse("worklog:report_run_start"), {"kind": "weekly"}).status_code == 403
    rollup = {"kind": "weekly", "day": "2026-11-18", "team": world.team.pk}
    assert e.post(reverse("worklog:report_team_rollup"), rollup).status_code == 403
    assert Report.objects.filter(is_team_report=True).count() == 1


def test_phone_width_markup(world: TeamWorld) -> None:
    """The writing page is one column for a phone: the sticky action bar, no table."""
    report = make_report(world.person, done="巡检")
    html = ui_client(world.user).get(reverse("worklog:report_write", args=[report.pk])).content
    assert b"wr-page" in html and b"wr-actions" in html and b"<table" not in html


def test_an_engineer_follows_the_team_page(world: TeamWorld) -> None:
    make_report(world.other, done="巡检", status=S.SUBMITTED)
    page = ui_client(world.user).get(reverse("worklog:report_team") + "?kind=weekly&day=2026-11-18")
    html = page.content.decode()
    assert page.status_code == 200 and world.other.name in html
    assert 'id="wr-rollup"' not in html and 'id="wr-start-run"' not in html
