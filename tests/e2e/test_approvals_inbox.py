"""待我审批 on a phone (390×844), in Chinese: a notification's link asks to sign in first; the
department head finds two requests in the inbox, opens one and approves it with a thumb,
then rejects the other — the reason is asked for first. No page is wider than the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from netdept.approvals import links, services
from netdept.approvals.models import DecisionStatus
from netdept.approvals.tests import hospital

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def fits(page: Any) -> None:
    extra = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert extra <= 1, f"{page.url}: {extra} px wider than the screen"


def test_a_department_head_approves_from_a_phone(phone_page: Any, server: str, sign_in: Any):
    h = hospital.build()
    rule = hospital.rule(code="e2e")
    hospital.step(rule, "科室负责人审批", "department_head")
    printer = services.submit(
        h.user("huangli"), kind="approvals.general", rule=rule, title="内科打印机采购",
        data={"amount": 3200},
    )  # fmt: skip
    cable = services.submit(
        h.user("huangli"), kind="approvals.general", rule=rule, title="内科网线更换"
    )
    first = printer.decisions.get(status=DecisionStatus.PENDING)
    second = cable.decisions.get(status=DecisionStatus.PENDING)
    page = phone_page

    page.goto(server + links.decision_url(first))  # the link of a notification
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(page, h.user("chenzq"))

    page.goto(server + links.inbox_url())
    expect(page.locator("#ap-inbox article")).to_have_count(2)
    fits(page)
    page.shot("inbox")
    page.locator(f'article[data-decision="{first.pk}"] a.stretched-link').click()
    expect(page.locator("#ap-decision")).to_have_attribute("data-status", "pending")
    expect(page.locator("#ap-requester")).to_contain_text("黄丽")
    fits(page)
    page.fill("#ap-form-approve textarea[name=comment]", "同意采购")
    page.click("#ap-submit-approve")
    expect(page.locator("#ap-decision")).to_have_attribute("data-status", "approved")
    page.shot("approved")

    page.goto(server + links.decision_url(second))
    page.click("#ap-open-reject")
    page.click("#ap-submit-reject")
    expect(page.locator('#ap-form-reject [data-field="comment"]')).to_be_visible()
    second.refresh_from_db()
    assert second.status == DecisionStatus.PENDING
    page.fill("#ap-form-reject textarea[name=comment]", "预算不足")
    page.click("#ap-submit-reject")
    expect(page.locator("#ap-decision")).to_have_attribute("data-status", "rejected")
    fits(page)

    page.goto(server + links.inbox_url())
    expect(page.locator("#ap-empty")).to_be_visible()
