"""Outbound calls never reach loopback, link-local or cloud metadata addresses: refused when the
host is saved (a field error, through the page and the API) and again when a message is sent,
after DNS resolution, against the real local receivers; private ranges stay allowed; the
connection goes to the address that was checked (no DNS rebinding between check and connect).

These tests run with ``OUTBOUND_ALLOW_LOOPBACK`` off (the production default; the test
settings switch it on so that the other notification tests can use receivers on 127.0.0.1).
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from netdept.core import crypto, outbound
from netdept.notify.channel_services import AllowedHostService
from netdept.notify.models import AllowedHost, NotificationChannel
from netdept.notify.transports.base import OutboundMessage, transport_for
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import user_with_perms
from netdept.testing.receivers import RobotServer, SmtpServer

pytestmark = pytest.mark.django_db
_n = itertools.count(1)

REFUSED_LITERALS = [
    "127.0.0.1",
    "127.1.2.3",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "localhost",
    "db.localhost",
    "0.0.0.0",
    "169.254.169.254",
    "169.254.1.1",
    "fe80::1",
    "fd00:ec2::254",
    "100.100.100.200",
    "metadata.google.internal",
    "METADATA.google.internal.",
]
PRIVATE_OK = ["10.1.2.3", "172.16.0.5", "172.31.255.1", "192.168.1.10", "fd12:3456::1"]
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture(autouse=True)
def no_loopback(settings: Any) -> None:
    settings.NETDEPT = {**settings.NETDEPT, "OUTBOUND_ALLOW_LOOPBACK": False}


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Extra DNS answers (name → addresses); other names go to the real resolver. Each lookup
    is counted in ``dns["_lookups"]``."""
    answers: dict[str, list[str]] = {"_lookups": []}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(host).lower()
        if name in answers:
            answers["_lookups"].append(name)
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, int(port or 0)),
                )
                for a in answers[name]
            ]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def robots() -> Iterator[RobotServer]:
    with RobotServer() as server:
        yield server


def message() -> OutboundMessage:
    return OutboundMessage(
        title="工单 WO-1", text="打印机故障", markdown="**打印机故障**", kind="workorders.assigned"
    )


def webhook(url: str) -> NotificationChannel:
    """A channel row written directly (as if saved before the rules existed)."""
    return NotificationChannel.objects.create(
        name=f"hook{next(_n)}",
        kind="webhook",
        url_encrypted=crypto.encrypt(url),
        url_host=url.split("/")[2].split(":")[0],
    )


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_refused_literals(host: str) -> None:
    assert outbound.host_refusal(host), host


@pytest.mark.parametrize("host", [*PRIVATE_OK, "oapi.dingtalk.com", "smtp.hospital.example"])
def test_private_ranges_and_names_stay_allowed(host: str) -> None:
    assert outbound.host_refusal(host) is None


def test_loopback_switch_lets_only_loopback_through(settings: Any) -> None:
    settings.NETDEPT = {**settings.NETDEPT, "OUTBOUND_ALLOW_LOOPBACK": True}
    assert outbound.host_refusal("127.0.0.1") is None
    assert outbound.host_refusal("localhost") is None
    for host in ("169.254.169.254", "fe80::1", "fd00:ec2::254", "metadata.google.internal"):
        assert outbound.host_refusal(host), host


# --- at save time --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_allowed_host_service_refuses(host: str) -> None:
    with pytest.raises(ValidationError) as info:
        AllowedHostService().create(None, {"host": host})
    assert "host" in info.value.message_dict
    assert not AllowedHost.objects.exists()


def test_allowed_host_page_and_api_refuse_with_a_field_error() -> None:
    user = user_with_perms(
        ["notify.view_allowedhost", "notify.add_allowedhost", "notify.change_allowedhost"]
    )
    c = ui_client(user)
    for host in ("127.0.0.1", "169.254.169.254", "fe80::1", "metadata.google.internal"):
        r = c.post(reverse("notify:allowedhost_add"), {"host": host})
        assert r.status_code == 422, host
        assert "host" in r.context["form"].errors
    for host in PRIVATE_OK:
        r = c.post(reverse("notify:allowedhost_add"), {"host": host})
        assert r.status_code == 302, (host, r.context and r.context["form"].errors)
    assert set(AllowedHost.objects.values_list("host", flat=True)) == set(PRIVATE_OK)

    api = api_client(user)
    answer = api.post("/api/v1/notify/allowedhosts/", {"host": "fd00:ec2::254"}, format="json")
    assert answer.status_code == 400, answer.content
    assert "host" in answer.json()
    assert not AllowedHost.objects.filter(host="fd00:ec2::254").exists()


def test_channel_addresses_refused_at_save() -> None:
    user = user_with_perms(
        [
            "notify.view_notificationchannel",
            "notify.add_notificationchannel",
            "notify.view_allowedhost",
        ]
    )
    AllowedHost.objects.bulk_create([AllowedHost(host="127.0.0.1"), AllowedHost(host="::1")])
    c = ui_client(user)
    base = {"kind": "webhook", "rate_per_minute": "20", "is_active": "on"}
    for url in ("http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://169.254.169.254/"):
        r = c.post(reverse("notify:notificationchannel_add"), {**base, "name": "x", "url": url})
        assert r.status_code == 422, url
        assert "url" in r.context["form"].errors
    r = c.post(
        reverse("notify:notificationchannel_add"),
        {
            **base,
            "name": "mail",
            "kind": "email",
            "smtp_host": "127.0.0.1",
            "smtp_port": "25",
            "smtp_security": "none",
            "from_address": "netdept@hospital.example",
        },
    )
    assert r.status_code == 422
    assert "smtp_host" in r.context["form"].errors
    assert not NotificationChannel.objects.exists()


