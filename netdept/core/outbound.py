"""Where NetDept may connect to: the address rules of every outbound call.

An administrator lists the hosts NetDept may send to (``AllowedHost``). On top of that list,
some addresses are never called, whoever listed them: loopback (NetDept itself, the database,
Redis), link-local (169.254.0.0/16, fe80::/10) and the cloud metadata services (169.254.169.254,
fd00:ec2::254, 100.100.100.200, metadata.google.internal …), from which a forged webhook could
read the machine's credentials. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) stay
allowed: intranet receivers are normal.

The rules apply twice: when a host is saved (the literal name or address) and when a message is
sent, after DNS resolution. At send time the host is resolved once, every address it resolves to
is checked, and the connection goes to an address that was checked (the host name still names
the server in the ``Host`` header, TLS SNI and certificate check), so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot redirect the call.

``NETDEPT["OUTBOUND_ALLOW_LOOPBACK"]`` (off by default; on in the test settings, whose local
receivers listen on 127.0.0.1) lets loopback through; nothing lets link-local or metadata
addresses through.
"""

from __future__ import annotations

import errno
import ipaddress
import smtplib
import socket
import ssl
from typing import Any

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, Azure, GCP, Huawei Cloud, OpenStack …
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.0.23",  # Tencent Cloud
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
METADATA_NAMES = frozenset(
    (
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "metadata.tencentyun.com",
        "instance-data",
        "instance-data.ec2.internal",
    )
)
# "This host" and multicast/broadcast are never a receiver either (0.0.0.0 reaches loopback).
UNUSABLE = (
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("::/128"),
    ipaddress.ip_network("224.0.0.0/4"),
    ipaddress.ip_network("255.255.255.255/32"),
    ipaddress.ip_network("ff00::/8"),
)


class OutboundRefused(Exception):
    """The host or one of its addresses may not be called (not worth retrying)."""


class NameNotResolved(ConnectionError):
    """DNS has no address for the host (its message is a translated sentence)."""


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def describe(exc: BaseException) -> str:
    """What went wrong on the way to a receiver, in the active language.

    Network libraries speak English ("[Errno -2] Name or service not known", "[Errno 111]
    Connection refused"); people read a sentence of their own language. Known causes (looked
    for along the exception's chain: httpx wraps httpcore, which wraps the socket error) get a
    sentence of their own; anything else is named as a network error, with the library's text
    after it as the technical detail."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, NameNotResolved | OutboundRefused):
            return str(e)
    for e in chain:
        if isinstance(e, socket.gaierror):
            return _("the host name cannot be resolved (DNS has no address for it)")
        if isinstance(e, ssl.SSLCertVerificationError):
            return _("the server's certificate is not trusted")
        if isinstance(e, ssl.SSLError):
            return _("the secure connection (TLS) could not be set up")
        if isinstance(e, ConnectionRefusedError):
            return _("the connection was refused (nothing answers on that port)")
        if isinstance(e, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return _("the connection was closed by the other side")
        if isinstance(e, TimeoutError | httpx.TimeoutException | httpcore.TimeoutException):
            return _("no answer in time")
        if isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return _("the network or the host is unreachable from this server")
        if isinstance(e, smtplib.SMTPServerDisconnected):
            return _("the mail server closed the connection")
    detail = str(exc) or type(exc).__name__
    return _("a network error (technical detail: %(detail)s)") % {"detail": detail}


def loopback_allowed() -> bool:
    return bool(getattr(settings, "NETDEPT", {}).get("OUTBOUND_ALLOW_LOOPBACK", False))


def _normalise(host: str) -> str:
    host = (host or "").strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def _as_ip(host: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip


def address_refusal(address: str | IPAddress) -> str | None:
    """Why ``address`` (an IP address) may not be called, or None when it may."""
    ip = address if not isinstance(address, str) else _as_ip(_normalise(address))
    if ip is None:
        return _("not an IP address")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return _("a cloud metadata address")
    if any(ip in net for net in LINK_LOCAL):
        return _("a link-local address")
    if any(ip in net for net in LOOPBACK):
        return None if loopback_allowed() else _("a loopback address (this machine)")
    if any(ip in net for net in UNUSABLE):
        return _("not a unicast address")
    return None


def host_refusal(host: str) -> str | None:
    """Why ``host`` (a name or an IP address, as written) may never be called, or None.

    Only what the text itself says is checked (no DNS lookup: saving must not wait on DNS);
    the addresses a name resolves to are checked when sending."""
    host = _normalise(host)
    ip = _as_ip(host)
    if ip is not None:
        return address_refusal(ip)
    if host in METADATA_NAMES:
        return _("a cloud metadata service")
    if (host == "localhost" or host.endswith(".localhost")) and not loopback_allowed():
        return _("a loopback address (this machine)")
    return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (resolved once), all of them allowed; OutboundRefused when the
    host cannot be resolved or any of its addresses may not be called."""
    name = _normalise(host)
    why = host_refusal(name)
    if why:
        raise OutboundRefused(
            _("%(host)s may not be called: it is %(reason)s.") % {"host": name, "reason": why}
        )
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise NameNotResolved(
            _("The host name %(host)s cannot be resolved.") % {"host": name}
        ) from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        why = address_refusal(address)
        if why:
            # One refused address refuses the host: which address a later lookup returns
            # first is up to the resolver.
            raise OutboundRefused(
                _("%(host)s resolves to %(address)s, %(reason)s, which may not be called.")
                % {"host": name, "address": address, "reason": why}
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise NameNotResolved(_("The host name %(host)s cannot be resolved.") % {"host": name})
    return addresses


def connect(host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to one of the checked addresses of ``host``."""
    last: OSError | None = None
    for address in resolve(host, port):
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            last = exc
    assert last is not None
    raise last


# --- HTTP (httpx) ------------------------------------------------------------------------------


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to checked addresses."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except ConnectionError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class CheckedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection (redirect hops included) goes to a checked
    address of the URL's host; no proxy from the environment."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_CheckedBackend(),
        )


def http_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        transport=CheckedTransport(), trust_env=False, timeout=timeout, follow_redirects=False
    )


# --- SMTP (smtplib) ----------------------------------------------------------------------------


class CheckedSMTP(smtplib.SMTP):
    """smtplib.SMTP connecting only to a checked address (STARTTLS still checks the name)."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return connect(host, port, timeout)


class CheckedSMTPSSL(smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL connecting only to a checked address (TLS checks the name)."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = connect(host, port, timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)  # type: ignore[attr-defined]
