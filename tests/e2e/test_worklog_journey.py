"""The working rhythm on a phone (390×844), in Chinese.

An engineer (张伟) resolved a work order today: his daily log (我的日志) drafts itself from
it, and he submits the log. His weekly report (我的周报) is drafted from the week's logs —
the work order is in it — he writes next week's plan and submits it on his phone. His team
lead (刘强) opens it from 团队报告 · 待我审阅 and returns it with a comment; 张伟 sees the
comment, adds what was asked and submits again; 刘强 accepts it.

No page is wider than the screen; screenshots in test-artifacts/screenshots.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from netdept.approvals.tests import hospital
from netdept.worklog.models import DailyLog, Report
from netdept.workorders.models import WorkOrder
from netdept.workorders.tests.factories import WorkOrderFactory, WorkRecordFactory
from tests.e2e.test_duty_journey import big_enough, fits

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_daily_log_weekly_report_returned_and_resubmitted_on_a_phone(
    phone_page: Any, second_phone_page: Any, server: str, sign_in: Any
) -> None:
    h = hospital.build()
    zhangwei = h["zhangwei"]
    now = timezone.now()
    earlier = now - dt.timedelta(minutes=30)
    if timezone.localtime(earlier).date() != timezone.localtime(now).date():
        earlier = now - dt.timedelta(seconds=30)  # just after midnight: still today
    order: WorkOrder = WorkOrderFactory.create(
        title="门诊楼 3 层无线 AP 掉线", assignee=zhangwei, status="resolved",
        responded_at=earlier, resolved_at=now - dt.timedelta(seconds=5),
    )  # fmt: skip
    WorkRecordFactory.create(
        order=order, person=zhangwei, description="更换 AP 供电模块", minutes=45,
        performed_at=earlier,
    )  # fmt: skip
    page = phone_page

    # 我的日志: drafted from the resolved work order; submitted
    sign_in(page, h.user("zhangwei"))
    page.goto(server + reverse("worklog:log_today"))
    expect(page.locator("#wl-entries")).to_contain_text("门诊楼 3 层无线 AP 掉线")
    fits(page)
    page.shot("daily-log-drafted")
    page.click("#wl-submit")
    expect(page.locator("#wl-log")).to_have_attribute("data-status", "submitted")
    page.shot("daily-log-submitted")
    assert DailyLog.objects.get(person=zhangwei).submitted_at is not None

    # 我的周报: drafted from the week's logs; next week's plan written; submitted on the phone
    page.goto(server + reverse("worklog:report_mine_weekly"))
    expect(page.locator("#wr-write")).to_have_attribute("data-status", "draft")
    expect(page.locator("#id_done")).to_contain_text("门诊楼 3 层无线 AP 掉线")
    fits(page)
    big_enough(page, "#wr-submit")
    page.shot("weekly-report-drafted")
    page.fill("#id_next_plan", "完成门诊楼无线网络巡检")
    page.click("#wr-submit")
    expect(page.locator("#wr-write")).to_have_attribute("data-status", "submitted")
    fits(page)
    page.shot("weekly-report-submitted")
    report = Report.objects.get(person=zhangwei, kind="weekly", is_team_report=False)
    assert report.status == "submitted" and report.reviewer == h["liuqiang"]

    # the team lead returns it from 团队报告 · 待我审阅, with a comment
    lead = second_phone_page
    sign_in(lead, h.user("liuqiang"))
    lead.goto(server + reverse("worklog:report_team"))
    expect(lead.locator("#wr-to-review")).to_contain_text("张伟")
    fits(lead)
    lead.shot("team-reports")
    lead.locator("#wr-to-review a").first.click()
    expect(lead.locator("h1")).to_contain_text("张伟")
    lead.click("#nd-btn-return_for_changes")
    lead.fill("#nd-form-return_for_changes textarea[name=comment]", "请补充本周处理的工单数量")
    lead.shot("return-comment")
    with lead.expect_navigation():  # the answer to the POST: the decision is saved by then
        lead.click("#nd-submit-return_for_changes")
    expect(lead.locator("#nd-btn-return_for_changes")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == "returned"

    # 张伟 sees the comment, adds what was asked and submits again
    page.goto(server + reverse("worklog:report_mine_weekly"))
    expect(page.locator("#wr-returned")).to_contain_text("请补充本周处理的工单数量")
    expect(page.locator("#wr-returned")).to_contain_text("刘强")
    fits(page)
    page.shot("weekly-report-returned")
    done = page.locator("#id_done").input_value()
    page.fill("#id_done", done + "\n本周共处理工单 1 张")
    page.click("#wr-submit")
    expect(page.locator("#wr-write")).to_have_attribute("data-status", "submitted")
    page.shot("weekly-report-resubmitted")
    report.refresh_from_db()
    assert report.status == "submitted" and "本周共处理工单 1 张" in report.done

    # accepted
    lead.goto(server + reverse("worklog:reports_detail", args=[report.pk]))
    lead.click("#nd-btn-accept")
    with lead.expect_navigation():
        lead.click("#nd-submit-accept")
    expect(lead.locator("#nd-btn-accept")).to_have_count(0)
    fits(lead)
    lead.shot("weekly-report-accepted")
    report.refresh_from_db()
    assert report.status == "accepted"
