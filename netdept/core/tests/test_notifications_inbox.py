"""The inbox (pages, bell, API), a user's notification settings, and deliveries to the real
robot receivers: an alarm storm against the DingTalk robot's rate limit, webhook retries."""

# ruff: noqa: F811  (pytest fixtures imported from a helper module)

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.tests.notify_helpers import clock, has_transport, make_channel  # noqa: F401
from netdept.notify import kinds, notify, sending, services
from netdept.notify.models import (
    Delivery,
    DeliveryStatus,
    EventKindSetting,
    InboxMessage,
    NotificationPreference,
    QuietHours,
)
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import PersonFactory, UserFactory
from netdept.testing.receivers import RobotServer

pytestmark = pytest.mark.django_db


def tell(user: Any, n: int = 1, **kwargs: Any) -> None:
    for i in range(n):
        notify(
            "core.test",
            recipients=[user],
            data={"message": f"消息 {i}", "sender": "测试"},
            **kwargs,
        )


# --- inbox pages -------------------------------------------------------------------------------


def test_bell_shows_the_unread_count_and_polls_without_counting_as_activity():
    user = UserFactory()
    c = ui_client(user)
    home = c.get(reverse("home")).content.decode()
    assert 'id="nd-bell"' in home and 'hx-trigger="load, every 10s"' in home
    assert "X-NetDept-Poll" in home
    r = c.get(reverse("notify:notifications_bell"), HTTP_X_NETDEPT_POLL="1")
    assert 'id="nd-bell-count"' not in r.content.decode()
    tell(user, 3)
    tell(UserFactory())  # someone else's
    html = c.get(reverse("notify:notifications_bell"), HTTP_X_NETDEPT_POLL="1").content.decode()
    assert '<span class="position-absolute' in html and ">3</span>" in html
    assert 'hx-trigger="every 10s"' in html  # the swapped-in bell keeps polling, no loop


def test_inbox_lists_filters_opens_and_marks_read():
    user = UserFactory()
    other = UserFactory()
    tell(user, 25)
    notify("core.test", recipients=[user], data={"message": "有链接"}, link="/notify/inbox/?x=1")
    tell(other)
    c = ui_client(user)
    r = c.get(reverse("notify:notifications_inbox"))
    assert r.status_code == 200
    assert len(r.context["page_obj"]) == 20 and r.context["page_obj"].paginator.count == 26
    assert c.get(reverse("notify:notifications_inbox"), {"page": 2}).context["page_obj"].number == 2
    mine = InboxMessage.objects.filter(user=user).first()
    theirs = InboxMessage.objects.get(user=other)
    # Opening marks read and follows the link; others' messages are not found.
    r = c.get(reverse("notify:notifications_open", args=[mine.pk]))
    assert r.status_code == 302 and r["Location"] == "/notify/inbox/?x=1"
    assert InboxMessage.objects.get(pk=mine.pk).read_at is not None
    assert c.get(reverse("notify:notifications_open", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("notify:notifications_read", args=[theirs.pk])).status_code == 404
    assert InboxMessage.objects.get(pk=theirs.pk).read_at is None
    read = c.get(reverse("notify:notifications_inbox"), {"state": "read"}).context["page_obj"]
    assert [m.pk for m in read] == [mine.pk]
    unread = c.get(reverse("notify:notifications_inbox"), {"state": "unread"}).context["page_obj"]
    assert unread.paginator.count == 25
    one = unread.object_list[0]
    r = c.post(
        reverse("notify:notifications_read", args=[one.pk]), {"next": "/notify/inbox/?state=unread"}
    )
    assert r.status_code == 302 and r["Location"] == "/notify/inbox/?state=unread"
    r = c.post(reverse("notify:notifications_read_all"), {"next": "https://evil.example/"})
    assert r["Location"] == reverse("notify:notifications_inbox")
    assert services.unread_count(user) == 0 and services.unread_count(other) == 1
    assert c.get(reverse("notify:notifications_inbox"), {"state": "bogus"}).status_code == 200


def test_inbox_api_lists_and_marks_only_ones_own_messages():
    user, other = UserFactory(), UserFactory()
    tell(user, 3)
    tell(other)
    c = api_client(user)
    base = reverse("notify-inbox-list")
    body = c.get(base).json()
    assert body["count"] == 3 and all(not m["is_read"] for m in body["results"])
    assert body["results"][0]["kind"] == "core.test"
    first = body["results"][0]["id"]
    theirs = InboxMessage.objects.get(user=other).pk
    assert c.get(reverse("notify-inbox-detail", args=[theirs])).status_code == 404
    assert c.post(reverse("notify-inbox-read", args=[theirs])).status_code == 404
    r = c.post(reverse("notify-inbox-read", args=[first]))
    assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 2}
    assert c.get(base, {"unread": "true"}).json()["count"] == 2
    assert c.get(base, {"unread": "false"}).json()["count"] == 1
    assert c.get(reverse("notify-inbox-unread-count")).json() == {"unread": 2}
    assert c.post(reverse("notify-inbox-read-all")).json()["marked"] == 2
    assert services.unread_count(other) == 1
    assert c.post(base, {}, format="json").status_code == 405
    from rest_framework.test import APIClient

    assert APIClient().get(base).status_code == 401


