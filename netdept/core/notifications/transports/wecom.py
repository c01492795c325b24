"""WeCom group robot (企业微信群机器人).

Markdown by default (at most 4096 bytes; longer messages are cut at a line and keep their
link). WeCom's markdown cannot @ someone by mobile, so a message with mobiles to mention is
sent as a text message with ``mentioned_mobile_list``; ``config["format"] == "text"`` always
sends text. The key in the address (``?key=…``) is the only credential; there is no signing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core.models.notifications import NotificationChannel
from netdept.core.notifications.transports import common
from netdept.core.notifications.transports.base import OutboundMessage, SendResult, register

FORMATS = ("markdown", "text")
MARKDOWN_MAX = 4096  # bytes
TEXT_MAX = 2048  # bytes
RATE_LIMITED = {45009}
INVALID_KEY = {93000}
BUSY = {-1}


def body_for(channel: NotificationChannel, message: OutboundMessage) -> dict[str, Any]:
    mobiles = [m for m in dict.fromkeys(message.mobiles) if m]
    fmt = (channel.config or {}).get("format") or "markdown"
    if mobiles or fmt == "text":
        text = message.text or message.markdown
        if message.title and message.title not in text:
            text = f"{message.title}\n{text}"
        suffix = f"\n{message.url}" if message.url and message.url not in text else ""
        content = common.truncate_bytes(text, TEXT_MAX - len(suffix.encode())) + suffix
        body: dict[str, Any] = {"msgtype": "text", "text": {"content": content}}
        if mobiles:
            body["text"]["mentioned_mobile_list"] = mobiles
        return body
    markdown = message.markdown or message.text
    if message.title and message.title not in markdown:
        markdown = f"### {message.title}\n{markdown}"
    link = ""
    if message.url and message.url not in markdown:
        link = f"\n\n[{_('Open in NetDept')}]({message.url})"
    content = common.truncate_bytes(markdown, MARKDOWN_MAX - len(link.encode())) + link
    if len(content.encode()) > MARKDOWN_MAX:  # an absurdly long link: drop it
        content = common.truncate_bytes(markdown, MARKDOWN_MAX)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def interpret(status: int, data: dict[str, Any] | None, answer: str, host: str) -> SendResult:
    if data is None or "errcode" not in data:
        return SendResult(
            ok=False,
            retryable=False,
            status=status,
            answer=answer,
            error=_("%(host)s did not answer like a WeCom robot.") % {"host": host},
        )
    code = data.get("errcode")
    msg = str(data.get("errmsg", ""))
    if code == 0:
        return SendResult(ok=True, status=status, answer=answer)
    if code in RATE_LIMITED:
        return SendResult(
            ok=False,
            retryable=True,
            status=status,
            answer=answer,
            error=_("WeCom rate limit (errcode %(code)s): %(msg)s") % {"code": code, "msg": msg},
        )
    if code in INVALID_KEY:
        return SendResult(
            ok=False,
            retryable=False,
            status=status,
            answer=answer,
            error=_(
                "WeCom does not know this robot (errcode %(code)s): %(msg)s. Copy the webhook "
                "address with its key= again from the group's robot settings."
            )
            % {"code": code, "msg": msg},
        )
    if code in BUSY:
        return SendResult(
            ok=False,
            retryable=True,
            status=status,
            answer=answer,
            error=_("WeCom is busy (errcode %(code)s): %(msg)s") % {"code": code, "msg": msg},
        )
    return SendResult(
        ok=False,
        retryable=False,
        status=status,
        answer=answer,
        error=_("WeCom refused the message (errcode %(code)s): %(msg)s")
        % {"code": code, "msg": msg},
    )


class WeComTransport:
    kind = "wecom"

    def validate(self, channel: NotificationChannel) -> None:
        fmt = (channel.config or {}).get("format") or "markdown"
        if fmt not in FORMATS:
            raise ValidationError({"format": _("Choose markdown or text.")})

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        try:
            url = common.channel_url(channel)
        except common.Refused as exc:
            return common.refused(str(exc))
        host = common.url_host(url)
        _raw, response = common.post_json(url, body_for(channel, message))
        if isinstance(response, SendResult):
            return response
        if response.status_code >= 300:
            return common.http_failure(response, host)
        return interpret(
            response.status_code, common.json_answer(response), common.answer_text(response), host
        )


transport = register(WeComTransport())
