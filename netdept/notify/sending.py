"""Sending one delivery: claim, rate limit or fold into a digest, send, record the outcome.

The claim protocol (what "a worker killed mid-send loses nothing and does not send twice"
means exactly):

1. **Claim**: one conditional UPDATE moves the delivery from pending / retrying (due) / held
   (due) to ``sending`` and stores ``claimed_at`` and a fresh ``claim_token``; it commits
   before anything is sent. Two workers can never both claim it: the second UPDATE matches no
   row.
2. **Send**: the request carries the delivery's stable id (webhooks: the
   ``X-NetDept-Delivery`` header; the id never changes between attempts).
3. **Record**: the outcome is written only if the claim token is still ours.

A worker that dies after 1 leaves the delivery in ``sending``. When the claim is older than
``NETDEPT["NOTIFY_CLAIM_TIMEOUT"]`` seconds (default 300) the dispatcher, or the re-run of the
task, claims it again and sends it again, with the same id. So nothing is lost; a message is
sent twice only if the worker died after the receiver accepted it and before step 3 committed,
and then the second request carries the same delivery id so that a receiver can drop it. A
worker that dies before sending (between 1 and 2) causes exactly one request.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.notify import engine, render
from netdept.notify.models import ChannelKind, Delivery, DeliveryStatus, NotificationChannel
from netdept.notify.transports.base import OutboundMessage, SendResult, transport_for

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd… failed attempt; after MAX_ATTEMPTS attempts the delivery fails.
BACKOFF = (
    datetime.timedelta(seconds=30),
    datetime.timedelta(minutes=2),
    datetime.timedelta(minutes=10),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = 6
WINDOW = datetime.timedelta(seconds=60)
DIGEST_LINES = 10
DIGEST_MOBILES = 50
# A pending delivery whose task was never queued (the process died right after the commit)
# is queued again by the dispatcher after this long.
PENDING_GRACE = datetime.timedelta(minutes=2)
DISPATCH_LIMIT = 1000
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(settings.NETDEPT.get("NOTIFY_CLAIM_TIMEOUT", 300)))


def is_rate_limited(channel: NotificationChannel) -> bool:
    return channel.kind != ChannelKind.EMAIL and channel.rate_per_minute > 0


def _claimable(now: datetime.datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (
        Q(status=DeliveryStatus.PENDING)
        | (Q(status__in=[DeliveryStatus.RETRYING, DeliveryStatus.HELD]) & due)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_timeout())
    )


def _recent(channel: NotificationChannel, now: datetime.datetime) -> Any:
    since = now - WINDOW
    return Delivery.objects.filter(channel=channel).filter(
        Q(status=DeliveryStatus.SENT, sent_at__gt=since)
        | Q(status=DeliveryStatus.SENDING, claimed_at__gt=since)
    )


def _window_end(channel: NotificationChannel, now: datetime.datetime) -> datetime.datetime:
    """When the oldest message counted in the current window leaves it."""
    recent = _recent(channel, now).aggregate(sent=Min("sent_at"), claimed=Min("claimed_at"))
    first = min((t for t in (recent["sent"], recent["claimed"]) if t is not None), default=now)
    return max(first + WINDOW, now + datetime.timedelta(seconds=1))


def _lock_channel(channel_id: int) -> NotificationChannel:
    """Serialise rate-limit decisions per channel (row lock on PostgreSQL; SQLite writers
    are serialised by the IMMEDIATE transactions)."""
    return NotificationChannel.objects.select_for_update().get(pk=channel_id)


def claim(delivery_id: int) -> tuple[Delivery, str] | None:
    """Claim the delivery for sending; None if it is not ours to send (now)."""
    at = engine.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        d = Delivery.objects.filter(pk=delivery_id).filter(_claimable(at)).first()
        if d is None:
            return None
        channel = _lock_channel(d.channel_id)
        if is_rate_limited(channel):
            full = _recent(channel, at).exclude(pk=d.pk).count() >= channel.rate_per_minute
            fresh = d.status == DeliveryStatus.PENDING and not d.is_digest
            waiting = (
                fresh
                and Delivery.objects.filter(
                    channel=channel, status=DeliveryStatus.DIGESTED, digest__isnull=True
                )
                .exclude(pk=d.pk)
                .exists()
            )
            if fresh and (full or waiting):
                # Over the channel's rate (or a digest is being gathered): fold it.
                Delivery.objects.filter(pk=d.pk, status=d.status).update(
                    status=DeliveryStatus.DIGESTED,
                    digest=None,
                    next_attempt_at=_window_end(channel, at),
                )
                return None
            if full:  # a retry or a digest: wait for the window, without using an attempt
                Delivery.objects.filter(pk=d.pk, status=d.status).update(
                    status=DeliveryStatus.RETRYING, next_attempt_at=_window_end(channel, at)
                )
                return None
        updated = (
            Delivery.objects.filter(pk=d.pk)
            .filter(_claimable(at))
            .update(
                status=DeliveryStatus.SENDING,
                claimed_at=at,
                claim_token=token,
                attempts=F("attempts") + 1,
            )
        )
        if not updated:
            return None
    d.refresh_from_db()
    d.channel = channel
    return d, token


def outbound(d: Delivery) -> OutboundMessage:
    p = d.payload or {}
    message = OutboundMessage(
        title=str(p.get("title") or d.title),
        text=str(p.get("text") or ""),
        markdown=str(p.get("markdown") or p.get("text") or ""),
        html=str(p.get("html") or ""),
        url=str(p.get("url") or ""),
        severity=str(p.get("severity") or "info"),
        kind=str(p.get("kind") or ""),
        mobiles=list(p.get("mobiles") or []),
        emails=list(p.get("emails") or ([d.address] if d.address else [])),
        data=dict(p.get("data") or {}),
    )
    # The stable id of this delivery: the same on every attempt (receivers drop duplicates).
    message.delivery_id = str(d.pk)  # type: ignore[attr-defined]
    return message


def send(delivery_id: int) -> str | None:
    """Claim and send one delivery; the status it ends in, or None if it was not claimed."""
    claimed = claim(delivery_id)
    if claimed is None:
        return None
    d, token = claimed
    try:
        result = transport_for(d.channel.kind).send(d.channel, outbound(d))
    except Exception as exc:  # a bug or an unexpected network error: retry later
        logger.exception("Transport %s failed on delivery %s.", d.channel.kind, d.pk)
        result = SendResult(ok=False, retryable=True, error=f"{type(exc).__name__}: {exc}")
    return record(d, token, result)


def record(d: Delivery, token: str, result: SendResult) -> str | None:
    at = engine.now()
    answer = (result.answer or "")[:4000]
    with transaction.atomic():
        mine = Delivery.objects.filter(pk=d.pk, status=DeliveryStatus.SENDING, claim_token=token)
        if result.ok:
            done = mine.update(
                status=DeliveryStatus.SENT,
                sent_at=at,
                remote_status=result.status,
                remote_answer=answer,
                error="",
                next_attempt_at=None,
            )
            status = DeliveryStatus.SENT
        elif result.retryable and d.attempts < MAX_ATTEMPTS:
            wait = BACKOFF[min(d.attempts, len(BACKOFF)) - 1]
            done = mine.update(
                status=DeliveryStatus.RETRYING,
                next_attempt_at=at + wait,
                remote_status=result.status,
                remote_answer=answer,
                error=(result.error or "")[:4000],
            )
            status = DeliveryStatus.RETRYING
        else:
            done = mine.update(
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                remote_status=result.status,
                remote_answer=answer,
                error=(result.error or _("The receiver refused the message."))[:4000],
            )
            status = DeliveryStatus.FAILED
            if done:
                failed(Delivery.objects.select_related("channel", "recipient").get(pk=d.pk))
        if not done:
            logger.warning("Delivery %s was taken over by another worker; outcome dropped.", d.pk)
            return None
    return str(status)


def failed(d: Delivery) -> None:
    """A delivery failed for good: audit it and tell the channel administrators (inbox only)."""
    audit.record(
        AuditAction.TASK,
        d,
        actor=None,
        extra={
            "event": "notification_delivery_failed",
            "channel": d.channel.name,
            "attempts": d.attempts,
            "error": d.error[:500],
            "remote_status": d.remote_status,
        },
    )
    admins = engine.channel_admins()
    if admins:
        engine.notify(
            "core.delivery_failed",
            obj=d,
            recipients=admins,
            data={
                "channel": d.channel.name,
                # the label itself (lazy): each administrator reads it in their own language
                "channel_kind": (
                    ChannelKind(d.channel.kind).label
                    if d.channel.kind in ChannelKind.values
                    else d.channel.kind
                ),
                "recipient": str(d.recipient or d.address or ""),
                "title": d.title,
                "error": d.error[:500],
                "attempts": d.attempts,
                "delivery_id": d.pk,
            },
        )


# --- digests ---------------------------------------------------------------------------------


def flush_digest(channel_id: int) -> Delivery | None:
    """Fold every delivery waiting on ``channel_id`` into one digest, if the rate allows."""
    at = engine.now()
    with transaction.atomic():
        channel = _lock_channel(channel_id)
        waiting = list(
            Delivery.objects.filter(
                channel=channel, status=DeliveryStatus.DIGESTED, digest__isnull=True
            ).order_by("created_at", "pk")
        )
        if not waiting:
            return None
        if is_rate_limited(channel) and _recent(channel, at).count() >= channel.rate_per_minute:
            Delivery.objects.filter(pk__in=[w.pk for w in waiting]).update(
                next_attempt_at=_window_end(channel, at)
            )
            return None
        lang = str(channel.config.get("language") or settings.LANGUAGE_CODE)
        with translation.override(lang):
            payload = digest_payload(waiting)
        digest = Delivery.objects.create(
            channel=channel,
            title=payload["title"][: render.TITLE_MAX],
            payload=payload,
            is_digest=True,
            address=", ".join(payload["mobiles"])[:255],
        )
        Delivery.objects.filter(pk__in=[w.pk for w in waiting]).update(
            digest=digest, next_attempt_at=None
        )
        transaction.on_commit(lambda: engine.enqueue([digest.pk]))
    return digest


def digest_payload(folded: list[Delivery]) -> dict[str, Any]:
    count = len(folded)
    title = ngettext(
        "NetDept: %(count)d notification (digest)",
        "NetDept: %(count)d notifications (digest)",
        count,
    ) % {"count": count}
    by_severity: dict[str, int] = {}
    for d in folded:
        sev = str((d.payload or {}).get("severity") or "info")
        by_severity[sev] = by_severity.get(sev, 0) + 1
    severity = max(by_severity, key=lambda s: SEVERITY_RANK.get(s, 0))
    labels = {
        "critical": _("critical"),
        "warning": _("warning"),
        "info": _("information"),
    }
    summary = ", ".join(
        f"{labels.get(s, s)} {n}"
        for s, n in sorted(by_severity.items(), key=lambda i: -SEVERITY_RANK.get(i[0], 0))
    )
    intro = _(
        "Too many messages for this channel in one minute; %(count)d were folded into this "
        "digest (%(summary)s)."
    ) % {"count": count, "summary": summary}
    lines = []
    for d in folded[:DIGEST_LINES]:
        sev = str((d.payload or {}).get("severity") or "info")
        lines.append(f"- [{labels.get(sev, sev)}] {d.title}")
    if count > DIGEST_LINES:
        lines.append(_("- … and %(more)d more") % {"more": count - DIGEST_LINES})
    try:
        url = render.absolute(reverse("notify:notifications_inbox"))
    except Exception:
        url = render.base_url()
    text = intro + "\n" + "\n".join(lines)
    link_label = _("Open the inbox in NetDept")
    markdown = f"### {title}\n\n{intro}\n\n" + "\n".join(lines) + f"\n\n[{link_label}]({url})"
    import html as _html

    page = (
        f"<h3>{_html.escape(title)}</h3><p>{_html.escape(intro)}</p><ul>"
        + "".join(f"<li>{_html.escape(line[2:])}</li>" for line in lines)
        + f'</ul><p><a href="{_html.escape(url)}">{_html.escape(link_label)}</a></p>'
    )
    mobiles: list[str] = []
    for d in folded:
        for m in (d.payload or {}).get("mobiles") or []:
            if m not in mobiles and len(mobiles) < DIGEST_MOBILES:
                mobiles.append(m)
    return {
        "title": title,
        "text": text,
        "markdown": markdown,
        "html": page,
        "url": url,
        "severity": severity,
        "kind": "core.digest",
        "mobiles": mobiles,
        "emails": [],
        "data": {"digest": True, "count": count, "deliveries": [d.pk for d in folded]},
    }


# --- the dispatcher --------------------------------------------------------------------------


def due_deliveries(at: datetime.datetime) -> list[int]:
    due = (
        Q(status__in=[DeliveryStatus.RETRYING, DeliveryStatus.HELD], next_attempt_at__lte=at)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=at - claim_timeout())
        | Q(status=DeliveryStatus.PENDING, created_at__lt=at - PENDING_GRACE)
    )
    return list(
        Delivery.objects.filter(due)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:DISPATCH_LIMIT]
    )


def dispatch(enqueue: bool = True) -> dict[str, int]:
    """Digests whose window has passed, then every delivery whose time has come."""
    at = engine.now()
    channels = (
        Delivery.objects.filter(
            status=DeliveryStatus.DIGESTED, digest__isnull=True, next_attempt_at__lte=at
        )
        .values_list("channel_id", flat=True)
        .distinct()
    )
    digests = 0
    for channel_id in list(channels):
        if flush_digest(channel_id) is not None:
            digests += 1
    due = due_deliveries(at)
    if enqueue:
        engine.enqueue(due)
    else:
        for pk in due:
            send(pk)
    return {"digests": digests, "queued": len(due)}


def retry_now(deliveries: Iterable[Delivery]) -> list[int]:
    """Put failed deliveries back in the queue (the caller checks permission and audits)."""
    ids = [d.pk for d in deliveries if d.status == DeliveryStatus.FAILED]
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, claim_token=""
    )
    transaction.on_commit(lambda: engine.enqueue(ids))
    return ids
