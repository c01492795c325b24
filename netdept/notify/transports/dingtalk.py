"""DingTalk group robot (钉钉自定义机器人).

Markdown message (or plain text with ``config["format"] == "text"``). @-mentions by mobile
need both ``at.atMobiles`` and ``@<mobile>`` in the text, or DingTalk does not render them.
With a secret (加签) the URL gets ``timestamp`` (ms) and ``sign`` =
base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.notify.models import NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, SendResult, register

FORMATS = ("markdown", "text")
TEXT_MAX = 18000  # bytes; DingTalk's limit is about 20,000
RULES = (
    common.CodeRule(
        frozenset({130101, 130102}),
        True,
        gettext_lazy("DingTalk rate limit (errcode %(code)s): %(msg)s"),
    ),
    common.CodeRule(
        frozenset({310000}),
        False,
        gettext_lazy(
            "DingTalk refused the security check (errcode %(code)s): %(msg)s. Check the "
            "secret (加签, SEC…), the keyword or the IP range in the robot's security settings."
        ),
    ),
    common.CodeRule(
        frozenset({-1}), True, gettext_lazy("DingTalk is busy (errcode %(code)s): %(msg)s")
    ),
)
REFUSED = gettext_lazy("DingTalk refused the message (errcode %(code)s): %(msg)s")


def sign(secret: str, timestamp_ms: str) -> str:
    msg = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha256).digest()).decode()


def signed_url(url: str, secret: str, now: float | None = None) -> str:
    timestamp = str(int((time.time() if now is None else now) * 1000))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={quote_plus(sign(secret, timestamp))}"


def body_for(channel: NotificationChannel, message: OutboundMessage) -> dict[str, Any]:
    mobiles = [m for m in dict.fromkeys(message.mobiles) if m]
    mentions = " ".join(f"@{m}" for m in mobiles)
    at = {"atMobiles": mobiles, "isAtAll": False}
    if (channel.config or {}).get("format") == "text":
        text = message.text or message.markdown
        if message.url and message.url not in text:
            text = f"{text}\n{message.url}"
        text = f"{message.title}\n{text}" if message.title and message.title not in text else text
        if mentions:
            text = f"{text}\n{mentions}"
        return {
            "msgtype": "text",
            "text": {"content": common.truncate_bytes(text, TEXT_MAX)},
            "at": at,
        }
    markdown = message.markdown or message.text
    if message.title and message.title not in markdown:
        markdown = f"#### {message.title}\n\n{markdown}"
    markdown = common.with_link(markdown, message)
    suffix = f"\n\n{mentions}" if mentions else ""
    markdown = common.truncate_bytes(markdown, TEXT_MAX - len(suffix.encode())) + suffix
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title[:100] or "NetDept", "text": markdown},
        "at": at,
    }


def interpret(status: int, data: dict[str, Any] | None, answer: str, host: str) -> SendResult:
    if data is None or "errcode" not in data:
        error = _("%(host)s did not answer like a DingTalk robot.") % {"host": host}
        return common.not_a_robot(status, answer, error)
    code, msg = data.get("errcode"), str(data.get("errmsg", ""))
    if code == 0:
        return SendResult(ok=True, status=status, answer=answer)
    return common.answer_by_code(status, answer, code, msg, RULES, REFUSED)


class DingTalkTransport:
    kind = "dingtalk"

    def validate(self, channel: NotificationChannel) -> None:
        fmt = (channel.config or {}).get("format") or "markdown"
        if fmt not in FORMATS:
            raise ValidationError({"format": _("Choose markdown or text.")})

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        try:
            url = common.channel_url(channel)
            secret = common.channel_secret(channel)
        except common.Refused as exc:
            return common.refused(str(exc))
        host = common.url_host(url)
        if secret:
            url = signed_url(url, secret)
        _raw, response = common.post_json(url, body_for(channel, message))
        if isinstance(response, SendResult):
            return response
        if response.status_code >= 300:
            return common.http_failure(response, host)
        return interpret(
            response.status_code, common.json_answer(response), common.answer_text(response), host
        )


transport = register(DingTalkTransport())
