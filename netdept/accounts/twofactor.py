"""TOTP second factor: required by roles with ``require_2fa``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.db import models

from netdept.core import audit
from netdept.core.models.audit import AuditAction

#: Which roles require 2FA is the organisation app's business (above this module): it registers
#: a function answering the queryset of a user's (or an ``OuterRef``'s) active role assignments
#: that require it, in its ``ready()`` (``netdept.org.grants``). Without one, nobody must.
RequirementProvider = Callable[[Any], "models.QuerySet[Any]"]
_requirement: list[RequirementProvider] = []


#: Set in the session by the sign-in while the second factor is awaited (``accounts.views``):
#: the password alone is audited as "sign-in awaiting second factor", the login when it passes.
AWAITING_KEY = "netdept_awaiting_factor"


def second_factor_passed(request: Any, user: Any, factor: str = "totp") -> bool:
    """Audit the login that the second factor completes (once per sign-in); False when this
    session was not awaiting one."""
    if not request.session.pop(AWAITING_KEY, None):
        return False
    audit.record(AuditAction.LOGIN, user, actor=user, extra={"second_factor": factor})
    return True


def register_requirement(provider: RequirementProvider) -> None:
    _requirement[:] = [provider]


def _required_rows(user: Any) -> models.QuerySet[Any] | None:
    return _requirement[0](user) if _requirement else None


def requires_2fa(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_netdept_requires_2fa", None)
    if cached is None:
        rows = _required_rows(user)
        cached = rows.exists() if rows is not None else False
        user._netdept_requires_2fa = cached
    return bool(cached)


def has_confirmed_device(user: Any) -> bool:
    """Whether ``user`` has set up a (confirmed) TOTP device."""
    if not getattr(user, "is_authenticated", False):
        return False
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cached = getattr(user, "_netdept_has_totp", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._netdept_has_totp = cached
    return bool(cached)


def forget(user: Any) -> None:
    """Drop the per-request caches after the user's devices or roles changed."""
    for attr in ("_netdept_requires_2fa", "_netdept_has_totp"):
        with contextlib.suppress(AttributeError):
            delattr(user, attr)


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def pending_step(user: Any) -> str | None:
    """What the signed-in ``user`` must still do before anything else in this session.

    ``"setup"`` — their role requires TOTP and they have no device yet; ``"verify"`` — they
    have a device (or their role requires one) and have not entered a code in this session;
    ``None`` — nothing.
    """
    if not getattr(user, "is_authenticated", False) or is_verified(user):
        return None
    _load_flags(user)
    if has_confirmed_device(user):
        return "verify"
    if requires_2fa(user):
        return "setup"
    return None


def _load_flags(user: Any) -> None:
    """Both flags in one query (this runs on every request of an unverified session)."""
    if (
        getattr(user, "_netdept_requires_2fa", None) is not None
        and getattr(user, "_netdept_has_totp", None) is not None
    ):
        return
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Value
    from django_otp.plugins.otp_totp.models import TOTPDevice

    required_rows = _required_rows(OuterRef("pk"))
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            _dev=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            _req=Exists(required_rows) if required_rows is not None else Value(False),
        )
        .values_list("_dev", "_req")
        .first()
    )
    has_device, required = row if row is not None else (False, False)
    user._netdept_has_totp = bool(has_device)
    user._netdept_requires_2fa = bool(required)
