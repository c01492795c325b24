"""Generic webhook: a JSON POST any system can receive.

Body::

    {"kind": "workorders.assigned", "severity": "info", "title": "…", "text": "…",
     "markdown": "…", "url": "https://…", "data": {…}, "mobiles": [], "delivery_id": "42"}

Headers: ``Content-Type: application/json``, ``X-NetDept-Event: <kind>``,
``X-NetDept-Delivery: <id>`` (the same on every attempt of one delivery: receivers drop
duplicates by it) and, when the channel has a secret, ``X-NetDept-Signature: sha256=<hex>``
= HMAC-SHA256(key=secret, msg=the raw body). 2xx is success; 408, 425, 429 and 5xx are retried;
any other answer is a permanent failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from netdept.notify.models import NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, SendResult, register


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def body_for(message: OutboundMessage) -> dict[str, Any]:
    data = {k: v for k, v in (message.data or {}).items() if not str(k).startswith("_")}
    body: dict[str, Any] = {
        "kind": message.kind,
        "severity": message.severity,
        "title": message.title,
        "text": message.text,
        "markdown": message.markdown,
        "url": message.url,
        "data": data,
        "mobiles": list(message.mobiles),
    }
    delivery = common.delivery_id(message)
    if delivery:
        body["delivery_id"] = delivery
    return body


class WebhookTransport:
    kind = "webhook"

    def validate(self, channel: NotificationChannel) -> None:
        return None

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        try:
            url = common.channel_url(channel)
            secret = common.channel_secret(channel)
        except common.Refused as exc:
            return common.refused(str(exc))
        host = common.url_host(url)
        raw = json.dumps(body_for(message), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"X-NetDept-Event": message.kind or "notification"}
        delivery = common.delivery_id(message)
        if delivery:
            headers["X-NetDept-Delivery"] = delivery
        if secret:
            headers["X-NetDept-Signature"] = signature(secret, raw)
        response = common.post(url, content=raw, headers=headers)
        if isinstance(response, SendResult):
            return response
        if not 200 <= response.status_code < 300:
            return common.http_failure(response, host)
        return SendResult(ok=True, status=response.status_code, answer=common.answer_text(response))


transport = register(WebhookTransport())
