import pytest
from django.test import Client

from netdept.core import audit
from netdept.testing.factories import PASSWORD, user_with_role


@pytest.mark.django_db
def test_sysadmin_signs_in_and_sees_org_pages_but_not_the_audit_trail():
    user = user_with_role("sysadmin")
    c = Client()
    r = c.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302
    assert c.get("/org/team/").status_code == 200
    assert c.get("/audit/").status_code == 403
    assert audit.verify().ok
