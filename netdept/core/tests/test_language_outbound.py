"""Errors of the network libraries reach people as sentences of their own language."""

from __future__ import annotations

import socket

import httpcore
import httpx
import pytest
from django.utils import translation

from netdept.core import outbound
from netdept.notify.transports import common


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    """``outer`` raised from ``inner``, as httpx raises from httpcore from the socket."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        (socket.gaierror(-2, "Name or service not known"), "无法解析", "cannot be resolved"),
        (ConnectionRefusedError(111, "Connection refused"), "连接被拒绝", "refused"),
        (
            chained(httpx.ConnectError("x"), chained(httpcore.ConnectError("y"), TimeoutError())),
            "没有及时应答",
            "no answer in time",
        ),
    ],
)
def test_known_network_errors_are_said_in_the_active_language(
    error: BaseException, zh: str, en: str
) -> None:
    with translation.override("zh-hans"):
        text = outbound.describe(error)
        assert zh in text and "Errno" not in text and "refused" not in text, text
    with translation.override("en"):
        assert en in outbound.describe(error)


def test_an_unknown_error_is_named_with_its_technical_detail() -> None:
    with translation.override("zh-hans"):
        text = outbound.describe(OSError(71, "Protocol error"))
    assert text.startswith("网络错误") and "Protocol error" in text, text


def test_a_dns_failure_on_the_way_to_a_webhook_is_one_translated_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The resolver answers as it does for an unknown name (no DNS is asked in a test run):
    no "[Errno -2] Name or service not known" reaches the page."""

    def unknown(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    with translation.override("zh-hans"):
        result = common.post("http://no-such-host.invalid/hook", content=b"{}")
    assert not isinstance(result, httpx.Response)
    assert "no-such-host.invalid" in result.error and "无法解析" in result.error, result.error
    assert "Errno" not in result.error and "Name or service" not in result.error


def test_a_closed_port_is_a_refused_connection_in_words() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the call
    with translation.override("en"):
        result = common.post(f"http://127.0.0.1:{port}/hook", content=b"{}")
    assert not isinstance(result, httpx.Response)
    assert "connection was refused" in result.error and "Errno" not in result.error, result.error
