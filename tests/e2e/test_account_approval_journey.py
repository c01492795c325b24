"""账号开通 on phones, in Chinese (issue 11): the nurse files an order in a category that needs
her department head's approval; it waits (待审批) with its SLA clock paused; the 内科 head
opens the notification's link on his phone, signs in, finds it in 待我审批 and approves it;
the nurse's order is then new, for the network team to take."""

from __future__ import annotations

import re
from typing import Any

import pytest

from netdept.approvals import links
from netdept.approvals.models import DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.notify.models import InboxMessage
from netdept.workorders.models import Category, Status, WorkOrder
from netdept.workorders.services import approval

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def fits(page: Any) -> None:
    # measured once the page has loaded: before its stylesheets apply, a forced layout can be
    # wider than the page will ever be (CI once measured 39 px in that moment)
    page.wait_for_load_state("load")
    extra = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert extra <= 1, f"{page.url}: {extra} px wider than the screen"


def test_an_account_order_approved_from_a_phone_by_the_department_head(
    phone_page: Any, second_phone_page: Any, server: str, sign_in: Any
) -> None:
    h = hospital.build()
    rule = hospital.rule("workorders.order", "account", name="账号开通审批")
    hospital.step(rule, "科室负责人审批", "department_head")
    category = Category.objects.create(
        name="账号开通", kind="service", default_team=h.ops, approval_rule=rule
    )

    # --- the nurse files the order from her phone ---
    nurse = phone_page
    sign_in(nurse, h.user("huangli"))
    nurse.goto(f"{server}/workorders/portal/new/")
    service = nurse.get_attribute("input[name=kind][value=service]", "id")
    nurse.click(f"label[for={service}]")  # 服务请求
    nurse.select_option("select[name=category]", str(category.pk))
    expect(nurse.locator("#wo-approval-note")).to_be_visible()  # 需要审批 is said before filing
    nurse.fill("input[name=title]", "开通 HIS 账号")
    nurse.fill("textarea[name=description]", "新入职护士王小红需要 HIS 和护理系统账号。")
    nurse.fill("input[name=location]", "内科护士站")
    nurse.fill("input[name=contact]", "13800138000")
    fits(nurse)
    nurse.shot("portal-account-order")
    nurse.click("#wo-submit")
    expect(nurse.locator("#wo-portal-detail")).to_have_attribute("data-status", "pending_approval")
    order = WorkOrder.objects.get()
    assert order.status == Status.PENDING_APPROVAL and order.paused_at is not None
    expect(nurse.locator("#wo-portal-detail")).to_contain_text("陈志强")  # who holds it now
    fits(nurse)
    nurse.shot("portal-waiting")

    # --- the head's phone: the notification's link, sign-in, 待我审批 ---
    request = approval.request_of(order)
    assert request is not None
    decision = request.decisions.get(status=DecisionStatus.PENDING)
    assert decision.approver == h["chenzq"]
    note = InboxMessage.objects.filter(user=h.user("chenzq")).latest("pk")
    assert links.decision_url(decision) in note.notification.link
    head = second_phone_page
    head.goto(server + links.decision_url(decision))  # the notification's link
    expect(head).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(head, h.user("chenzq"))
    head.goto(server + links.inbox_url())
    card = head.locator(f'article[data-decision="{decision.pk}"]')
    expect(card).to_contain_text("开通 HIS 账号")
    expect(card).to_contain_text("黄丽")
    fits(head)
    head.shot("head-inbox")
    card.locator("a.stretched-link").click()
    expect(head.locator("#ap-decision")).to_have_attribute("data-status", "pending")
    fits(head)
    head.fill("#ap-form-approve textarea[name=comment]", "同意开通")
    head.click("#ap-submit-approve")
    expect(head.locator("#ap-decision")).to_have_attribute("data-status", "approved")
    head.shot("head-approved")

    order.refresh_from_db()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert order.status == Status.NEW and order.paused_at is None
    decision.refresh_from_db()
    assert decision.decided_by == h.user("chenzq") and decision.comment == "同意开通"
