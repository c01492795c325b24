"""The director's first day, in a real browser and in Chinese: sign in, set up a team and a
person, find them again, export the people to Excel, read a person's history, switch the
language. Plus the same basics on a phone.

Screenshots land in ``<artifacts>/screenshots/<test>-<step>.png``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.utils import translation
from openpyxl import load_workbook

from netdept.testing.factories import (
    PASSWORD,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_role,
)

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None

# Texts the director reads, as (Chinese, English source). The Chinese column is what the
# zh_Hans catalogue (netdept/locale/zh_Hans/LC_MESSAGES/django.po) says.
TEXTS = {
    "sign_in": ("登录", "Sign in"),
    "people": ("人员", "People"),
    "teams": ("组", "Teams"),
    "history": ("历史", "History"),
    "export": ("导出", "Export"),
    "created": ("创建", "Create"),
    "add": ("新建", "Add"),
}


def required_message() -> str:
    """Django's own zh_Hans catalogue is always there: its messages are Chinese from day one."""
    with translation.override("zh-hans"):
        return str(forms.Field.default_error_messages["required"])


def zh(key: str) -> str:
    """The text the Chinese UI shows for ``key``."""
    return TEXTS[key][0]


def en(key: str) -> str:
    return TEXTS[key][1]


@pytest.fixture
def network(transactional_db: None) -> Any:
    """Demo-like organisation: the network department, a served department, a few people."""
    net = DepartmentFactory(name="网络部", code="NET", kind="network")
    ward = DepartmentFactory(name="内科", code="NK", kind="served")
    security = TeamFactory(name="安全组", department=net)
    PersonFactory(name="李四", employee_no="N0900", department=net, team=security)
    PersonFactory(name="王医生", employee_no="K0100", department=ward)
    director = user_with_role("director", department=net, username="director")
    director.person.name = "赵主任"
    director.person.employee_no = "N0001"
    director.person.save()
    return net, director


def nav_name(label: str) -> re.Pattern[str]:
    """A sidebar entry's accessible name: an icon glyph, then exactly ``label``."""
    return re.compile(rf"^\W*{re.escape(label)}$")


def open_nav(page: Any, label: str) -> None:
    """Follows a sidebar link and waits until the new page (and HTMX on it) is ready."""
    link = page.locator("#nd-sidebar").get_by_role("link", name=nav_name(label))
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}", wait_until="load")


