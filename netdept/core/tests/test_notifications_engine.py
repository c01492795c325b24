"""The notification engine: recipients, channels, templates, retries, digests, quiet hours."""

# ruff: noqa: F811  (pytest fixtures imported from a helper module)

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from netdept.accounts.models import UserProfile
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.tests.notify_helpers import (  # noqa: F401  (fixtures)
    Clock,
    FakeTransport,
    clock,
    fake,
    make_channel,
    swap_transport,
)
from netdept.notify import engine, event_kind, kinds, notify, sending, services
from netdept.notify.models import (
    Delivery,
    DeliveryStatus,
    EventKindSetting,
    InboxMessage,
    Notification,
    NotificationPreference,
    NotificationTemplate,
    QuietHours,
)
from netdept.notify.transports.base import SendResult
from netdept.org.models import Role
from netdept.testing.crud import CrudTests, ui_client
from netdept.testing.factories import (
    PersonFactory,
    TeamFactory,
    UserFactory,
    user_with_perms,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def test_kinds() -> Any:
    event_kind(
        "test.assigned",
        "Work assigned",
        variables=["number", "title"],
        subject={"zh-hans": "工单 {{ number }} 已分配", "en": "Order {{ number }} assigned"},
        body={"zh-hans": "{{ title }}", "en": "Title: {{ title }}"},
        default_channels=("inbox", "fake"),
    )
    event_kind(
        "test.alarm",
        "Alarm",
        variables=["host"],
        subject={"zh-hans": "告警 {{ host }}", "en": "Alarm {{ host }}"},
        body={"zh-hans": "{{ host }} 不可达", "en": "{{ host }} is down"},
        default_channels=("inbox", "fake", "email"),
        severity="critical",
    )
    yield
    kinds.unregister("test.assigned")
    kinds.unregister("test.alarm")


def run(fn: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return fn()


# --- recipients --------------------------------------------------------------------------------


def test_recipients_from_users_people_teams_and_roles_are_deduplicated():
    team = TeamFactory()
    a = user_with_role("engineer", team=team)
    b = user_with_role("engineer", team=team)
    director = user_with_role("director")
    gone = user_with_role("engineer", team=team)
    gone.is_active = False
    gone.save()
    PersonFactory(team=team, department=team.department)  # no login: nobody to tell
    note = notify(
        "test.assigned",
        recipients=[a, a.person, team, "role:director", Role.objects.get(code="director")],
        data={"number": "WO-1", "title": "交换机掉线"},
    )
    users = set(InboxMessage.objects.filter(notification=note).values_list("user", flat=True))
    assert users == {a.pk, b.pk, director.pk}
    with pytest.raises(TypeError):
        notify("test.assigned", recipients=[42], data={})
    with pytest.raises(engine.UnknownEventKind):
        notify("nope.kind", recipients=[a])


def test_each_recipient_reads_the_message_in_their_language_with_an_absolute_link():
    zh = UserFactory()
    en = UserFactory()
    UserProfile.objects.update_or_create(user=en, defaults={"language": "en"})
    with override_settings(
        NETDEPT={
            **__import__("django.conf").conf.settings.NETDEPT,
            "BASE_URL": "https://netdept.example.org/",
        }
    ):
        notify(
            "test.assigned",
            recipients=[zh, en],
            data={"number": "WO-7", "title": "核心交换机"},
            link="/workorders/7/",
        )
    zh_msg = InboxMessage.objects.get(user=zh)
    en_msg = InboxMessage.objects.get(user=en)
    assert zh_msg.title == "工单 WO-7 已分配" and zh_msg.body == "核心交换机"
    assert en_msg.title == "Order WO-7 assigned" and en_msg.body == "Title: 核心交换机"
    assert zh_msg.link == "/workorders/7/"

    NotificationTemplate.objects.create(
        kind="test.assigned",
        language="en",
        subject="[{{ severity }}] #{{ number }}",
        body="{{ link }}",
    )
    with override_settings(
        NETDEPT={
            **__import__("django.conf").conf.settings.NETDEPT,
            "BASE_URL": "https://netdept.example.org/",
        }
    ):
        notify("test.assigned", recipients=[en], data={"number": "8"}, link="/workorders/8/")
    latest = InboxMessage.objects.filter(user=en).first()
    assert latest.title == "[info] #8"
    assert latest.body == "https://netdept.example.org/workorders/8/"


def test_dedupe_key_notifies_once():
    u = UserFactory()
    assert notify("test.assigned", recipients=[u], data={}, dedupe_key="sla:7") is not None
    assert notify("test.assigned", recipients=[u], data={}, dedupe_key="sla:7") is None
    assert InboxMessage.objects.filter(user=u).count() == 1


def test_notify_belongs_to_the_callers_transaction(fake, django_capture_on_commit_callbacks):
    from django.db import transaction

    u = UserFactory()
    make_channel("fake")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify("test.assigned", recipients=[u], data={"number": "1"})
                raise RuntimeError("the caller fails")
        except RuntimeError:
            pass
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert fake.sent == []


# --- templates checked at save time -------------------------------------------------------------


def test_templates_with_unknown_variables_or_bad_syntax_are_refused_on_save():
    admin = user_with_role("sysadmin")
    svc = services.NotificationTemplateService()
    with pytest.raises(ValidationError) as err:
        svc.create(
            admin,
            {"kind": "test.assigned", "language": "en", "subject": "{{ numbr }}", "body": "ok"},
        )
    assert "subject" in err.value.message_dict and "numbr" in str(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        svc.create(
            admin,
            {
                "kind": "test.assigned",
                "language": "en",
                "subject": "ok",
                "body": "{% if titel %}{{ title|default:assignee }}{% endif %}"
                "{% for x in items %}{{ x }}{% endfor %}",
            },
        )
    text = str(err.value.message_dict["body"])
    assert "titel" in text and "assignee" in text and "items" in text and "'x'" not in text
    with pytest.raises(ValidationError) as err:
        svc.create(
            admin, {"kind": "test.assigned", "language": "en", "subject": "{% if %}", "body": ""}
        )
    assert "subject" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        svc.create(admin, {"kind": "no.such", "language": "en", "subject": "x", "body": "y"})
    assert "kind" in err.value.message_dict
    ok = svc.create(
        admin,
        {
            "kind": "test.assigned",
            "language": "en",
            "subject": "{{ number }} {{ obj }} {{ kind }}",
            "body": "{% for c in title %}{{ forloop.counter }}{{ c }}{% endfor %}{{ link }}",
        },
    )
    assert ok.pk

    # The page shows the error on the field, not a 500.
    c = ui_client(admin)
    r = c.post(
        reverse("notify:notificationtemplate_add"),
        {"kind": "test.alarm", "language": "en", "subject": "{{ hostname }}", "body": "x"},
    )
    assert r.status_code == 422
    assert "hostname" in str(r.context["form"].errors["subject"])


# --- channels ----------------------------------------------------------------------------------


def test_channels_per_recipient_defaults_preferences_and_mandatory(
    fake, django_capture_on_commit_callbacks
):
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    PersonFactory(user=a, phone="13800000001")
    PersonFactory(user=b, phone="13800000002")
    group = make_channel("fake")
    other = make_channel("fake")
    # a: defaults (inbox + every active "fake" channel); b: only `other`, no inbox;
    # c: nothing at all, but an administrator made `group` mandatory.
    pb = NotificationPreference.objects.create(user=b, kind="test.assigned", inbox=False)
    pb.channels.set([other])
    NotificationPreference.objects.create(user=c, kind="test.assigned", inbox=False)
    setting = EventKindSetting.objects.create(kind="test.assigned", mandatory=True)
    setting.mandatory_channels.set([group])
    note = run(
        lambda: notify("test.assigned", recipients=[a, b, c], data={"number": "9"}),
        django_capture_on_commit_callbacks,
    )
    inbox = set(InboxMessage.objects.filter(notification=note).values_list("user", flat=True))
    assert inbox == {a.pk, b.pk, c.pk}  # mandatory: the inbox cannot be switched off
    on_group = Delivery.objects.get(notification=note, channel=group)
    on_other = Delivery.objects.get(notification=note, channel=other)
    # `group` is mandatory for everyone (c has no phone); `other` is a's default and b's choice.
    assert sorted(on_group.payload["mobiles"]) == ["13800000001", "13800000002"]
    assert sorted(on_other.payload["mobiles"]) == ["13800000001", "13800000002"]
    assert on_group.status == on_other.status == DeliveryStatus.SENT
    assert len(fake.sent) == 2
    assert {m.delivery_id for m in fake.sent} == {str(on_group.pk), str(on_other.pk)}

    # Without the mandatory setting, b's choice holds: no inbox.
    setting.delete()
    note = notify("test.assigned", recipients=[b], data={"number": "10"})
    assert not InboxMessage.objects.filter(notification=note).exists()


def test_delivery_failed_kind_goes_to_the_inbox_only(fake):
    admin = user_with_perms(["notify.change_notificationchannel"])
    make_channel("fake")
    NotificationPreference.objects.create(user=admin, kind="core.delivery_failed").channels.set(
        list(__import__("netdept.notify.models", fromlist=["x"]).NotificationChannel.objects.all())
    )
    note = notify("core.delivery_failed", recipients=[admin], data={"channel": "x"})
    assert InboxMessage.objects.filter(notification=note, user=admin).exists()
    assert not Delivery.objects.filter(notification=note).exists()


# --- retries -----------------------------------------------------------------------------------


def test_retryable_failures_back_off_then_fail_for_good_and_tell_the_admins(
    fake, clock, django_capture_on_commit_callbacks
):
    admin = user_with_perms(["notify.change_notificationchannel"])
    user = UserFactory()
    ch = make_channel("fake")
    fake.script = [SendResult(ok=False, retryable=True, status=503, error="busy")] * 6
    note = run(
        lambda: notify("test.assigned", recipients=[user], data={"number": "1"}),
        django_capture_on_commit_callbacks,
    )
    d = Delivery.objects.get(notification=note, channel=ch)
    waits = []
    for attempt in range(1, 7):
        d.refresh_from_db()
        assert d.attempts == attempt
        if attempt < 6:
            assert d.status == DeliveryStatus.RETRYING
            waits.append((d.next_attempt_at - clock.now).total_seconds())
            # Not yet due: the dispatcher leaves it alone.
            run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
            assert Delivery.objects.get(pk=d.pk).attempts == attempt
            clock.now = d.next_attempt_at
            run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    assert waits == [30, 120, 600, 1800, 7200]
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.error == "busy" and d.remote_status == 503
    assert len(fake.sent) == 6
    rec = AuditRecord.objects.get(action=AuditAction.TASK, object_id=str(d.pk))
    assert rec.extra["event"] == "notification_delivery_failed"
    warn = InboxMessage.objects.get(user=admin, notification__kind="core.delivery_failed")
    assert ch.name in warn.title

    # An administrator sends it again now.
    fake.script = []
    run(lambda: services.retry_deliveries(admin, [d]), django_capture_on_commit_callbacks)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 1
    assert AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_id=str(d.pk), actor=admin
    ).exists()


def test_a_refused_message_fails_at_once(fake, django_capture_on_commit_callbacks):
    user_with_perms(["notify.change_notificationchannel"])
    make_channel("fake")
    fake.script = [SendResult(ok=False, retryable=False, status=200, error="invalid token")]
    note = run(
        lambda: notify("test.assigned", recipients=[UserFactory()], data={}),
        django_capture_on_commit_callbacks,
    )
    d = Delivery.objects.get(notification=note)
    assert (d.status, d.attempts, d.error) == (DeliveryStatus.FAILED, 1, "invalid token")


def test_a_delivery_is_claimed_once(fake, clock, django_capture_on_commit_callbacks):
    make_channel("fake")
    note = notify("test.assigned", recipients=[UserFactory()], data={})
    d = Delivery.objects.get(notification=note)
    claimed = sending.claim(d.pk)
    assert claimed is not None
    assert sending.claim(d.pk) is None  # a second worker gets nothing
    assert sending.send(d.pk) is None
    # The claimer died. After the claim timeout the dispatcher sends it again.
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=d.pk).status == DeliveryStatus.SENDING
    clock.advance(seconds=301)
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2
    assert [m.delivery_id for m in fake.sent] == [str(d.pk)]
    # The late outcome of the dead claim is dropped.
    _stale, token = claimed
    assert sending.record(d, token, SendResult(ok=False, error="late")) is None
    assert Delivery.objects.get(pk=d.pk).status == DeliveryStatus.SENT


# --- rate limit and digests (logic; the storm against the DingTalk receiver is in
#     test_notifications_inbox.py) ------------------------------------------------------------


def test_over_the_rate_messages_fold_into_one_digest(
    fake, clock, django_capture_on_commit_callbacks
):
    ch = make_channel("fake", rate=3)
    user = UserFactory()

    def storm() -> None:
        for i in range(10):
            notify(
                "test.alarm",
                recipients=[user],
                data={"host": f"sw-{i}"},
                severity="warning" if i % 2 else "critical",
            )

    run(storm, django_capture_on_commit_callbacks)
    rows = Delivery.objects.filter(channel=ch)
    assert rows.filter(status=DeliveryStatus.SENT).count() == 3
    waiting = rows.filter(status=DeliveryStatus.DIGESTED, digest__isnull=True)
    assert waiting.count() == 7
    assert len(fake.sent) == 3
    # Within the window nothing more goes out.
    clock.advance(seconds=30)
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    assert len(fake.sent) == 3
    clock.advance(seconds=31)
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    digest = Delivery.objects.get(channel=ch, is_digest=True)
    assert digest.status == DeliveryStatus.SENT
    assert rows.filter(status=DeliveryStatus.DIGESTED, digest=digest).count() == 7
    assert len(fake.sent) == 4
    text = fake.sent[-1].text
    assert "7" in fake.sent[-1].title and "sw-3" in text and "sw-9" in text
    assert fake.sent[-1].severity == "critical"
    # After the digest, messages go out one by one again.
    run(
        lambda: notify("test.alarm", recipients=[user], data={"host": "late"}),
        django_capture_on_commit_callbacks,
    )
    clock.advance(seconds=61)
    run(
        lambda: notify("test.alarm", recipients=[user], data={"host": "later"}),
        django_capture_on_commit_callbacks,
    )
    assert fake.sent[-1].title.endswith("later")


# --- quiet hours -------------------------------------------------------------------------------


@pytest.fixture
def fake_email() -> Any:
    yield from swap_transport(FakeTransport(kind="email"))


def test_quiet_hours_hold_email_until_they_end_in_the_users_time_zone(
    fake_email, clock, django_capture_on_commit_callbacks
):
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    clock.now = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=shanghai).astimezone(datetime.UTC)
    mail = make_channel("email")
    sleeper = UserFactory(email="sleeper@example.org")
    QuietHours.objects.create(user=sleeper, enabled=True, start="22:00", end="07:30")
    awake = UserFactory(email="")
    PersonFactory(user=awake, email="awake@example.org")
    nomail = UserFactory(email="")
    note = run(
        lambda: notify("test.alarm", recipients=[sleeper, awake, nomail], data={"host": "core"}),
        django_capture_on_commit_callbacks,
    )
    held = Delivery.objects.get(notification=note, channel=mail, recipient=sleeper)
    assert held.status == DeliveryStatus.HELD
    assert held.next_attempt_at == datetime.datetime(2026, 3, 3, 7, 30, tzinfo=shanghai)
    sent = Delivery.objects.get(notification=note, channel=mail, recipient=awake)
    assert sent.status == DeliveryStatus.SENT and sent.address == "awake@example.org"
    assert not Delivery.objects.filter(recipient=nomail, channel=mail).exists()  # no address
    assert InboxMessage.objects.filter(user=sleeper, notification=note).exists()  # immediate
    assert [m.emails for m in fake_email.sent] == [["awake@example.org"]]

    # Urgent events ignore quiet hours.
    note = run(
        lambda: notify("test.alarm", recipients=[sleeper], data={"host": "x"}, urgent=True),
        django_capture_on_commit_callbacks,
    )
    assert Delivery.objects.get(notification=note, channel=mail).status == DeliveryStatus.SENT

    clock.now = datetime.datetime(2026, 3, 3, 7, 29, tzinfo=shanghai)
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=held.pk).status == DeliveryStatus.HELD
    clock.now = datetime.datetime(2026, 3, 3, 7, 31, tzinfo=shanghai)
    run(lambda: sending.dispatch(), django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=held.pk).status == DeliveryStatus.SENT