# --- at send time, after DNS resolution --------------------------------------------------------


def test_a_name_resolving_to_loopback_is_refused_when_sending(
    robots: RobotServer, dns: dict[str, list[str]]
) -> None:
    dns["hooks.hospital.example"] = ["127.0.0.1"]
    AllowedHostService().create(None, {"host": "hooks.hospital.example"})  # fine at save time
    ch = webhook(f"http://hooks.hospital.example:{robots.port}/hook")
    result = transport_for("webhook").send(ch, message())
    assert not result.ok and not result.retryable
    assert "127.0.0.1" in result.error
    assert robots.requests == []  # nothing reached the receiver


def test_localhost_saved_earlier_is_refused_when_sending(robots: RobotServer) -> None:
    AllowedHost.objects.create(host="localhost")  # a row from before the rule
    ch = webhook(f"http://localhost:{robots.port}/hook")
    result = transport_for("webhook").send(ch, message())
    assert not result.ok and not result.retryable
    assert robots.requests == []


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "fd00:ec2::254"])
def test_names_resolving_to_link_local_or_metadata_are_refused(
    dns: dict[str, list[str]], address: str
) -> None:
    dns["robot.hospital.example"] = ["10.9.9.9", address]  # one bad answer spoils the host
    AllowedHost.objects.create(host="robot.hospital.example")
    ch = webhook("http://robot.hospital.example/hook")
    result = transport_for("webhook").send(ch, message())
    assert not result.ok and not result.retryable
    assert address in result.error


def test_the_http_client_checks_every_connection(
    robots: RobotServer, dns: dict[str, list[str]]
) -> None:
    """The client itself refuses (so every redirect hop is checked, not only the first URL)."""
    dns["hop.hospital.example"] = ["127.0.0.1"]
    with outbound.http_client(5.0) as client, pytest.raises(outbound.OutboundRefused):
        client.post(f"http://hop.hospital.example:{robots.port}/hook", content=b"{}")
    with outbound.http_client(5.0) as client, pytest.raises(outbound.OutboundRefused):
        client.post(f"http://127.0.0.1:{robots.port}/hook", content=b"{}")
    assert robots.requests == []


def test_the_connection_goes_to_the_checked_address(
    settings: Any, robots: RobotServer, dns: dict[str, list[str]]
) -> None:
    """Resolved once, connected to that address, the name kept in the Host header."""
    settings.NETDEPT = {**settings.NETDEPT, "OUTBOUND_ALLOW_LOOPBACK": True}
    dns["receiver.hospital.example"] = ["127.0.0.1"]
    AllowedHost.objects.create(host="receiver.hospital.example")
    ch = webhook(f"http://receiver.hospital.example:{robots.port}/hook")
    result = transport_for("webhook").send(ch, message())
    assert result.ok, result
    (received,) = robots.requests
    host_header = {k.lower(): v for k, v in received.headers.items()}["host"]
    assert host_header == f"receiver.hospital.example:{robots.port}"
    assert dns["_lookups"] == ["receiver.hospital.example"]  # one lookup, no second resolution


def test_smtp_to_a_name_resolving_to_loopback_is_refused(dns: dict[str, list[str]]) -> None:
    dns["smtp.hospital.example"] = ["127.0.0.1"]
    AllowedHost.objects.create(host="smtp.hospital.example")
    with SmtpServer() as smtp:
        ch = NotificationChannel.objects.create(
            name="mail",
            kind="email",
            config={
                "host": "smtp.hospital.example",
                "port": smtp.port,
                "security": "none",
                "from_address": "netdept@hospital.example",
            },
        )
        msg = message()
        msg.emails = ["zhang@hospital.example"]
        result = transport_for("email").send(ch, msg)
        assert not result.ok and not result.retryable
        assert "127.0.0.1" in result.error
        assert smtp.messages == []


def test_smtp_to_loopback_literal_is_refused_when_sending() -> None:
    AllowedHost.objects.create(host="127.0.0.1")
    with SmtpServer() as smtp:
        ch = NotificationChannel.objects.create(
            name="mail",
            kind="email",
            config={
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "from_address": "netdept@hospital.example",
            },
        )
        msg = message()
        msg.emails = ["zhang@hospital.example"]
        result = transport_for("email").send(ch, msg)
        assert not result.ok and not result.retryable
        assert smtp.messages == []


def test_smtp_connects_to_the_checked_address(settings: Any, dns: dict[str, list[str]]) -> None:
    settings.NETDEPT = {**settings.NETDEPT, "OUTBOUND_ALLOW_LOOPBACK": True}
    dns["mail.hospital.example"] = ["127.0.0.1"]
    AllowedHost.objects.create(host="mail.hospital.example")
    with SmtpServer() as smtp:
        ch = NotificationChannel.objects.create(
            name="mail",
            kind="email",
            config={
                "host": "mail.hospital.example",
                "port": smtp.port,
                "security": "none",
                "from_address": "netdept@hospital.example",
            },
        )
        msg = message()
        msg.emails = ["zhang@hospital.example"]
        result = transport_for("email").send(ch, msg)
        assert result.ok, result
        assert len(smtp.messages) == 1
    assert dns["_lookups"] == ["mail.hospital.example"]
