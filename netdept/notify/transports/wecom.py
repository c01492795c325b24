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
from django.utils.translation import gettext_lazy

from netdept.notify.models import NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, SendResult, register

FORMATS = ("markdown", "text")
MARKDOWN_MAX = 4096  # bytes
TEXT_MAX = 2048  # bytes
RULES = (
    common.CodeRule(
        frozenset({45009}), True, gettext_lazy("WeCom rate limit (errcode %(code)s): %(msg)s")
    ),
    common.CodeRule(
        frozenset({93000}),
        False,
        gettext_lazy(
            "WeCom does not know this robot (errcode %(code)s): %(msg)s. Copy the webhook "
            "address with its key= again from the group's robot settings."
        ),
    ),
    common.CodeRule(
        frozenset({-1}), True, gettext_lazy("WeCom is busy (errcode %(code)s): %(msg)s")
    ),
)
REFUSED = gettext_lazy("WeCom refused the message (errcode %(code)s): %(msg)s")


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
        error = _("%(host)s did not answer like a WeCom robot.") % {"host": host}
        return common.not_a_robot(status, answer, error)
    code, msg = data.get("errcode"), str(data.get("errmsg", ""))
    if code == 0:
        return SendResult(ok=True, status=status, answer=answer)
    return common.answer_by_code(status, answer, code, msg, RULES, REFUSED)


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
