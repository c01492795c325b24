"""Signing in as a privileged administrator, in a real browser and at human typing speed.

The system administrator, the security administrator and the auditor need a TOTP code (their
roles require it here, as in production). The top bar of the sign-in pages used to poll the
inbox; redirected to the 2FA page, each poll inserted that whole page into the top bar about
ten times a second and wiped the code being typed. Here the code is typed one key every
150 ms after the page has been open for a while, and must stay in the field and sign in.

Then a session expires on an open page (its row deleted on the server): the next poll sends
the whole window to the sign-in page, once, with ``next`` pointing back to that page.

Screenshots: ``<artifacts>/screenshots/test_…-<step>.png``.
"""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from netdept.accounts.services import new_totp_key
from netdept.org.models import Role
from netdept.testing.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None

PRIVILEGED = ("sysadmin", "secadmin", "auditor")
KEY_DELAY_MS = 150
DWELL_S = 3.0  # the page stays open this long before typing: long enough for many polls


def code_for(key: bytes) -> str:
    totp = TOTP(key, step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def watch(page: Any) -> dict[str, list[str]]:
    """Main-frame navigations and inbox-poll requests of ``page``."""
    seen: dict[str, list[str]] = {"navigations": [], "polls": []}
    bell = reverse("notify:notifications_bell")

    def navigated(frame: Any) -> None:
        if frame == page.main_frame:
            seen["navigations"].append(frame.url)

    def requested(request: Any) -> None:
        if urlsplit(request.url).path == bell:
            seen["polls"].append(request.url)

    page.on("framenavigated", navigated)
    page.on("request", requested)
    return seen


def type_code_slowly(page: Any, code: str) -> None:
    field = page.locator("input[name=token]")
    expect(field).to_be_visible()
    field.click()
    field.press_sequentially(code, delay=KEY_DELAY_MS)
    page.wait_for_timeout(1000)  # a poll would have landed by now
    expect(field).to_have_value(code)
    assert page.locator("input[name=token]").count() == 1  # no second page inside the first
    assert page.locator("nav.nd-topbar").count() == 1


def password_step(page: Any, server: str, user: Any) -> None:
    page.goto(f"{server}/accounts/login/")
    page.locator("input[name=username]").press_sequentially(user.get_username(), delay=20)
    page.locator("input[name=password]").press_sequentially(PASSWORD, delay=20)
    page.click("#nd-login")


@pytest.fixture
def privileged_2fa(db: Any) -> None:
    """The built-in privileged roles require TOTP, as in production (the test settings turn
    the production default off)."""
    Role.objects.filter(code__in=PRIVILEGED).update(require_2fa=True)


@pytest.mark.parametrize("code", PRIVILEGED)
def test_privileged_role_signs_in_with_a_code_typed_at_human_speed(
    page: Any, server: str, privileged_2fa: None, code: str
) -> None:
    user = user_with_role(code)
    key = new_totp_key()
    TOTPDevice.objects.create(user=user, name="手机", key=key, confirmed=True)
    seen = watch(page)

    password_step(page, server, user)
    expect(page).to_have_url(f"{server}{reverse('otp_verify')}?next=%2F")
    page.wait_for_timeout(DWELL_S * 1000)
    assert seen["polls"] == []  # a page that is not fully signed in does not poll
    type_code_slowly(page, code_for(bytes.fromhex(key)))
    page.shot(f"{code}-code-typed")
    page.click("#nd-otp-verify")

    expect(page.locator("#nd-user-menu")).to_be_visible()
    expect(page).to_have_url(f"{server}/")
    expect(page.locator("#nd-bell")).to_be_visible()  # fully signed in: the bell is back
    page.shot(f"{code}-signed-in")
    assert [urlsplit(u).path for u in seen["navigations"]] == [
        "/accounts/login/",
        reverse("otp_verify"),
        "/",
    ]


def test_privileged_first_sign_in_sets_up_the_code_at_human_speed(
    page: Any, server: str, privileged_2fa: None
) -> None:
    user = user_with_role("sysadmin")
    seen = watch(page)
    password_step(page, server, user)
    expect(page.locator("#nd-otp-secret")).to_be_visible()
    assert urlsplit(page.url).path == reverse("otp_setup")
    page.wait_for_timeout(DWELL_S * 1000)
    assert seen["polls"] == []
    secret = page.locator("#nd-otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.shot("setup-page")
    type_code_slowly(page, code_for(key))
    page.click("#nd-otp-confirm")
    expect(page.locator("#nd-user-menu")).to_be_visible()
    assert urlsplit(page.url).path == "/"
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    page.shot("setup-done")


def test_an_expired_session_sends_the_window_to_sign_in_once(
    page: Any, server: str, sign_in: Any
) -> None:
    user = user_with_role("engineer")
    page.clock.install()  # the page's timers run when the test moves the clock on
    sign_in(page, user)
    page.goto(f"{server}/workorders/?status=open")
    expect(page.locator("#nd-bell")).to_be_visible()
    seen = watch(page)
    page.evaluate("window.__ndMarker = 'still the desk'")

    Session.objects.all().delete()  # the session is gone on the server
    expired_at = len(seen["polls"])

    # The next poll (every 10 s) sends the whole window to the sign-in page (moving the clock on
    # fires it at once; a poll timer set after the move still fires within 10 s of real time).
    page.clock.run_for(10_500)
    expect(page.locator("#nd-login")).to_be_visible(timeout=15_000)
    target = urlsplit(page.url)
    assert target.path == reverse("login")
    assert parse_qs(target.query)["next"] == ["/workorders/?status=open"]
    assert len(seen["polls"]) == expired_at + 1  # one poll answered, no storm
    page.shot("signed-out")

    # Nothing more happens on the sign-in page, a minute on: no poll, no second navigation.
    page.clock.run_for(60_000)
    page.wait_for_timeout(500)  # what a timer would have sent has gone out by now
    assert [urlsplit(u).path for u in seen["navigations"]] == [reverse("login")]
    assert len(seen["polls"]) == expired_at + 1
    assert page.locator("nav.nd-topbar").count() == 0
    expect(page.locator("input[name=username]")).to_be_visible()
