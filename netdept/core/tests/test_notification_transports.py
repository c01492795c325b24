"""The channel transports against real receivers: RobotServer plays DingTalk, WeCom, Feishu and
a webhook receiver (verifying signatures with the vendors' algorithms), aiosmtpd receives mail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest

from netdept.core import crypto
from netdept.notify.models import AllowedHost, NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, transport_for
from netdept.testing.receivers import RobotServer, SmtpServer

pytestmark = pytest.mark.django_db

DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
FEISHU_SECRET = "feishu-signing-secret"
HOOK_SECRET = "hook-secret"


@pytest.fixture
def srv() -> Iterator[RobotServer]:
    AllowedHost.objects.get_or_create(host="127.0.0.1")
    with RobotServer() as server:
        yield server


def channel(
    kind: str, url: str = "", *, secret: str = "", config: dict[str, Any] | None = None
) -> NotificationChannel:
    return NotificationChannel.objects.create(
        name=f"{kind}-{NotificationChannel.objects.count() + 1}",
        kind=kind,
        url_encrypted=crypto.encrypt(url),
        url_host=common.url_host(url),
        secret_encrypted=crypto.encrypt(secret),
        config=config or {},
    )


def message(**kw: Any) -> OutboundMessage:
    base: dict[str, Any] = {
        "title": "工单 WO-1 已指派给你",
        "text": "打印机故障，三楼护士站。",
        "markdown": "**打印机故障**，三楼护士站。",
        "html": "<p><b>打印机故障</b>，三楼护士站。</p>",
        "url": "https://netdept.example/workorders/1/",
        "severity": "warning",
        "kind": "workorders.assigned",
    }
    base.update(kw)
    return OutboundMessage(**base)


def send(ch: NotificationChannel, msg: OutboundMessage | None = None) -> Any:
    return transport_for(ch.kind).send(ch, msg or message())


# --- DingTalk --------------------------------------------------------------------------------


def test_dingtalk_signed_markdown_with_mentions(srv: RobotServer) -> None:
    srv.dingtalk_secret = DING_SECRET
    ch = channel("dingtalk", srv.url("/robot/send?access_token=tok123"), secret=DING_SECRET)
    result = send(ch, message(mobiles=["13800138000", "13900139000"]))
    assert result.ok, result
    assert json.loads(result.answer) == {"errcode": 0, "errmsg": "ok"}
    (rec,) = srv.of("dingtalk")
    assert rec.answer["errcode"] == 0  # the receiver verified timestamp + sign
    assert rec.query["access_token"] == "tok123"
    assert {"timestamp", "sign"} <= set(rec.query)
    body = rec.body
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "工单 WO-1 已指派给你"
    assert body["at"]["atMobiles"] == ["13800138000", "13900139000"]
    assert "@13800138000" in body["markdown"]["text"]
    assert "@13900139000" in body["markdown"]["text"]
    assert "https://netdept.example/workorders/1/" in body["markdown"]["text"]


def test_dingtalk_wrong_secret_is_permanent_with_vendor_message(srv: RobotServer) -> None:
    srv.dingtalk_secret = DING_SECRET
    ch = channel("dingtalk", srv.url("/robot/send?access_token=t"), secret="SECwrong")
    result = send(ch)
    assert not result.ok and not result.retryable
    assert "310000" in result.error and "sign not match" in result.error
    assert json.loads(result.answer)["errcode"] == 310000


def test_dingtalk_missing_secret_is_permanent(srv: RobotServer) -> None:
    srv.dingtalk_secret = DING_SECRET
    result = send(channel("dingtalk", srv.url("/robot/send?access_token=t")))
    assert not result.ok and not result.retryable
    assert "sign not match" in result.error


def test_dingtalk_rate_limit_and_503_are_retryable(srv: RobotServer) -> None:
    ch = channel("dingtalk", srv.url("/robot/send?access_token=t"))
    srv.rate_limit_next = 1
    limited = send(ch)
    assert not limited.ok and limited.retryable
    assert "130101" in limited.error
    srv.fail_next = 1
    down = send(ch)
    assert not down.ok and down.retryable and down.status == 503
    assert send(ch).ok


def test_dingtalk_text_format(srv: RobotServer) -> None:
    ch = channel("dingtalk", srv.url("/robot/send?access_token=t"), config={"format": "text"})
    assert send(ch, message(mobiles=["13800138000"])).ok
    body = srv.of("dingtalk")[0].body
    assert body["msgtype"] == "text"
    assert "@13800138000" in body["text"]["content"]
    assert body["at"]["atMobiles"] == ["13800138000"]


# --- WeCom -----------------------------------------------------------------------------------


def test_wecom_markdown(srv: RobotServer) -> None:
    ch = channel("wecom", srv.url("/cgi-bin/webhook/send?key=wecom-key"))
    result = send(ch)
    assert result.ok, result
    body = srv.of("wecom")[0].body
    assert body["msgtype"] == "markdown"
    assert "打印机故障" in body["markdown"]["content"]
    assert "https://netdept.example/workorders/1/" in body["markdown"]["content"]


def test_wecom_mentions_use_text_with_mentioned_mobile_list(srv: RobotServer) -> None:
    ch = channel("wecom", srv.url("/cgi-bin/webhook/send?key=wecom-key"))
    assert send(ch, message(mobiles=["13800138000"])).ok
    body = srv.of("wecom")[0].body
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert "打印机故障" in body["text"]["content"]


def test_wecom_long_markdown_is_cut_to_4096_bytes(srv: RobotServer) -> None:
    ch = channel("wecom", srv.url("/cgi-bin/webhook/send?key=wecom-key"))
    long = "\n".join(f"第 {i} 行：核心交换机端口 down 告警" for i in range(400))
    result = send(ch, message(markdown=long))
    assert result.ok, result  # the receiver refuses > 4096 bytes with errcode 40058
    content = srv.of("wecom")[0].body["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert "…" in content and "https://netdept.example/workorders/1/" in content


def test_wecom_invalid_key_is_permanent_and_rate_limit_retryable(srv: RobotServer) -> None:
    bad = channel("wecom", srv.url("/cgi-bin/webhook/send?key=nope"))
    result = send(bad)
    assert not result.ok and not result.retryable
    assert "93000" in result.error and "invalid webhook url" in result.error
    good = channel("wecom", srv.url("/cgi-bin/webhook/send?key=wecom-key"))
    srv.rate_limit_next = 1
    limited = send(good)
    assert not limited.ok and limited.retryable and "45009" in limited.error


# --- Feishu ----------------------------------------------------------------------------------


def test_feishu_signed_card(srv: RobotServer) -> None:
    srv.feishu_secret = FEISHU_SECRET
    ch = channel("feishu", srv.url("/open-apis/bot/v2/hook/abc"), secret=FEISHU_SECRET)
    result = send(ch)
    assert result.ok, result
    rec = srv.of("feishu")[0]
    assert rec.answer["code"] == 0
    body = rec.body
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == "工单 WO-1 已指派给你"
    assert body["card"]["header"]["template"] == "orange"
    assert "打印机故障" in json.dumps(body["card"], ensure_ascii=False)
    assert {"timestamp", "sign"} <= set(body)


def test_feishu_text_format(srv: RobotServer) -> None:
    ch = channel("feishu", srv.url("/open-apis/bot/v2/hook/abc"), config={"format": "text"})
    assert send(ch).ok
    body = srv.of("feishu")[0].body
    assert body["msg_type"] == "text"
    assert "打印机故障" in body["content"]["text"]
    assert "https://netdept.example/workorders/1/" in body["content"]["text"]


def test_feishu_wrong_secret_permanent_rate_limit_retryable(srv: RobotServer) -> None:
    srv.feishu_secret = FEISHU_SECRET
    bad = channel("feishu", srv.url("/open-apis/bot/v2/hook/abc"), secret="wrong")
    result = send(bad)
    assert not result.ok and not result.retryable
    assert "19021" in result.error and "sign match fail" in result.error
    good = channel("feishu", srv.url("/open-apis/bot/v2/hook/abc"), secret=FEISHU_SECRET)
    srv.rate_limit_next = 1
    limited = send(good)
    assert not limited.ok and limited.retryable and "11232" in limited.error
    srv.fail_next = 1
    assert send(good).retryable


def test_feishu_legacy_status_code_answer() -> None:
    from netdept.notify.transports import feishu

    ok = feishu.interpret(200, {"StatusCode": 0, "StatusMessage": "success"}, "", "h")
    assert ok.ok
    bad = feishu.interpret(200, {"StatusCode": 19021, "StatusMessage": "sign fail"}, "", "h")
    assert not bad.ok and not bad.retryable and "sign fail" in bad.error


# --- webhook ---------------------------------------------------------------------------------


def test_webhook_signed_with_delivery_id(srv: RobotServer) -> None:
    srv.webhook_secret = HOOK_SECRET
    ch = channel("webhook", srv.url("/hooks/netdept"), secret=HOOK_SECRET)
    msg = message(data={"number": "WO-1", "_delivery_id": 42})
    result = send(ch, msg)
    assert result.ok, result
    rec = srv.of("webhook")[0]
    assert rec.answer_status == 200  # the receiver verified the signature
    expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), rec.raw, hashlib.sha256).hexdigest()
    assert rec.headers["X-NetDept-Signature"] == expected
    assert rec.headers["X-NetDept-Delivery"] == "42"
    assert rec.headers["X-NetDept-Event"] == "workorders.assigned"
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.body["delivery_id"] == "42"
    assert rec.body["data"] == {"number": "WO-1"}
    assert rec.body["kind"] == "workorders.assigned" and rec.body["severity"] == "warning"


def test_webhook_delivery_id_attribute_from_the_engine(srv: RobotServer) -> None:
    ch = channel("webhook", srv.url("/hooks/x"))
    msg = message()
    msg.delivery_id = "7"  # type: ignore[attr-defined]  # as sending.outbound() sets it
    assert send(ch, msg).ok
    assert srv.of("webhook")[0].headers["X-NetDept-Delivery"] == "7"


def test_webhook_wrong_secret_and_status_codes(srv: RobotServer) -> None:
    srv.webhook_secret = HOOK_SECRET
    bad = send(channel("webhook", srv.url("/hooks/x"), secret="wrong"))
    assert not bad.ok and not bad.retryable and bad.status == 401
    assert "bad signature" in bad.answer
    ch = channel("webhook", srv.url("/hooks/x"), secret=HOOK_SECRET)
    srv.rate_limit_next = 1
    assert send(ch).retryable  # 429
    srv.fail_next = 1
    assert send(ch).retryable  # 503
    srv.webhook_status = 404
    gone = send(ch)
    assert not gone.ok and not gone.retryable and gone.status == 404


# --- what every HTTP transport refuses -------------------------------------------------------


@pytest.mark.parametrize("kind", ["dingtalk", "wecom", "feishu", "webhook"])
def test_host_not_allowed_and_bad_scheme_are_refused(srv: RobotServer, kind: str) -> None:
    AllowedHost.objects.filter(host="127.0.0.1").delete()
    result = send(channel(kind, srv.url("/robot/send?access_token=t")))
    assert not result.ok and not result.retryable
    assert "127.0.0.1" in result.error and "tok" not in result.error
    AllowedHost.objects.create(host="127.0.0.1")
    result = send(channel(kind, "ftp://127.0.0.1/robot"))
    assert not result.ok and not result.retryable and "http" in result.error
    assert srv.requests == []


def test_localhost_alias_is_not_allowed_by_127(srv: RobotServer) -> None:
    result = send(channel("webhook", f"http://localhost:{srv.port}/hook"))
    assert not result.ok and "localhost" in result.error
    assert srv.requests == []


def test_unreachable_and_slow_receivers_are_retryable(
    srv: RobotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    result = send(channel("webhook", f"http://127.0.0.1:{free}/hook"))
    assert not result.ok and result.retryable
    monkeypatch.setattr(common, "TIMEOUT", 0.3)
    srv.delay = 1.0
    slow = send(channel("webhook", srv.url("/hook")))
    assert not slow.ok and slow.retryable


# --- email -----------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    AllowedHost.objects.get_or_create(host="127.0.0.1")
    with SmtpServer() as server:
        yield server


def mail_channel(smtp: SmtpServer, **config: Any) -> NotificationChannel:
    return channel(
        "email",
        secret=config.pop("password", ""),
        config={
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "from_address": "NetDept <netdept@hospital.example>",
            **config,
        },
    )


def test_email_multipart_to_recipients(smtp: SmtpServer) -> None:
    ch = mail_channel(smtp)
    msg = message(emails=["zhang@hospital.example", "li@hospital.example"])
    msg.delivery_id = "9"  # type: ignore[attr-defined]
    result = send(ch, msg)
    assert result.ok, result
    assert result.status == 250
    (mail,) = smtp.messages
    assert mail.mail_from == "netdept@hospital.example"
    assert mail.rcpt_tos == ["zhang@hospital.example", "li@hospital.example"]
    m = mail.message
    assert m["Subject"] == "工单 WO-1 已指派给你"
    assert m["X-NetDept-Delivery"] == "9"
    assert m.is_multipart()
    plain = m.get_body(preferencelist=("plain",)).get_content()
    page = m.get_body(preferencelist=("html",)).get_content()
    assert "打印机故障" in plain and "https://netdept.example/workorders/1/" in plain
    assert "<b>打印机故障</b>" in page


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_login_with_the_secret(smtp: SmtpServer) -> None:
    smtp.password = "s3cret"
    smtp.__exit__()
    smtp.__enter__()
    ch = mail_channel(smtp, username="netdept", password="s3cret")
    assert send(ch, message(emails=["a@hospital.example"])).ok
    assert smtp.logins == ["netdept"]
    wrong = mail_channel(smtp, username="netdept", password="nope")
    result = send(wrong, message(emails=["a@hospital.example"]))
    assert not result.ok and not result.retryable and result.status == 535


def test_email_550_permanent_451_retryable(smtp: SmtpServer) -> None:
    ch = mail_channel(smtp)
    smtp.rcpt_reply = "550 5.1.1 No such user"
    result = send(ch, message(emails=["ghost@hospital.example"]))
    assert not result.ok and not result.retryable and result.status == 550
    assert "No such user" in result.error
    smtp.rcpt_reply = ""
    smtp.data_reply = "451 4.3.0 Try again later"
    result = send(ch, message(emails=["a@hospital.example"]))
    assert not result.ok and result.retryable and result.status == 451
    assert smtp.messages == []


def test_email_refusals(smtp: SmtpServer) -> None:
    assert not send(mail_channel(smtp), message(emails=[])).ok
    AllowedHost.objects.all().delete()
    result = send(mail_channel(smtp), message(emails=["a@hospital.example"]))
    assert not result.ok and not result.retryable and "127.0.0.1" in result.error
    assert smtp.messages == []


def test_email_server_down_is_retryable() -> None:
    import socket

    AllowedHost.objects.create(host="127.0.0.1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    ch = channel("email", config={"host": "127.0.0.1", "port": free, "security": "none"})
    result = send(ch, message(emails=["a@hospital.example"]))
    assert not result.ok and result.retryable