def test_quiet_hours_within_one_day_and_other_time_zones():
    u = UserFactory()
    UserProfile.objects.update_or_create(user=u, defaults={"time_zone": "Europe/Berlin"})
    QuietHours.objects.create(user=u, enabled=True, start="12:00", end="14:00")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    at = datetime.datetime(2026, 7, 1, 12, 30, tzinfo=berlin)
    assert engine.quiet_until(u, at) == datetime.datetime(2026, 7, 1, 14, 0, tzinfo=berlin)
    assert engine.quiet_until(u, at.replace(hour=15)) is None
    QuietHours.objects.filter(user=u).update(enabled=False)
    assert engine.quiet_until(u, at) is None


# --- settings pages ----------------------------------------------------------------------------


class TestNotificationTemplateCrud(CrudTests):
    model = NotificationTemplate

    def make(self) -> Any:
        return NotificationTemplate.objects.create(
            kind="core.account_locked",
            language="zh-hans",
            subject="账号 {{ username }} 锁定",
            body="{{ ip }}",
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "kind": "core.test",
            "language": "en",
            "subject": "Test from {{ sender }}",
            "body": "{{ message }} {{ link }}",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "kind": obj.kind,
            "language": obj.language,
            "subject": "已锁定：{{ username }}",
            "body": obj.body,
        }

    def make_rows(self, n: int) -> list[Any]:  # make() makes one fixed row
        start = NotificationTemplate.objects.count()
        return [
            NotificationTemplate.objects.create(
                kind=f"test.kind{i}", language="zh-hans", subject="{{ username }}", body="-"
            )
            for i in range(start, start + n)
        ]


