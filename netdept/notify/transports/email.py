"""Email over SMTP (smtplib): one multipart message (plain text + HTML) to ``message.emails``.

``config``: ``host``, ``port``, ``security`` (``none`` | ``starttls`` | ``ssl``), ``username``,
``from_address``, ``timeout`` (seconds, default 10). The password is the channel's secret.
SMTP reply codes decide: 4xx is temporary (retried), 5xx is permanent; a connection that
fails or drops is retried.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from netdept.core import outbound
from netdept.notify.models import NotificationChannel
from netdept.notify.transports import common
from netdept.notify.transports.base import OutboundMessage, SendResult, register

SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def settings_of(channel: NotificationChannel) -> dict[str, Any]:
    config = channel.config or {}
    security = str(config.get("security") or "starttls")
    try:
        port = int(config.get("port") or DEFAULT_PORTS.get(security, 25))
    except (TypeError, ValueError):
        port = 0
    try:
        timeout = float(config.get("timeout") or common.TIMEOUT)
    except (TypeError, ValueError):
        timeout = common.TIMEOUT
    return {
        "host": common.normalise_host(str(config.get("host") or "")),
        "port": port,
        "security": security,
        "username": str(config.get("username") or ""),
        "from_address": str(config.get("from_address") or ""),
        "timeout": timeout,
    }


def build(message: OutboundMessage, sender: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = message.title
    name, addr = parseaddr(sender)
    msg["From"] = formataddr((name or "NetDept", addr or sender))
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=(addr or sender).rpartition("@")[2] or None)
    delivery = common.delivery_id(message)
    if delivery:
        msg["X-NetDept-Delivery"] = delivery
    if message.kind:
        msg["X-NetDept-Event"] = message.kind
    text = message.text or message.markdown
    if message.url and message.url not in text:
        text = f"{text}\n\n{message.url}"
    msg.set_content(text)
    page = message.html or _html_of(message)
    msg.add_alternative(page, subtype="html")
    return msg


def _html_of(message: OutboundMessage) -> str:
    body = html.escape(message.text or message.markdown).replace("\n", "<br>\n")
    link = ""
    if message.url:
        link = '<p><a href="{}">{}</a></p>'.format(
            html.escape(message.url), html.escape(_("Open in NetDept"))
        )
    return f"<html><body><h3>{html.escape(message.title)}</h3><p>{body}</p>{link}</body></html>"


def _reply(code: int, text: bytes | str, what: str) -> SendResult:
    answer = (text.decode(errors="replace") if isinstance(text, bytes) else str(text))[
        : common.ANSWER_MAX
    ]
    return SendResult(
        ok=False,
        retryable=400 <= code < 500,
        status=code,
        answer=f"{code} {answer}",
        error=_("The mail server refused %(what)s: %(code)d %(answer)s")
        % {"what": what, "code": code, "answer": answer},
    )


class EmailTransport:
    kind = "email"

    def validate(self, channel: NotificationChannel) -> None:
        s = settings_of(channel)
        errors: dict[str, str] = {}
        if not s["host"]:
            errors["smtp_host"] = _("Enter the mail server's host name.")
        if not 0 < s["port"] < 65536:
            errors["smtp_port"] = _("Enter a port between 1 and 65535.")
        if s["security"] not in SECURITY:
            errors["smtp_security"] = _("Choose none, STARTTLS or SSL/TLS.")
        try:
            validate_email(parseaddr(s["from_address"])[1])
        except ValidationError:
            errors["from_address"] = _("Enter the sender's email address.")
        if errors:
            raise ValidationError(errors)

    def send(self, channel: NotificationChannel, message: OutboundMessage) -> SendResult:
        s = settings_of(channel)
        if not s["host"] or not common.host_allowed(s["host"]):
            return common.refused(
                _("The mail server %(host)s is not allowed. Add it under Allowed hosts first.")
                % {"host": s["host"] or "?"}
            )
        why = outbound.host_refusal(s["host"])
        if why:
            return common.refused(
                _("%(host)s may not be called: it is %(reason)s.")
                % {"host": s["host"], "reason": why}
            )
        recipients = [e for e in dict.fromkeys(message.emails) if e]
        if not recipients:
            return common.refused(_("No email address to send to."))
        try:
            password = common.channel_secret(channel)
        except common.Refused as exc:
            return common.refused(str(exc))
        sender = s["from_address"]
        envelope_from = parseaddr(sender)[1] or sender
        raw = build(message, sender, recipients).as_bytes()
        host, port, timeout = s["host"], s["port"], s["timeout"]
        context = ssl.create_default_context()
        try:
            if s["security"] == "ssl":
                smtp: smtplib.SMTP = outbound.CheckedSMTPSSL(
                    host, port, timeout=timeout, context=context
                )
            else:
                smtp = outbound.CheckedSMTP(host, port, timeout=timeout)
            with smtp:
                smtp.ehlo()
                if s["security"] == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if s["username"]:
                    smtp.login(s["username"], password)
                code, text = smtp.mail(envelope_from)
                if code != 250:
                    smtp.rset()
                    return _reply(code, text, _("the sender"))
                refused: dict[str, tuple[int, bytes]] = {}
                for rcpt in recipients:
                    code, text = smtp.rcpt(rcpt)
                    if code not in (250, 251):
                        refused[rcpt] = (code, text)
                if len(refused) == len(recipients):
                    smtp.rset()
                    # temporary if any refusal is temporary: a retry may get through
                    code, text = min(refused.values(), key=lambda r: r[0])
                    return _reply(code, text, _("the recipients"))
                code, text = smtp.data(raw)
                if code != 250:
                    return _reply(code, text, _("the message"))
        except smtplib.SMTPAuthenticationError as exc:
            return _reply(exc.smtp_code, exc.smtp_error, _("the login"))
        except smtplib.SMTPResponseException as exc:
            return _reply(exc.smtp_code, exc.smtp_error, _("the message"))
        except smtplib.SMTPNotSupportedError as exc:
            return common.refused(
                _("The mail server %(host)s does not support this: %(error)s")
                % {"host": host, "error": exc}
            )
        except outbound.OutboundRefused as exc:
            return common.refused(str(exc))
        except ssl.SSLCertVerificationError as exc:
            return common.refused(
                _("The certificate of %(host)s is not trusted: %(error)s")
                % {"host": host, "error": exc.verify_message or exc}
            )
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(
                ok=False,
                retryable=True,
                error=_("Could not reach the mail server %(host)s:%(port)d: %(error)s")
                % {"host": host, "port": port, "error": outbound.describe(exc)},
            )
        answer = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if refused:
            answer += "; " + _("refused: %(who)s") % {
                "who": ", ".join(f"{r} ({c})" for r, (c, _t) in refused.items())
            }
        return SendResult(ok=True, status=code, answer=answer[: common.ANSWER_MAX])


transport = register(EmailTransport())
