"""Feishu / Lark custom robot (飞书自定义机器人).

``config["format"]``: ``card`` (interactive card, the default) or ``text``. With a secret
(签名校验) the JSON body carries ``timestamp`` (seconds) and ``sign`` =
base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg="")). Answers are
``{"code": 0, "msg": "success"}``; older robots answer ``{"StatusCode": 0, ...}``.
Feishu can @ people only by their Feishu user id, not by mobile, so mobiles are not mentioned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.notify.models import NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, SendResult, register

FORMATS = ("card", "interactive", "text")
TEXT_MAX = 18000  # bytes (Feishu accepts a request body of up to 20 KB)
RATE_LIMITED = {11232}
SIGN_FAILED = {19021}
HEADER_COLOURS = {"critical": "red", "warning": "orange", "info": "blue"}


def sign(secret: str, timestamp_s: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def body_for(channel: NotificationChannel, message: OutboundMessage) -> dict[str, Any]:
    fmt = (channel.config or {}).get("format") or "card"
    if fmt == "text":
        text = message.text or message.markdown
        if message.title and message.title not in text:
            text = f"{message.title}\n{text}"
        suffix = f"\n{message.url}" if message.url and message.url not in text else ""
        content = common.truncate_bytes(text, TEXT_MAX - len(suffix.encode())) + suffix
        return {"msg_type": "text", "content": {"text": content}}
    markdown = common.truncate_bytes(message.markdown or message.text, TEXT_MAX)
    elements: list[dict[str, Any]] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": markdown}}
    ]
    if message.url:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": _("Open in NetDept")},
                        "url": message.url,
                        "type": "primary",
                    }
                ],
            }
        )
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": message.title[:200] or "NetDept"},
                "template": HEADER_COLOURS.get(message.severity, "blue"),
            },
            "elements": elements,
        },
    }


def interpret(status: int, data: dict[str, Any] | None, answer: str, host: str) -> SendResult:
    if data is not None and "code" not in data and "StatusCode" in data:  # older answers
        data = {"code": data.get("StatusCode"), "msg": data.get("StatusMessage", "")}
    if data is None or "code" not in data:
        if status >= 300:
            return common.http_failure_status(status, answer, host)
        return SendResult(
            ok=False,
            retryable=False,
            status=status,
            answer=answer,
            error=_("%(host)s did not answer like a Feishu robot.") % {"host": host},
        )
    code = data.get("code")
    msg = str(data.get("msg", ""))
    if code == 0 and status < 300:
        return SendResult(ok=True, status=status, answer=answer)
    if code in RATE_LIMITED or status == 429:
        return SendResult(
            ok=False,
            retryable=True,
            status=status,
            answer=answer,
            error=_("Feishu rate limit (code %(code)s): %(msg)s") % {"code": code, "msg": msg},
        )
    if code in SIGN_FAILED:
        return SendResult(
            ok=False,
            retryable=False,
            status=status,
            answer=answer,
            error=_(
                "Feishu refused the signature (code %(code)s): %(msg)s. Check the secret "
                "(签名校验) in the robot's security settings and the server's clock."
            )
            % {"code": code, "msg": msg},
        )
    if status >= 500:
        return common.http_failure_status(status, answer, host)
    return SendResult(
        ok=False,
        retryable=False,
        status=status,
        answer=answer,
        error=_("Feishu refused the message (code %(code)s): %(msg)s") % {"code": code, "msg": msg},
    )


class FeishuTransport:
    kind = "feishu"

    def validate(self, channel: NotificationChannel) -> None:
        fmt = (channel.config or {}).get("format") or "card"
        if fmt not in FORMATS:
            raise ValidationError({"format": _("Choose card or text.")})

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        try:
            url = common.channel_url(channel)
            secret = common.channel_secret(channel)
        except common.Refused as exc:
            return common.refused(str(exc))
        host = common.url_host(url)
        body = body_for(channel, message)
        if secret:
            timestamp = str(int(time.time()))
            body = {"timestamp": timestamp, "sign": sign(secret, timestamp), **body}
        _raw, response = common.post_json(url, body)
        if isinstance(response, SendResult):
            return response
        return interpret(
            response.status_code, common.json_answer(response), common.answer_text(response), host
        )


transport = register(FeishuTransport())
