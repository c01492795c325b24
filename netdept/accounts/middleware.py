"""Sign-in middleware: the idle session timeout of the security policy and the two-factor
requirement of privileged roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from netdept.accounts.models import SecurityPolicy
from netdept.accounts.twofactor import pending_step

Handler = Callable[[HttpRequest], HttpResponse]


def idle_timeout_seconds() -> int:
    return int(SecurityPolicy.current().idle_timeout_minutes) * 60


class IdleTimeoutMiddleware:
    """Signs out a browser session idle for longer than the security policy allows."""

    KEY = "netdept_last_seen"
    RESOLUTION = 60  # seconds

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not getattr(request, "netdept_token_auth", False)
        ):
            now = time.time()
            last = request.session.get(self.KEY)
            poll = request.headers.get("X-NetDept-Poll") == "1"
            if last is not None and now - float(last) > idle_timeout_seconds():
                request.netdept_logout_reason = "idle timeout"  # type: ignore[attr-defined]
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return HttpResponseRedirect(f"{reverse('login')}?next={request.path}&idle=1")
            # Activity is stamped at most once a minute: stamping every request would write the
            # session (a database write, a write lock on SQLite) on every page view.
            if not poll and (last is None or now - float(last) >= self.RESOLUTION):
                request.session[self.KEY] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Users holding a role that requires TOTP, and everyone who has set up a TOTP device, must
    enter a code before anything else: no device yet → set-up page, else → verify page.

    A browser session calling the API must be verified too (an API token is a separate door:
    its requests carry no session and pass here untouched)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            step = pending_step(user)
            if step is not None:
                if request.path.startswith("/api/"):
                    auth = request.headers.get("Authorization", "").split(" ", 1)[0].lower()
                    if auth in ("token", "bearer"):
                        return self.get_response(request)
                    return JsonResponse(
                        {"detail": gettext("Two-factor verification is required.")}, status=403
                    )
                target = reverse("otp_setup" if step == "setup" else "otp_verify")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
