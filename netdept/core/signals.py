"""Audit receivers for sign-in events; no login is ever a superuser."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from netdept.core import audit, context
from netdept.core.models.audit import AuditAction


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with context.acting(
        user,
        context.client_ip(request) if request else None,
        "api" if request and request.path.startswith("/api/") else "web",
    ):
        # A password that still awaits its second factor is not a successful login: the view
        # says so (``accounts.views.login_view``), and the login is recorded when it passes.
        awaiting = getattr(request, "netdept_awaiting_factor", None) if request else None
        if awaiting:
            audit.record(AuditAction.LOGIN_PENDING, user, actor=user, extra={"awaiting": awaiting})
        else:
            audit.record(AuditAction.LOGIN, user, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with context.acting(user, context.client_ip(request) if request else None, "web"):
        reason = getattr(request, "netdept_logout_reason", None)
        audit.record(
            AuditAction.LOGOUT, user, actor=user, extra={"reason": reason} if reason else None
        )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    with context.acting(None, context.client_ip(request) if request else None, "web"):
        audit.record(
            AuditAction.LOGIN_FAILED,
            None,
            object_type_label="auth.user",
            object_repr=username,
            extra={"username": username},
        )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _no_superusers(sender: Any, instance: Any, **kwargs: Any) -> None:
    """三权分立: no login may hold every right, so Django's superuser flag is never set."""
    instance.is_superuser = False
    instance.is_staff = False
