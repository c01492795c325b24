"""``notify()``: one event → a ``Notification``, inbox messages and deliveries to send.

Runs in the caller's transaction: if the caller rolls back, nothing was notified. Sending is
queued with ``transaction.on_commit`` and done by background tasks (``sending``).

Who gets what, per recipient:

* the channels are the kind's mandatory channels (``EventKindSetting``) plus the recipient's
  own choice for the kind (``NotificationPreference``), or, without a choice, the kind's
  default channel kinds (every active channel of each kind);
* email: one delivery per recipient, to the login's address or else the person's;
* group robots (DingTalk, WeCom, Feishu) and webhooks: one delivery per channel for the whole
  event, @-mentioning the mobiles of everyone who chose it;
* quiet hours hold a recipient's non-urgent email until the quiet hours end (in the recipient's
  time zone). Group messages are not held: they go to a group, not to one person's phone.
  The inbox is always immediate.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from netdept.accounts.models import UserProfile
from netdept.core import audit
from netdept.core.registry import page_for
from netdept.notify import kinds, render
from netdept.notify.kinds import INBOX, EventKind
from netdept.notify.models import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    EventKindSetting,
    InboxMessage,
    Notification,
    NotificationChannel,
    NotificationPreference,
    QuietHours,
    Severity,
)
from netdept.notify.tasks import send_delivery
from netdept.tasks.jobs import once

logger = logging.getLogger(__name__)

GROUP_KINDS = {ChannelKind.DINGTALK, ChannelKind.WECOM, ChannelKind.FEISHU, ChannelKind.WEBHOOK}
SEVERITY_ORDER = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def clock() -> datetime.datetime:
    """Now. Tests replace it to move time without waiting."""
    return timezone.now()


def now() -> datetime.datetime:
    return clock()


class UnknownEventKind(ValueError):
    pass


# --- recipients ------------------------------------------------------------------------------


#: Turns a recipient the engine does not know itself (a person, a team, a role, ``"role:<code>"``)
#: into users, or answers None when it is not of its kind. The organisation app registers one in
#: its ``ready()``: the notification service sits below ``org`` and never imports it.
RecipientResolver = Callable[[Any], Iterable[Any] | None]
_resolvers: list[RecipientResolver] = []


def register_recipient_resolver(resolver: RecipientResolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def resolve_recipients(recipients: Iterable[Any]) -> list[Any]:
    """Users (active, deduplicated, in the order given) from users, ``"user:<username>"`` and
    whatever a registered resolver understands (people, teams, roles, ``"role:<code>"``)."""
    user_model = get_user_model()
    found: dict[int, Any] = {}

    def add(users: Iterable[Any]) -> None:
        for u in users:
            if u is not None and u.is_active and u.pk not in found:
                found[u.pk] = u

    for r in recipients:
        if r is None:
            continue
        if isinstance(r, user_model):
            add([r])
        elif isinstance(r, str) and r.startswith("user:"):
            add(user_model.objects.filter(username=r[5:]))
        else:
            for resolver in _resolvers:
                users = resolver(r)
                if users is not None:
                    add(users)
                    break
            else:
                raise TypeError(f"notify(): cannot send to {r!r}")
    return list(found.values())


def holders_of(perm: str) -> list[Any]:
    """Active users holding ``perm`` ("app.codename") through an active role."""
    app_label, codename = perm.split(".", 1)
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role__is_active=True,
            role_assignments__role__permissions__codename=codename,
            role_assignments__role__permissions__content_type__app_label=app_label,
        )
        .distinct()
        .order_by("pk")
    )


def channel_admins() -> list[Any]:
    return holders_of("notify.change_notificationchannel")


def time_zone_of(user: Any) -> zoneinfo.ZoneInfo:
    profile = UserProfile.objects.filter(user=user).only("time_zone").first()
    try:
        return zoneinfo.ZoneInfo(profile.time_zone if profile else settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def reader_of(user: Any) -> tuple[str, zoneinfo.ZoneInfo]:
    """The language and time zone ``user`` reads messages in (one query)."""
    profile = UserProfile.objects.filter(user=user).only("language", "time_zone").first()
    lang = profile.language if profile and profile.language else settings.LANGUAGE_CODE
    try:
        tz = zoneinfo.ZoneInfo(profile.time_zone if profile else settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return lang, tz


def person_of(user: Any) -> Any:
    try:
        return user.person
    except Exception:  # RelatedObjectDoesNotExist
        return None


def email_of(user: Any) -> str:
    person = person_of(user)
    return (user.email or (person.email if person else "") or "").strip()


def mobile_of(user: Any) -> str:
    person = person_of(user)
    return (person.phone if person else "").strip()


def quiet_until(user: Any, at: datetime.datetime) -> datetime.datetime | None:
    """When the user's quiet hours end, if ``at`` falls in them; else None."""
    quiet = QuietHours.objects.filter(user=user, enabled=True).first()
    if quiet is None or quiet.start == quiet.end:
        return None
    tz = time_zone_of(user)
    local = at.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    start, end = quiet.start, quiet.end
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:  # over midnight, e.g. 22:00 → 08:00
        inside = t >= start or t < end
        end_day = local.date() if t < end else local.date() + datetime.timedelta(days=1)
    if not inside:
        return None
    until = datetime.datetime.combine(end_day, end, tzinfo=tz)
    return until.astimezone(datetime.UTC)


