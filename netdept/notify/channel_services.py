"""State changes of notification channels and allowed hosts, and the channel test.

The address (robot and webhook URLs carry their access token) and the secret (signing key,
SMTP password) arrive in plain text as the write-only inputs ``url`` and ``secret``; they are
checked, encrypted and stored as ``url_encrypted`` / ``secret_encrypted`` and never returned.
The audit trail sees only the masked fields and the host. Settings of each kind live in
``config``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from netdept.core import audit, crypto, outbound
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, require
from netdept.notify import engine, render
from netdept.notify.models import (
    AllowedHost,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    NotificationChannel,
)
from netdept.notify.transports import common
from netdept.notify.transports.base import transport_for

TEST_KIND = "core.channel_test"
WRITE_ONLY = ("url", "secret", "clear_secret")
# config keys each kind keeps ("language": the language of digests and group messages)
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    ChannelKind.EMAIL: ("host", "port", "security", "username", "from_address", "timeout"),
    ChannelKind.DINGTALK: ("format",),
    ChannelKind.WECOM: ("format",),
    ChannelKind.FEISHU: ("format",),
    ChannelKind.WEBHOOK: (),
}
COMMON_CONFIG_KEYS = ("language",)
HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)


def _clean_config(kind: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    keys = (*CONFIG_KEYS.get(kind, ()), *COMMON_CONFIG_KEYS)
    out: dict[str, Any] = {}
    for key in keys:
        value = (config or {}).get(key)
        if value in (None, ""):
            continue
        if key in ("port", "timeout"):
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                field = "smtp_port" if key == "port" else "timeout"
                raise ValidationError({field: _("Enter a whole number.")}) from exc
        elif key == "host":
            value = common.normalise_host(str(value))
        else:
            value = str(value).strip()
        out[key] = value
    return out


class ChannelService(ModelService[NotificationChannel]):
    model = NotificationChannel

    def create(
        self, actor: Any, data: Mapping[str, Any], *, check: bool = True
    ) -> NotificationChannel:
        if check:
            require(actor, "add", self.model)
        return super().create(actor, self._prepare(None, data), check=False)

    def update(
        self, actor: Any, obj: NotificationChannel, data: Mapping[str, Any], *, check: bool = True
    ) -> NotificationChannel:
        if check:
            require(actor, "change", obj)
        return super().update(actor, obj, self._prepare(obj, data), check=False)

    def _prepare(self, obj: NotificationChannel | None, data: Mapping[str, Any]) -> dict[str, Any]:
        """Plain inputs → the stored fields: encrypt the address and secret, set the host,
        keep the settings of the kind. Empty ``url`` / ``secret`` on an update keep what is
        stored; ``clear_secret`` removes the secret."""
        data = dict(data)
        url = str(data.pop("url", None) or "").strip()
        secret = str(data.pop("secret", None) or "")
        clear_secret = bool(data.pop("clear_secret", False))
        for name in ("url_encrypted", "secret_encrypted", "url_host"):
            data.pop(name, None)  # only ever set from the plain inputs
        kind = str(data.get("kind") or (obj.kind if obj else ""))
        errors: dict[str, list[str]] = {}

        if "config" in data or obj is None:
            try:
                data["config"] = _clean_config(kind, data.get("config"))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif kind != obj.kind:
            data["config"] = _clean_config(kind, obj.config)

        old_url = self._plain(obj, "url_encrypted")
        if kind == ChannelKind.EMAIL:
            host = str((data.get("config") or (obj.config if obj else {}) or {}).get("host", ""))
            why = outbound.host_refusal(host) if host else None
            if why:
                errors.setdefault("smtp_host", []).append(
                    _("%(host)s may not be called: it is %(reason)s.")
                    % {"host": host, "reason": why}
                )
            elif host and not common.host_allowed(host):
                errors.setdefault("smtp_host", []).append(
                    _(
                        "The host %(host)s is not allowed. Add it under Allowed hosts first "
                        "(System → Allowed hosts)."
                    )
                    % {"host": host}
                )
            data["url_host"] = host
            data["url_encrypted"] = ""
        elif url:
            try:
                data["url_host"] = common.check_url(url)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                keep = obj is not None and url == old_url
                data["url_encrypted"] = (
                    obj.url_encrypted if obj is not None and keep else crypto.encrypt(url)
                )
        elif not old_url:
            errors.setdefault("url", []).append(_("Enter the address of the robot or webhook."))

        if secret:
            same = obj is not None and secret == self._plain(obj, "secret_encrypted")
            data["secret_encrypted"] = (
                obj.secret_encrypted if obj is not None and same else crypto.encrypt(secret)
            )
        elif clear_secret:
            data["secret_encrypted"] = ""

        if errors:
            # report the kind's own settings errors too, all at once
            probe = NotificationChannel(
                kind=kind, config=data.get("config", obj.config if obj else {})
            )
            try:
                if kind in CONFIG_KEYS:
                    transport_for(kind).validate(probe)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
            raise ValidationError(errors)
        return data

    @staticmethod
    def _plain(obj: NotificationChannel | None, field: str) -> str:
        if obj is None:
            return ""
        try:
            return crypto.decrypt(getattr(obj, field))
        except crypto.SecretUnreadable:
            return ""

    def before_save(
        self, actor: Any, obj: NotificationChannel, data: Mapping[str, Any], creating: bool
    ) -> None:
        transport_for(obj.kind).validate(obj)


class AllowedHostService(ModelService[AllowedHost]):
    model = AllowedHost

    def before_save(
        self, actor: Any, obj: AllowedHost, data: Mapping[str, Any], creating: bool
    ) -> None:
        host = common.normalise_host(obj.host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not HOST_RE.match(host):
                raise ValidationError(
                    {
                        "host": _(
                            "Enter only a host name or IP address, e.g. oapi.dingtalk.com "
                            "(no http://, no path, no port)."
                        )
                    }
                ) from None
        why = outbound.host_refusal(host)
        if why:
            raise ValidationError(
                {
                    "host": _("%(host)s may not be called: it is %(reason)s.")
                    % {"host": host, "reason": why}
                }
            )
        obj.host = host
        clash = AllowedHost.objects.filter(host__iexact=host).exclude(pk=obj.pk).exists()
        if clash:
            raise ValidationError({"host": _("This host is already allowed.")})


# --- the test button -------------------------------------------------------------------------


def send_test(actor: Any, channel: NotificationChannel) -> Delivery:
    """Queue a test message on ``channel`` (sent by the worker, never in the request)."""
    require(actor, "change", channel)
    if not channel.is_active:
        raise ValidationError(_("The channel is switched off; switch it on to test it."))
    email = engine.email_of(actor) if actor is not None else ""
    if channel.kind == ChannelKind.EMAIL and not email:
        raise ValidationError(
            _("Your account has no email address: add one to receive the test message.")
        )
    mobile = engine.mobile_of(actor) if actor is not None else ""
    mobiles = [mobile] if mobile and channel.kind in ("dingtalk", "wecom") else []
    when = date_format(timezone.localtime(), "DATETIME_FORMAT")
    title = _("NetDept test message")
    text = _(
        "This is a test message from NetDept, sent by %(user)s at %(time)s. If you can read "
        "it, the channel %(channel)s works."
    ) % {"user": actor, "time": when, "channel": channel.name}
    link = ""
    try:
        from django.urls import reverse

        link = render.absolute(reverse("notify:notificationchannel_detail", args=[channel.pk]))
    except Exception:  # no URL configuration (e.g. a management command)
        link = ""
    payload = {
        "title": title,
        "text": text,
        "markdown": f"#### {title}\n\n{text}",
        "html": f"<p>{text}</p>",
        "url": link,
        "severity": "info",
        "kind": TEST_KIND,
        "mobiles": mobiles,
        "emails": [email] if channel.kind == ChannelKind.EMAIL else [],
        "data": {"test": True, "channel": channel.name},
    }
    with transaction.atomic():
        delivery = Delivery.objects.create(
            channel=channel,
            recipient=actor if getattr(actor, "pk", None) else None,
            address=email if channel.kind == ChannelKind.EMAIL else "",
            title=title,
            payload=payload,
            is_digest=False,
        )
        audit.record(
            AuditAction.TASK,
            channel,
            actor=actor,
            extra={"event": "channel_test", "delivery": delivery.pk},
        )
        transaction.on_commit(lambda: engine.enqueue([delivery.pk]))
    return delivery


FINAL = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.RETRYING)


def test_outcome(delivery: Delivery) -> str:
    """One line about a finished test delivery, as stored in ``last_test_result``."""
    if delivery.status == DeliveryStatus.SENT:
        head = _("OK")
    elif delivery.status == DeliveryStatus.RETRYING:
        head = _("Failed (will retry)")
    else:
        head = _("Failed")
    parts = [head]
    if delivery.remote_status is not None:
        parts.append(str(delivery.remote_status))
    if delivery.error:
        parts.append(delivery.error)
    if delivery.remote_answer:
        parts.append(delivery.remote_answer[:500])
    return " · ".join(parts)[:2000]


def note_test_result(delivery: Delivery) -> None:
    """Store a finished test's outcome on its channel (once; not a configuration change, so
    not audited — the test itself and the delivery are)."""
    if delivery.status not in FINAL or (delivery.payload or {}).get("kind") != TEST_KIND:
        return
    at = delivery.sent_at or delivery.claimed_at or delivery.created_at
    NotificationChannel.objects.filter(pk=delivery.channel_id).exclude(last_test_at__gte=at).update(
        last_test_at=at, last_test_result=test_outcome(delivery)
    )


def sync_last_test(channel: NotificationChannel) -> None:
    """Pick up the outcome of a test that finished while nobody watched."""
    latest = (
        Delivery.objects.filter(channel=channel, notification__isnull=True, is_digest=False)
        .filter(payload__kind=TEST_KIND, status__in=FINAL)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None:
        note_test_result(latest)
        channel.refresh_from_db(fields=["last_test_at", "last_test_result"])
