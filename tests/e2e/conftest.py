"""Browser-test fixtures: a live server, headless Debian Chromium driven by Playwright, and a
page per test that records screenshots and refuses broken static files or outside requests.

Chromium is Debian's ``/usr/bin/chromium`` launched through ``executable_path``; Playwright's
own browser download is never used. Without Chromium the tests skip, unless
``NETDEPT_REQUIRE_SERVICES=1`` asks for every real component, then they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("NETDEPT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
DESKTOP = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("NETDEPT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (NETDEPT_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the browser tests.

    Package scope, not session scope: Playwright's sync API keeps an asyncio loop marked as
    running on the main thread while it is alive, which makes Django refuse ORM calls
    (SynchronousOnlyOperation). The browser therefore lives only while the e2e tests run, and
    Django's async-safety check is relaxed for exactly that time; the tests drive the ORM
    synchronously from the main thread, which is what the check is meant to allow.
    """
    if not CHROMIUM.exists():
        _unavailable(f"headless browser tests need Debian's chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _unavailable("headless browser tests need the playwright package")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    """The live server's base URL (Django's test server, static files included)."""
    return str(live_server.url)


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_")


class Shots:
    """Saves ``<artifacts>/screenshots/<test>-<step>.png``."""

    def __init__(self, page: Any, directory: Path, test_name: str) -> None:
        self.page = page
        self.directory = directory
        self.test_name = _safe_name(test_name)
        self.taken: list[Path] = []

    def __call__(self, step: str, *, full_page: bool = True) -> Path:
        path = self.directory / f"{self.test_name}-{_safe_name(step)}.png"
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.taken.append(path)
        return path


def _new_page(
    browser: Any, request: pytest.FixtureRequest, artifacts_dir: Path, viewport: dict[str, int]
) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", viewport=viewport, accept_downloads=True, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    problems: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK:
            problems.append(f"request to a non-loopback host: {url}")
            route.abort()
        else:
            route.continue_()

    def check(response: Any) -> None:
        path = urlsplit(response.url).path
        if path.startswith("/static/") and response.status >= 400:
            problems.append(f"static file {path} answered {response.status}")
        elif response.status >= 500:
            problems.append(f"{response.url} answered {response.status}")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("response", check)
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    # Every page runs under the Content-Security-Policy: a refused inline script or style is a
    # broken page (Chromium reports each refusal on the console).
    page.on(
        "console",
        lambda msg: (
            "Content Security Policy" in msg.text
            and problems.append(f"CSP violation on {page.url}: {msg.text}")
        ),
    )
    shots_dir = artifacts_dir / "screenshots"
    shots_dir.mkdir(parents=True, exist_ok=True)
    page.shot = Shots(page, shots_dir, request.node.name)
    page.problems = problems
    try:
        yield page
    finally:
        # A failed last screenshot must not hide the real error.
        with contextlib.suppress(Exception):
            page.shot("teardown")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Any]:
    """A fresh desktop browser context (zh-CN, 1280x900) per test."""
    yield from _new_page(browser, request, artifacts_dir, DESKTOP)


@pytest.fixture
def phone_page(browser: Any, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Any]:
    """A fresh phone-sized browser context (zh-CN, 390x844) per test."""
    yield from _new_page(browser, request, artifacts_dir, {"width": 390, "height": 844})


@pytest.fixture
def sign_in(server: str) -> Callable[[Any, Any], None]:
    """Signs ``user`` in through the login form of ``page``."""
    from playwright.sync_api import expect

    from netdept.testing.factories import PASSWORD

    def do(page: Any, user: Any) -> None:
        page.goto(f"{server}/accounts/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", PASSWORD)
        page.click("#nd-login")
        expect(page.locator("#nd-user-menu")).to_be_visible()

    return do
