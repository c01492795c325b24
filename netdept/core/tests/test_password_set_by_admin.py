"""A password the system administrator set — a new account's, a reset one — is changed by its
owner at the next sign-in, before anything else: every page leads to the password page (and
back where it was going), HTMX polls too, the session's API is refused; an API token still
works. The owner's own change clears it; the owner changing their own password never sets it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from netdept.accounts.models import UserProfile
from netdept.accounts.tokens import create_token
from netdept.org.services import AccountService
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
User = get_user_model()
FIRST = "Xy-12345678ab"
OWN = "Zq-98765432cd"


def must_change(user: Any) -> bool:
    return UserProfile.objects.get(user=user).must_change_password


def signed_in(username: str, password: str) -> Client:
    c = Client()
    c.cookies["django_language"] = "zh-hans"
    r = c.post(reverse("login"), {"username": username, "password": password})
    assert r.status_code == 302, r.status_code
    return c


def test_a_new_account_changes_its_password_before_anything_else() -> None:
    sysadmin = user_with_role("sysadmin")
    r = api_client(sysadmin).post(
        reverse("auth-account-list"),
        {"username": "wangfang", "password": FIRST, "is_active": True},
        format="json",
    )
    assert r.status_code == 201, r.content
    user = User.objects.get(username="wangfang")
    assert must_change(user)

    c = signed_in("wangfang", FIRST)
    password_page = reverse("password_change")
    for url in ("/", "/workorders/", "/notify/inbox/"):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith(password_page), url
    r = c.get(
        reverse("notify:notifications_bell"),
        HTTP_HX_REQUEST="true",
        HTTP_X_NETDEPT_POLL="1",
        HTTP_HX_CURRENT_URL="http://testserver/workorders/?status=open",
    )  # the bell's poll: the whole window goes, once, and the polling stops
    assert r.status_code == 286 and r.content == b""
    assert r["HX-Redirect"] == f"{password_page}?next=%2Fworkorders%2F%3Fstatus%3Dopen"
    r = c.get("/api/v1/me/")
    assert r.status_code == 403 and "管理员" in r.json()["detail"]
    # an API token (made by the owner) is a separate door
    _token, secret = create_token(user, "脚本")
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200

    page = c.get(f"{password_page}?next=/workorders/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="nd-password-required"' in html
    assert "您的密码由管理员设置" in html
    r = c.post(
        password_page,
        {"old_password": FIRST, "new_password1": OWN, "new_password2": OWN, "next": "/workorders/"},
    )
    assert r.status_code == 302 and r["Location"] == "/workorders/"
    assert not must_change(user)
    assert c.get("/").status_code == 200
    assert c.get("/api/v1/me/").status_code == 200


def test_a_reset_sets_it_and_an_own_change_does_not() -> None:
    sysadmin = user_with_role("sysadmin")
    engineer = user_with_role("engineer")
    assert not must_change(engineer)
    c = ui_client(engineer)
    r = c.post(
        reverse("password_change"),
        {"old_password": "irrelevant", "new_password1": OWN, "new_password2": OWN},
    )
    assert r.status_code == 422  # the old password is wrong: refused, and nothing set
    assert not must_change(engineer)
    AccountService().update(sysadmin, engineer, {"password": FIRST})
    assert must_change(engineer)
    assert c.get("/")["Location"].startswith(reverse("login"))  # the reset signed him out
    c = signed_in(engineer.username, FIRST)
    assert c.get("/")["Location"].startswith(reverse("password_change"))
    # the sign-out and the password page stay open; a foreign next is not followed
    assert c.get(reverse("password_change")).status_code == 200
    r = c.post(
        reverse("password_change"),
        {"old_password": FIRST, "new_password1": OWN, "new_password2": OWN,
         "next": "https://elsewhere.example/"},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == reverse("preferences")
    assert not must_change(engineer)


def test_a_password_the_system_sets_is_not_to_be_changed() -> None:
    """``nd_createadmin`` (typed by the owner at the terminal) and the demo set passwords as
    the system: nobody else knows them, nothing to change."""
    user = AccountService().create(
        None, {"username": "admin2", "password": FIRST, "is_active": True}, check=False
    )
    assert not must_change(user)
    AccountService().update(None, user, {"password": OWN}, check=False)
    assert not must_change(user)
