"""The channel form (UI) and serializer (API): address and secret are write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netdept.notify.models import AllowedHost, NotificationChannel

SECURITY_CHOICES = [
    ("starttls", _("STARTTLS (port 587)")),
    ("ssl", _("SSL/TLS (port 465)")),
    ("none", _("none (port 25, inside the intranet only)")),
]
FORMAT_CHOICES = [
    ("", _("default (markdown; Feishu: card)")),
    ("markdown", _("markdown (DingTalk, WeCom)")),
    ("card", _("interactive card (Feishu)")),
    ("text", _("plain text")),
]
# form field → config key
SETTING_FIELDS = {
    "smtp_host": "host",
    "smtp_port": "port",
    "smtp_security": "security",
    "smtp_username": "username",
    "from_address": "from_address",
    "format": "format",
    "language": "language",
}
KEEP_HELP = _("Leave empty to keep the current address.")


class ChannelForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Address (URL)"),
        required=False,
        max_length=2000,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "The robot's webhook address, e.g. https://oapi.dingtalk.com/robot/send?"
            "access_token=…; not needed for email. Stored encrypted and never shown again."
        ),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_(
            "DingTalk 加签 secret (SEC…), Feishu signing secret, webhook HMAC key or SMTP "
            "password. Stored encrypted and never shown again."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)
    smtp_host = forms.CharField(label=_("SMTP server"), required=False, max_length=255)
    smtp_port = forms.IntegerField(
        label=_("SMTP port"), required=False, min_value=1, max_value=65535
    )
    smtp_security = forms.ChoiceField(
        label=_("SMTP security"), required=False, choices=SECURITY_CHOICES
    )
    smtp_username = forms.CharField(
        label=_("SMTP user name"),
        required=False,
        max_length=200,
        help_text=_("Leave empty when the server needs no login."),
    )
    from_address = forms.CharField(
        label=_("Sender address"),
        required=False,
        max_length=254,
        help_text=_("e.g. NetDept <netdept@hospital.example>"),
    )
    format = forms.ChoiceField(label=_("Message format"), required=False, choices=FORMAT_CHOICES)
    language = forms.ChoiceField(
        label=_("Language of group messages"),
        required=False,
        choices=[("", _("default")), *settings.LANGUAGES],
    )

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "rate_per_minute", "is_active"]
        help_texts = {
            "rate_per_minute": _(
                "Group robots accept about 20 messages a minute; more are folded into one "
                "digest. 0 = no limit."
            ),
        }

    field_order = [
        "name",
        "kind",
        "url",
        "secret",
        "clear_secret",
        "format",
        "language",
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "smtp_username",
        "from_address",
        "rate_per_minute",
        "is_active",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        obj = self.instance
        editing = obj is not None and obj.pk is not None
        if editing:
            config = obj.config or {}
            for name, key in SETTING_FIELDS.items():
                if key in config:
                    self.initial.setdefault(name, config[key])
            if obj.url_encrypted:
                self.fields["url"].help_text = KEEP_HELP
                self.fields["url"].widget.attrs["placeholder"] = _(
                    "set (host %(host)s) — leave empty to keep"
                ) % {"host": obj.url_host}
            if obj.secret_encrypted:
                self.fields["secret"].help_text = _(
                    "A secret is set. Leave empty to keep it, or tick the box below to remove it."
                )
                self.fields["secret"].widget.attrs["placeholder"] = _("set — leave empty to keep")
        if not (editing and obj.secret_encrypted):
            del self.fields["clear_secret"]
        self.initial.pop("url", None)
        self.initial.pop("secret", None)

    def service_data(self) -> dict[str, Any]:
        """What the channel service takes: the model fields, the plain address and secret
        and the settings in ``config``."""
        cd = self.cleaned_data
        data: dict[str, Any] = {n: cd[n] for n in self._meta.fields if n in cd}  # type: ignore[union-attr]
        data["url"] = cd.get("url", "")
        data["secret"] = cd.get("secret", "")
        data["clear_secret"] = bool(cd.get("clear_secret"))
        config = dict(self.instance.config or {}) if self.instance.pk else {}
        for name, key in SETTING_FIELDS.items():
            value = cd.get(name)
            if value in (None, ""):
                config.pop(key, None)
            else:
                config[key] = value
        data["config"] = config
        return data


class ChannelSerializer(serializers.ModelSerializer):
    """``url`` and ``secret`` are accepted and never returned; ``has_url`` / ``has_secret``
    tell whether they are set."""

    url = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000, trim_whitespace=True
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )
    clear_secret = serializers.BooleanField(write_only=True, required=False, default=False)
    has_url = serializers.SerializerMethodField()
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = NotificationChannel
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "secret",
            "clear_secret",
            "url_host",
            "has_url",
            "has_secret",
            "config",
            "rate_per_minute",
            "is_active",
            "last_test_at",
            "last_test_result",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "url_host",
            "last_test_at",
            "last_test_result",
            "created_at",
            "updated_at",
        ]

    def get_has_url(self, obj: NotificationChannel) -> bool:
        return bool(obj.url_encrypted)

    def get_has_secret(self, obj: NotificationChannel) -> bool:
        return bool(obj.secret_encrypted)


class AllowedHostForm(forms.ModelForm):
    class Meta:
        model = AllowedHost
        fields = ["host", "note"]
