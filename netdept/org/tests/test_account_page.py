"""The account page: person, roles, lockout with unlock, second-factor reset (三员: the
security administrator only, never on their own account, each action audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from netdept.accounts import lockout
from netdept.accounts.models import SecurityPolicy
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import page_for
from netdept.testing.clients import denials, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory, user_with_role

pytestmark = pytest.mark.django_db


def url(user: Any) -> str:
    page = page_for(get_user_model())
    assert page is not None
    return reverse(page.url_name("detail"), args=[user.pk])


@pytest.fixture
def target() -> Any:
    dept = DepartmentFactory.create(name="信息科")
    team = TeamFactory.create(name="网络运维组", department=dept)
    person = PersonFactory.create(
        name="张伟", employee_no="XX005", department=dept, team=team, phone="13800000005"
    )
    return user_with_role("engineer", person=person, username="zhangwei")


def lock(user: Any) -> None:
    for _ in range(SecurityPolicy.current().lockout_attempts):
        lockout.register_failure(user.username, "192.0.2.9")
    assert lockout.is_locked(user.username, None)


def test_the_page_shows_person_roles_lockout_and_second_factor(target: Any) -> None:
    lock(target)
    TOTPDevice.objects.create(user=target, name="TOTP", confirmed=True)
    page = ui_client(user_with_role("secadmin")).get(url(target))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("张伟", "XX005", "信息科", "网络运维组", "13800000005", "工程师"):
        assert text in html, text
    assert 'id="nd-account-unlock"' in html and 'id="nd-account-reset-2fa"' in html
    assert "已锁定" in html or "Locked" in html


def test_the_security_administrator_unlocks_and_resets(target: Any) -> None:
    lock(target)
    TOTPDevice.objects.create(user=target, name="TOTP", confirmed=True)
    secadmin = user_with_role("secadmin")
    client = ui_client(secadmin)

    r = client.post(url(target), {"action": "unlock"})
    assert r.status_code == 302 and r.url == url(target)
    assert not lockout.is_locked(target.username, None)
    r = client.post(url(target), {"action": "reset_2fa"})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()

    events = AuditRecord.objects.filter(
        actor=secadmin, action=AuditAction.SECURITY, object_id=str(target.pk)
    ).values_list("extra__event", flat=True)
    assert set(events) == {"unlocked", "totp_reset"}
    html = client.get(url(target)).content.decode()
    assert 'id="nd-account-unlock"' not in html and 'id="nd-account-reset-2fa"' not in html
    # nothing left to reset: a message, not an error page
    r = client.post(url(target), {"action": "reset_2fa"}, follow=True)
    assert r.status_code == 200


@pytest.mark.parametrize("role", ["sysadmin", "auditor"])  # they read accounts
def test_nobody_else_may(target: Any, role: str) -> None:
    lock(target)
    TOTPDevice.objects.create(user=target, name="TOTP", confirmed=True)
    other = user_with_role(role)
    client = ui_client(other)
    page = client.get(url(target))
    assert page.status_code == 200  # they read accounts: the state, without the buttons
    html = page.content.decode()
    assert "已锁定" in html or "Locked" in html
    assert 'id="nd-account-unlock"' not in html
    assert 'id="nd-account-reset-2fa"' not in html
    for action in ("unlock", "reset_2fa"):
        assert client.post(url(target), {"action": action}).status_code == 403
    assert lockout.is_locked(target.username, None)
    assert TOTPDevice.objects.filter(user=target).exists()
    assert denials(other).filter(extra__permission="accounts.change_securitypolicy").count() == 2


def test_not_on_their_own_account() -> None:
    secadmin = user_with_role("secadmin", username="secadmin")
    TOTPDevice.objects.create(user=secadmin, name="TOTP", confirmed=True)
    client = ui_client(secadmin)
    assert 'id="nd-account-reset-2fa"' not in client.get(url(secadmin)).content.decode()
    client.post(url(secadmin), {"action": "reset_2fa"})
    assert TOTPDevice.objects.filter(user=secadmin).exists()
    assert not AuditRecord.objects.filter(extra__event="totp_reset").exists()


def test_an_unknown_action_is_a_bad_request(target: Any) -> None:
    client = ui_client(user_with_role("secadmin"))
    assert client.post(url(target), {"action": "make_superuser"}).status_code == 400


def test_who_cannot_read_accounts_is_refused(target: Any) -> None:
    lock(target)
    client = ui_client(user_with_role("director"))
    assert client.get(url(target)).status_code == 403
    assert client.post(url(target), {"action": "unlock"}).status_code == 403
    assert lockout.is_locked(target.username, None)


def test_the_auditors_hear_of_a_privileged_second_factor_reset(target: Any) -> None:
    from netdept.accounts.models import UserProfile
    from netdept.notify.models import InboxMessage

    auditor, english = user_with_role("auditor"), user_with_role("auditor")
    UserProfile.objects.update_or_create(user=english, defaults={"language": "en"})
    sysadmin = user_with_role("sysadmin", username="sysadm")
    for user in (target, sysadmin):
        TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client = ui_client(user_with_role("secadmin"))
    kind = "org.privileged_account_managed"
    assert client.post(url(target), {"action": "reset_2fa"}).status_code == 302
    assert not InboxMessage.objects.filter(notification__kind=kind).exists()  # an engineer's
    assert client.post(url(sysadmin), {"action": "reset_2fa"}).status_code == 302
    chinese = InboxMessage.objects.get(user=auditor, notification__kind=kind)
    assert "sysadm" in chinese.title and "重置双因素" in chinese.body, chinese.body
    assert chinese.notification.urgent
    assert "reset the second factor" in InboxMessage.objects.get(user=english).body
