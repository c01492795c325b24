"""Sign-in lockout: after N failures an account, and separately a source IP, is locked."""

from __future__ import annotations

import datetime

from django.dispatch import Signal
from django.utils import timezone

from netdept.accounts.models import LoginAttempt, SecurityPolicy
from netdept.core import audit
from netdept.core.models.audit import AuditAction


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


#: Sent when a username or an IP address reaches the lockout limit: a security event. The
#: notification service (above this module) tells the security administrators
#: (``netdept.notify.receivers``). Arguments: ``username``, ``ip``, ``until`` (aware datetime).
account_locked = Signal()


def _tell_security_admins(username: str, ip: str | None) -> None:
    policy = SecurityPolicy.current()
    until = timezone.localtime() + datetime.timedelta(minutes=policy.lockout_minutes)
    account_locked.send(sender=LoginAttempt, username=username, ip=ip, until=until)


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