# --- a user's settings -------------------------------------------------------------------------


def test_preferences_page_saves_channels_and_quiet_hours_with_audit():
    user = UserFactory()
    hook = make_channel("webhook", "http://127.0.0.1:9/hook", name="运维群 webhook")
    robot = make_channel("dingtalk", "http://127.0.0.1:9/robot/send?access_token=x")
    locked = EventKindSetting.objects.create(kind="core.account_locked", mandatory=True)
    locked.mandatory_channels.set([robot])
    c = ui_client(user)
    assert (
        'href="/notify/notifications/preferences/"'
        in c.get(reverse("preferences")).content.decode()
    )
    url = reverse("notify:notifications_preferences")
    page = c.get(url).content.decode()
    assert "运维群 webhook" in page and 'id="pref-core.test"' in page
    # core.delivery_failed is inbox only: no channel boxes.
    r = c.post(
        url,
        {
            "ch:core.test": [str(hook.pk)],
            "inbox:core.account_locked": "",  # mandatory: stays on anyway
            "ch:core.account_locked": [],
            "quiet_enabled": "on",
            "quiet_start": "22:30",
            "quiet_end": "07:00",
        },
    )
    assert r.status_code == 302
    test_pref = NotificationPreference.objects.get(user=user, kind="core.test")
    assert test_pref.inbox is False and list(test_pref.channels.all()) == [hook]
    assert NotificationPreference.objects.get(user=user, kind="core.account_locked").inbox
    qh = QuietHours.objects.get(user=user)
    assert qh.enabled and str(qh.start) == "22:30:00" and str(qh.end) == "07:00:00"
    created = AuditRecord.objects.filter(
        actor=user, action=AuditAction.CREATE, object_type="notify.notificationpreference"
    ).values_list("object_repr", flat=True)
    # Every kind on the page is saved (unticked boxes switch the inbox off); the two this
    # test set are among them, each audited once.
    for kind in ("core.test", "core.account_locked"):
        assert sum(1 for r in created if r.endswith(kind)) == 1
    assert AuditRecord.objects.filter(
        actor=user, action=AuditAction.UPDATE, object_type="notify.quiethours"
    ).exists()
    rows = {r["kind"].code: r for r in services.preference_rows(user)}
    assert (
        rows["core.account_locked"]["inbox_forced"]
        and robot.pk in rows["core.account_locked"]["forced"]
    )
    assert robot.pk in rows["core.account_locked"]["channels"]
    assert rows["core.delivery_failed"]["inbox_only"]

    # Bad input: a clear error, nothing half saved.
    r = c.post(url, {"quiet_enabled": "on", "quiet_start": "25:99", "quiet_end": "07:00"})
    assert r.status_code == 422 and "22:00" in r.content.decode()
    assert str(QuietHours.objects.get(user=user).start) == "22:30:00"
    assert NotificationPreference.objects.get(user=user, kind="core.test").channels.count() == 1


def test_only_the_user_changes_their_own_settings():
    from django.core.exceptions import PermissionDenied

    a, b = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        services.save_preferences(a, b, {"core.test": (False, [])})


# --- the real receivers ------------------------------------------------------------------------


@pytest.fixture
def robots() -> Any:
    with RobotServer() as srv:
        yield srv


def need(kind: str) -> None:
    if not has_transport(kind):
        pytest.skip(f"the {kind} transport is not there yet")


