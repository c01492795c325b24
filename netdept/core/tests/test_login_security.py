"""Sign-in security: hashing, password policy, lockout, idle timeout, TOTP, API tokens, the
security policy page, and no default password."""

from __future__ import annotations

import datetime
import io
import time
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from netdept.accounts.models import ApiToken, LoginAttempt, SecurityPolicy
from netdept.accounts.services import SecurityPolicyService
from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import RoleAssignment
from netdept.testing.factories import PASSWORD, UserFactory, custom_role, user_with_role

pytestmark = pytest.mark.django_db

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
LOGIN = "/accounts/login/"
SETUP = "/accounts/2fa/setup/"
VERIFY = "/accounts/2fa/verify/"
PASSWORD_URL = "/accounts/password/"
TOKENS = "/security/tokens/"
POLICY = "/security/policy/"
GATED = TOKENS  # any page behind the second factor


def sign_in(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def policy(**values: int) -> SecurityPolicy:
    p = SecurityPolicy.current()
    for k, v in values.items():
        setattr(p, k, v)
    p.save()
    return p


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = totp_code(device)
    return "000000" if right != "000000" else "111111"


def role_requiring_2fa() -> Any:
    role = custom_role([], code="privileged")
    role.require_2fa = True
    role.save()
    return role


# --- hashing and default passwords --------------------------------------------------------------
def test_argon2_is_the_production_hasher() -> None:
    from netdept import settings as production

    assert production.PASSWORD_HASHERS[0] == ARGON2
    with override_settings(PASSWORD_HASHERS=[ARGON2]):
        assert make_password("Some-Pass-1234!").startswith("argon2")


def test_no_default_account_or_password(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not get_user_model().objects.exists()  # migrations create no login
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError):
        call_command("nd_createadmin", "x", "--password-stdin", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="x").exists()


# --- password policy ----------------------------------------------------------------------------
def _change(client: Client, old: str, new: str) -> Any:
    return client.post(
        PASSWORD_URL, {"old_password": old, "new_password1": new, "new_password2": new}
    )


def _codes(response: Any) -> set[str]:
    errors = response.context["form"].errors.as_data()
    return {e.code for errs in errors.values() for e in errs}


def test_password_policy_and_history() -> None:
    user = user_with_role("engineer")
    c = Client()
    c.force_login(user)
    assert c.get(PASSWORD_URL).status_code == 200

    r = _change(c, PASSWORD, "Ab1!x")
    assert r.status_code == 422 and "password_too_short" in _codes(r)
    assert b'data-field="new_password2"' in r.content
    r = _change(c, PASSWORD, "alllowercaseletters")
    assert r.status_code == 422 and "password_classes" in _codes(r)
    r = _change(c, "Wrong-Old-1234!", "Brand-New-1234!")
    assert r.status_code == 422 and "password_incorrect" in _codes(r)

    history = [f"Rotate-{i}-Pass!x" for i in range(1, 6)]
    current = PASSWORD
    for new in history:
        r = _change(c, current, new)
        assert r.status_code == 302, r.context and r.context["form"].errors
        current = new
    # The session survives the change (update_session_auth_hash).
    assert c.get(PASSWORD_URL).status_code == 200
    # One of the last five (current included) is refused…
    for old in history:
        r = _change(c, current, old)
        assert r.status_code == 422 and "password_reused" in _codes(r), old
    # …the sixth-oldest is allowed again.
    r = _change(c, current, PASSWORD)
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    recs = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="auth.user", object_id=str(user.pk)
    )
    assert recs.count() == 6
    for rec in recs:
        assert rec.changes == {"password": [audit.MASK, audit.MASK]}
        assert "Rotate" not in str(rec.extra) and "Rotate" not in str(rec.changes)
    assert audit.verify().ok


