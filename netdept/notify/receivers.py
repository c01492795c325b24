"""Events of lower modules that become notifications (connected by ``NotifyConfig.ready()``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.dispatch import receiver

from netdept.accounts.lockout import account_locked
from netdept.notify import notify


@receiver(account_locked, dispatch_uid="notify.account_locked")
def _tell_security_admins(
    sender: Any, username: str, ip: str | None, until: datetime.datetime, **kwargs: Any
) -> None:
    """A lockout is a security event: the security administrators get a notification, with the
    end of the lockout in each one's time zone (``until`` is an instant)."""
    notify(
        "core.account_locked",
        recipients=["role:secadmin"],
        data={"username": username, "ip": ip or "", "until": until},
        dedupe_key=f"lockout:{username}:{ip}:{until:%Y%m%d%H%M}",
    )
