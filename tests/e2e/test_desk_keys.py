"""The desk by the keyboard, in Chinese: the `?` help, j/k, `a` accepts the current order (the
table reloads with the message and the tabs' new counts), `s` assigns it through the dialog;
and the help at phone width (390 px), where the desk must not scroll sideways.

Screenshots: ``<artifacts>/screenshots/test_desk_*-<step>.png``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_role,
)
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def desk_world() -> tuple[Any, Any, list[WorkOrder]]:
    """An engineer of 运维组, a colleague 张伟, two new orders of the team nobody holds yet."""
    team = TeamFactory(name="运维组", department=DepartmentFactory(name="网络部", kind="network"))
    engineer = user_with_role("engineer", team=team)
    engineer.person.name = "王工"
    engineer.person.save()
    colleague = user_with_role(
        "engineer", person=PersonFactory(name="张伟", department=team.department, team=team)
    )
    category = CategoryFactory(name="网络不通", default_team=team)
    nurse = PersonFactory(name="李护士", department=DepartmentFactory(name="心内科"))
    now = timezone.now()
    orders = [
        WorkOrderFactory(
            category=category,
            requester=nurse,
            title=title,
            response_due=now + datetime.timedelta(minutes=minutes),
            resolution_due=now + datetime.timedelta(hours=8),
        )
        for title, minutes in (("打印机无法连接", 30), ("门诊楼无线信号弱", 90))
    ]
    return engineer, colleague, orders


def fits_the_phone(page: Any) -> bool:
    """No sideways scrolling at phone width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_desk_keys_help_accept_and_assign(page: Any, server: str, sign_in: Any) -> None:
    engineer, colleague, _orders = desk_world()
    sign_in(page, engineer)
    page.goto(f"{server}/workorders/?queue=team")
    expect(page.locator("#wo-queue-team .wo-queue-count")).to_have_text("2")
    expect(page.locator("#wo-queue-unassigned .wo-queue-count")).to_have_text("2")
    rows = page.locator("#wo-desk-table tbody tr.wo-row")
    expect(rows).to_have_count(2)
    first = rows.nth(0).get_attribute("data-number")
    second = rows.nth(1).get_attribute("data-number")
    # not accepted yet: the response deadline
    expect(rows.nth(0).locator(".wo-due")).to_have_attribute("data-target", "response")
    expect(rows.nth(0).locator(".wo-due-target")).to_have_text("响应")

    # ? — the keys
    page.keyboard.press("?")
    help_dialog = page.locator("#wo-keys-modal")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("受理当前工单")
    expect(help_dialog.locator("kbd", has_text=re.compile(r"^s$"))).to_have_count(1)
    page.shot("help")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # j / k move the current row
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\btable-active\b"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\btable-active\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\btable-active\b"))

    # a — accept the current order: the table reloads, says so, counts again, keeps the row
    page.keyboard.press("a")
    expect(page.locator("#wo-desk-messages")).to_contain_text(f"{first} 已受理")
    row = page.locator(f"#wo-desk-table tr[data-number='{first}']")
    expect(row.locator(".wo-status-accepted")).to_be_visible()
    expect(row).to_have_class(re.compile(r"\btable-active\b"))
    expect(page.locator("#wo-queue-unassigned .wo-queue-count")).to_have_text("1")
    expect(page.locator("#wo-queue-mine .wo-queue-count")).to_have_text("1")
    accepted = WorkOrder.objects.get(number=first)
    assert accepted.status == Status.ACCEPTED and accepted.assignee == engineer.person
    page.shot("accepted")

    # s — assign the next one to 张伟 through the dialog
    page.keyboard.press("j")
    page.keyboard.press("s")
    dialog = page.locator("#wo-assign-modal")
    expect(dialog).to_be_visible()
    expect(page.locator("#wo-assign-what")).to_have_text(f"工单 {second}")
    expect(page.locator("#wo-assign-assignee")).to_be_focused()
    page.select_option("#wo-assign-assignee", label="张伟")
    page.shot("assign")
    page.click("#wo-assign-submit")
    expect(page.locator("#messages")).to_contain_text("已分派 1 个工单")
    assert WorkOrder.objects.get(number=second).assignee == colleague.person
    assert page.url.endswith("/workorders/?queue=team")
    # / — the desk's own search (before the top bar's), once the new page's scripts run
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("/")
    expect(page.locator("#wo-filters [name=q]")).to_be_focused()


def test_desk_help_at_phone_width(phone_page: Any, server: str, sign_in: Any) -> None:
    engineer, _colleague, _orders = desk_world()
    page = phone_page
    sign_in(page, engineer)
    page.goto(f"{server}/workorders/?queue=team")
    expect(page.locator("#wo-desk-table tbody tr.wo-row")).to_have_count(2)
    assert fits_the_phone(page)
    # each order is a card (a grid, no table header), its title on a line of its own
    row = page.locator("#wo-desk-table tbody tr.wo-row").first
    assert row.evaluate("r => getComputedStyle(r).display") == "grid"
    assert page.locator("#wo-desk-table thead").is_hidden()
    title = row.locator(".wo-c-title").bounding_box()
    assert title is not None and title["width"] > 250
    page.click("#wo-keys-btn")
    dialog = page.locator("#wo-keys-modal .modal-dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(page.locator("#wo-keys-modal")).to_contain_text("分派勾选的工单")
    page.shot("help-phone", full_page=False)
    page.click("#wo-keys-modal .btn-close")
    expect(page.locator("#wo-keys-modal")).to_be_hidden()
    assert fits_the_phone(page)
    page.shot("desk-phone")
