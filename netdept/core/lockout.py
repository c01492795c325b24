"""Sign-in lockout: after N failures an account, and separately a source IP, is locked."""

from __future__ import annotations

import datetime

from django.utils import timezone

from netdept.core import audit
from netdept.core.models.accounts import LoginAttempt
from netdept.core.models.audit import AuditAction
from netdept.core.models.security import SecurityPolicy


def _window() -> tuple[int, datetime.datetime]:
    policy = SecurityPolicy.current()
    return policy.lockout_attempts, timezone.now() - datetime.timedelta(
        minutes=policy.lockout_minutes
    )


def is_locked(username: str, ip: str | None) -> bool:
    limit, since = _window()
    if limit <= 0:
        return False
    recent = LoginAttempt.objects.filter(ts__gte=since)
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= limit


def _tell_security_admins(username: str, ip: str | None) -> None:
    """A lockout is a security event: the security administrators get a notification."""
    from netdept.core.notifications import notify

    policy = SecurityPolicy.current()
    until = timezone.localtime() + datetime.timedelta(minutes=policy.lockout_minutes)
    notify(
        "core.account_locked",
        recipients=["role:secadmin"],
        data={"username": username, "ip": ip or "", "until": until.strftime("%Y-%m-%d %H:%M")},
        dedupe_key=f"lockout:{username}:{ip}:{until:%Y%m%d%H%M}",
    )


def register_failure(username: str, ip: str | None) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, ts=timezone.now())
    limit, since = _window()
    recent = LoginAttempt.objects.filter(ts__gte=since)
    account_locked = limit > 0 and recent.filter(username__iexact=username).count() == limit
    ip_locked = limit > 0 and bool(ip) and recent.filter(ip=ip).count() == limit
    if account_locked or ip_locked:
        _tell_security_admins(username, ip)
    if account_locked:
        audit.record(
            AuditAction.LOCKOUT,
            None,
            object_type_label="auth.user",
            object_repr=username[:150],
            extra={"username": username, "by": "account"},
        )
    if ip_locked:
        audit.record(
            AuditAction.LOCKOUT,
            None,
            object_type_label="auth.user",
            object_repr=username[:150],
            extra={"ip": ip, "by": "ip"},
        )


def clear(username: str) -> None:
    LoginAttempt.objects.filter(username__iexact=username).delete()
