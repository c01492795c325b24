"""Pages of the notification engine: message templates, event kind settings, delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netdept.core import permissions
from netdept.core.registry import Page, register
from netdept.notify import kinds, services
from netdept.notify.models import (
    Delivery,
    DeliveryStatus,
    EventKindSetting,
    NotificationChannel,
    NotificationTemplate,
)


def _kind_field(required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Event kind"), choices=kinds.choices, required=required)


class NotificationTemplateForm(forms.ModelForm):
    kind = _kind_field()

    class Meta:
        model = NotificationTemplate
        fields = ["kind", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "subject": _("Django template language, e.g. {{ number }} {{ title }}."),
            "body": _(
                "Besides the event kind's variables, {{ obj }}, {{ link }}, {{ severity }} and "
                "{{ kind }} are available."
            ),
        }


class EventKindSettingForm(forms.ModelForm):
    kind = _kind_field()

    class Meta:
        model = EventKindSetting
        fields = ["kind", "mandatory", "mandatory_channels", "urgent"]
        widgets = {"mandatory_channels": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mandatory_channels"].queryset = NotificationChannel.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        )


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "notification",
            "channel",
            "recipient",
            "address",
            "title",
            "status",
            "attempts",
            "next_attempt_at",
            "remote_status",
            "remote_answer",
            "error",
            "digest",
            "is_digest",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


def _delivery_detail(request: HttpRequest, obj: Delivery) -> dict[str, Any]:
    can_retry = obj.status == DeliveryStatus.FAILED and permissions.has_perm(
        request.user, services.CHANNEL_ADMIN_PERM
    )
    return {
        "detail_template": "notify/delivery_detail.html",
        "can_retry": can_retry,
        "retry_url": reverse("notify:notifications_delivery_retry", args=[obj.pk]),
        "folded": list(obj.folded.order_by("pk")[:50]) if obj.is_digest else [],
    }


register(
    Page(
        model=NotificationTemplate,
        nav_group="system",
        nav_order=72,
        icon="bi-chat-square-text",
        fields=["kind", "language", "subject", "body"],
        columns=["kind", "language", "subject", "created_at", "updated_at"],
        default_columns=["kind", "language", "subject"],
        filters=["kind", "language"],
        search=["kind", "subject", "body"],
        form_class=NotificationTemplateForm,
        service=services.NotificationTemplateService(),
    )
)
register(
    Page(
        model=EventKindSetting,
        nav_group="system",
        nav_order=73,
        icon="bi-bell-fill",
        fields=["kind", "mandatory", "mandatory_channels", "urgent"],
        columns=["kind", "mandatory", "urgent", "created_at", "updated_at"],
        default_columns=["kind", "mandatory", "urgent"],
        filters=["kind", "mandatory", "urgent"],
        search=["kind"],
        prefetch_related=["mandatory_channels"],
        form_class=EventKindSettingForm,
        service=services.EventKindSettingService(),
    )
)
register(
    Page(
        model=Delivery,
        nav_group="system",
        nav_order=74,
        icon="bi-send-check",
        fields=[
            "title",
            "channel",
            "recipient",
            "address",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "remote_status",
            "remote_answer",
            "error",
            "is_digest",
            "digest",
            "notification",
            "created_at",
        ],
        columns=[
            "created_at",
            "title",
            "channel",
            "recipient",
            "address",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "remote_status",
            "error",
            "is_digest",
        ],
        default_columns=["created_at", "title", "channel", "recipient", "status", "attempts"],
        filters=["status", "channel", "recipient", "is_digest"],
        search=["title", "address", "error", "remote_answer"],
        select_related=["channel", "recipient"],
        can_add=False,
        can_change=False,
        can_delete=False,
        serializer_class=DeliverySerializer,
        extra_detail=_delivery_detail,
    )
)
