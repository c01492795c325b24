"""Another system hears of a decided request by webhook: an administrator adds a webhook
channel and makes it a channel of the event kind ``approvals.decided`` (through the API, as
they would by hand); a request submitted and decided through the API reaches the real local
receiver (``netdept.testing.receivers``), signed, with the request's id, status and title."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.approvals.tests import hospital
from netdept.notify.models import Delivery, DeliveryStatus
from netdept.testing.clients import api_client
from netdept.testing.factories import user_with_role
from netdept.testing.receivers import RobotServer

pytestmark = pytest.mark.django_db

SECRET = "hook-secret-审批"


@pytest.fixture
def robots() -> Iterator[RobotServer]:
    with RobotServer() as srv:
        srv.webhook_secret = SECRET
        yield srv


def subscribe_webhook(srv: RobotServer) -> int:
    """What the system administrator does: allow the host, add the channel, make it a channel
    of "your request was decided" for everyone."""
    admin = api_client(user_with_role("sysadmin"))
    r = admin.post(reverse("notify-allowedhost-list"), {"host": "127.0.0.1"}, format="json")
    assert r.status_code == 201, r.json()
    r = admin.post(
        reverse("notify-notificationchannel-list"),
        {"name": "审批系统回调", "kind": "webhook", "url": srv.url("/hooks/approvals"),
         "secret": SECRET, "rate_per_minute": 0},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    channel = r.json()["id"]
    r = admin.post(
        reverse("notify-eventkindsetting-list"),
        {"kind": "approvals.decided", "mandatory_channels": [channel]},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return int(channel)


def hooks(srv: RobotServer) -> list[Any]:
    return [r for r in srv.of("webhook") if r.body and r.body.get("kind") == "approvals.decided"]


def test_a_decided_request_reaches_the_webhook_with_id_status_and_title(
    robots: RobotServer, django_capture_on_commit_callbacks: Any
) -> None:
    h = hospital.build()
    r = hospital.rule(code="general", name="一般申请", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    channel = subscribe_webhook(robots)
    system = api_client(h.user("huangli"))  # the other system acts with a person's token
    with django_capture_on_commit_callbacks(execute=True):
        res = system.post(
            reverse("approvals-requests-submit"),
            {"title": "采购光模块 20 个", "data": {"amount": 4800, "type": "采购"}},
            format="json",
        )
    assert res.status_code == 201, res.json()
    req_id = res.json()["id"]
    assert hooks(robots) == []  # pending: nothing decided yet

    d = ApprovalDecision.objects.get(request_id=req_id, status=DecisionStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        res = api_client(h.user("chenzq")).post(
            reverse("approvals-decisions-approve", args=[d.pk]), {"comment": "同意采购"},
            format="json",
        )  # fmt: skip
    assert res.status_code == 200, res.json()

    (got,) = hooks(robots)
    assert got.answer_status == 200  # the receiver checked the signature
    expected = "sha256=" + hmac.new(SECRET.encode(), got.raw, hashlib.sha256).hexdigest()
    assert got.headers["X-NetDept-Signature"] == expected
    assert got.headers["X-NetDept-Event"] == "approvals.decided"
    body = json.loads(got.raw)
    data = body["data"]
    assert data["request_id"] == req_id and data["status"] == "approved"
    assert data["title"] == "采购光模块 20 个"
    assert data["by"] == "陈志强" and data["comment"] == "同意采购"
    assert "采购光模块 20 个" in body["title"] and data["outcome"] in body["title"]
    assert body["url"].endswith(f"/{req_id}/")
    delivery = Delivery.objects.get(channel_id=channel)
    assert delivery.status == DeliveryStatus.SENT
    assert got.headers["X-NetDept-Delivery"] == str(delivery.pk)

    # The other system polls and sees the same outcome.
    polled = system.get(reverse("approvals-requests-detail", args=[req_id])).json()
    assert polled["status"] == data["status"] and polled["id"] == data["request_id"]


def test_a_rejection_and_a_withdrawal_reach_the_webhook_too(
    robots: RobotServer, django_capture_on_commit_callbacks: Any
) -> None:
    h = hospital.build()
    r = hospital.rule(code="general", name="一般申请", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    subscribe_webhook(robots)
    system = api_client(h.user("huangli"))
    submit = reverse("approvals-requests-submit")
    with django_capture_on_commit_callbacks(execute=True):
        first = system.post(submit, {"title": "申请一"}, format="json").json()["id"]
        second = system.post(submit, {"title": "申请二"}, format="json").json()["id"]
    d = ApprovalDecision.objects.get(request_id=first, status=DecisionStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        res = api_client(h.user("chenzq")).post(
            reverse("approvals-decisions-reject", args=[d.pk]), {"comment": "预算不足"},
            format="json",
        )  # fmt: skip
        assert res.status_code == 200
        res = system.post(reverse("approvals-requests-withdraw", args=[second]), {},
                          format="json")  # fmt: skip
        assert res.status_code == 200
    got = {hook.body["data"]["request_id"]: hook.body["data"] for hook in hooks(robots)}
    assert got[first]["status"] == "rejected" and got[first]["comment"] == "预算不足"
    assert got[second]["status"] == "withdrawn" and got[second]["title"] == "申请二"


def test_the_webhook_hears_a_request_whose_requester_has_no_login(
    robots: RobotServer, django_capture_on_commit_callbacks: Any
) -> None:
    """A module submits for a person without an account (a caller filed for by the desk): no
    person is told, the mandatory webhook still is."""
    from netdept.approvals import services
    from netdept.org.models import Person

    h = hospital.build()
    r = hospital.rule(code="general", name="一般申请", is_default=True)
    hospital.step(r, "科室负责人审批", "department_head")
    subscribe_webhook(robots)
    caller = Person.objects.create(name="王小红", employee_no="NK900", department=h.neike)
    req = services.submit(None, kind="approvals.general", requester=caller, title="开通账号")
    d = ApprovalDecision.objects.get(request=req, status=DecisionStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(h.user("chenzq"), d, "同意")
    (got,) = hooks(robots)
    assert json.loads(got.raw)["data"]["request_id"] == req.pk
