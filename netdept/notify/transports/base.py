"""The contract between the notification engine and each channel kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from netdept.notify.models import NotificationChannel


@dataclass
class OutboundMessage:
    """A rendered message, ready for any channel."""

    title: str
    text: str  # plain text body
    markdown: str  # markdown body (robots)
    html: str = ""  # HTML body (email)
    url: str = ""  # absolute link back to the object
    severity: str = "info"
    kind: str = ""
    mobiles: list[str] = field(default_factory=list)  # @ mentions on group robots
    emails: list[str] = field(default_factory=list)  # email recipients
    data: dict[str, Any] = field(default_factory=dict)  # the event data (webhooks)


@dataclass
class SendResult:
    ok: bool
    retryable: bool = False  # worth another attempt later (timeouts, 5xx, rate limited)
    status: int | None = None  # HTTP status or SMTP reply code
    answer: str = ""  # the remote answer, truncated
    error: str = ""  # what went wrong, for people


class Transport(Protocol):
    kind: str

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        """Send now (called from a background task, never from a web request)."""
        ...

    def validate(self, channel: NotificationChannel) -> None:
        """Raise ValidationError naming the field when the channel's settings are wrong."""
        ...


_TRANSPORTS: dict[str, Transport] = {}


def register(transport: Transport) -> Transport:
    _TRANSPORTS[transport.kind] = transport
    return transport


def transport_for(kind: str) -> Transport:
    # The transports import this module to register themselves: they are imported on first use.
    from netdept.notify import transports  # noqa: F401  (registers all kinds)

    return _TRANSPORTS[kind]
