"""An administrator pastes the State Council's notice of a year's holidays into a working
calendar, checks the preview and applies it; the calendar's month view shows the days."""

from __future__ import annotations

from typing import Any

import pytest

from netdept.core.tests.test_holidays import NOTICE_2026
from netdept.testing.factories import user_with_role
from netdept.workcal.models import CalendarOverride, WorkCalendar

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_paste_the_notice_preview_and_apply(page: Any, server: str, sign_in: Any):
    calendar = WorkCalendar.objects.create(name="医院标准日历")
    sign_in(page, user_with_role("sysadmin"))
    page.goto(f"{server}/workcal/workcalendar/{calendar.pk}/")
    page.click("#nd-calendar-missing a, #nd-calendar-schedule")
    page.fill("#id_year", "2026")
    page.fill("#id_text", NOTICE_2026)
    page.click("#nd-schedule-preview")
    table = page.locator("#nd-schedule-table")
    expect(table.locator("tbody tr")).to_have_count(39)
    expect(table).to_contain_text("春节（调休上班）")
    page.shot("holiday-schedule-preview")
    page.click("#nd-schedule-apply")
    expect(page.locator(".alert-success")).to_contain_text("2026")
    expect(page.locator('td[data-date="2026-01-04"]')).to_have_attribute("data-working", "1")
    expect(page.locator('td[data-date="2026-01-02"]')).to_have_attribute("data-working", "0")
    page.shot("holiday-schedule-applied")
    assert CalendarOverride.objects.filter(calendar=calendar).count() == 39
