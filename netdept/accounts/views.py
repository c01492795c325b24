"""Sign in (with lockout), sign out, and the user's own preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from netdept.accounts import lockout, twofactor
from netdept.accounts.models import UserProfile
from netdept.core import context
from netdept.core.http import AuthenticatedHttpRequest


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, strip=False
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = context.client_ip(request)
        if lockout.is_locked(username, ip):
            form.add_error(None, _("Too many failed attempts. Try again later."))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                lockout.register_failure(username, ip)
                form.add_error(None, _("Wrong username or password."))
                status = 401
            else:
                # With a TOTP device the password is only half the proof: the failure count is
                # cleared once the code is right too, so codes cannot be guessed without end.
                step = twofactor.pending_step(user)
                if step != "verify":
                    lockout.clear(username)
                if step is not None:  # audited as awaiting the second factor, not as a login
                    request.netdept_awaiting_factor = "totp" if step == "verify" else "totp_setup"  # type: ignore[attr-defined]
                login(request, user)
                if step is not None:
                    request.session[twofactor.AWAITING_KEY] = True
                profile, _created = UserProfile.objects.get_or_create(user=user)
                translation.activate(profile.language)
                target = _safe_next(request, reverse("home"))
                if step is not None:
                    second = reverse("otp_setup" if step == "setup" else "otp_verify")
                    return HttpResponseRedirect(f"{second}?{urlencode({'next': target})}")
                return HttpResponseRedirect(target)
    if request.GET.get("idle"):
        messages.info(request, _("You were signed out after a period of inactivity."))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("login"))


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice in their profile."""
    from django.conf import settings

    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        return HttpResponse(status=400)
    user: Any = request.user
    if user.is_authenticated:
        UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
    translation.activate(lang)
    response = HttpResponseRedirect(_safe_next(request, reverse("home")))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax", httponly=True)
    return response


@require_safe  # only reads (the language and time zone are set by their own forms)
@login_required
def preferences_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, _created = UserProfile.objects.get_or_create(user=request.user)
    return render(request, "accounts/preferences.html", {"profile": profile})
