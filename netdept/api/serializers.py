"""Serializers of models NetDept does not own (the login model is Django's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AccountSerializer(serializers.ModelSerializer):
    """A login. ``password`` is write-only, required for a new account and checked against
    the password policy; it is never returned."""

    password = serializers.CharField(
        label=_("password"),
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "is_active", "last_login", "date_joined", "password"]
        read_only_fields = ["last_login", "date_joined"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password = attrs.get("password")
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": [_("A new account needs a password.")]})
        if password:
            probe = self.instance or get_user_model()(
                username=attrs.get("username", ""), email=attrs.get("email", "")
            )
            try:
                password_validation.validate_password(password, probe)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        else:
            attrs.pop("password", None)
        return attrs


class DateTimeInRange(serializers.DateTimeField):
    """A date-time from 1970 to 9999-01-01: earlier times have no whole-minute offset in
    the local zone (Asia/Shanghai's local mean time: +08:05:43), later ones overflow when a day
    is added."""

    EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
    default_error_messages = {
        "out_of_range": _("Enter a date and time from 1970 to 9998."),
    }

    def to_internal_value(self, value: Any) -> dt.datetime:
        result: dt.datetime = super().to_internal_value(value)
        if result.tzinfo is not None and not (self.EARLIEST <= result < self.LATEST):
            self.fail("out_of_range")
        return result
