"""The Content-Security-Policy in a real browser: the main pages (home, desk, order, portal,
reports with their ECharts charts, people, calendar, inbox, every list page, login, the 2FA
pages, the API docs) load and work with zero policy violations — every script and style comes
from a static file, htmx runs without eval and without its injected <style>.

Violations are caught two ways: Chromium's console message ("Refused to … because it violates
the following Content Security Policy directive") and the ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from netdept.core.registry import PAGES
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workcal.models import WorkCalendar
from netdept.workorders.models import WorkOrder
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None

LISTEN = """
window.__ndCsp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__ndCsp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" +
                      e.sourceFile + ":" + e.lineNumber);
});
"""


class Violations:
    """CSP violations seen by ``page`` (console messages and events)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._on_console)

    def _on_console(self, msg: Any) -> None:
        text = msg.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(f"{self.page.url}: {text}")

    def check(self, what: str) -> None:
        events = self.page.evaluate("window.__ndCsp || []")
        found = self.console + [f"{self.page.url}: {e}" for e in events]
        self.console = []
        assert not found, f"CSP violations on {what}:\n" + "\n".join(found)


def visit(page: Any, seen: Violations, url: str, ready: str = "#main") -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    expect(page.locator(ready).first).to_be_attached()
    page.wait_for_load_state("load")
    # htmx is loaded, configured by its meta tag (no eval, no injected indicator style).
    if page.evaluate("typeof window.htmx") != "undefined":
        assert page.evaluate("htmx.config.allowEval") is False
        assert page.evaluate("htmx.config.includeIndicatorStyles") is False
        assert page.evaluate("document.querySelectorAll('style').length") == 0
    seen.check(url)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    team: Any = TeamFactory(
        name="运维组", department=DepartmentFactory(name="网络部", kind="network")
    )
    category = CategoryFactory(name="网络不通", default_team=team, kind="")
    director = user_with_role("director", team=team)
    ward: Any = DepartmentFactory(name="心内科")
    requester = user_with_role("requester", department=ward)
    orders = []
    for i in range(6):
        orders.append(
            WorkOrderFactory(
                title=f"护士站电脑无法上网 {i}",
                category=category,
                team=team,
                requester=requester.person,
            )
        )
    return {
        "team": team,
        "director": director,
        "requester": requester,
        "orders": orders,
        "category": category,
    }


def test_main_pages_have_no_csp_violations(
    page: Any, server: str, sign_in: Any, world: dict[str, Any]
) -> None:
    seen = Violations(page)
    visit(page, seen, f"{server}/accounts/login/", "#nd-login")
    sign_in(page, world["director"])
    seen.check("sign-in")

    visit(page, seen, f"{server}/")
    visit(page, seen, f"{server}/workorders/", "#main")
    page.shot("desk")
    # htmx at work on the desk: filtering swaps the list without a violation.
    search = page.locator("#main input[type=search], #main input[name=q]").first
    if search.count():
        search.fill("护士站")
        search.press("Enter")
        page.wait_for_load_state("networkidle")
        seen.check("desk filtering")

    order: WorkOrder = world["orders"][0]
    visit(page, seen, f"{server}/workorders/{order.number}/")
    page.shot("order")

    today = timezone.localdate()
    start = (today - datetime.timedelta(days=30)).isoformat()
    visit(
        page,
        seen,
        f"{server}{reverse('workorders:reports_home')}?period=custom&start={start}"
        f"&end={today.isoformat()}",
    )
    # The charts really drew (ECharts from json_script data, on canvas).
    charts = page.locator(".wo-chart canvas")
    if page.locator("#wo-report-data").count():
        expect(charts.first).to_be_attached(timeout=10_000)
        box = page.locator("#wo-chart-daily").bounding_box()
        assert box is not None and box["height"] >= 200  # the CSS class gives the height
        page.locator("#wo-chart-daily").hover()
        page.wait_for_timeout(300)
    page.shot("reports")
    seen.check("reports with charts")
    visit(page, seen, f"{server}{reverse('workorders:reports_monthly')}", "body")

    visit(page, seen, f"{server}{reverse('notify:notifications_inbox')}")
    calendar = WorkCalendar.objects.first()
    if calendar is not None:
        visit(page, seen, f"{server}/workcal/workcalendar/{calendar.pk}/")
        page.shot("calendar")
    visit(page, seen, f"{server}{reverse('preferences')}")
    visit(page, seen, f"{server}{reverse('accounts:api_tokens')}")

    # Every generated list page the director may see (people, departments, categories …).
    for spec in PAGES.values():
        if not spec.ui:
            continue
        url = reverse(spec.url_name("list"))
        response = page.goto(f"{server}{url}")
        assert response is not None
        if response.status == 403:
            continue
        assert response.status < 400, (url, response.status)
        page.wait_for_load_state("load")
        seen.check(url)
    visit(page, seen, f"{server}/org/person/")
    page.shot("people")


def test_portal_and_api_docs_have_no_csp_violations(
    phone_page: Any, server: str, sign_in: Any, world: dict[str, Any]
) -> None:
    page = phone_page
    seen = Violations(page)
    sign_in(page, world["requester"])
    visit(page, seen, f"{server}/workorders/portal/")
    visit(page, seen, f"{server}/workorders/portal/new/", "#wo-portal-form")
    # The kind → category filter (portal.js) still works.
    page.locator("input[name=kind]").first.check(force=True)
    seen.check("portal form")
    order = world["orders"][0]
    visit(page, seen, f"{server}/workorders/portal/orders/{order.number}/")
    page.shot("portal-order")
    visit(page, seen, f"{server}/api/docs/", "#swagger-ui")
    expect(
        page.locator("#swagger-ui .information-container, #swagger-ui .info").first
    ).to_be_visible(timeout=60_000)  # the schema is generated on first request: slow under load
    page.shot("api-docs")
    seen.check("api docs")


def test_two_factor_pages_have_no_csp_violations(page: Any, server: str, sign_in: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = user_with_role("engineer")
    seen = Violations(page)
    sign_in(page, user)
    visit(page, seen, f"{server}{reverse('otp_setup')}", "form")
    page.shot("otp-setup")
    visit(page, seen, f"{server}{reverse('password_change')}", "form")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.context.clear_cookies()
    page.goto(f"{server}/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    from netdept.testing.factories import PASSWORD

    page.fill("input[name=password]", PASSWORD)
    page.click("#nd-login")
    expect(page.locator("input[name=token]")).to_be_visible()
    assert reverse("otp_verify") in page.url
    page.shot("otp-verify")
    seen.check("2FA verify")