class TestEventKindSettingCrud(CrudTests):
    model = EventKindSetting
    extra_perms = ["notify.view_notificationchannel"]  # to pick the mandatory channels

    def make(self) -> Any:
        return EventKindSetting.objects.create(kind="core.account_locked", urgent=True)

    def valid_data(self) -> dict[str, Any]:
        ch = make_channel("webhook", "http://127.0.0.1:9/hook")
        return {
            "kind": "core.test",
            "mandatory": True,
            "mandatory_channels": [ch.pk],
            "urgent": False,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {"kind": obj.kind, "mandatory": True, "mandatory_channels": [], "urgent": False}

    def make_rows(self, n: int) -> list[Any]:  # make() makes one fixed row
        start = EventKindSetting.objects.count()
        rows = []
        for i in range(start, start + n):
            setting = EventKindSetting.objects.create(kind=f"test.kind{i}", mandatory=True)
            setting.mandatory_channels.add(make_channel("webhook", "http://127.0.0.1:9/hook"))
            rows.append(setting)
        return rows


class TestDeliveryCrud(CrudTests):
    """The delivery log is read-only: only the view permission exists."""

    model = Delivery
    scopes = ("own",)
    key_field = "title"

    def user(self, *actions: str, scope: str = "all", **kwargs: Any) -> Any:
        return super().user(*[a for a in actions if a == "view"], scope=scope, **kwargs)

    def make(self) -> Any:
        return Delivery.objects.create(
            channel=make_channel("webhook", "http://127.0.0.1:9/hook"),
            title=f"测试消息 {Delivery.objects.count() + 1}",
            status=DeliveryStatus.FAILED,
            recipient=UserFactory(),
        )

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        d = self.make()
        d.recipient = user
        d.save()
        return d


def test_retry_now_needs_the_channel_admin_permission(fake, django_capture_on_commit_callbacks):
    d = Delivery.objects.create(
        channel=make_channel("fake"), title="x", status=DeliveryStatus.FAILED, attempts=6
    )
    viewer = user_with_perms(["notify.view_delivery"])
    url = reverse("notify:notifications_delivery_retry", args=[d.pk])
    assert ui_client(viewer).post(url).status_code == 403
    assert Delivery.objects.get(pk=d.pk).status == DeliveryStatus.FAILED
    admin = user_with_role("sysadmin")
    c = ui_client(admin)
    page = c.get(reverse("notify:delivery_detail", args=[d.pk]))
    assert 'id="nd-delivery-retry"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url)
    assert r.status_code == 302
    assert Delivery.objects.get(pk=d.pk).status == DeliveryStatus.SENT
    r = c.get(reverse("notify:notifications_failed"))
    assert r.status_code == 302 and r["Location"].endswith("?status=failed")


def test_sysadmin_runs_notification_settings_and_reads_the_log():
    from netdept.core import permissions

    admin = user_with_role("sysadmin")
    for perm in (
        "notify.change_notificationchannel",
        "notify.add_notificationtemplate",
        "notify.change_eventkindsetting",
        "notify.view_delivery",
        "notify.view_notification",
    ):
        assert permissions.has_perm(admin, perm), perm
    assert not permissions.has_perm(user_with_role("engineer"), "notify.view_delivery")


def test_clock_fixture_is_used(clock: Clock):
    assert engine.now() == clock.now
