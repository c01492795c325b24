"""Pages of the notification channels and the allowed hosts (System menu)."""

from __future__ import annotations

from netdept.core.registry import Page, register
from netdept.notify import channel_services, channel_views
from netdept.notify.channel_forms import AllowedHostForm, ChannelForm, ChannelSerializer
from netdept.notify.models import AllowedHost, NotificationChannel

register(
    Page(
        model=NotificationChannel,
        nav_group="system",
        nav_order=70,
        icon="bi-broadcast",
        # what the pages show; the address and the secret never appear (see ChannelForm)
        fields=["name", "kind", "url_host", "rate_per_minute", "is_active"],
        detail_fields=[
            "name",
            "kind",
            "url_host",
            "rate_per_minute",
            "is_active",
            "last_test_at",
            "last_test_result",
        ],
        columns=[
            "name",
            "kind",
            "url_host",
            "rate_per_minute",
            "is_active",
            "last_test_at",
            "created_at",
            "updated_at",
        ],
        default_columns=[
            "name",
            "kind",
            "url_host",
            "rate_per_minute",
            "is_active",
            "last_test_at",
        ],
        filters=["kind", "is_active"],
        search=["name", "url_host"],
        form_class=ChannelForm,
        serializer_class=ChannelSerializer,
        service=channel_services.ChannelService(),
        extra_detail=channel_views.channel_detail_extra,
    )
)
register(
    Page(
        model=AllowedHost,
        nav_group="system",
        nav_order=71,
        icon="bi-shield-check",
        fields=["host", "note"],
        columns=["host", "note", "created_at", "updated_at"],
        default_columns=["host", "note"],
        search=["host", "note"],
        form_class=AllowedHostForm,
        service=channel_services.AllowedHostService(),
    )
)
