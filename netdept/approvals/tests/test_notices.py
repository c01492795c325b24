"""What the approvals' notifications say and where they link: each approver's message opens
their decision page (``links.decision_url``), the requester hears of the outcome with a link
to the request, a delegate reads on whose behalf they decide; and one message goes out
through a real DingTalk channel to the local robot receiver, the link in its text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from netdept.accounts.models import UserProfile
from netdept.approvals import links, services
from netdept.approvals.models import ApprovalDecision, ApprovalRequest, DecisionStatus
from netdept.approvals.tests import hospital
from netdept.core import crypto
from netdept.notify.models import (
    AllowedHost,
    Delivery,
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationChannel,
    NotificationPreference,
)
from netdept.notify.render import absolute
from netdept.testing.receivers import RobotServer

pytestmark = pytest.mark.django_db

DING_SECRET = "SEC9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a"


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def lead_rule(code: str = "lead") -> Any:
    r = hospital.rule(code=code)
    hospital.step(r, "组长审批", "team_lead", time_limit_hours=8)
    return r


def submit(h: hospital.Hospital, who: str, r: Any, title: str = "申请开通VPN") -> ApprovalRequest:
    return services.submit(h.user(who), kind="approvals.general", rule=r, title=title)


def pending(req: ApprovalRequest) -> ApprovalDecision:
    return req.decisions.select_related("approver", "on_behalf_of").get(
        status=DecisionStatus.PENDING
    )


def inbox(h: hospital.Hospital, who: str, kind: str) -> list[InboxMessage]:
    return list(
        InboxMessage.objects.filter(user=h.user(who), notification__kind=kind).order_by("pk")
    )


def test_the_approvers_message_opens_their_decision(h: hospital.Hospital) -> None:
    req = submit(h, "zhangwei", lead_rule())
    d = pending(req)
    note = Notification.objects.get(kind="approvals.pending")
    assert note.link == links.decision_url(d)
    assert (note.object_type, note.object_id) == ("approvals.approvaldecision", str(d.pk))
    assert note.data["on_behalf_of"] == "" and note.data["requester"] == "张伟"
    (msg,) = inbox(h, "liuqiang", "approvals.pending")
    assert msg.link == links.decision_url(d)
    assert absolute(links.decision_url(d)) in msg.body  # the text carries it too
    assert "申请开通VPN" in msg.title and "组长审批" in msg.body and "张伟" in msg.body
    assert "您代" not in msg.body
    assert not inbox(h, "zhangwei", "approvals.pending")  # the requester is not asked


def test_the_requester_hears_the_outcome_with_a_link_to_the_request(h: hospital.Hospital) -> None:
    r = lead_rule()
    approved = submit(h, "zhangwei", r, "申请开通VPN")
    services.approve(h.user("liuqiang"), pending(approved), "同意开通")
    rejected = submit(h, "zhangwei", r, "申请外网访问")
    services.reject(h.user("liuqiang"), pending(rejected), "不符合安全规定")
    first, second = inbox(h, "zhangwei", "approvals.decided")
    assert first.link == links.request_url(approved)
    assert second.link == links.request_url(rejected)
    assert "申请开通VPN" in first.title and "刘强" in first.body and "同意开通" in first.body
    assert "不符合安全规定" in second.body and absolute(links.request_url(rejected)) in second.body
    assert not inbox(h, "liuqiang", "approvals.decided")  # the approver decided; not told


def test_a_delegate_reads_on_whose_behalf(h: hospital.Hospital) -> None:
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "delegate": h["lina"],
         "starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=3),
         "reason": "出差"},
        check=False,
    )  # fmt: skip
    req = submit(h, "zhangwei", lead_rule())
    d = pending(req)
    assert d.approver == h["lina"] and d.on_behalf_of == h["liuqiang"]
    (msg,) = inbox(h, "lina", "approvals.pending")
    assert "您代 刘强 审批" in msg.body and msg.link == links.decision_url(d)
    assert not inbox(h, "liuqiang", "approvals.pending")


def test_a_delegation_made_later_tells_the_delegate_in_their_language(
    h: hospital.Hospital,
) -> None:
    UserProfile.objects.update_or_create(user=h.user("lina"), defaults={"language": "en"})
    req = submit(h, "zhangwei", lead_rule())
    now = timezone.now()
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "delegate": h["lina"],
         "starts_at": now - dt.timedelta(minutes=1), "ends_at": now + dt.timedelta(days=1)},
        check=False,
    )  # fmt: skip
    d = pending(req)
    assert d.approver == h["lina"]
    (msg,) = inbox(h, "lina", "approvals.pending")
    assert "You decide for 刘强." in msg.body and msg.link == links.decision_url(d)


@pytest.fixture
def srv() -> Iterator[RobotServer]:
    AllowedHost.objects.get_or_create(host="127.0.0.1")
    with RobotServer() as server:
        yield server


def test_a_dingtalk_message_carries_the_link_to_the_decision(
    h: hospital.Hospital, srv: RobotServer, django_capture_on_commit_callbacks: Any
) -> None:
    srv.dingtalk_secret = DING_SECRET
    url = srv.url("/robot/send?access_token=netdept-approvals")
    channel = NotificationChannel.objects.create(
        name="信息科钉钉群",
        kind="dingtalk",
        url_encrypted=crypto.encrypt(url),
        url_host="127.0.0.1",
        secret_encrypted=crypto.encrypt(DING_SECRET),
    )
    lead = h["liuqiang"]
    lead.phone = "13800138000"
    lead.save()
    pref = NotificationPreference.objects.create(user=h.user("liuqiang"), kind="approvals.pending")
    pref.channels.set([channel])
    with django_capture_on_commit_callbacks(execute=True):
        req = submit(h, "zhangwei", lead_rule())
    d = pending(req)
    (received,) = srv.of("dingtalk")
    assert received.answer == {"errcode": 0, "errmsg": "ok"}  # signature and body accepted
    body = received.body
    assert body["msgtype"] == "markdown"
    assert "申请开通VPN" in body["markdown"]["title"]
    assert absolute(links.decision_url(d)) in body["markdown"]["text"]
    assert body["at"]["atMobiles"] == ["13800138000"]
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.SENT and delivery.recipient == lead.user
    assert inbox(h, "liuqiang", "approvals.pending")[0].link == links.decision_url(d)
