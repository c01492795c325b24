"""Response headers and the sign-in redirects of HTMX requests:

- every page sends the Content-Security-Policy (no inline script or style: the templates are
  scanned for any), X-Content-Type-Options, Referrer-Policy, X-Frame-Options and no ``Server``;
- signed-in pages and the whole API send ``Cache-Control: no-store``;
- HEAD answers carry no body, checked on a real ``netdept web`` server (waitress and gunicorn)
  over one keep-alive connection;
- the inbox poll and other HTMX requests are never answered with a redirect to a sign-in page:
  the whole window goes there once (``HX-Redirect`` with ``next`` = the page shown).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from netdept.core.middleware import (
    CONTENT_SECURITY_POLICY,
    HeadResponseMiddleware,
    SecurityHeadersMiddleware,
)
from netdept.core.tests.test_processes import (  # noqa: F401  (fixtures)
    child_env,
    data_dir,
    free_port,
    migrated_template,
)
from netdept.testing.crud import api_client
from netdept.testing.factories import user_with_role

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = sorted(ROOT.glob("netdept/*/templates")) + sorted(ROOT.glob("netdept/templates"))

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(policy: str) -> dict[str, str]:
    out = {}
    for part in policy.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            out[name] = value.strip()
    return out


def assert_common_headers(response: Any) -> None:
    policy = directives(response["Content-Security-Policy"])
    for name, value in CSP_DIRECTIVES.items():
        assert policy[name] == value, (name, policy)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Server" not in response


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_pages_send_the_security_headers() -> None:
    r = Client().get(reverse("login"))
    assert r.status_code == 200
    assert_common_headers(r)


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored() -> None:
    c = Client()
    c.force_login(user_with_role("engineer"))
    for url in (reverse("home"), reverse("notify:notifications_inbox"), reverse("preferences")):
        r = c.get(url)
        assert r.status_code == 200, url
        assert_common_headers(r)
        assert "no-store" in r["Cache-Control"], url
    r = c.get(reverse("notify:notifications_bell"), HTTP_HX_REQUEST="true")
    assert "no-store" in r["Cache-Control"]


@pytest.mark.django_db
def test_the_api_is_not_stored() -> None:
    api = api_client(user_with_role("engineer"))
    r = api.get("/api/v1/me/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert "Server" not in r
    anonymous = Client().get("/api/v1/me/")  # refused: not stored either
    assert anonymous.status_code in (401, 403)
    assert "no-store" in anonymous["Cache-Control"]


@pytest.mark.django_db
def test_api_docs_load_their_script_as_a_file() -> None:
    c = Client()
    c.force_login(user_with_role("engineer"))
    r = c.get("/api/docs/")
    assert r.status_code == 200
    policy = directives(r["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"  # scripts: files only, here too
    assert policy["style-src"] == "'self' 'unsafe-inline'"  # the vendored page's <style>
    html = r.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), html
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html)
    assert script, html
    js = c.get(script.group(1).replace("&amp;", "&"))
    assert js.status_code == 200
    assert "SwaggerUIBundle" in js.content.decode()
    assert "javascript" in js["Content-Type"]


def test_a_view_may_set_its_own_policy() -> None:
    request = RequestFactory().get("/x/")

    def view(_request: Any) -> HttpResponse:
        answer = HttpResponse("x")
        answer["Content-Security-Policy"] = "default-src 'none'"
        answer["Server"] = "leaky/1.0"
        return answer

    response = SecurityHeadersMiddleware(view)(request)
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "Server" not in response
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.I), "inline event handler"),
    (re.compile(r"\shx-on[:\-\w]*\s*=", re.I), "hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style() -> None:
    """The policy allows no inline script or style: templates keep them in static files."""
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            text = path.read_text()
            for pattern, what in INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert TEMPLATE_DIRS
    assert not found, "\n".join(found)


# --- HEAD -------------------------------------------------------------------------------------


def test_head_answers_have_no_body_but_the_length_of_the_get() -> None:
    request = RequestFactory().head("/x/")
    response = HeadResponseMiddleware(lambda _r: HttpResponse(b"0123456789"))(request)
    assert response.content == b""
    assert response["Content-Length"] == "10"
    get = HeadResponseMiddleware(lambda _r: HttpResponse(b"0123456789"))(
        RequestFactory().get("/x/")
    )
    assert get.content == b"0123456789"


@pytest.fixture(params=["waitress", "gunicorn"])
def web_server(
    request: pytest.FixtureRequest,
    data_dir: Path,  # noqa: F811 (the fixture of test_processes)
    tmp_path: Path,
) -> Iterator[int]:
    """``netdept web`` on a loopback port (its own copy of the migrated database)."""
    server = str(request.param)
    if server == "gunicorn" and sys.platform != "linux":
        pytest.skip("gunicorn serves on Linux only")
    port = free_port()
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115 (closed below)
    args = ["web", "--host", "127.0.0.1", "--port", str(port), "--server", server]
    args += ["--no-collectstatic"]
    if server == "gunicorn":
        args += ["--workers", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "netdept.cli", *args],
        cwd=ROOT,
        env=child_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError((tmp_path / "web.log").read_text()) from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


HEAD_PATHS = ["/i18n/js/", "/no-such-page/", "/api/v1/no-such-thing/", "/accounts/login/"]


# once: the server runs on a SQLite file of its own (child_env), whatever the test database
@pytest.mark.once
def test_head_then_get_on_one_keep_alive_connection(web_server: int) -> None:
    port = web_server
    # http.client: HEAD then GET on the same connection, for answers with a body (200, 404
    # HTML and JSON, 405): a stray body would be read as the status line of the GET answer.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for path in HEAD_PATHS:
        conn.request("HEAD", path)
        head = conn.getresponse()
        assert head.read() == b""
        assert head.getheader("Server") is None
        assert "'self'" in (head.getheader("Content-Security-Policy") or "")
        length = head.getheader("Content-Length")
        conn.request("GET", path)
        get = conn.getresponse()
        body = get.read()
        assert body, path
        assert get.getheader("Server") is None
        if path != "/accounts/login/":  # the login form answers HEAD with 405
            assert get.status == head.status, path
        if length is not None and get.status == head.status:
            assert int(length) == len(body), path
    conn.close()

    # Raw socket: after the HEAD answer's headers nothing more arrives.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"HEAD /i18n/js/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = _read_head(sock)
        headers, _sep, extra = data.partition(b"\r\n\r\n")
        assert headers.startswith(b"HTTP/1.1 200"), headers
        sock.settimeout(0.5)
        with contextlib.suppress(TimeoutError):
            extra += sock.recv(65536)
        assert extra == b"", extra[:200]
        sock.settimeout(10)
        sock.sendall(b"GET /i18n/js/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_head(sock).startswith(b"HTTP/1.1 200")


# --- HTMX requests and sign-in redirects ------------------------------------------------------

POLL: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_X_NETDEPT_POLL": "1"}
DESK = "http://testserver/workorders/desk/?status=open&q=%E6%89%93"


def hx_redirect(response: Any) -> tuple[str, dict[str, list[str]]]:
    target = urlsplit(response["HX-Redirect"])
    return target.path, parse_qs(target.query)


@pytest.mark.django_db
def test_the_poll_of_an_expired_session_sends_the_window_to_sign_in_once() -> None:
    c = Client()
    r = c.get(reverse("notify:notifications_bell"), HTTP_HX_CURRENT_URL=DESK, **POLL)
    assert r.status_code == 286  # HTMX stops polling
    assert r.content == b""
    path, query = hx_redirect(r)
    assert path == reverse("login")
    assert query["next"] == ["/workorders/desk/?status=open&q=%E6%89%93"]
    # Without HTMX the browser is redirected as before.
    r = c.get(reverse("notify:notifications_bell"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_poll_of_an_idle_session() -> None:
    c = Client()
    c.force_login(user_with_role("engineer"))
    session = c.session
    session["netdept_last_seen"] = time.time() - 10 * 3600
    session.save()
    r = c.get(reverse("notify:notifications_bell"), HTTP_HX_CURRENT_URL=DESK, **POLL)
    assert r.status_code == 286 and r.content == b""
    path, query = hx_redirect(r)
    assert path == reverse("login")
    assert query["idle"] == ["1"]
    assert query["next"] == ["/workorders/desk/?status=open&q=%E6%89%93"]
    assert c.get(reverse("home")).status_code == 302  # really signed out


@pytest.mark.django_db
def test_the_poll_of_a_session_waiting_for_its_second_factor() -> None:
    user = user_with_role("engineer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    c = Client()
    c.force_login(user)  # password only: the code is still to be entered
    r = c.get(reverse("notify:notifications_bell"), HTTP_HX_CURRENT_URL=DESK, **POLL)
    assert r.status_code == 286 and r.content == b""
    path, query = hx_redirect(r)
    assert path == reverse("otp_verify")
    assert query["next"] == ["/workorders/desk/?status=open&q=%E6%89%93"]


@pytest.mark.django_db
def test_other_htmx_requests_go_to_sign_in_without_a_body() -> None:
    c = Client()
    r = c.get(
        "/workorders/desk/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/workorders/desk/",
    )
    assert r.status_code == 200 and r.content == b""
    path, query = hx_redirect(r)
    assert path == reverse("login") and query["next"] == ["/workorders/desk/"]
    # A current page on another host is not a place to come back to.
    r = c.get(
        "/workorders/desk/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x"
    )
    path, query = hx_redirect(r)
    assert path == reverse("login") and "next" not in query


@pytest.mark.django_db
def test_pages_that_are_not_fully_signed_in_have_no_poll() -> None:
    user = user_with_role("engineer")
    c = Client()
    assert 'id="nd-bell"' not in c.get(reverse("login")).content.decode()
    c.force_login(user)
    assert 'id="nd-bell"' in c.get(reverse("home")).content.decode()
    for name in ("password_change", "otp_setup"):
        html = c.get(reverse(name)).content.decode()
        assert 'id="nd-user-menu"' in html, name
        assert 'id="nd-bell"' not in html and "every 10s" not in html, name
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    c = Client()
    c.force_login(user)
    r = c.get(reverse("otp_verify"))
    assert r.status_code == 200
    assert 'id="nd-bell"' not in r.content.decode()
    r = c.get(reverse("login"))
    assert 'id="nd-bell"' not in r.content.decode()


@pytest.mark.django_db
def test_a_poll_from_the_sign_in_page_itself_does_not_reload_it() -> None:
    user = user_with_role("engineer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    c = Client()
    c.force_login(user)
    r = c.get(
        reverse("notify:notifications_bell"),
        HTTP_HX_CURRENT_URL="http://testserver" + reverse("otp_verify") + "?next=/",
        **POLL,
    )
    assert r.status_code == 286 and r.content == b""
    assert "HX-Redirect" not in r


# --- behind a TLS proxy -------------------------------------------------------------------------


def test_behind_tls_proxy_switches_on_proxy_header_secure_cookies_and_hsts(
    tmp_path: Path,
) -> None:
    code = (
        "import json, netdept.settings as s; print(json.dumps([s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS]))"
    )
    env = {**child_env(tmp_path), "NETDEPT_BEHIND_TLS_PROXY": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["HTTP_X_FORWARDED_PROTO", "https"], True, True, 31536000]
    plain = subprocess.run(
        [
            sys.executable,
            "-c",
            "import netdept.settings as s; print(s.SESSION_COOKIE_SECURE, "
            "hasattr(s, 'SECURE_PROXY_SSL_HEADER'))",
        ],
        cwd=ROOT,
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert plain.stdout.split() == ["False", "False"], plain.stderr


@pytest.mark.django_db
def test_hsts_is_sent_over_https_from_the_proxy(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    r = Client().get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert r["Strict-Transport-Security"] == "max-age=31536000"
    r = Client().get(reverse("login"))  # plain HTTP: no HSTS (browsers ignore it there)
    assert "Strict-Transport-Security" not in r
