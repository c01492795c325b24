"""The top bar's search type-ahead on a phone (390 px), in Chinese, by keyboard alone: type
words of a title, walk the hits with ↓, open one with Enter; a number pasted in full and Enter
go straight to the order."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_type_ahead_by_keyboard_at_phone_width(phone_page: Any, server: str, sign_in: Any) -> None:
    team = TeamFactory(department=DepartmentFactory(name="网络部"), name="运维组")
    engineer = user_with_role("engineer", team=team)
    category = CategoryFactory(default_team=team)
    WorkOrderFactory(number="WO-20261201-0003", title="三楼打印机卡纸", category=category)
    WorkOrderFactory(number="WO-20261201-0004", title="五楼打印机缺墨", category=category)
    page = phone_page
    sign_in(page, engineer)

    box = page.locator("#nd-search-input")
    expect(box).to_be_visible()
    page.keyboard.press("/")  # the shortcut puts the cursor in the search box
    expect(box).to_be_focused()
    box.press_sequentially("打印机")
    listbox = page.locator("#nd-search-listbox")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("WO-20261201-0004")
    expect(box).to_have_attribute("aria-expanded", "true")
    popup = page.locator("#nd-search-popup").bounding_box()
    assert popup is not None and popup["x"] >= 0 and popup["x"] + popup["width"] <= 390
    # it lies over the page, it does not push it down
    position = page.locator("#nd-search-popup").evaluate("p => getComputedStyle(p).position")
    assert position == "absolute"
    page.shot("typeahead-390")

    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id") or "")
    box.press("Escape")
    expect(page.locator("#nd-search-popup")).to_be_hidden()
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(f"{server}/workorders/WO-20261201-0004/")

    # a number pasted in full, then Enter (before any hit shows): straight to the order
    box = page.locator("#nd-search-input")
    box.fill("wo-20261201-0003")
    box.press("Enter")
    expect(page).to_have_url(f"{server}/workorders/WO-20261201-0003/")
