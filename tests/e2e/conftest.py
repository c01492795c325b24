"""Browser-test fixtures: a live server, headless Debian Chromium driven by Playwright, and a
page per test that records screenshots and refuses broken static files, outside requests, CSP
violations and text of the other language (``netdept/testing/language.py`` reads every HTML
answer, page or HTMX fragment; ``page.language.allow("Name")`` allows a name it does not know).

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
from urllib.parse import unquote_plus, urlsplit

import pytest

from netdept.testing.language import LanguageChecker, database_words

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

    def data_words(refresh: bool) -> tuple[set[str], str]:
        try:
            return database_words(refresh)
        except Exception:  # no database in this test: nothing counts as data
            return set(), ""

    language = LanguageChecker(data_words=data_words)

    def read(response: Any) -> None:
        """Every HTML answer (a page or an HTMX fragment) is in one language."""
        parts = urlsplit(response.url)
        typed = unquote_plus(parts.query)
        with contextlib.suppress(Exception):  # form fields, or the text of a file sent
            body = response.request.post_data_buffer or b""
            typed += " " + unquote_plus(body[:100_000].decode("utf-8", errors="replace"))
        language.note_typed(typed)  # what the person sent is data on the pages after it
        try:
            if response.request.resource_type not in ("document", "xhr", "fetch"):
                return
            if 300 <= response.status < 400 or response.status == 204:
                return
            headers = response.headers
            if "text/html" not in headers.get("content-type", ""):
                return
            html = response.text()
        except Exception:  # the body is gone (the page navigated on): nothing to read
            return
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        for finding in language.check_html(where, html, headers.get("content-language", "")):
            problems.append(f"language: {finding}")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("response", check)
    page.on("response", read)
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
    page.language = language
    # The browser does not report a file's content with its upload: the text of a file the
    # test picks (a CSV's English headers) counts as typed from the upload on (events come in
    # order: the pages before the upload are read without it).
    picked: list[str] = []
    set_input_files = page.set_input_files

    def pick_files(selector: str, files: Any, **kwargs: Any) -> None:
        for f in files if isinstance(files, list | tuple) else [files]:
            with contextlib.suppress(Exception):
                data = f["buffer"] if isinstance(f, dict) else Path(f).read_bytes()
                picked.append(bytes(data[:100_000]).decode("utf-8", errors="replace"))
        # a page's deferred scripts listen for the pick (previews): a person picks a file once
        # the page is there, so the test waits for it too
        page.wait_for_load_state("load")
        set_input_files(selector, files, **kwargs)

    def upload(request: Any) -> None:
        if picked and "multipart/form-data" in request.headers.get("content-type", ""):
            language.note_typed("\n".join(picked))
            picked.clear()

    page.set_input_files = pick_files
    page.on("request", upload)
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
def second_phone_page(
    browser: Any, request: pytest.FixtureRequest, artifacts_dir: Path
) -> Iterator[Any]:
    """A second phone (another person's, its own cookies) in the same test."""
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
        # the page's scripts (deferred) have run: its keys work from the first press
        page.wait_for_load_state("domcontentloaded")

    return do
