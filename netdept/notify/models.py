"""Notifications: channels, events, per-user choices, the inbox and the delivery log.

The service in ``netdept.notify`` is the only writer. A ``Notification`` is one
event (an order assigned, an SLA about to break…); each recipient gets an ``InboxMessage`` and,
per chosen channel, a ``Delivery`` that background tasks send, retry and log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models.base import BaseModel


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("email (SMTP)")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom robot")
    FEISHU = "feishu", _("Feishu robot")
    WEBHOOK = "webhook", _("webhook")


class Severity(models.TextChoices):
    INFO = "info", _("information")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


class NotificationChannel(BaseModel):
    """A way out: an SMTP server, a group robot or a webhook receiver, set up by an admin.

    ``url`` (robot and webhook addresses carry their access token) and ``secret`` (signing
    key, SMTP password) are stored encrypted and never shown again after saving.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    url_encrypted = models.TextField(_("address (encrypted)"), blank=True)
    url_host = models.CharField(
        _("host"),
        max_length=255,
        blank=True,
        help_text=_("The host the address points at (shown)."),
    )
    secret_encrypted = models.TextField(_("secret (encrypted)"), blank=True)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"), default=20)
    is_active = models.BooleanField(_("active"), default=True)
    last_test_at = models.DateTimeField(_("last test"), null=True, blank=True)
    last_test_result = models.TextField(_("last test result"), blank=True)

    audit_mask = ("url_encrypted", "secret_encrypted")

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_notificationchannel"  # kept when the model left core
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AllowedHost(BaseModel):
    """A host NetDept may send to (robots, webhooks, SMTP). Nothing else is called."""

    host = models.CharField(
        _("host"),
        max_length=255,
        unique=True,
        help_text=_("A host name or IP address, e.g. oapi.dingtalk.com."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_allowedhost"  # kept when the model left core
        verbose_name = _("allowed host")
        verbose_name_plural = _("allowed hosts")
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class EventKindSetting(BaseModel):
    """An administrator's settings for one kind of event (kinds are declared in code)."""

    kind = models.CharField(_("event kind"), max_length=80, unique=True)
    mandatory = models.BooleanField(
        _("mandatory"), default=False, help_text=_("Users cannot switch it off.")
    )
    mandatory_channels = models.ManyToManyField(
        NotificationChannel, blank=True, verbose_name=_("mandatory channels"), related_name="+"
    )
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Delivered during quiet hours too.")
    )

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_eventkindsetting"  # kept when the model left core
        verbose_name = _("event kind setting")
        verbose_name_plural = _("event kind settings")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind


class NotificationTemplate(BaseModel):
    """An administrator's wording of one event kind in one language (overrides the default)."""

    kind = models.CharField(_("event kind"), max_length=80)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_notificationtemplate"  # kept when the model left core
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="template_once")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"


class NotificationPreference(BaseModel):
    """Which channels a user wants for one event kind. Absent: the kind's defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("event kind"), max_length=80)
    inbox = models.BooleanField(_("inbox"), default=True)
    channels = models.ManyToManyField(
        NotificationChannel, blank=True, verbose_name=_("channels"), related_name="+"
    )

    scope_paths = {"own": "user"}

    class Meta:
        db_table = "core_notificationpreference"  # kept when the model left core
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class QuietHours(models.Model):
    """A user's quiet hours: non-urgent messages wait until they end."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    start = models.TimeField(_("from"), default="22:00")
    end = models.TimeField(_("until"), default="08:00")

    class Meta:
        db_table = "core_quiethours"  # kept when the model left core
        default_permissions = ()


class Notification(models.Model):
    """One event, as raised by a module through ``notify()``."""

    kind = models.CharField(_("event kind"), max_length=80, db_index=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        db_table = "core_notification"  # kept when the model left core
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class InboxMessage(models.Model):
    """A rendered message in one user's in-app inbox."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    scope_paths = {"own": "user"}

    class Meta:
        db_table = "core_inboxmessage"  # kept when the model left core
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("retrying")
    FAILED = "failed", _("failed")
    DIGESTED = "digested", _("folded into a digest")
    HELD = "held", _("held for quiet hours")


class Delivery(models.Model):
    """One message on one channel, to one person or one group. The delivery log."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    channel = models.ForeignKey(
        NotificationChannel,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("channel"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    address = models.CharField(
        _("address"),
        max_length=255,
        blank=True,
        help_text=_("Email address or mobile number used."),
    )
    title = models.CharField(_("title"), max_length=300)
    payload = models.JSONField(_("message"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    remote_status = models.IntegerField(_("remote status"), null=True, blank=True)
    remote_answer = models.TextField(_("remote answer"), blank=True)
    error = models.TextField(_("error"), blank=True)
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="folded",
        verbose_name=_("digest"),
    )
    is_digest = models.BooleanField(_("digest"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    # Set when a worker claims the delivery for sending (status SENDING). A claim older than
    # the claim timeout belongs to a dead worker and may be taken over; the token makes sure
    # only the claimer records the outcome.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)

    scope_paths = {"own": "recipient"}

    class Meta:
        db_table = "core_delivery"  # kept when the model left core
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["channel", "status", "sent_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address or self.recipient_id}: {self.title}"