def test_alarm_storm_reaches_dingtalk_as_a_few_digests(
    robots, clock, django_capture_on_commit_callbacks
):
    need("dingtalk")
    kinds.event_kind(
        "test.storm",
        "Alarm",
        variables=["host"],
        subject={"zh-hans": "告警：{{ host }} 不可达", "en": "Alarm: {{ host }} down"},
        body={"zh-hans": "{{ host }} 无响应", "en": "{{ host }} does not answer"},
        default_channels=("inbox", "dingtalk"),
        severity="critical",
    )
    try:
        robots.dingtalk_secret = "SEC-storm"
        ch = make_channel(
            "dingtalk",
            robots.url("/robot/send?access_token=storm"),
            rate=20,
            secret="SEC-storm",
        )
        oncall = UserFactory()
        PersonFactory(user=oncall, phone="13900000000")
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(300):
                notify(
                    "test.storm", recipients=[oncall], data={"host": f"10.0.{i // 250}.{i % 250}"}
                )
        assert len(robots.of("dingtalk")) == 20
        assert all(r.answer["errcode"] == 0 for r in robots.of("dingtalk"))
        # The window passes (simulated): the dispatcher sends what was folded, as one digest.
        for _minute in range(3):
            clock.advance(seconds=61)
            with django_capture_on_commit_callbacks(execute=True):
                sending.dispatch()
        received = robots.of("dingtalk")
        digests = Delivery.objects.filter(channel=ch, is_digest=True)
        assert 1 <= digests.count() <= 3
        assert len(received) <= 20 + 3
        assert all(d.status == DeliveryStatus.SENT for d in digests)
        folded = Delivery.objects.filter(channel=ch, is_digest=False).exclude(
            status=DeliveryStatus.SENT
        )
        assert folded.count() == 280
        assert not folded.exclude(status=DeliveryStatus.DIGESTED).exists()
        assert not folded.filter(digest__isnull=True).exists()  # nothing lost
        text = received[-1].body["markdown"]["text"]
        assert "280" in received[-1].body["markdown"]["title"] and "10.0.0.20" in text
        assert received[-1].body["at"]["atMobiles"] == ["13900000000"]
        assert InboxMessage.objects.filter(user=oncall).count() == 300
    finally:
        kinds.unregister("test.storm")


def test_webhook_delivery_retries_after_503_and_carries_a_stable_id(
    robots, clock, django_capture_on_commit_callbacks
):
    need("webhook")
    robots.fail_next = 1
    ch = make_channel("webhook", robots.url("/hooks/netdept"))
    user = UserFactory()
    pref = NotificationPreference.objects.create(user=user, kind="core.test", inbox=True)
    pref.channels.set([ch])
    with django_capture_on_commit_callbacks(execute=True):
        tell(user)
    d = Delivery.objects.get(channel=ch)
    assert d.status == DeliveryStatus.RETRYING and d.remote_status == 503
    clock.advance(seconds=31)
    with django_capture_on_commit_callbacks(execute=True):
        sending.dispatch()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2
    got = robots.of("webhook")
    assert [r.answer_status for r in got] == [503, 200]
    assert {r.headers.get("X-NetDept-Delivery") for r in got} == {str(d.pk)}


class _Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Any:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


def test_quiet_hours_hold_the_email_but_not_the_group_robot(
    robots, smtp, clock, django_capture_on_commit_callbacks
):
    import datetime
    import email
    import zoneinfo

    need("email")
    need("dingtalk")
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    clock.now = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=shanghai)
    mail = make_channel(
        "email",
        config={
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "from_address": "netdept@example.org",
        },
    )
    robot = make_channel("dingtalk", robots.url("/robot/send?access_token=night"))
    sleeper = UserFactory(email="sleeper@example.org")
    PersonFactory(user=sleeper, phone="13700000000")
    QuietHours.objects.create(user=sleeper, enabled=True, start="23:00", end="07:00")
    pref = NotificationPreference.objects.create(user=sleeper, kind="core.test", inbox=True)
    pref.channels.set([mail, robot])
    with django_capture_on_commit_callbacks(execute=True):
        tell(sleeper)
    held = Delivery.objects.get(channel=mail)
    assert held.status == DeliveryStatus.HELD
    assert held.next_attempt_at == datetime.datetime(2026, 5, 1, 7, 0, tzinfo=shanghai)
    assert Delivery.objects.get(channel=robot).status == DeliveryStatus.SENT
    assert robots.of("dingtalk")[0].body["at"]["atMobiles"] == ["13700000000"]
    assert smtp.envelopes == []

    clock.now = datetime.datetime(2026, 5, 1, 7, 1, tzinfo=shanghai)
    with django_capture_on_commit_callbacks(execute=True):
        sending.dispatch()
    held.refresh_from_db()
    assert held.status == DeliveryStatus.SENT
    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == ["sleeper@example.org"]
    parsed = email.message_from_bytes(envelope.content)
    assert parsed["X-NetDept-Delivery"] == str(held.pk)