# --- channels per recipient --------------------------------------------------------------------


@dataclass
class Choice:
    inbox: bool
    channels: list[NotificationChannel] = field(default_factory=list)


@dataclass
class KindSettings:
    mandatory: bool = False
    urgent: bool = False
    mandatory_channels: list[NotificationChannel] = field(default_factory=list)


def kind_settings(code: str) -> KindSettings:
    s = EventKindSetting.objects.filter(kind=code).prefetch_related("mandatory_channels").first()
    if s is None:
        return KindSettings()
    return KindSettings(
        mandatory=s.mandatory,
        urgent=s.urgent,
        mandatory_channels=[c for c in s.mandatory_channels.all() if c.is_active],
    )


def default_channels(kind: EventKind, active: list[NotificationChannel]) -> list[Any]:
    wanted = set(kind.default_channels) - {INBOX}
    return [c for c in active if c.kind in wanted]


def choice_for(
    user: Any,
    kind: EventKind,
    ks: KindSettings,
    active: list[NotificationChannel],
    prefs: dict[int, NotificationPreference],
) -> Choice:
    if kind.inbox_only:
        return Choice(inbox=True)
    pref = prefs.get(user.pk)
    active_ids = {c.pk for c in active}
    if pref is not None:
        chosen = [c for c in pref.channels.all() if c.pk in active_ids]
        inbox = pref.inbox or ks.mandatory
    else:
        chosen = default_channels(kind, active)
        inbox = INBOX in kind.default_channels or ks.mandatory
    channels = {c.pk: c for c in [*ks.mandatory_channels, *chosen]}
    return Choice(inbox=inbox, channels=sorted(channels.values(), key=lambda c: c.pk))


# --- notify ----------------------------------------------------------------------------------


def local_data(data: dict[str, Any], tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """``data`` as one reader reads it: a lazily translated text (a choice label, a
    ``gettext_lazy`` sentence) in the active language, an instant as a wall-clock time in the
    reader's time zone ("2026-12-01 09:30"). Call under ``translation.override``."""

    def local(value: Any) -> Any:
        if isinstance(value, Promise):
            return str(value)
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = value.astimezone(tz)
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, list | tuple):
            return [local(v) for v in value]
        return value

    return {key: local(value) for key, value in data.items()}


def object_link(obj: Any) -> str:
    if obj is None:
        return ""
    getter = getattr(obj, "get_absolute_url", None)
    if callable(getter):
        try:
            return str(getter())
        except Exception:
            return ""
    page = page_for(type(obj)) if isinstance(obj, models.Model) else None
    if page is not None and page.ui:
        try:
            return reverse(page.url_name("detail"), args=[obj.pk])
        except NoReverseMatch:
            return ""
    return ""


def _dedupe_marker(code: str, key: str) -> bool:
    """True the first time ``(code, key)`` is seen (marker commits with the notification)."""
    marker = f"notify:{code}:{key}"
    if len(marker) > 200:
        marker = f"notify:{code}:{hashlib.sha256(key.encode()).hexdigest()}"
    return once(marker)


