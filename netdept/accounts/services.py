"""State changes of a user's own sign-in security: TOTP devices, password change, and the
security policy. Each change runs in one transaction and writes its audit record."""

from __future__ import annotations

import datetime
import time
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from netdept.accounts import lockout, twofactor
from netdept.accounts.models import LoginAttempt, SecurityPolicy, UserProfile
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, register_service, require

# --- TOTP --------------------------------------------------------------------------------------

#: Sent when a second factor is reset (``actor``, ``user``): org tells the auditors when the
#: account is a privileged administrator's (accounts knows no roles).
second_factor_reset = Signal()

TOTP_DIGITS = 6
TOTP_STEP = 30
TOTP_TOLERANCE = 1


def new_totp_key() -> str:
    """A fresh 160-bit secret, hex encoded (the form ``TOTPDevice.key`` stores)."""
    return str(random_hex(20))


def base32_secret(key_hex: str) -> str:
    """The secret as authenticator apps want it typed: base32, in groups of four."""
    raw = b32encode(unhexlify(key_hex.encode())).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def pending_device(user: Any, key_hex: str) -> TOTPDevice:
    """An unsaved device for the set-up page (its ``config_url`` feeds the QR code)."""
    return TOTPDevice(
        user=user, name="TOTP", key=key_hex, step=TOTP_STEP, digits=TOTP_DIGITS, confirmed=False
    )


def _clean_token(token: str) -> int | None:
    token = (token or "").strip().replace(" ", "")
    if len(token) != TOTP_DIGITS or not token.isdigit():
        return None
    return int(token)


def _matching_step(key_hex: str, token: str) -> int | None:
    """The time step at which ``token`` matches the key, or None."""
    value = _clean_token(token)
    if value is None:
        return None
    totp = TOTP(unhexlify(key_hex.encode()), TOTP_STEP, 0, TOTP_DIGITS, 0)
    totp.time = time.time()
    if not totp.verify(value, tolerance=TOTP_TOLERANCE):
        return None
    return int(totp.t())


def confirm_totp_device(actor: Any, key_hex: str, token: str) -> TOTPDevice:
    """Save ``key_hex`` as ``actor``'s confirmed device once ``token`` proves they hold it."""
    step = _matching_step(key_hex, token)
    if step is None:
        raise ValidationError({"token": _("The code is not valid. Check your device's clock.")})
    with transaction.atomic():
        # One device per person: set-up replaces nothing silently, removal needs a code.
        if TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
            raise ValidationError(_("Two-factor sign-in is already set up."))
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device = pending_device(actor, key_hex)
        device.confirmed = True
        device.last_t = step  # the code used here cannot be replayed
        device.save()
        audit.record(
            AuditAction.SECURITY,
            device,
            actor=actor,
            object_repr=actor.get_username(),
            extra={"event": "totp_enabled"},
        )
    twofactor.forget(actor)
    return device


@dataclass(frozen=True)
class TotpResult:
    device: TOTPDevice | None
    throttled: bool = False
    locked: bool = False


def _record_totp_failure(user: Any, ip: str | None, reason: str) -> bool:
    """Audit a wrong code and count it toward the lockout; True when now locked."""
    username = user.get_username()
    audit.record(
        AuditAction.LOGIN_FAILED,
        user,
        actor=user,
        extra={"factor": "totp", "username": username, "reason": reason},
    )
    lockout.register_failure(username, ip)
    return lockout.is_locked(username, ip)


def check_totp(user: Any, token: str, ip: str | None, *, clear_lockout: bool = True) -> TotpResult:
    """Check a code against ``user``'s confirmed devices (throttled by django-otp).

    A wrong code is audited (failed login, factor TOTP) and counts toward the lockout; a right
    one clears the account's failure count.
    """
    throttled = False
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                if clear_lockout:
                    lockout.clear(user.get_username())
                return TotpResult(device)
        locked = _record_totp_failure(user, ip, "throttled" if throttled else "wrong code")
    return TotpResult(None, throttled=throttled, locked=locked)


def record_totp_verified(user: Any, device: TOTPDevice) -> None:
    audit.record(
        AuditAction.SECURITY,
        device,
        actor=user,
        object_repr=user.get_username(),
        extra={"event": "totp_verified"},
    )


def remove_totp_device(actor: Any, token: str, ip: str | None) -> TotpResult:
    """Remove ``actor``'s TOTP device(s); needs a current code from the device."""
    result = check_totp(actor, token, ip, clear_lockout=False)
    if result.device is None:
        return result
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=actor))
        for device in devices:
            audit.record(
                AuditAction.SECURITY,
                device,
                actor=actor,
                object_repr=actor.get_username(),
                extra={"event": "totp_removed"},
            )
        TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
    twofactor.forget(actor)
    return result


