"""TOTP second factor: required by roles with ``require_2fa``."""

from __future__ import annotations

from typing import Any


def requires_2fa(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from netdept.org.models import RoleAssignment

    cached = getattr(user, "_netdept_requires_2fa", None)
    if cached is None:
        cached = RoleAssignment.objects.filter(
            user=user, role__require_2fa=True, role__is_active=True
        ).exists()
        user._netdept_requires_2fa = cached
    return bool(cached)
