"""Real HTTP receivers for tests: they play DingTalk, WeCom and Feishu group robots and a generic
webhook receiver on loopback. Each checks the request as the vendor does (signature, timestamp,
body shape) and answers as the vendor does, including the vendor's error bodies, so that tests
see exactly what NetDept would see from the real service.

    with RobotServer() as srv:
        srv.dingtalk_secret = "SEC..."
        url = srv.url("/robot/send?access_token=abc")   # DingTalk path
        ...
        srv.requests   # every request received, with its parsed body and verdict
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Received:
    vendor: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw: bytes
    answer_status: int = 200
    answer: Any = None
    time: float = field(default_factory=time.time)


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret))."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha256).digest()).decode()


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """Feishu: base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class RobotServer:
    """A threaded HTTP server on 127.0.0.1 answering like the vendors' robot endpoints.

    Paths: ``/robot/send`` (DingTalk), ``/cgi-bin/webhook/send`` (WeCom),
    ``/open-apis/bot/v2/hook/<token>`` (Feishu), anything else (generic webhook).
    Knobs: ``*_secret`` (signing required when set), ``fail_next`` (answer the next N requests
    with HTTP 503), ``rate_limit_next`` (answer with the vendor's rate-limit error),
    ``delay`` (seconds to wait before answering), ``webhook_status``.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.dingtalk_secret = ""
        self.feishu_secret = ""
        self.webhook_secret = ""
        self.wecom_key = "wecom-key"
        self.fail_next = 0
        self.rate_limit_next = 0
        self.delay = 0.0
        self.webhook_status = 200
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer, _rec = outer._handle(self.path, dict(self.headers), raw)
                if outer.delay:
                    time.sleep(outer.delay)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- life cycle ---------------------------------------------------------------------------
    def __enter__(self) -> RobotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, vendor: str) -> list[Received]:
        return [r for r in self.requests if r.vendor == vendor]

    # -- vendors ------------------------------------------------------------------------------
    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, Received]:
        parsed = urlparse(path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if parsed.path == "/robot/send":
            vendor = "dingtalk"
        elif parsed.path == "/cgi-bin/webhook/send":
            vendor = "wecom"
        elif parsed.path.startswith("/open-apis/bot/v2/hook/"):
            vendor = "feishu"
        else:
            vendor = "webhook"
        rec = Received(vendor, parsed.path, query, headers, body, raw)
        with self._lock:
            self.requests.append(rec)
            if self.fail_next > 0:
                self.fail_next -= 1
                rec.answer_status, rec.answer = 503, {"error": "service unavailable"}
                return rec.answer_status, rec.answer, rec
            limited = self.rate_limit_next > 0
            if limited:
                self.rate_limit_next -= 1
        status, answer = getattr(self, f"_{vendor}")(rec, limited)
        rec.answer_status, rec.answer = status, answer
        return status, answer, rec

    def _dingtalk(self, rec: Received, limited: bool) -> tuple[int, Any]:
        if self.dingtalk_secret:
            ts, sign = rec.query.get("timestamp", ""), rec.query.get("sign", "")
            if not ts or not sign:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            if abs(time.time() * 1000 - int(ts)) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "timestamp is not within 1 hour"}
            if not hmac.compare_digest(sign, dingtalk_sign(self.dingtalk_secret, ts)):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if limited:
            return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        body = rec.body if isinstance(rec.body, dict) else {}
        kind = body.get("msgtype")
        if kind not in {"text", "markdown", "link", "actionCard", "feedCard"} or kind not in body:
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _wecom(self, rec: Received, limited: bool) -> tuple[int, Any]:
        if rec.query.get("key") != self.wecom_key:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1]"}
        if limited:
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        body = rec.body if isinstance(rec.body, dict) else {}
        kind = body.get("msgtype")
        if kind not in {"text", "markdown", "image", "news", "file"} or kind not in body:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if kind == "markdown" and len(body["markdown"].get("content", "").encode()) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, rec: Received, limited: bool) -> tuple[int, Any]:
        body = rec.body if isinstance(rec.body, dict) else {}
        if self.feishu_secret:
            ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            if not ts or not sign or abs(time.time() - int(ts)) > 3600:
                return 200, {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                    "data": {},
                }
            if not hmac.compare_digest(sign, feishu_sign(self.feishu_secret, ts)):
                return 200, {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                    "data": {},
                }
        if limited:
            return 200, {
                "code": 11232,
                "msg": "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]",
                "data": {},
            }
        if body.get("msg_type") not in {"text", "post", "interactive", "image", "share_chat"}:
            return 200, {
                "code": 19001,
                "msg": "param invalid: incoming webhook access token invalid",
                "data": {},
            }
        return 200, {"code": 0, "msg": "success", "data": {}}

    def _webhook(self, rec: Received, limited: bool) -> tuple[int, Any]:
        if self.webhook_secret:
            given = rec.headers.get("X-NetDept-Signature", "")
            if not hmac.compare_digest(given, webhook_signature(self.webhook_secret, rec.raw)):
                return 401, {"error": "bad signature"}
        if limited:
            return 429, {"error": "too many requests"}
        return self.webhook_status, {"status": "accepted"}


# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str = ""

    @property
    def message(self) -> Any:
        from email import message_from_bytes, policy

        return message_from_bytes(self.raw, policy=policy.default)


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

        with SmtpServer() as smtp:
            ...  # send to smtp.port
            smtp.messages   # ReceivedMail: envelope sender, recipients, raw message

    Knobs: ``rcpt_reply`` / ``data_reply`` (e.g. ``"550 5.1.1 No such user"`` or
    ``"451 4.3.0 Try again later"``) answer RCPT / DATA with that reply instead of 250;
    ``password`` (with any user name) makes AUTH PLAIN / LOGIN required and checked.
    """

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.rcpt_reply = ""
        self.data_reply = ""
        self.password = ""
        self.logins: list[str] = []
        self._controller: Any = None

    def __enter__(self) -> SmtpServer:
        import socket

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        outer = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
            ) -> str:
                if outer.rcpt_reply:
                    return outer.rcpt_reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if outer.data_reply:
                    return outer.data_reply
                login = getattr(session, "login_data", b"") or b""
                outer.messages.append(
                    ReceivedMail(
                        envelope.mail_from,
                        list(envelope.rcpt_tos),
                        envelope.original_content or envelope.content,
                        login.decode() if isinstance(login, bytes) else str(login),
                    )
                )
                return "250 2.0.0 Ok: queued as NETDEPT"

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> Any:
            if isinstance(data, LoginPassword) and data.password.decode() == outer.password:
                outer.logins.append(data.login.decode())
                return AuthResult(success=True, auth_data=data.login)
            return AuthResult(success=False, handled=False)

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        kwargs: dict[str, Any] = {}
        if self.password:
            kwargs = {
                "authenticator": authenticator,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return int(self._controller.port)