def test_password_policy_is_configurable() -> None:
    policy(min_length=16, min_classes=4, history=0)
    user = user_with_role("engineer")
    c = Client()
    c.force_login(user)
    assert "password_too_short" in _codes(_change(c, PASSWORD, "Aa1!aaaaaaaa"))
    assert "password_classes" in _codes(_change(c, PASSWORD, "Aa1aaaaaaaaaaaaaaaa"))
    assert _change(c, PASSWORD, PASSWORD).status_code == 422  # same as now: still refused
    assert _change(c, PASSWORD, "Aa1!aaaaaaaaaaaaaaaa").status_code == 302


def test_sysadmin_resets_another_password_masked_in_audit() -> None:
    admin = user_with_role("sysadmin")
    target = UserFactory()
    c = Client()
    c.force_login(admin)
    url = f"/system/account/{target.pk}/edit/"
    data = {"username": target.username, "email": target.email, "is_active": "on"}
    r = c.post(url, {**data, "password": "short"})
    assert r.status_code == 422
    r = c.post(url, {**data, "password": "Reset-By-Admin-42!"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Reset-By-Admin-42!")
    assert "Reset-By-Admin" not in str(
        list(AuditRecord.objects.values_list("changes", "extra", "object_repr"))
    )


def test_sysadmin_password_reset_is_audited() -> None:
    admin = user_with_role("sysadmin")
    target = UserFactory()
    c = Client()
    c.force_login(admin)
    data = {"username": target.username, "email": target.email, "is_active": "on"}
    c.post(f"/system/account/{target.pk}/edit/", {**data, "password": "Reset-By-Admin-42!"})
    rec = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="auth.user", object_id=str(target.pk)
    ).first()
    assert rec is not None and rec.changes.get("password") == [audit.MASK, audit.MASK]


# --- lockout ------------------------------------------------------------------------------------
def test_account_lockout_for_15_minutes() -> None:
    user = UserFactory()
    c = Client()
    with freeze_time("2025-03-03 01:00:00", tick=False) as clock:
        for i in range(5):
            r = sign_in(c, user.username, "wrong", ip=f"10.0.1.{i}")
            assert r.status_code == 401
        # Locked: even the right password from a fresh address is refused.
        r = sign_in(c, user.username, ip="10.0.2.1")
        assert r.status_code == 429
        assert "_auth_user_id" not in c.session
        clock.tick(datetime.timedelta(minutes=14, seconds=50))
        assert sign_in(c, user.username, ip="10.0.2.1").status_code == 429
        clock.tick(datetime.timedelta(seconds=20))
        assert sign_in(c, user.username, ip="10.0.2.1").status_code == 302
    failed = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 5
    assert {r.extra["username"] for r in failed} == {user.username}
    locks = AuditRecord.objects.filter(action=AuditAction.LOCKOUT)
    assert [(r.object_repr, r.extra["by"]) for r in locks] == [(user.username, "account")]
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1
    assert audit.verify().ok


def test_source_ip_lockout() -> None:
    victim = UserFactory()
    c = Client()
    for i in range(5):
        assert sign_in(c, f"nobody{i}", "wrong", ip="192.0.2.7").status_code == 401
    assert sign_in(c, victim.username, ip="192.0.2.7").status_code == 429
    assert sign_in(c, victim.username, ip="192.0.2.8").status_code == 302
    lock = AuditRecord.objects.get(action=AuditAction.LOCKOUT)
    assert lock.extra["by"] == "ip" and lock.extra["ip"] == "192.0.2.7"
    assert lock.ip == "192.0.2.7"


def test_lockout_is_configurable() -> None:
    policy(lockout_attempts=3, lockout_minutes=2)
    user = UserFactory()
    c = Client()
    with freeze_time("2025-03-03 01:00:00", tick=False) as clock:
        for i in range(3):
            sign_in(c, user.username, "wrong", ip=f"10.0.3.{i}")
        assert sign_in(c, user.username, ip="10.0.4.1").status_code == 429
        clock.tick(datetime.timedelta(minutes=2, seconds=1))
        assert sign_in(c, user.username, ip="10.0.4.1").status_code == 302
    assert not LoginAttempt.objects.filter(username=user.username).exists()


# --- idle timeout -------------------------------------------------------------------------------
def _idle(client: Client, minutes: float) -> None:
    session = client.session
    session["netdept_last_seen"] = time.time() - minutes * 60
    session.save()


def test_idle_session_is_signed_out() -> None:
    user = user_with_role("engineer")
    c = Client()
    assert sign_in(c, user.username).status_code == 302
    assert c.get(PASSWORD_URL).status_code == 200
    _idle(c, 29)
    assert c.get(PASSWORD_URL).status_code == 200
    _idle(c, 31)
    r = c.get(PASSWORD_URL)
    assert r.status_code == 302 and r["Location"].startswith(LOGIN) and "idle=1" in r["Location"]
    r = c.get(PASSWORD_URL)
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)  # really signed out
    assert AuditRecord.objects.filter(
        action=AuditAction.LOGOUT, actor=user, extra__reason="idle timeout"
    ).exists()