# --- Password ----------------------------------------------------------------------------------


def change_own_password(actor: Any, new_password: str) -> None:
    """Set ``actor``'s password (already validated against the policy by the form).

    The history is kept by ``PasswordHistoryValidator.password_changed`` (called by
    ``User.save``); the audit record says that the password changed, never what to.
    """
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        UserProfile.objects.filter(user=actor).update(must_change_password=False)
        audit.record(
            AuditAction.UPDATE,
            actor,
            actor=actor,
            changes={"password": [audit.MASK, audit.MASK]},
            extra={"event": "password_changed"},
        )


# --- Another account's sign-in: lockout and second factor (the security administrator) ---------

#: Who may unlock an account and reset its second factor: whoever keeps the security policy
#: (the security administrator; 三员: neither the system administrator, who manages accounts,
#: nor the auditor).
SIGNIN_ADMIN_ACTION = "change"


@dataclass(frozen=True)
class LockoutState:
    locked: bool
    failures: int  # failed sign-ins within the lockout window
    limit: int
    until: datetime.datetime | None  # when the lockout ends by itself


def lockout_state(user: Any) -> LockoutState:
    """How many recent failed sign-ins ``user``'s name has, and whether it is locked."""
    policy = SecurityPolicy.current()
    since = timezone.now() - datetime.timedelta(minutes=policy.lockout_minutes)
    recent = LoginAttempt.objects.filter(username__iexact=user.get_username(), ts__gte=since)
    failures = recent.count()
    locked = policy.lockout_attempts > 0 and failures >= policy.lockout_attempts
    until = None
    if locked:
        last = recent.order_by("-ts").values_list("ts", flat=True).first()
        until = last + datetime.timedelta(minutes=policy.lockout_minutes) if last else None
    return LockoutState(locked, failures, policy.lockout_attempts, until)


def _require_signin_admin(actor: Any, user: Any) -> None:
    require(actor, SIGNIN_ADMIN_ACTION, SecurityPolicy)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(
            _("Nobody unlocks their own account or resets their own second factor here.")
        )


def unlock_account(actor: Any, user: Any) -> int:
    """Forget ``user``'s failed sign-ins, so the account may sign in again at once. Returns
    the number of failures forgotten (0: it was not locked; nothing is recorded then)."""
    _require_signin_admin(actor, user)
    with transaction.atomic():
        failures = lockout_state(user).failures
        if not failures:
            return 0
        lockout.clear(user.get_username())
        audit.record(
            AuditAction.SECURITY,
            user,
            actor=actor,
            extra={"event": "unlocked", "failures": failures},
        )
    return failures


def reset_second_factor(actor: Any, user: Any) -> int:
    """Remove ``user``'s TOTP devices (a lost phone): their next sign-in sets one up again if
    their role requires it. Returns the number of devices removed."""
    _require_signin_admin(actor, user)
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user))
        if not devices:
            raise ValidationError(_("This account has no second factor to reset."))
        TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
        audit.record(
            AuditAction.SECURITY,
            user,
            actor=actor,
            extra={"event": "totp_reset", "devices": len(devices)},
        )
    twofactor.forget(user)
    second_factor_reset.send(sender=TOTPDevice, actor=actor, user=user)
    return len(devices)


# --- Security policy ---------------------------------------------------------------------------

POLICY_LIMITS: dict[str, tuple[int, int]] = {
    "min_length": (8, 128),
    "min_classes": (1, 4),
    "history": (0, 24),
    "lockout_attempts": (1, 20),
    "lockout_minutes": (1, 1440),
    "idle_timeout_minutes": (5, 1440),
}


class SecurityPolicyService(ModelService[SecurityPolicy]):
    model = SecurityPolicy

    def before_save(
        self, actor: Any, obj: SecurityPolicy, data: Mapping[str, Any], creating: bool
    ) -> None:
        errors: dict[str, str] = {}
        for name, (low, high) in POLICY_LIMITS.items():
            value = getattr(obj, name)
            if value is None or not low <= int(value) <= high:
                errors[name] = _("Enter a whole number from %(low)d to %(high)d.") % {
                    "low": low,
                    "high": high,
                }
        if errors:
            raise ValidationError(errors)

    def delete(self, actor: Any, obj: SecurityPolicy, *, check: bool = True) -> None:
        raise ValidationError(_("The security policy cannot be deleted."))


register_service(SecurityPolicy, SecurityPolicyService())
