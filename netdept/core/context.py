"""Who is acting, and from where: set per request by middleware, per task or command by code."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    user: Any = None  # a User, or None for the system
    ip: str | None = None
    via: str = "system"  # web, api, task, command, system


_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar(
    "netdept_actor",
    default=ActorContext(),  # noqa: B039 (frozen)
)


def current() -> ActorContext:
    return _current.get()


@contextlib.contextmanager
def acting(user: Any = None, ip: str | None = None, via: str = "system") -> Iterator[None]:
    token = _current.set(ActorContext(user=user, ip=ip, via=via))
    try:
        yield
    finally:
        _current.reset(token)


def client_ip(request: Any) -> str | None:
    """The client's address. ``X-Forwarded-For`` is trusted only when configured."""
    from django.conf import settings

    if getattr(settings, "NETDEPT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded.split(",")[0].strip())
    addr = request.META.get("REMOTE_ADDR")
    return str(addr) if addr else None
