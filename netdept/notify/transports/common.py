"""What every transport shares: the allowed-host check, the channel's decrypted address and
secret, one HTTP POST with sane limits, and turning HTTP failures into ``SendResult``.

Outbound calls go only to hosts an administrator listed under Allowed hosts (exact match,
case-insensitive), never to loopback, link-local or cloud metadata addresses, also after DNS
resolution (``netdept.core.outbound``), only over http(s), without the proxy settings of the
environment, with a 10 s timeout, and never follow a redirect to another host.
Error texts name the host, never the address: robot addresses carry their access token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core import crypto, outbound
from netdept.notify.models import AllowedHost, NotificationChannel
from netdept.notify.transports.base import OutboundMessage, SendResult

logger = logging.getLogger(__name__)

TIMEOUT = 10.0
ANSWER_MAX = 2000
MAX_REDIRECTS = 3
USER_AGENT = "NetDept-Notifications/1"


class Refused(Exception):
    """The channel cannot be used as configured (not worth retrying)."""


# --- hosts and addresses ---------------------------------------------------------------------


def normalise_host(host: str) -> str:
    host = (host or "").strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def host_allowed(host: str) -> bool:
    host = normalise_host(host)
    if not host:
        return False
    return any(
        normalise_host(h) == host for h in AllowedHost.objects.values_list("host", flat=True)
    )


def url_host(url: str) -> str:
    try:
        return normalise_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def check_url(url: str) -> str:
    """The host of ``url``; ValidationError on the ``url`` field unless the address is http(s)
    and its host is allowed."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise ValidationError({"url": _("This is not a valid address.")}) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(
            {"url": _("The address must start with http:// or https://.")}, code="scheme"
        )
    host = normalise_host(parts.hostname or "")
    if not host:
        raise ValidationError({"url": _("The address has no host name.")}, code="host")
    why = outbound.host_refusal(host)
    if why:
        raise ValidationError(
            {
                "url": _("%(host)s may not be called: it is %(reason)s.")
                % {"host": host, "reason": why}
            },
            code="host_refused",
        )
    if not host_allowed(host):
        raise ValidationError(
            {
                "url": _(
                    "The host %(host)s is not allowed. Add it under Allowed hosts first "
                    "(System → Allowed hosts)."
                )
                % {"host": host}
            },
            code="host_not_allowed",
        )
    return host


def refused(error: str) -> SendResult:
    return SendResult(ok=False, retryable=False, error=error)


def channel_url(channel: NotificationChannel) -> str:
    """The channel's decrypted address, checked again right before use."""
    try:
        url = crypto.decrypt(channel.url_encrypted)
    except crypto.SecretUnreadable as exc:
        raise Refused(
            _("The stored address cannot be decrypted with this installation's key.")
        ) from exc
    if not url:
        raise Refused(_("The channel has no address."))
    try:
        check_url(url)
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages)) from exc
    return url


def channel_secret(channel: NotificationChannel) -> str:
    try:
        return crypto.decrypt(channel.secret_encrypted)
    except crypto.SecretUnreadable as exc:
        raise Refused(
            _("The stored secret cannot be decrypted with this installation's key.")
        ) from exc


def delivery_id(message: OutboundMessage) -> str:
    """The stable id of the delivery being sent (the engine sets it), or ""."""
    value = getattr(message, "delivery_id", None) or message.data.get("_delivery_id") or ""
    return str(value)


# --- text helpers ----------------------------------------------------------------------------


def truncate_bytes(text: str, limit: int, suffix: str = "") -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (with ``suffix``), preferably at a line
    end, never inside a character."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(suffix.encode()) - len("\n…".encode())
    cut = text.encode()[: max(room, 0)].decode("utf-8", errors="ignore")
    line_end = cut.rfind("\n")
    if line_end > len(cut) * 0.6:
        cut = cut[:line_end]
    return cut.rstrip() + "\n…" + suffix


def answer_text(response: httpx.Response) -> str:
    try:
        return response.text[:ANSWER_MAX]
    except Exception:  # undecodable body
        return repr(response.content[:ANSWER_MAX])