def test_idle_timeout_is_configurable() -> None:
    policy(idle_timeout_minutes=5)
    user = user_with_role("engineer")
    c = Client()
    c.force_login(user)
    assert c.get(PASSWORD_URL).status_code == 200
    _idle(c, 6)
    assert c.get(PASSWORD_URL).status_code == 302


# --- TOTP ---------------------------------------------------------------------------------------
def test_role_requiring_2fa_sets_up_then_verifies() -> None:
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role_requiring_2fa())
    c = Client()
    with freeze_time("2025-03-03 01:00:00", tick=False) as clock:
        r = sign_in(c, user.username)
        assert r.status_code == 302 and r["Location"].startswith(SETUP)
        r = c.get(GATED)
        assert r.status_code == 302 and r["Location"].startswith(SETUP)
        r = c.get("/api/v1/me/")
        assert r.status_code == 403  # the browser session cannot use the API either

        r = c.get(SETUP)
        assert r.status_code == 200
        assert b"data:image/svg+xml" in r.content
        secret = r.context["secret"]
        assert secret.replace(" ", "") in r.content.decode().replace(" ", "")
        raw = secret.replace(" ", "")
        key = b32decode(raw + "=" * (-len(raw) % 8))
        assert c.get(SETUP).context["secret"] == secret  # stable while pending

        r = c.post(SETUP, {"token": "12345"})
        assert r.status_code == 422
        code = f"{TOTP(key).token():06d}"
        bad = "000000" if code != "000000" else "111111"
        assert c.post(SETUP, {"token": bad}).status_code == 422
        assert not TOTPDevice.objects.filter(user=user).exists()
        r = c.post(SETUP, {"token": code, "next": GATED})
        assert r.status_code == 302 and r["Location"] == GATED
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.bin_key == key
        assert c.get(GATED).status_code == 200  # verified in this session
        assert AuditRecord.objects.filter(
            action=AuditAction.SECURITY, extra__event="totp_enabled", actor=user
        ).exists()

        # A new session: the password leads to the verify page, nothing else.
        c2 = Client()
        r = sign_in(c2, user.username)
        assert r.status_code == 302 and r["Location"].startswith(VERIFY)
        r = c2.get(GATED)
        assert r.status_code == 302 and r["Location"].startswith(VERIFY)
        assert c2.get(SETUP).status_code == 302  # no second device behind the first one's back
        assert c2.get(PASSWORD_URL)["Location"].startswith(VERIFY)

        clock.tick(31)
        r = c2.post(VERIFY, {"token": wrong_code(device)})
        assert r.status_code == 401
        failed = AuditRecord.objects.get(action=AuditAction.LOGIN_FAILED)
        assert failed.extra["factor"] == "totp" and failed.actor_id == user.pk
        assert c2.get(GATED).status_code == 302

        clock.tick(31)  # past django-otp's throttle delay, and a fresh time step
        device.refresh_from_db()
        r = c2.post(VERIFY, {"token": totp_code(device), "next": GATED})
        assert r.status_code == 302 and r["Location"] == GATED
        assert c2.get(GATED).status_code == 200
        # The same code cannot be replayed in another session.
        c3 = Client()
        sign_in(c3, user.username)
        device.refresh_from_db()
        assert c3.post(VERIFY, {"token": totp_code(device)}).status_code == 401
    assert audit.verify().ok


