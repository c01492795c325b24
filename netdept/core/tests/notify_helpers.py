"""Helpers of the notification tests: channels, a controllable clock, a recording transport."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from netdept.core import crypto
from netdept.notify import engine
from netdept.notify.models import AllowedHost, NotificationChannel
from netdept.notify.transports import base

_names = itertools.count(1)


def make_channel(kind: str, url: str = "", *, rate: int = 20, **extra: Any) -> NotificationChannel:
    """A channel as the admin pages would save it (address encrypted, host allowed)."""
    AllowedHost.objects.get_or_create(host="127.0.0.1")
    return NotificationChannel.objects.create(
        name=extra.pop("name", f"{kind}-{next(_names)}"),
        kind=kind,
        url_encrypted=crypto.encrypt(url) if url else "",
        url_host="127.0.0.1" if url else "",
        secret_encrypted=crypto.encrypt(extra.pop("secret")) if extra.get("secret") else "",
        rate_per_minute=rate,
        config=extra.pop("config", {}),
        **extra,
    )


class Clock:
    """The notification engine's clock, moved by hand."""

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self.now = start or timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime.datetime:
        self.now += datetime.timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(engine, "clock", c)
    return c


@dataclass
class FakeTransport:
    """A transport for logic tests only (retries, digests): answers from a script."""

    kind: str = "fake"
    sent: list[base.OutboundMessage] = field(default_factory=list)
    script: list[base.SendResult] = field(default_factory=list)

    def send(self, channel: NotificationChannel, message: base.OutboundMessage) -> base.SendResult:
        self.sent.append(message)
        if self.script:
            return self.script.pop(0)
        return base.SendResult(ok=True, status=200, answer='{"ok": true}')

    def validate(self, channel: NotificationChannel) -> None:
        return None


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    yield from swap_transport(FakeTransport())


def swap_transport(t: FakeTransport) -> Iterator[FakeTransport]:
    """Register ``t`` under its kind for one test, then put back what was there."""
    has_transport(t.kind)  # import the real transports first, so that they do not replace t
    previous = base._TRANSPORTS.get(t.kind)
    base.register(t)
    try:
        yield t
    finally:
        if previous is None:
            base._TRANSPORTS.pop(t.kind, None)
        else:
            base._TRANSPORTS[t.kind] = previous


def has_transport(kind: str) -> bool:
    try:
        base.transport_for(kind)
    except KeyError:
        return False
    return True