def notify(
    kind: str,
    *,
    obj: Any = None,
    recipients: Iterable[Any],
    severity: str | None = None,
    data: dict[str, Any] | None = None,
    urgent: bool | None = None,
    link: str | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    ek = kinds.get(kind)
    if ek is None:
        raise UnknownEventKind(f"Unknown event kind {kind!r}: declare it with event_kind().")
    severity = severity or ek.severity
    if severity not in SEVERITY_ORDER:
        raise ValueError(f"Unknown severity {severity!r}")
    data = dict(data or {})
    users = resolve_recipients(recipients)
    if link is None:
        link = object_link(obj)
    with transaction.atomic():
        if dedupe_key and not _dedupe_marker(kind, dedupe_key):
            logger.info("Notification %s/%s already sent; skipped.", kind, dedupe_key)
            return None
        ks = kind_settings(kind)
        is_urgent = urgent if urgent is not None else (ek.urgent or ks.urgent)
        note = Notification.objects.create(
            kind=kind,
            severity=severity,
            urgent=is_urgent,
            object_type=audit.object_type(obj) if isinstance(obj, models.Model) else "",
            object_id=str(obj.pk) if isinstance(obj, models.Model) else "",
            link=(link or "")[:500],
            data=audit._jsonable(data),
            dedupe_key=dedupe_key[:200],
        )
        # a group channel an administrator made mandatory for the kind (a webhook to another
        # system, a team's robot) hears of the event even when no person is to be told
        unaddressed = (
            [] if ek.inbox_only else [c for c in ks.mandatory_channels if c.kind in GROUP_KINDS]
        )
        if not users and not unaddressed:
            return note
        active = list(NotificationChannel.objects.filter(is_active=True).order_by("pk"))
        prefs = {
            p.user_id: p
            for p in NotificationPreference.objects.filter(
                kind=kind, user__in=[u.pk for u in users]
            ).prefetch_related("channels")
        }
        rendered: dict[tuple[str, str], render.Rendered] = {}

        def message(lang: str, tz: zoneinfo.ZoneInfo) -> render.Rendered:
            """The message in ``lang``, its times in ``tz``: each recipient reads their own."""
            key = (lang, tz.key)
            if key not in rendered:
                with translation.override(lang), timezone.override(tz):
                    rendered[key] = render.render(
                        ek, lang, data=local_data(data, tz), obj=obj, link=link or "",
                        severity=severity,
                    )  # fmt: skip
            return rendered[key]

        inbox: list[InboxMessage] = []
        deliveries: list[Delivery] = []
        groups: dict[int, list[Any]] = {}  # channel id → users who chose it
        channel_by_id: dict[int, NotificationChannel] = {}
        at = now()
        for user in users:
            choice = choice_for(user, ek, ks, active, prefs)
            lang, tz = reader_of(user)
            if choice.inbox:
                msg = message(lang, tz)
                inbox.append(
                    InboxMessage(
                        notification=note,
                        user=user,
                        title=msg.title,
                        body=msg.text,
                        link=(link or "")[:500],
                        severity=severity,
                    )
                )
            for ch in choice.channels:
                if ch.kind == ChannelKind.EMAIL:
                    address = email_of(user)
                    if not address:
                        logger.info("No email address for %s: %s not sent on %s.", user, kind, ch)
                        continue
                    held = None if is_urgent else quiet_until(user, at)
                    msg = message(lang, tz)
                    deliveries.append(
                        Delivery(
                            notification=note,
                            channel=ch,
                            recipient=user,
                            address=address[:255],
                            title=msg.title,
                            payload=payload_of(
                                msg, ek, severity, data, emails=[address], language=lang
                            ),
                            status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
                            next_attempt_at=held,
                        )
                    )
                else:
                    groups.setdefault(ch.pk, []).append(user)
                    channel_by_id[ch.pk] = ch
        for ch in unaddressed:
            groups.setdefault(ch.pk, [])
            channel_by_id[ch.pk] = ch
        for ch_id, members in groups.items():
            ch = channel_by_id[ch_id]
            lang = str(ch.config.get("language") or settings.LANGUAGE_CODE)
            msg = message(lang, zoneinfo.ZoneInfo(settings.TIME_ZONE))
            mobiles = list(dict.fromkeys(m for m in (mobile_of(u) for u in members) if m))
            deliveries.append(
                Delivery(
                    notification=note,
                    channel=ch,
                    recipient=members[0] if len(members) == 1 else None,
                    address=", ".join(mobiles)[:255],
                    title=msg.title,
                    payload=payload_of(msg, ek, severity, data, mobiles=mobiles, language=lang),
                )
            )
        InboxMessage.objects.bulk_create(inbox)
        Delivery.objects.bulk_create(deliveries)
        due = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
        if due:
            transaction.on_commit(lambda: enqueue(due))
    return note


def payload_of(
    msg: render.Rendered,
    kind: EventKind,
    severity: str,
    data: dict[str, Any],
    *,
    mobiles: list[str] | None = None,
    emails: list[str] | None = None,
    language: str = "",
) -> dict[str, Any]:
    """What a transport sends; ``language``: the language its text is in (the reader's, or
    the group channel's), for a receiver such as a webhook."""
    return {
        "language": language,
        "title": msg.title,
        "text": msg.text,
        "markdown": msg.markdown,
        "html": msg.html,
        "url": msg.url,
        "severity": severity,
        "kind": kind.code,
        "mobiles": mobiles or [],
        "emails": emails or [],
        "data": audit._jsonable(data),
    }


def enqueue(delivery_ids: Iterable[int]) -> None:
    """Queue the sending of ``delivery_ids`` (call after commit)."""
    for pk in delivery_ids:
        try:
            send_delivery.enqueue(pk)
        except Exception:  # the dispatcher picks up what could not be queued
            logger.exception("Could not queue delivery %s; the dispatcher will.", pk)