def test_confirmed_device_requires_code_even_without_role_requirement() -> None:
    user = user_with_role("engineer")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    c = Client()
    r = sign_in(c, user.username, ip="10.9.9.9")
    assert r.status_code == 302 and r["Location"].startswith(VERIFY)
    assert c.get(GATED).status_code == 302
    assert c.get("/api/v1/me/").status_code == 403
    assert c.post(VERIFY, {"token": totp_code(device)}).status_code == 302
    assert c.get(GATED).status_code == 200
    assert c.get("/api/v1/me/").status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_wrong_codes_count_toward_lockout() -> None:
    user = user_with_role("engineer")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    c = Client()
    sign_in(c, user.username, ip="10.8.0.1")
    for _i in range(4):
        assert c.post(VERIFY, {"token": wrong_code(device)}).status_code == 401
    # The password again does not reset the count while a code is still owed.
    c = Client()
    sign_in(c, user.username, ip="10.8.0.2")
    r = c.post(VERIFY, {"token": wrong_code(device)})
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in c.session
    assert sign_in(c, user.username, ip="10.8.0.3").status_code == 429
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    assert AuditRecord.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_removing_the_device_needs_a_current_code() -> None:
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role_requiring_2fa())
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    c = Client()
    with freeze_time("2025-03-03 01:00:00", tick=False) as clock:
        sign_in(c, user.username)
        assert c.post(VERIFY, {"token": totp_code(device)}).status_code == 302
        r = c.get(SETUP)
        assert r.status_code == 200 and b"nd-otp-remove" in r.content
        clock.tick(31)
        device.refresh_from_db()
        c.post("/accounts/2fa/remove/", {"token": wrong_code(device)})
        assert TOTPDevice.objects.filter(user=user).exists()
        clock.tick(31)
        device.refresh_from_db()
        r = c.post("/accounts/2fa/remove/", {"token": totp_code(device)})
        assert r.status_code == 302
        assert not TOTPDevice.objects.filter(user=user).exists()
        # The role still requires a device: back to set-up.
        r = c.get(GATED)
        assert r.status_code == 302 and r["Location"].startswith(SETUP)
    assert AuditRecord.objects.filter(
        action=AuditAction.SECURITY, extra__event="totp_removed"
    ).exists()


