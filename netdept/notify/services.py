"""State changes of the notification settings and the inbox (views and the API call these)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, require
from netdept.notify import engine, kinds, render, sending
from netdept.notify.models import (
    Delivery,
    DeliveryStatus,
    EventKindSetting,
    InboxMessage,
    NotificationChannel,
    NotificationPreference,
    NotificationTemplate,
    QuietHours,
)

CHANNEL_ADMIN_PERM = "notify.change_notificationchannel"


# --- administrator settings ------------------------------------------------------------------


class NotificationTemplateService(ModelService[NotificationTemplate]):
    model = NotificationTemplate

    def before_save(
        self, actor: Any, obj: NotificationTemplate, data: Mapping[str, Any], creating: bool
    ) -> None:
        kind = kinds.get(obj.kind)
        if kind is None:
            raise ValidationError({"kind": _("Unknown event kind %(kind)s.") % {"kind": obj.kind}})
        errors: dict[str, Any] = {}
        for name in ("subject", "body"):
            try:
                render.check(getattr(obj, name), kind, name, obj.language)
            except ValidationError as exc:
                errors.update(exc.error_dict)
        if errors:
            raise ValidationError(errors)


class EventKindSettingService(ModelService[EventKindSetting]):
    model = EventKindSetting

    def before_save(
        self, actor: Any, obj: EventKindSetting, data: Mapping[str, Any], creating: bool
    ) -> None:
        if kinds.get(obj.kind) is None:
            raise ValidationError({"kind": _("Unknown event kind %(kind)s.") % {"kind": obj.kind}})


# --- the inbox -------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, ids: Iterable[int]) -> int:
    """Mark the user's own messages ``ids`` read (others' are silently ignored).

    Reading one's own inbox is not audited: it changes nothing but the reader's own view."""
    return InboxMessage.objects.filter(user=user, pk__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user: Any) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- a user's choices ------------------------------------------------------------------------


def selectable_channels() -> list[NotificationChannel]:
    return list(NotificationChannel.objects.filter(is_active=True).order_by("kind", "name"))


def preference_rows(user: Any) -> list[dict[str, Any]]:
    """Per event kind: what the user gets now (their choice, or the defaults) and what is
    forced on by an administrator."""
    active = selectable_channels()
    prefs = {
        p.kind: p
        for p in NotificationPreference.objects.filter(user=user).prefetch_related("channels")
    }
    settings_by_kind = {
        s.kind: s for s in EventKindSetting.objects.prefetch_related("mandatory_channels")
    }
    rows = []
    for kind in kinds.all_kinds():
        s = settings_by_kind.get(kind.code)
        ks = engine.KindSettings(
            mandatory=bool(s and s.mandatory),
            urgent=bool(s and s.urgent),
            mandatory_channels=[c for c in s.mandatory_channels.all() if c.is_active] if s else [],
        )
        choice = engine.choice_for(
            user, kind, ks, active, {user.pk: prefs[kind.code]} if kind.code in prefs else {}
        )
        forced = {c.pk for c in ks.mandatory_channels}
        rows.append(
            {
                "kind": kind,
                "inbox": choice.inbox,
                "inbox_forced": ks.mandatory or kind.inbox_only,
                "channels": {c.pk for c in choice.channels},
                "forced": forced,
                "mandatory": ks.mandatory,
                "urgent": ks.urgent or kind.urgent,
                "inbox_only": kind.inbox_only,
            }
        )
    return rows


def _parse_time(value: Any, field: str) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({field: _("Enter a time like 22:00.")}) from exc


def save_preferences(
    actor: Any,
    user: Any,
    choices: Mapping[str, tuple[bool, Iterable[int]]],
    quiet: Mapping[str, Any] | None = None,
) -> None:
    """Save ``user``'s channels per event kind and quiet hours. Only the user may.

    ``choices``: ``{kind: (inbox, [channel ids])}``. Mandatory kinds keep the inbox on;
    channels an administrator made mandatory stay on whatever is sent."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("Only the user may change their own notification settings."))
    active = {c.pk for c in selectable_channels()}
    settings_by_kind = {s.kind: s for s in EventKindSetting.objects.all()}
    with transaction.atomic():
        for code, (inbox, channel_ids) in choices.items():
            kind = kinds.get(code)
            if kind is None:
                raise ValidationError({"kind": _("Unknown event kind %(kind)s.") % {"kind": code}})
            if kind.inbox_only:
                continue
            wanted = sorted({int(i) for i in channel_ids} & active)
            s = settings_by_kind.get(code)
            inbox = bool(inbox) or bool(s and s.mandatory)
            pref = NotificationPreference.objects.filter(user=user, kind=code).first()
            if pref is None:
                pref = NotificationPreference.objects.create(user=user, kind=code, inbox=inbox)
                pref.channels.set(wanted)
                after = audit.snapshot(pref)
                audit.record(
                    AuditAction.CREATE,
                    pref,
                    actor=actor,
                    changes={k: [None, v] for k, v in after.items()},
                )
                continue
            before = audit.snapshot(pref)
            pref.inbox = inbox
            pref.save(update_fields=["inbox", "updated_at"])
            pref.channels.set(wanted)
            changes = audit.diff(before, audit.snapshot(pref))
            changes.pop("updated_at", None)
            if changes:
                audit.record(AuditAction.UPDATE, pref, actor=actor, changes=changes)
        if quiet is not None:
            qh, _created = QuietHours.objects.get_or_create(user=user)
            before = audit.snapshot(qh)
            qh.enabled = bool(quiet.get("enabled"))
            qh.start = _parse_time(quiet.get("start", qh.start), "start")
            qh.end = _parse_time(quiet.get("end", qh.end), "end")
            if qh.enabled and qh.start == qh.end:
                raise ValidationError({"end": _("Quiet hours must end at another time.")})
            qh.save()
            changes = audit.diff(before, audit.snapshot(qh))
            if changes:
                audit.record(
                    AuditAction.UPDATE,
                    qh,
                    actor=actor,
                    changes=changes,
                    object_repr=_("Quiet hours of %(user)s") % {"user": user},
                )


# --- the delivery log ------------------------------------------------------------------------


def retry_deliveries(actor: Any, deliveries: Iterable[Delivery]) -> list[int]:
    """Send failed deliveries again now. Needs the channel administrators' permission."""
    if not permissions.has_perm(actor, CHANNEL_ADMIN_PERM):
        require(actor, "change", NotificationChannel)  # records the denial and raises
    with transaction.atomic():
        items = list(deliveries)
        ids = sending.retry_now(items)
        for d in items:
            if d.pk in ids:
                audit.record(
                    AuditAction.UPDATE,
                    d,
                    actor=actor,
                    changes={
                        "status": [DeliveryStatus.FAILED.value, DeliveryStatus.PENDING.value],
                        "attempts": [d.attempts, 0],
                    },
                    extra={"event": "retry_now"},
                )
    return ids