def test_director_sets_up_a_team_and_a_person(page: Any, server: str, network: Any) -> None:
    _net, director = network
    shot = page.shot

    # 1. The login page is Chinese.
    page.goto(f"{server}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#nd-login")).to_have_text(zh("sign_in"))
    shot("01-login")
    page.fill("input[name=username]", director.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#nd-login")
    expect(page.locator("#nd-user-menu")).to_contain_text("赵主任")
    shot("02-home")

    # 2. A new team. An empty form first: the error shows under the field, swapped by HTMX.
    sidebar = page.locator("#nd-sidebar")
    open_nav(page, zh("teams"))
    expect(page.locator("h1")).to_contain_text(zh("teams"))
    expect(page.locator("#nd-add")).to_contain_text(zh("add"))
    page.click("#nd-add")
    expect(page.locator("form.nd-form")).to_be_visible()
    page.click("#nd-save")
    error = page.locator(".invalid-feedback[data-field=name]")
    expect(error).to_have_text(required_message())
    expect(page.locator("#id_name")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert "/add/" in page.url  # no full page load, still on the form
    shot("03-team-form-errors")
    page.fill("#id_name", "网络运维组")
    page.select_option("#id_department", label="网络部")
    page.fill("#id_description", "负责网络设备与线路的日常运维。")
    page.click("#nd-save")
    expect(page.locator("h1")).to_have_text("网络运维组")
    expect(page.locator("#messages .alert-success")).to_be_visible()
    shot("04-team-created")

    # 3. A person in that team.
    open_nav(page, zh("people"))
    page.click("#nd-add")
    page.fill("#id_name", "张三")
    page.fill("#id_employee_no", "N0001")  # the director's number: taken
    page.select_option("#id_department", label="网络部")
    page.select_option("#id_team", label="网络运维组")
    page.fill("#id_phone", "13800000002")
    page.fill("#id_email", "zhangsan@example.org")
    page.click("#nd-save")
    expect(page.locator(".invalid-feedback[data-field=employee_no]")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("张三")  # nothing typed is lost
    shot("05-person-form-errors")
    page.fill("#id_employee_no", "N0002")
    page.click("#nd-save")
    expect(page.locator("h1")).to_have_text("张三")
    shot("06-person-created")

    # 4. Both are found with the list filter; HTMX replaces the table only.
    open_nav(page, zh("teams"))
    table = page.locator("#list-table")
    expect(table).to_contain_text("安全组")
    page.locator(".nd-filters input[name=q]").fill("运维")
    expect(table).not_to_contain_text("安全组")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("网络运维组")
    assert "q=" in page.url  # the filter is in the address, so it can be shared and reloaded
    shot("07-teams-filtered")

    open_nav(page, zh("people"))
    expect(table).to_contain_text("王医生")
    page.locator(".nd-filters input[name=q]").fill("张三")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("网络运维组")
    shot("08-people-filtered")

    # The columns chooser adds the e-mail column at once (HTMX), and the choice sticks.
    columns = table.locator("thead th")
    before = columns.count()
    page.click("#nd-columns")
    page.check("#col-email")
    expect(columns).to_have_count(before + 1)
    expect(table).to_contain_text("zhangsan@example.org")
    shot("08b-people-columns")
    page.keyboard.press("Escape")

    # 5. Export the filtered list to Excel.
    expect(page.locator("#nd-export")).to_contain_text(zh("export"))
    page.click("#nd-export")
    expect(page.locator("#nd-export-xlsx")).to_be_visible()
    with page.expect_download() as info:
        page.click("#nd-export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = page.shot.directory.parent / f"people-{download.suggested_filename}"
    download.save_as(saved)
    rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert any(
        "张三" in row and "N0002" in row and "网络运维组" in row and "zhangsan@example.org" in row
        for row in rows
    ), rows
    assert not any("王医生" in row for row in rows), "the export ignored the filter"

    # 6. The person's page and the History tab (loaded by HTMX on first click).
    table.get_by_role("link", name="N0002").click()
    expect(page.locator("h1")).to_have_text("张三")
    # the tab loads by htmx: click once the page's scripts ran, not as soon as the title shows
    page.wait_for_load_state("load")
    page.click("#tab-history-btn")
    entry = page.locator("#tab-history .nd-history-entry")
    expect(entry.first).to_be_visible()
    expect(entry.first).to_contain_text(zh("created"))
    expect(entry.first).to_contain_text(director.person.name)  # people, not logins
    expect(entry.first).to_contain_text("N0002")
    shot("09-person-history")

    # 7. English via the user menu, then back to Chinese.
    page.click("#nd-user-menu")
    page.click("button[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(sidebar.get_by_role("link", name=nav_name(en("people")))).to_be_visible()
    expect(sidebar.get_by_role("link", name=nav_name(en("teams")))).to_be_visible()
    expect(page.locator("#tab-history-btn")).to_have_text(en("history"))
    shot("10-english")
    page.click("#nd-user-menu")
    page.click("button[data-lang=zh-hans]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#tab-history-btn")).to_have_text(zh("history"))
    expect(sidebar.get_by_role("link", name=nav_name(zh("people")))).to_be_visible()
    shot("11-chinese-again")


def test_phone_sidebar_and_people_list(phone_page: Any, sign_in: Any, network: Any) -> None:
    page = phone_page
    _net, director = network
    sign_in(page, director)
    sidebar = page.locator("#nd-sidebar")
    expect(sidebar).not_to_be_visible()
    page.shot("01-home")
    page.click(".nd-topbar .navbar-toggler")
    expect(sidebar).to_be_visible()
    page.shot("02-sidebar-open", full_page=False)
    open_nav(page, zh("people"))
    expect(page.locator("h1")).to_contain_text(zh("people"))
    expect(page.locator("#list-table")).to_contain_text("李四")
    expect(sidebar).not_to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width}px wide on a 390px phone"
    page.shot("03-people")