def json_answer(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = json.loads(response.content or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def http_failure(response: httpx.Response, host: str) -> SendResult:
    return http_failure_status(response.status_code, answer_text(response), host)


def http_failure_status(status: int, answer: str, host: str) -> SendResult:
    """A non-2xx answer: 408, 425, 429 and 5xx are worth retrying, other codes are not."""
    retryable = status in (408, 425, 429) or status >= 500
    return SendResult(
        ok=False,
        retryable=retryable,
        status=status,
        answer=answer,
        error=_("%(host)s answered HTTP %(status)d.") % {"host": host, "status": status},
    )


# --- HTTP ------------------------------------------------------------------------------------


def post(
    url: str,
    *,
    content: bytes,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Response | SendResult:
    """POST ``content`` to ``url``; the response, or a SendResult for a failure on the way.

    Redirects are followed only when they keep the method (307/308) and stay on the same
    host; any other redirect is a permanent failure."""
    host = url_host(url)
    timeout = timeout or TIMEOUT
    all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    all_headers.update(headers or {})
    try:
        with outbound.http_client(timeout) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                response = client.post(url, content=content, headers=all_headers)
                if not response.is_redirect:
                    return response
                target = urljoin(url, response.headers.get("Location", ""))
                if response.status_code not in (307, 308) or url_host(target) != host:
                    return SendResult(
                        ok=False,
                        retryable=False,
                        status=response.status_code,
                        answer=answer_text(response),
                        error=_(
                            "%(host)s redirected the message to %(target)s; redirects to "
                            "another host are not followed."
                        )
                        % {"host": host, "target": url_host(target) or "?"},
                    )
                url = target
            return SendResult(
                ok=False,
                retryable=False,
                error=_("Too many redirects from %(host)s.") % {"host": host},
            )
    except outbound.OutboundRefused as exc:
        return SendResult(ok=False, retryable=False, error=str(exc))
    except httpx.TimeoutException:
        return SendResult(
            ok=False,
            retryable=True,
            error=_("%(host)s did not answer within %(seconds)d seconds.")
            % {"host": host, "seconds": int(timeout)},
        )
    except httpx.HTTPError as exc:
        return SendResult(
            ok=False,
            retryable=True,
            error=_("Could not reach %(host)s: %(error)s")
            % {"host": host, "error": _safe_error(exc, url)},
        )


def _safe_error(exc: Exception, url: str) -> str:
    """What went wrong, in the reader's language (``outbound.describe``), without the address
    (it may carry the access token)."""
    return outbound.describe(exc).replace(url, "…")[:300]


def post_json(
    url: str, body: Any, headers: dict[str, str] | None = None
) -> tuple[bytes, httpx.Response | SendResult]:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, post(url, content=raw, headers=headers)


def with_link(markdown: str, message: OutboundMessage, label: str | None = None) -> str:
    """``markdown`` with the link back to the object, unless it already contains it."""
    if not message.url or message.url in markdown:
        return markdown
    return f"{markdown}\n\n[{label or _('Open in NetDept')}]({message.url})"


@dataclass(frozen=True)
class CodeRule:
    """How a robot's error code is taken: retried later or not, and what to tell people
    (a translatable text with ``%(code)s`` and ``%(msg)s``)."""

    codes: frozenset[Any]
    retryable: bool
    message: Any


def not_a_robot(status: int, answer: str, error: str) -> SendResult:
    return SendResult(ok=False, retryable=False, status=status, answer=answer, error=error)


def answer_by_code(
    status: int, answer: str, code: Any, msg: str, rules: Sequence[CodeRule], fallback: Any
) -> SendResult:
    """The result for a robot's non-zero error code: the first matching rule, else a
    permanent failure worded by ``fallback``."""
    for rule in rules:
        if code in rule.codes:
            return SendResult(
                ok=False,
                retryable=rule.retryable,
                status=status,
                answer=answer,
                error=str(rule.message) % {"code": code, "msg": msg},
            )
    return SendResult(
        ok=False,
        retryable=False,
        status=status,
        answer=answer,
        error=str(fallback) % {"code": code, "msg": msg},
    )
