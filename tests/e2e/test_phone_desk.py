"""The phone desk at phone width (390×844), in Chinese: the caller is found by typing part of
her name, chosen with the keyboard, and her phone, usual place and recent orders come in;
the registration number shows for a lead only. One page load after signing in."""

from __future__ import annotations

from typing import Any

import pytest

from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory, user_with_role
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_the_caller_type_ahead_at_phone_width(phone_page: Any, server: str, sign_in: Any):
    net = DepartmentFactory(name="网络部", kind="network")
    team = TeamFactory(name="运维组", department=net)
    category = CategoryFactory(name="网络不通", default_team=team, kind="")
    ward = DepartmentFactory(name="心内科", location="住院楼 5 层")
    nurse = PersonFactory(name="李秀英", employee_no="H1007", phone="13900001111", department=ward)
    PersonFactory(name="李明", employee_no="H2001", department=ward)
    earlier = WorkOrderFactory(
        requester=nurse, category=category, title="打印机卡纸", location="住院楼 5 层 护士站"
    )
    director = user_with_role("director", department=net)

    page = phone_page
    sign_in(page, director)
    page.goto(f"{server}/workorders/new/")
    search = page.locator("#wo-caller-q")
    search.fill("李")
    options = page.locator("#wo-caller-list [role=option]")
    expect(options).to_have_count(2)
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.shot("caller-hits")
    # the nurse is chosen by keyboard (name order: 李明, 李秀英)
    search.press("ArrowDown")
    search.press("Enter")
    card = page.locator("#wo-caller-chosen")
    expect(card).to_contain_text("李秀英")
    expect(card).to_contain_text(earlier.number)
    expect(page.locator("input[name=requester]")).to_have_value(str(nurse.pk))
    expect(page.locator("input[name=contact]")).to_have_value("13900001111")
    expect(page.locator("input[name=location]")).to_have_value("住院楼 5 层 护士站")
    expect(search).to_have_value("李秀英")
    expect(page.locator("#wo-caller-list [role=option]")).to_have_count(0)
    # the registration number is for leads only
    reg = page.locator("input[name=registration_no]")
    expect(reg).to_be_hidden()
    page.select_option("select[name=kind]", "lead")
    expect(reg).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.shot("caller-chosen")
