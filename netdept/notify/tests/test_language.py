"""Notifications in the recipient's language: the wording, the words passed in as data (choice
labels, lazy sentences) and the times (each reader's time zone)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.translation import gettext_lazy

from netdept.accounts.lockout import account_locked
from netdept.accounts.models import LoginAttempt, UserProfile
from netdept.notify import event_kind, kinds, listing, notify, sending
from netdept.notify.models import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationChannel,
)
from netdept.testing.factories import UserFactory, user_with_perms, user_with_role

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def reader(lang: str, tz: str, user: Any = None) -> Any:
    user = user or UserFactory()
    UserProfile.objects.update_or_create(user=user, defaults={"language": lang, "time_zone": tz})
    return user


@pytest.fixture
def kind() -> Iterator[str]:
    event_kind(
        "test.language",
        gettext_lazy("Test message"),
        variables=["state", "at"],
        subject={"zh-hans": "状态：{{ state }}", "en": "State: {{ state }}"},
        body={"zh-hans": "时间 {{ at }}", "en": "At {{ at }}"},
    )
    yield "test.language"
    kinds.unregister("test.language")


def test_labels_and_times_passed_as_data_are_read_in_each_recipients_language_and_zone(
    kind: str,
) -> None:
    zh = reader("zh-hans", "Asia/Shanghai")
    en = reader("en", "Europe/Berlin")
    at = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    notify(kind, recipients=[zh, en], data={"state": gettext_lazy("Yes"), "at": at})

    zh_msg = InboxMessage.objects.get(user=zh)
    en_msg = InboxMessage.objects.get(user=en)
    assert (zh_msg.title, zh_msg.body) == ("状态：是", "时间 2026-07-01 18:00")
    assert (en_msg.title, en_msg.body) == ("State: Yes", "At 2026-07-01 12:00")
    # what is kept of the event is plain JSON (the instant as ISO 8601)
    assert Notification.objects.get().data["at"] == "2026-07-01T10:00:00+00:00"


def test_a_lockout_tells_each_security_administrator_the_end_in_their_own_zone() -> None:
    zh = reader("zh-hans", "Asia/Shanghai", user_with_role("secadmin"))
    en = reader("en", "America/New_York", user_with_role("secadmin"))
    until = datetime.datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    account_locked.send(sender=LoginAttempt, username="wang", ip="10.0.0.9", until=until)

    zh_msg = InboxMessage.objects.get(user=zh)
    en_msg = InboxMessage.objects.get(user=en)
    assert "被锁定至 2026-12-01 10:30" in zh_msg.body
    assert "until 2026-11-30 21:30" in en_msg.body
    assert "locked" not in zh_msg.body and "锁定" not in en_msg.body


def test_a_failed_delivery_names_the_channel_kind_in_each_administrators_language() -> None:
    zh = reader("zh-hans", "Asia/Shanghai", user_with_perms(["notify.change_notificationchannel"]))
    en = reader("en", "Asia/Shanghai", user_with_perms(["notify.change_notificationchannel"]))
    channel = NotificationChannel.objects.create(name="值班群", kind=ChannelKind.DINGTALK)
    note = Notification.objects.create(kind="core.test")
    d = Delivery.objects.create(
        notification=note,
        channel=channel,
        title="测试",
        payload={},
        status=DeliveryStatus.FAILED,
        attempts=5,
        error="x",
    )
    sending.failed(d)

    zh_body = InboxMessage.objects.get(user=zh).body
    en_body = InboxMessage.objects.get(user=en).body
    assert "（钉钉机器人）" in zh_body, zh_body
    assert "(DingTalk robot)" in en_body, en_body


def test_a_listing_of_labels_is_joined_in_each_readers_language(kind: str) -> None:
    zh = reader("zh-hans", "Asia/Shanghai")
    en = reader("en", "Asia/Shanghai")
    words = listing([gettext_lazy("Yes"), gettext_lazy("No")])
    notify(kind, recipients=[zh, en], data={"state": words, "at": ""})

    assert InboxMessage.objects.get(user=zh).title == "状态：是、否"
    assert InboxMessage.objects.get(user=en).title == "State: Yes, No"
