"""Upgrading a database from the schema before issue 9 split core (core 0004, org 0004,
workorders 0006): the models of notify, workcal, accounts and tasks keep their tables and rows,
their foreign keys resolve, their content types (and so the permissions roles hold) move to the
new labels, the sealed audit trail still verifies, and an object's old records stay in its
history. The labels "core.*" below are the labels of BEFORE (kernel_rewrite: skip)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from netdept.accounts.models import ApiToken, LoginAttempt, SecurityPolicy, UserProfile
from netdept.core import audit, permissions
from netdept.core.models import AuditRecord
from netdept.notify.models import Delivery, InboxMessage, NotificationChannel
from netdept.org.models import Role
from netdept.tasks.models import JobRun
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workorders.models import SlaPolicy

OLD_HEADS = [
    ("core", "0004_audit_seal"),
    ("org", "0004_config_not_work"),
    ("workorders", "0006_sla_minute_bounds"),
]
BEFORE = [
    *OLD_HEADS,
    ("accounts", None),
    ("notify", None),
    ("tasks", None),
    ("workcal", None),
]


def _write_old_rows(apps: Any) -> dict[str, Any]:
    """Rows in every moved table, written through the models of the old schema."""
    user = apps.get_model("auth", "User").objects.create(username="upgrader", is_active=True)
    cal = apps.get_model("core", "WorkCalendar").objects.create(
        name="旧日历", time_zone="Asia/Shanghai", working_periods=[["09:00", "17:00"]]
    )
    override = apps.get_model("core", "CalendarOverride").objects.create(
        calendar=cal, date=datetime.date(2026, 10, 1), is_working_day=False, note="国庆节"
    )
    channel = apps.get_model("core", "NotificationChannel").objects.create(
        name="值班群", kind="webhook"
    )
    note = apps.get_model("core", "Notification").objects.create(kind="core.test", data={})
    inbox = apps.get_model("core", "InboxMessage").objects.create(
        notification=note, user=user, title="你好"
    )
    delivery = apps.get_model("core", "Delivery").objects.create(
        notification=note, channel=channel, recipient=user, title="你好", payload={}
    )
    apps.get_model("core", "UserProfile").objects.create(user=user, language="zh-hans")
    token = apps.get_model("core", "ApiToken").objects.create(
        user=user, name="脚本", prefix="nd_abc", digest="d" * 64
    )
    apps.get_model("core", "LoginAttempt").objects.create(
        username="upgrader", ip="10.0.0.1", ts=timezone.now()
    )
    apps.get_model("core", "SecurityPolicy").objects.create(pk=1, lockout_attempts=7)
    run = apps.get_model("core", "JobRun").objects.create(
        job="core.purge_audit_trail", due_at=timezone.now(), fired_by="test"
    )
    policy = apps.get_model("workorders", "SlaPolicy").objects.create(
        name="日历策略", priority=1, response_minutes=30, resolution_minutes=240, calendar=cal
    )
    # A role holding a moved model's permission, assigned to the user.
    perm = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="core", codename="view_workcalendar"
    )
    role = apps.get_model("org", "Role").objects.create(
        code="calreader", name="读日历", scope="all"
    )
    role.permissions.add(perm)
    apps.get_model("org", "RoleAssignment").objects.create(user=user, role=role)
    return {
        "user": user.pk,
        "cal": cal.pk,
        "override": override.pk,
        "channel": channel.pk,
        "inbox": inbox.pk,
        "delivery": delivery.pk,
        "token": token.pk,
        "run": run.pk,
        "policy": policy.pk,
        "role": role.pk,
        "perm": perm.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_upgrade_from_the_schema_before_the_split():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = _write_old_rows(executor.loader.project_state(OLD_HEADS).apps)
        # An audit record about the calendar, written with the label of the old schema.
        audit.record(
            "update",
            None,
            object_type_label="core.workcalendar",
            object_id=str(old["cal"]),
            object_repr="旧日历",
            changes={"name": ["日历", "旧日历"]},
        )
        assert ContentType.objects.filter(app_label="core", model="workcalendar").exists()
    finally:
        call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()

    # Every row is readable through the new models, and the foreign keys resolve.
    cal = WorkCalendar.objects.get(pk=old["cal"])
    assert cal.name == "旧日历" and cal.working_periods == [["09:00", "17:00"]]
    assert CalendarOverride.objects.get(pk=old["override"]).calendar == cal
    assert SlaPolicy.objects.get(pk=old["policy"]).calendar == cal
    inbox = InboxMessage.objects.select_related("notification", "user").get(pk=old["inbox"])
    assert inbox.notification.kind == "core.test" and inbox.user.pk == old["user"]
    delivery = Delivery.objects.get(pk=old["delivery"])
    assert delivery.channel == NotificationChannel.objects.get(pk=old["channel"])
    assert delivery.recipient_id == old["user"]
    user = get_user_model().objects.get(pk=old["user"])
    assert UserProfile.objects.get(user=user).language == "zh-hans"
    assert user.profile.language == "zh-hans"
    assert ApiToken.objects.get(pk=old["token"]).user == user
    assert LoginAttempt.objects.filter(username="upgrader").count() == 1
    assert SecurityPolicy.objects.get(pk=1).lockout_attempts == 7
    assert JobRun.objects.get(pk=old["run"]).job == "core.purge_audit_trail"

    # The content types moved (no "core" row left for a moved model) and the permission row
    # the role holds is the same one, now named workcal.view_workcalendar.
    moved = ["workcalendar", "inboxmessage", "userprofile", "apitoken", "jobrun", "delivery"]
    assert not ContentType.objects.filter(app_label="core", model__in=moved).exists()
    perm = Permission.objects.get(pk=old["perm"])
    assert (perm.content_type.app_label, perm.codename) == ("workcal", "view_workcalendar")
    assert Role.objects.get(pk=old["role"]).permissions.filter(pk=perm.pk).exists()
    permissions.forget(user)
    assert permissions.has_perm(user, "workcal.view_workcalendar")
    assert not permissions.has_perm(user, "core.view_workcalendar")

    # The sealed trail still verifies (no record was rewritten), by the library and the command.
    assert audit.verify().ok
    out = StringIO()
    call_command("nd_audit", "verify", stdout=out)
    # The calendar's history still shows its record from before the upgrade…
    old_records = list(audit.history(cal))
    assert [r.object_type for r in old_records] == ["core.workcalendar"]
    assert AuditRecord.objects.get(pk=old_records[0].pk).object_repr == "旧日历"
    # …and the records written from now on, under the new label, next to it.
    audit.record("update", cal, changes={"name": ["旧日历", "新日历"]})
    assert [r.object_type for r in audit.history(cal).order_by("seq")] == [
        "core.workcalendar",
        "workcal.workcalendar",
    ]
    assert audit.verify().ok
