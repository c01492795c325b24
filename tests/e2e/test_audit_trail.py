"""The audit trail in Chromium, in Chinese: names, translated types, a change table, date
pickers — on a desktop and at 390 px, where the rows stack and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from netdept.core import context
from netdept.core.services import service_for
from netdept.org.models import Team
from netdept.testing.factories import DepartmentFactory, user_with_role

pytestmark = pytest.mark.browser


def _trail() -> Any:
    """A director (王主任) makes a team and moves it; an auditor (审计员甲) reads it."""
    it, medicine = DepartmentFactory(name="信息科"), DepartmentFactory(name="内科")
    director = user_with_role("director", department=it, username="wangzr")
    director.person.name = "王主任"
    director.person.save()
    svc = service_for(Team)
    with context.acting(director, "192.0.2.10", "web"):
        team = svc.create(director, {"name": "网络运维组", "department": it})
        svc.update(director, team, {"department": medicine, "is_active": False})
    auditor = user_with_role("auditor", department=it, username="shenji")
    auditor.person.name = "审计员甲"
    auditor.person.save()
    return auditor


def _read(p: Any, server: str, sign_in: Any, size: str) -> None:
    auditor = _trail()
    sign_in(p, auditor)
    p.goto(f"{server}/audit/?object_type=org.team")
    table = p.locator(".nd-audit-table")
    expect(table).to_contain_text("王主任")
    expect(table).to_contain_text("组")
    expect(table.locator(".nd-history-changes").first).to_contain_text("内科")
    expect(p.locator("input[name=ts__gte]")).to_have_attribute("type", "date")
    assert "org.team" not in table.inner_text()
    overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    p.shot(f"audit-trail-{size}")


def test_the_audit_trail_on_a_desktop(page: Any, server: str, sign_in: Any) -> None:
    _read(page, server, sign_in, "desktop")


def test_the_audit_trail_at_390_px(phone_page: Any, server: str, sign_in: Any) -> None:
    _read(phone_page, server, sign_in, "phone")
