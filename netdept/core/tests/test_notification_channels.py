"""Channel administration: write-only address and secret, encryption at rest, validation,
allowed hosts, the test button (against the real RobotServer and aiosmtpd), the API."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from netdept.core import crypto
from netdept.core.models.audit import AuditRecord
from netdept.notify.models import AllowedHost, Delivery, NotificationChannel
from netdept.testing.crud import CrudTests, api_client, ui_client
from netdept.testing.factories import user_with_perms
from netdept.testing.receivers import RobotServer, SmtpServer

pytestmark = pytest.mark.django_db
API_LIST = "/api/v1/notify/notificationchannels/"

TOKEN = "a1b2c3d4e5f6deadbeefcafe0123456789"
SECRET = "SECf00dfacefeedbabe0123456789abcdef0123456789abcdef0123456789ab"
_n = itertools.count(1)

CHANNEL_PERMS = [
    "notify.view_notificationchannel",
    "notify.add_notificationchannel",
    "notify.change_notificationchannel",
    "notify.delete_notificationchannel",
]


def allow(host: str = "127.0.0.1") -> None:
    AllowedHost.objects.get_or_create(host=host)


def make_channel(kind: str = "webhook", url: str = "", secret: str = "", **kw: Any) -> Any:
    allow()
    url = url or f"http://127.0.0.1:9/hook/{next(_n)}?token=t"
    return NotificationChannel.objects.create(
        name=kw.pop("name", f"渠道{next(_n)}"),
        kind=kind,
        url_encrypted=crypto.encrypt(url) if kind != "email" else "",
        url_host="127.0.0.1",
        secret_encrypted=crypto.encrypt(secret),
        **kw,
    )


@pytest.fixture
def admin() -> Any:
    user = user_with_perms([*CHANNEL_PERMS, "notify.view_delivery", "core.view_history"])
    user.email = "admin@hospital.example"
    user.save()
    return user


@pytest.fixture
def srv() -> Iterator[RobotServer]:
    allow()
    with RobotServer() as server:
        yield server


def raw_row(pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM core_notificationchannel WHERE id = %s", [pk])
        return " ".join(str(v) for v in cur.fetchone())


def audit_text() -> str:
    return " ".join(
        json.dumps([r.changes, r.extra, r.object_repr], ensure_ascii=False)
        for r in AuditRecord.objects.all()
    )


# --- generated CRUD + permission tests -------------------------------------------------------


class TestNotificationChannelCrud(CrudTests):
    model = NotificationChannel
    not_stored = {"url", "secret"}

    def make(self) -> Any:
        return make_channel()

    def valid_data(self) -> dict[str, Any]:
        allow()
        return {
            "name": f"运维群机器人{next(_n)}",
            "kind": "webhook",
            "url": f"http://127.0.0.1:9/hook?token={TOKEN}",
            "rate_per_minute": 20,
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"新名字{next(_n)}",
            "kind": obj.kind,
            "rate_per_minute": 10,
            "is_active": True,
        }


class TestAllowedHostCrud(CrudTests):
    model = AllowedHost

    def make(self) -> Any:
        return AllowedHost.objects.create(host=f"h{next(_n)}.example.org", note="")

    def valid_data(self) -> dict[str, Any]:
        return {"host": f"oapi{next(_n)}.dingtalk.com", "note": "钉钉"}

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"host": obj.host, "note": "企业微信"}


# --- encryption at rest and write-only fields ------------------------------------------------


def test_ui_save_encrypts_and_never_shows_back(admin: Any) -> None:
    allow()
    c = ui_client(admin)
    url = f"http://127.0.0.1:9/robot/send?access_token={TOKEN}"
    r = c.post(
        reverse("notify:notificationchannel_add"),
        {
            "name": "网络部钉钉群",
            "kind": "dingtalk",
            "url": url,
            "secret": SECRET,
            "format": "markdown",
            "rate_per_minute": "20",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content[:3000]
    ch = NotificationChannel.objects.get(name="网络部钉钉群")
    assert ch.url_host == "127.0.0.1"
    assert crypto.decrypt(ch.url_encrypted) == url
    assert crypto.decrypt(ch.secret_encrypted) == SECRET
    assert ch.config == {"format": "markdown"}
    row = raw_row(ch.pk)
    assert TOKEN not in row and SECRET not in row and "access_token" not in row
    assert TOKEN not in audit_text() and SECRET not in audit_text()

    for page in (
        reverse("notify:notificationchannel_detail", args=[ch.pk]),
        reverse("notify:notificationchannel_edit", args=[ch.pk]),
        reverse("notify:notificationchannel_history", args=[ch.pk]),
        reverse("notify:notificationchannel_list"),
        reverse("notify:notificationchannel_export") + "?format=csv&cols=name&cols=url_host",
    ):
        html = c.get(page).content.decode("utf-8", "replace")
        assert TOKEN not in html and SECRET not in html, page
        assert ch.url_encrypted not in html and ch.secret_encrypted not in html, page
    detail = c.get(reverse("notify:notificationchannel_detail", args=[ch.pk])).content.decode()
    assert "127.0.0.1" in detail

    body = api_client(admin).get(reverse("notify-notificationchannel-detail", args=[ch.pk])).json()
    text = json.dumps(body)
    assert TOKEN not in text and SECRET not in text and ch.url_encrypted not in text
    assert "url" not in body and "secret" not in body
    assert body["has_url"] is True and body["has_secret"] is True


def test_edit_keeps_replaces_and_clears(admin: Any) -> None:
    ch = make_channel(
        "dingtalk", url=f"http://127.0.0.1:9/robot/send?access_token={TOKEN}", secret=SECRET
    )
    token, secret = ch.url_encrypted, ch.secret_encrypted
    c = ui_client(admin)
    edit = reverse("notify:notificationchannel_edit", args=[ch.pk])
    form = c.get(edit).content.decode()
    assert "leave empty to keep" in form.lower() or "留空" in form
    base = {"name": ch.name, "kind": "dingtalk", "rate_per_minute": "20", "is_active": "on"}

    assert c.post(edit, {**base, "rate_per_minute": "5"}).status_code == 302
    ch.refresh_from_db()
    assert (ch.url_encrypted, ch.secret_encrypted) == (token, secret)  # kept, not re-encrypted
    rec = AuditRecord.objects.filter(object_id=str(ch.pk), action="update").latest("seq")
    assert set(rec.changes) >= {"rate_per_minute"}
    assert "url_encrypted" not in rec.changes and "secret_encrypted" not in rec.changes

    new_url = "http://127.0.0.1:9/robot/send?access_token=NEWTOKEN42"
    assert c.post(edit, {**base, "url": new_url, "secret": "SECnew"}).status_code == 302
    ch.refresh_from_db()
    assert crypto.decrypt(ch.url_encrypted) == new_url
    assert crypto.decrypt(ch.secret_encrypted) == "SECnew"
    rec = AuditRecord.objects.filter(object_id=str(ch.pk), action="update").latest("seq")
    assert rec.changes["url_encrypted"] == ["***", "***"] or "NEWTOKEN42" not in json.dumps(
        rec.changes
    )
    assert "NEWTOKEN42" not in audit_text() and "SECnew" not in audit_text()

    assert c.post(edit, {**base, "clear_secret": "on"}).status_code == 302
    ch.refresh_from_db()
    assert ch.secret_encrypted == ""
    assert crypto.decrypt(ch.url_encrypted) == new_url


def test_api_create_is_write_only_and_validates(admin: Any) -> None:
    allow()
    api = api_client(admin)
    r = api.post(
        API_LIST,
        {
            "name": "飞书值班群",
            "kind": "feishu",
            "url": f"http://127.0.0.1:9/open-apis/bot/v2/hook/{TOKEN}",
            "secret": SECRET,
            "config": {"format": "text"},
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    text = json.dumps(r.json())
    assert TOKEN not in text and SECRET not in text
    ch = NotificationChannel.objects.get(name="飞书值班群")
    assert ch.config == {"format": "text"}
    assert TOKEN not in raw_row(ch.pk) and SECRET not in raw_row(ch.pk)

    r = api.post(
        API_LIST,
        {"name": "x", "kind": "webhook", "url": "ftp://127.0.0.1/x"},
        format="json",
    )
    assert r.status_code == 400 and "url" in r.json()
    r = api.post(
        API_LIST,
        {
            "name": "y",
            "kind": "wecom",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        },
        format="json",
    )
    assert r.status_code == 400
    assert "qyapi.weixin.qq.com" in json.dumps(r.json(), ensure_ascii=False)


# --- bad input ----------------------------------------------------------------------------------


def _post_add(c: Any, **data: Any) -> Any:
    base = {"name": f"n{next(_n)}", "kind": "webhook", "rate_per_minute": "20", "is_active": "on"}
    return c.post(reverse("notify:notificationchannel_add"), {**base, **data})


def test_bad_addresses_are_field_errors(admin: Any) -> None:
    allow()
    c = ui_client(admin)
    r = _post_add(c, url="ftp://127.0.0.1/hook")
    assert r.status_code == 422
    assert "url" in r.context["form"].errors
    assert "http" in " ".join(r.context["form"].errors["url"])

    r = _post_add(c, kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x")
    assert r.status_code == 422
    err = " ".join(r.context["form"].errors["url"])
    assert "oapi.dingtalk.com" in err and ("Allowed hosts" in err or "允许" in err)

    r = _post_add(c, url="")
    assert r.status_code == 422 and "url" in r.context["form"].errors

    r = _post_add(
        c, kind="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k", format="card"
    )
    assert r.status_code == 422 and "format" in r.context["form"].errors
    assert not NotificationChannel.objects.exists()


def test_email_settings_are_checked(admin: Any) -> None:
    c = ui_client(admin)
    r = _post_add(
        c,
        kind="email",
        smtp_host="smtp.hospital.example",
        smtp_port="25",
        smtp_security="none",
        from_address="not an address",
    )
    assert r.status_code == 422
    errors = r.context["form"].errors
    assert "smtp.hospital.example" in " ".join(errors["smtp_host"])
    assert "from_address" in errors
    allow("smtp.hospital.example")
    r = _post_add(
        c,
        kind="email",
        smtp_host="SMTP.hospital.example",
        smtp_port="587",
        smtp_security="starttls",
        smtp_username="netdept",
        secret="mail-password",
        from_address="NetDept <netdept@hospital.example>",
    )
    assert r.status_code == 302, r.context["form"].errors
    ch = NotificationChannel.objects.get(kind="email")
    assert ch.url_host == "smtp.hospital.example"
    assert ch.config == {
        "host": "smtp.hospital.example",
        "port": 587,
        "security": "starttls",
        "username": "netdept",
        "from_address": "NetDept <netdept@hospital.example>",
    }
    assert "mail-password" not in raw_row(ch.pk)


def test_allowed_host_input_is_a_bare_host(admin: Any) -> None:
    user = user_with_perms(["notify.view_allowedhost", "notify.add_allowedhost"])
    c = ui_client(user)
    for bad in ("https://oapi.dingtalk.com", "oapi.dingtalk.com/robot", "host:8080", "a b"):
        r = c.post(reverse("notify:allowedhost_add"), {"host": bad})
        assert r.status_code == 422, bad
        assert "host" in r.context["form"].errors
    r = c.post(reverse("notify:allowedhost_add"), {"host": "OAPI.DingTalk.com"})
    assert r.status_code == 302
    assert AllowedHost.objects.filter(host="oapi.dingtalk.com").exists()
    r = c.post(reverse("notify:allowedhost_add"), {"host": "oapi.dingtalk.com"})
    assert r.status_code == 422


# --- the test button ---------------------------------------------------------------------------


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def _press_test(c: Any, ch: Any, on_commit: Any) -> Any:
    """Press the button (HTMX), let the queued task run (inline in tests: the commit of the
    request's transaction queues it), then ask for the status box as the page's poll does."""
    with on_commit(execute=True):
        r = c.post(reverse("notify:notificationchannel_test", args=[ch.pk]), HTTP_HX_REQUEST="true")
    if r.status_code != 200:
        return r
    d = Delivery.objects.filter(channel=ch).latest("pk")
    return c.get(
        reverse("notify:notificationchannel_test_status", args=[ch.pk, d.pk]),
        HTTP_HX_REQUEST="true",
    )


def test_test_button_shows_the_vendors_error(admin: Any, srv: RobotServer, on_commit: Any) -> None:
    srv.dingtalk_secret = SECRET
    ch = make_channel(
        "dingtalk", url=srv.url(f"/robot/send?access_token={TOKEN}"), secret="SECwrong"
    )
    c = ui_client(admin)
    r = _press_test(c, ch, on_commit)  # tasks run inline in tests; in production the worker sends
    assert r.status_code == 200
    html = r.content.decode()
    assert "310000" in html and "sign not match" in html
    assert 'data-status="failed"' in html
    (d,) = Delivery.objects.filter(channel=ch)
    assert d.title == "网络部管理系统测试消息"  # in the admin's language (Chinese by default)
    assert d.status == "failed" and d.remote_answer and "310000" in d.remote_answer
    ch.refresh_from_db()
    assert ch.last_test_at is not None and "sign not match" in ch.last_test_result
    status = c.get(reverse("notify:notificationchannel_test_status", args=[ch.pk, d.pk]))
    assert "sign not match" in status.content.decode()
    detail = c.get(reverse("notify:notificationchannel_detail", args=[ch.pk])).content.decode()
    assert "sign not match" in detail  # last test result


def test_test_button_success_mentions_the_admin(
    admin: Any, srv: RobotServer, on_commit: Any
) -> None:
    admin.person.phone = "13800138000"
    admin.person.save()
    srv.dingtalk_secret = SECRET
    ch = make_channel("dingtalk", url=srv.url(f"/robot/send?access_token={TOKEN}"), secret=SECRET)
    r = _press_test(ui_client(admin), ch, on_commit)
    html = r.content.decode()
    assert 'data-status="sent"' in html and "errcode" in html
    (rec,) = srv.of("dingtalk")
    assert rec.answer["errcode"] == 0
    assert rec.body["at"]["atMobiles"] == ["13800138000"]
    assert "@13800138000" in rec.body["markdown"]["text"]


def test_test_button_polls_while_pending(admin: Any, srv: RobotServer, monkeypatch: Any) -> None:
    from netdept.notify import engine

    monkeypatch.setattr(engine, "enqueue", lambda ids: None)  # a worker that has not run yet
    ch = make_channel("webhook", url=srv.url("/hook"))
    c = ui_client(admin)
    r = c.post(reverse("notify:notificationchannel_test", args=[ch.pk]), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    d = Delivery.objects.get(channel=ch)
    status_url = reverse("notify:notificationchannel_test_status", args=[ch.pk, d.pk])
    assert f'hx-get="{status_url}"' in html and 'data-status="pending"' in html
    assert srv.requests == []  # nothing was sent in the request
    from netdept.notify import sending

    sending.send(d.pk)  # the worker
    html = c.get(status_url).content.decode()
    assert 'data-status="sent"' in html and "hx-get" not in html
    assert "accepted" in html
    # a plain POST (no HTMX) lands on the detail page with the status box
    r = c.post(reverse("notify:notificationchannel_test", args=[ch.pk]))
    assert r.status_code == 302 and "?test=" in r["Location"]
    assert "nd-test-result" in c.get(r["Location"]).content.decode()


def test_test_button_email_and_permissions(admin: Any, on_commit: Any) -> None:
    allow()
    with SmtpServer() as smtp:
        ch = make_channel(
            "email",
            config={
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "from_address": "netdept@hospital.example",
            },
        )
        html = _press_test(ui_client(admin), ch, on_commit).content.decode()
        assert 'data-status="sent"' in html
        (mail,) = smtp.messages
        assert mail.rcpt_tos == ["admin@hospital.example"]
    viewer = user_with_perms(["notify.view_notificationchannel"])
    r = _press_test(ui_client(viewer), ch, on_commit)
    assert r.status_code == 403
    assert Delivery.objects.filter(channel=ch).count() == 1
