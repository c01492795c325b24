"""API authentication: personal tokens (``Authorization: Token <secret>``) and the session."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from netdept.accounts.models import ApiToken
from netdept.core import context

TOKEN_PREFIX = "nd_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
        now = timezone.now()
        if (
            token is None
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request._request.netdept_token_auth = True  # type: ignore[attr-defined]
        context._current.set(context.ActorContext(token.user, context.client_ip(request), "api"))
        use_language(request, token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Browser session, with CSRF checked as usual."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None:
            use_language(request, result[0])
        return result


def use_language(request: Request, user: Any) -> None:
    """The language of API messages: the one the request asks for (``Accept-Language``), else
    the user's chosen language, else the site default (Chinese)."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        lang = translation.get_language_from_request(request._request)
    else:
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        lang = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    translation.activate(lang)
    request._request.LANGUAGE_CODE = lang