# --- API tokens ---------------------------------------------------------------------------------
def test_api_token_shown_once_authenticates_and_revokes() -> None:
    user = user_with_role("engineer")
    other = user_with_role("engineer")
    c = Client()
    c.force_login(user)
    r = c.get("/accounts/preferences/")
    assert TOKENS.encode() in r.content and PASSWORD_URL.encode() in r.content
    assert SETUP.encode() in r.content

    assert c.post(TOKENS, {"name": ""}).status_code == 422
    r = c.post(TOKENS, {"name": "nightly script"})
    assert r.status_code == 201
    assert "no-store" in r["Cache-Control"]
    secret = r.context["secret"]
    assert secret.encode() in r.content and b"nd-token-copy" in r.content
    token = ApiToken.objects.get(user=user)
    assert secret not in (token.digest, token.prefix)
    assert secret not in str(list(AuditRecord.objects.values_list("changes", "extra")))

    listing = c.get(TOKENS)
    assert secret.encode() not in listing.content
    assert token.prefix.encode() in listing.content and b"nightly script" in listing.content

    api = Client()
    r = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert r.status_code == 200 and r.json()["username"] == user.username
    token.refresh_from_db()
    assert token.last_used_at is not None

    other_client = Client()
    other_client.force_login(other)
    assert other_client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
    assert c.post(f"{TOKENS}{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401
    assert b"nd_" not in c.get(TOKENS).content.replace(token.prefix.encode(), b"")


def test_expired_token_refused() -> None:
    user = user_with_role("engineer")
    c = Client()
    c.force_login(user)
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert c.post(TOKENS, {"name": "old", "expires_at": past}).status_code == 422
    soon = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    secret = c.post(TOKENS, {"name": "soon", "expires_at": soon}).context["secret"]
    api = Client()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    with freeze_time(timezone.now() + datetime.timedelta(days=2)):
        assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


# --- security policy page -----------------------------------------------------------------------
VALID_POLICY = {
    "min_length": "12",
    "min_classes": "4",
    "history": "8",
    "lockout_attempts": "6",
    "lockout_minutes": "30",
    "idle_timeout_minutes": "20",
}


def test_security_admin_edits_policy_but_cannot_read_audit() -> None:
    secadmin = user_with_role("secadmin")
    c = Client()
    c.force_login(secadmin)
    assert POLICY.encode() in c.get("/").content  # sidebar entry
    r = c.get(POLICY)
    assert r.status_code == 200 and r.context["form"] is None and r.context["can_change"]
    assert c.get(f"{POLICY}?edit=1").context["form"] is not None

    bad = {
        "min_length": "4",
        "min_classes": "5",
        "history": "25",
        "lockout_attempts": "0",
        "lockout_minutes": "0",
        "idle_timeout_minutes": "2",
    }
    r = c.post(POLICY, bad)
    assert r.status_code == 422
    assert set(r.context["form"].errors) == set(bad)
    assert SecurityPolicy.current().min_length == 10

    r = c.post(POLICY, VALID_POLICY)
    assert r.status_code == 302
    p = SecurityPolicy.current()
    assert (p.min_length, p.min_classes, p.history) == (12, 4, 8)
    assert (p.lockout_attempts, p.lockout_minutes, p.idle_timeout_minutes) == (6, 30, 20)
    rec = AuditRecord.objects.get(action=AuditAction.UPDATE, object_type="accounts.securitypolicy")
    assert rec.actor_id == secadmin.pk and rec.changes["min_length"] == [10, 12]

    assert c.get("/audit/").status_code == 403


def test_sysadmin_cannot_edit_policy_and_auditor_only_reads() -> None:
    sysadmin = user_with_role("sysadmin")
    c = Client()
    c.force_login(sysadmin)
    assert c.get(POLICY).status_code == 403
    assert c.post(POLICY, VALID_POLICY).status_code == 403
    assert SecurityPolicy.current().min_length == 10
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=sysadmin).exists()
    assert POLICY.encode() not in c.get("/").content

    auditor = user_with_role("auditor")
    c = Client()
    c.force_login(auditor)
    r = c.get(f"{POLICY}?edit=1")
    assert r.status_code == 200 and r.context["form"] is None and not r.context["can_change"]
    assert c.post(POLICY, VALID_POLICY).status_code == 403
    assert SecurityPolicy.current().min_length == 10


def test_policy_service_checks_ranges() -> None:
    secadmin = user_with_role("secadmin")
    p = SecurityPolicy.current()
    with pytest.raises(ValidationError) as exc:
        SecurityPolicyService().update(secadmin, p, {"min_length": 200, "lockout_attempts": 0})
    assert set(exc.value.message_dict) == {"min_length", "lockout_attempts"}
    with pytest.raises(ValidationError):
        SecurityPolicyService().delete(secadmin, SecurityPolicy.current())


def test_lockout_notifies_the_security_administrators() -> None:
    from netdept.notify.models import InboxMessage

    sec = user_with_role("secadmin")
    victim = UserFactory()
    c = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        c.post("/accounts/login/", {"username": victim.username, "password": "wrong"})
    msgs = InboxMessage.objects.filter(user=sec)
    assert msgs.count() == 1
    assert victim.username in msgs.get().title


def test_page_views_do_not_write_the_session_every_time() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = user_with_role("director")
    c = Client()
    c.force_login(user)
    c.get("/")  # stamps the activity once
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/").status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes == []
