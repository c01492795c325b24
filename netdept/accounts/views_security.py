"""The user's own sign-in security (TOTP, password, API tokens) and the security policy page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from netdept.accounts import lockout, twofactor
from netdept.accounts import services as sec
from netdept.accounts.middleware import must_change_password
from netdept.accounts.models import ApiToken, SecurityPolicy
from netdept.accounts.tokens import create_token, revoke_token
from netdept.core import context, permissions, services
from netdept.core.context_processors import add_nav
from netdept.core.views.crud import apply_errors

add_nav(
    "system",
    gettext_lazy("Security policy"),
    "accounts:security_policy",
    "accounts.view_securitypolicy",
    "bi-shield-check",
    50,
)

PENDING_KEY = "netdept_totp_pending"

View = Callable[..., HttpResponse]


# --- helpers -----------------------------------------------------------------------------------
def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _step_redirect(request: HttpRequest, step: str) -> HttpResponse:
    target = reverse("otp_setup" if step == "setup" else "otp_verify")
    return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def verified_required(view: View) -> View:
    """Signed in, and past the second factor when the user has (or needs) one.

    The middleware already enforces this outside ``/accounts/``; pages under ``/accounts/``
    use this decorator so that a password alone never reaches them.
    """

    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = twofactor.pending_step(request.user)
        if step is not None:
            return _step_redirect(request, step)
        return view(request, *args, **kwargs)

    return wrapped


def _sign_out_locked(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.error(request, _("Too many failed attempts. Try again later."))
    return HttpResponseRedirect(reverse("login"))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=12,
        help_text=gettext_lazy("The 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        value = self.cleaned_data["token"].strip().replace(" ", "")
        if len(value) != sec.TOTP_DIGITS or not value.isdigit():
            raise ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return str(value)


# --- TOTP --------------------------------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if twofactor.has_confirmed_device(user):
        if not twofactor.is_verified(user):
            return _step_redirect(request, "verify")
        return render(
            request,
            "accounts/otp_status.html",
            {"form": TokenForm(), "required": twofactor.requires_2fa(user)},
        )
    key = request.session.get(PENDING_KEY)
    if not key:
        key = sec.new_totp_key()
        request.session[PENDING_KEY] = key
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device = sec.confirm_totp_device(user, key, form.cleaned_data["token"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                request.session.pop(PENDING_KEY, None)
                django_otp.login(request, device)
                twofactor.second_factor_passed(request, user)
                messages.success(request, _("Two-factor sign-in is set up."))
                return HttpResponseRedirect(_next(request, reverse("preferences")))
        status = 422
    device = sec.pending_device(user, key)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": sec.base32_secret(key),
            "required": twofactor.requires_2fa(user),
            "next": _next(request, ""),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    done = _next(request, reverse("home"))
    if not twofactor.has_confirmed_device(user):
        if twofactor.requires_2fa(user) and not twofactor.is_verified(user):
            return HttpResponseRedirect(f"{reverse('otp_setup')}?{urlencode({'next': done})}")
        return HttpResponseRedirect(done)
    if twofactor.is_verified(user):
        return HttpResponseRedirect(done)
    ip = context.client_ip(request)
    if lockout.is_locked(user.get_username(), ip):
        return _sign_out_locked(request)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            result = sec.check_totp(user, form.cleaned_data["token"], ip)
            if result.device is not None:
                django_otp.login(request, result.device)
                if not twofactor.second_factor_passed(request, user):
                    sec.record_totp_verified(user, result.device)
                return HttpResponseRedirect(done)
            if result.locked:
                return _sign_out_locked(request)
            status = 401
            if result.throttled:
                form.add_error("token", _("Too many attempts. Wait a moment and try again."))
            else:
                form.add_error("token", _("The code is not valid."))
        else:
            sec.check_totp(user, "", ip)  # malformed input is a failed attempt too
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next(request, "")},
        status=status,
    )


@require_POST
@verified_required
def otp_remove_view(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    result = sec.remove_totp_device(request.user, token, context.client_ip(request))
    if result.device is None:
        if result.locked:
            return _sign_out_locked(request)
        messages.error(request, _("The code is not valid. Two-factor sign-in was not removed."))
        return HttpResponseRedirect(reverse("otp_setup"))
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-factor sign-in was removed."))
    return HttpResponseRedirect(reverse("preferences"))


# --- Password ----------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
@verified_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)
    required = must_change_password(user)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            sec.change_own_password(user, form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return HttpResponseRedirect(_next(request, reverse("preferences")))
    context = {"form": form, "required": required, "next": _next(request, "")}
    return render(request, "accounts/password_change.html", context, status=status)


# --- Security policy ---------------------------------------------------------------------------
def _bounded(name: str, label: Any) -> forms.IntegerField:
    low, high = sec.POLICY_LIMITS[name]
    return forms.IntegerField(label=label, min_value=low, max_value=high)


class SecurityPolicyForm(forms.ModelForm[SecurityPolicy]):
    min_length = _bounded("min_length", gettext_lazy("minimum password length"))
    min_classes = _bounded("min_classes", gettext_lazy("character classes required"))
    history = _bounded("history", gettext_lazy("passwords remembered"))
    lockout_attempts = _bounded("lockout_attempts", gettext_lazy("failed attempts before lockout"))
    lockout_minutes = _bounded("lockout_minutes", gettext_lazy("lockout minutes"))
    idle_timeout_minutes = _bounded(
        "idle_timeout_minutes", gettext_lazy("idle session timeout (minutes)")
    )

    class Meta:
        model = SecurityPolicy
        fields = list(sec.POLICY_LIMITS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in sec.POLICY_LIMITS.items():
            self.fields[name].help_text = _("From %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }


@never_cache
@require_http_methods(["GET", "POST"])
@verified_required
def security_policy_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    services.require(user, "view", SecurityPolicy)
    policy = SecurityPolicy.current()
    can_change = permissions.has_perm(user, "accounts.change_securitypolicy", policy)
    editing = can_change and (request.method == "POST" or request.GET.get("edit") == "1")
    if request.method == "POST":
        services.require(user, "change", policy)
    form = SecurityPolicyForm(request.POST or None, instance=policy) if editing else None
    status = 200
    if form is not None and request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                fresh = SecurityPolicy.objects.get(pk=policy.pk)
                data = {name: form.cleaned_data[name] for name in sec.POLICY_LIMITS}
                sec.SecurityPolicyService().update(user, fresh, data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The security policy was saved."))
                return HttpResponseRedirect(reverse("accounts:security_policy"))
    fields = [
        (getattr(SecurityPolicy._meta.get_field(name), "verbose_name", name), getattr(policy, name))
        for name in sec.POLICY_LIMITS
    ]
    return render(
        request,
        "accounts/policy.html",
        {
            "policy": policy,
            "form": form,
            "fields": fields,
            "can_change": can_change,
        },
        status=status,
    )


# --- API tokens --------------------------------------------------------------------------------
class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. the script that uses it."),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Leave empty for a token that does not expire."),
    )

    def clean_expires_at(self) -> Any:
        from django.utils import timezone

        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("The expiry must be in the future."))
        return value


@never_cache
@require_http_methods(["GET", "POST"])
@verified_required
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ApiTokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            token, secret = create_token(
                user, form.cleaned_data["name"], form.cleaned_data.get("expires_at")
            )
            # The secret exists only in this response: it is not stored and not shown again.
            response = render(
                request,
                "accounts/token_created.html",
                {"token": token, "secret": secret},
                status=201,
            )
            response["Cache-Control"] = "no-store"
            return response
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens},
        status=status,
    )


@require_POST
@verified_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(request.user, token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token})
    return HttpResponseRedirect(reverse("accounts:api_tokens"))
