"""Sign-in middleware: the idle session timeout of the security policy, the two-factor
requirement of privileged roles, and the change of a password an administrator set."""

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


class FirstStepMiddleware:
    """What a signed-in browser session must do before anything else (``step``: the page to do
    it on and the API's refusal, or None). Its pages go to that page, with ``next`` the page it
    asked for (an HTMX request sends the whole window there: ``core.middleware.
    HtmxSignInRedirectMiddleware``); its calls of the API are refused. A request with an API
    token (a separate door: no session) goes on."""

    ALLOWED_PREFIXES: tuple[str, ...] = ("/static/", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def step(self, user: Any) -> tuple[str, str] | None:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return self.get_response(request)
        step = self.step(user)
        if step is None:
            return self.get_response(request)
        page, refusal = step
        if request.path.startswith("/api/"):
            auth = request.headers.get("Authorization", "").split(" ", 1)[0].lower()
            if auth in ("token", "bearer"):
                return self.get_response(request)
            return JsonResponse({"detail": refusal}, status=403)
        return HttpResponseRedirect(f"{page}?{urlencode({'next': request.get_full_path()})}")


class TwoFactorRequiredMiddleware(FirstStepMiddleware):
    """Users holding a role that requires TOTP, and everyone who has set up a TOTP device, must
    enter a code before anything else: no device yet → set-up page, else → verify page.

    A browser session calling the API must be verified too (an API token is a separate door:
    its requests carry no session and pass here untouched)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")

    def step(self, user: Any) -> tuple[str, str] | None:
        pending = pending_step(user)
        if pending is None:
            return None
        page = reverse("otp_setup" if pending == "setup" else "otp_verify")
        return page, gettext("Two-factor verification is required.")


def must_change_password(user: Any) -> bool:
    """An administrator set this account's password (a new account, a reset) and its owner
    has not changed it since (the profile is read once per request already, for the
    language)."""
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    return bool(getattr(profile, "must_change_password", False))


class PasswordChangeRequiredMiddleware(FirstStepMiddleware):
    """A browser session whose password an administrator set goes to the password page
    before anything else, and comes back where it was going once the password is its own;
    a session calling the API is refused meanwhile (an API token, made by the owner, is a
    separate door)."""

    ALLOWED_PREFIXES = (
        "/accounts/password/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/static/",
        "/i18n/",
    )

    def step(self, user: Any) -> tuple[str, str] | None:
        if not must_change_password(user):
            return None
        return reverse("password_change"), gettext(
            "Change the password an administrator set first."
        )
