"""Request-wide middleware: actor context for the audit trail, the user's language, the security
headers of every answer, body-less HEAD answers and the sign-in redirects of HTMX requests.
(The idle session timeout and the two-factor requirement: ``netdept.accounts.middleware``.)"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from netdept.core import context, display

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Binds the signed-in user and the source IP to the audit context of this request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        with context.acting(getattr(request, "user", None), context.client_ip(request), via):
            return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's, and the pages show times in
    the time zone of their preferences (the site's when they chose none)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zoned = False
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
            if profile is not None and profile.language:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = profile.language
            if profile is not None and profile.time_zone:
                timezone.activate(display.viewer_zone(user))
                zoned = True
        try:
            return self.get_response(request)
        finally:
            if zoned:
                timezone.deactivate()


# --- response headers ------------------------------------------------------------------------

# Every page uses only the vendored assets served by NetDept itself: no inline script, no inline
# style, no other origin. /api/docs/ (Swagger UI) loads its init script as a file too, but the
# vendored Swagger UI page carries an inline <style>: that page alone allows inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY_API_DOCS = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
RELAXED_STYLE_VIEWS = frozenset({"api-docs"})


class SecurityHeadersMiddleware:
    """The headers of every answer from the application (static files are served before this,
    by whitenoise, and stay cacheable):

    - ``Content-Security-Policy`` (above) unless the view set its own;
    - ``Cache-Control: no-store`` on everything a signed-in user gets and on the whole API, so
      that no browser or proxy keeps a copy of a signed-in page;
    - no ``Server`` header (the WSGI servers are told not to add theirs: ``netdept web``).

    ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` come from Django's
    SecurityMiddleware, ``X-Frame-Options: DENY`` from its clickjacking middleware (settings)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            relaxed = match is not None and match.url_name in RELAXED_STYLE_VIEWS
            response["Content-Security-Policy"] = (
                CONTENT_SECURITY_POLICY_API_DOCS if relaxed else CONTENT_SECURITY_POLICY
            )
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response.headers.pop("Last-Modified", None)
            response.headers.pop("ETag", None)
        response.headers.pop("Server", None)
        return response


class HeadResponseMiddleware:
    """A ``HEAD`` answer carries the headers of the ``GET`` and no body.

    Django leaves this to the server, and not every WSGI server drops the body: a body after a
    HEAD answer is read by a keep-alive client as the start of the next answer. The length of
    the GET body stays in ``Content-Length`` when it is known."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            closers = list(getattr(response, "_resource_closers", []))
            response.streaming_content = []  # type: ignore[attr-defined]
            for close in closers:  # the file behind a FileResponse, now unread
                with contextlib.suppress(Exception):
                    close()
        else:
            if "Content-Length" not in response:
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


# --- sign-in redirects of HTMX requests ------------------------------------------------------

SIGN_IN_VIEWS = ("login", "otp_verify", "otp_setup", "password_change")


def _sign_in_paths() -> dict[str, str]:
    return {reverse(name): name for name in SIGN_IN_VIEWS}


class HtmxSignInRedirectMiddleware:
    """An HTMX request (the inbox poll of the top bar, a list filter …) that would be redirected
    to a sign-in page (session expired, second factor pending, password to change) sends the
    whole window there instead, once: ``HX-Redirect`` to the sign-in page with ``next`` = the
    page the browser shows, and no body.

    Answering such a request with the redirect would make the browser follow it inside the
    XMLHttpRequest, and HTMX would insert the whole sign-in page into the element (for the
    poll: into the top bar, every ten seconds, wiping a code being typed). A poll is answered
    with 286, which also stops the polling."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or not (
            300 <= response.status_code < 400 and response.has_header("Location")
        ):
            return response
        target = urlsplit(response["Location"])
        if target.path not in _sign_in_paths():
            return response
        poll = request.headers.get("X-NetDept-Poll") == "1"
        shown = urlsplit(request.headers.get("HX-Current-URL", "")).path
        if shown == target.path:
            # Already on that sign-in page (which has no poll): never reload it in a loop.
            return HttpResponse(status=286 if poll else 204)
        query = [(k, v) for k, v in parse_qsl(target.query) if k != "next"]
        current = self._current_page(request)
        if current:
            query.append(("next", current))
        location = target.path + (f"?{urlencode(query)}" if query else "")
        answer = HttpResponse(status=286 if poll else 200)
        answer["HX-Redirect"] = location
        for name, morsel in response.cookies.items():
            answer.cookies[name] = morsel
        return answer

    @staticmethod
    def _current_page(request: HttpRequest) -> str:
        """The path and query of the page the browser shows (``HX-Current-URL``), if it is one
        of ours."""
        current = request.headers.get("HX-Current-URL", "")
        if not current or not url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}
        ):
            return ""
        parts = urlsplit(current)
        if parts.path in _sign_in_paths():
            return ""
        return parts.path + (f"?{parts.query}" if parts.query else "")
