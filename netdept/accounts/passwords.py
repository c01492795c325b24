"""Password policy validators, configured by the security policy (SecurityPolicy)."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netdept.accounts.models import PasswordHistory, SecurityPolicy, UserProfile


def _policy() -> Any:
    return SecurityPolicy.current()


class PolicyLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        n = _policy().min_length
        if len(password) < n:
            raise ValidationError(
                ngettext(
                    "The password must be at least %(n)d character long.",
                    "The password must be at least %(n)d characters long.",
                    n,
                )
                % {"n": n},
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return _("At least %(n)d characters.") % {"n": _policy().min_length}


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        need = _policy().min_classes
        if character_classes(password) < need:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower case letters, upper case "
                    "letters, digits and symbols."
                )
                % {"n": need},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower case, upper case, digits, symbols.") % {
            "n": _policy().min_classes
        }


class PasswordHistoryValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        keep = _policy().history
        if keep <= 0:
            return
        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)
        candidates = list(recent[:keep])
        if user.password and user.password not in candidates:
            candidates = [user.password, *candidates][:keep]
        for old in candidates:
            if old and check_password(password, old):
                raise ValidationError(
                    _("The password must differ from your last %(n)d passwords.") % {"n": keep},
                    code="password_reused",
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from django.utils import timezone

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(_policy().history, 1)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        UserProfile.objects.update_or_create(
            user=user, defaults={"password_changed_at": timezone.now()}
        )

    def get_help_text(self) -> str:
        return _("Not one of your last %(n)d passwords.") % {"n": _policy().history}
