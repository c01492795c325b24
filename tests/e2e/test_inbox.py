"""The inbox in a real browser: a new message shows in the header bell without a reload, the
inbox marks everything read and the badge goes away."""

from __future__ import annotations

from typing import Any

import pytest

from netdept.notify import notify
from netdept.testing.factories import UserFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_a_new_message_shows_in_the_bell_without_reload_and_mark_all_read_clears_it(
    page: Any, server: str, sign_in: Any
):
    user = UserFactory()
    page.clock.install()  # the page's timers run when the test moves the clock on
    sign_in(page, user)
    page.goto(f"{server}/")
    bell = page.locator("#nd-bell")
    expect(bell).to_be_visible()
    expect(page.locator("#nd-bell-count")).to_have_count(0)
    page.evaluate("window.__ndMarker = 'no reload'")

    notify(
        "core.test",
        recipients=[user],
        data={"message": "核心交换机 CPU 过高", "sender": "监控"},
        severity="warning",
        link="/notify/inbox/",
    )
    # The bell polls every 10 s: the badge appears without a reload (moving the clock on fires
    # the poll at once; a poll timer set after the move still fires within 10 s of real time).
    page.clock.run_for(10_500)
    expect(page.locator("#nd-bell-count")).to_have_text("1", timeout=15_000)
    assert page.evaluate("window.__ndMarker") == "no reload"
    page.shot("bell-with-one-unread")

    bell.click()
    expect(page.locator("#nd-inbox-list")).to_contain_text("NetDept 测试消息")
    expect(page.locator("#nd-inbox-list")).to_contain_text("核心交换机 CPU 过高")
    page.shot("inbox-unread")
    page.click("#nd-inbox-read-all")
    expect(page.locator("#nd-bell-count")).to_have_count(0)
    expect(page.locator("#nd-inbox-read-all")).to_have_count(0)
    expect(page.locator("#nd-inbox-list [data-unread='1']")).to_have_count(0)
    page.shot("inbox-all-read")
