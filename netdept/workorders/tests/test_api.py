"""``/api/v1/workorders/orders/``: the same rules as the services, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from netdept.workorders import services
from netdept.workorders.models import Attachment, Status, WorkOrder
from netdept.workorders.tests.factories import PNG_1x1, WorkOrderFactory
from netdept.workorders.tests.test_services import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/workorders/orders/"


@pytest.fixture
def w() -> World:
    return World()


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def act(user: Any, order: WorkOrder, name: str, data: dict[str, Any] | None = None) -> Any:
    return client(user).post(f"{URL}{order.pk}/{name}/", data or {}, format="json")


def test_requester_files_an_order_with_a_photo(w: World):
    photo = SimpleUploadedFile("现场.png", PNG_1x1, content_type="image/png")
    r = client(w.req).post(
        URL,
        {"title": "无法打印", "category": w.category.pk, "impact": 2, "attachments": [photo]},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("WO-") and body["status"] == "new"
    assert body["requester_department"] == w.dept_a.pk
    assert "major_report" not in body  # staff-only fields hidden from requesters
    assert body["allowed_actions"] == ["attach", "comment"]
    assert Attachment.objects.get().order_id == body["id"]


def test_open_refusals_are_json_field_errors_and_nothing_is_saved(w: World):
    r = client(w.req).post(URL, {"title": ""}, format="json")
    assert r.status_code == 400 and "title" in r.json()
    exe = SimpleUploadedFile("x.jpg", b"MZ\x90\x00" * 20, content_type="image/jpeg")
    r = client(w.req).post(URL, {"title": "t", "attachments": [exe]}, format="multipart")
    assert r.status_code == 400 and "attachments" in r.json()
    assert not WorkOrder.objects.exists()
    r = client(w.req).post(URL, {"title": "t", "on_behalf_of": w.req_b.person.pk}, format="json")
    assert r.status_code == 403


def test_requester_isolation_list_retrieve_and_actions(w: World):
    mine = w.open()
    other = w.open(user=w.req_b)
    r = client(w.req).get(URL)
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["results"]] == [mine.pk]
    assert client(w.req).get(f"{URL}{other.pk}/").status_code == 404
    for name in ("comment", "confirm", "rate", "reopen", "attachments", "comments", "accept"):
        r = client(w.req).post(f"{URL}{other.pk}/{name}/", {"body": "x"}, format="json")
        assert r.status_code == 404, name
    for name in ("comments", "sla", "records", "attachments"):
        assert client(w.req).get(f"{URL}{other.pk}/{name}/").status_code == 404
    r = client(w.req).get(URL, {"requester_department": w.dept_b.pk})
    assert r.json()["count"] == 0


def test_full_journey_and_refusals(w: World):
    order = w.open()
    eng, req = w.eng, w.req
    r = act(req, order, "accept")
    assert r.status_code == 403
    r = act(eng, order, "accept", {"expected_version": order.version})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert "resolve" in r.json()["allowed_actions"]
    r = act(eng, order, "accept")
    assert r.status_code == 400 and "status" in r.json()
    assert act(eng, order, "start").json()["status"] == "in_progress"
    r = act(eng, order, "wait", {"on": "vendor", "reason": ""})
    assert r.status_code == 400 and "reason" in r.json()
    assert act(eng, order, "wait", {"on": "vendor", "reason": "等备件"}).json()["paused_at"]
    assert act(eng, order, "resume").json()["status"] == "in_progress"
    r = act(eng, order, "records", {"description": "更换模块", "minutes": 45})
    assert r.status_code == 201 and r.json()["minutes"] == 45
    r = act(eng, order, "records", {"description": "x", "minutes": 0})
    assert r.status_code == 400 and "minutes" in r.json()
    r = act(eng, order, "resolve", {"solution": "已恢复"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    r = act(req, order, "rate", {"rating": 9})
    assert r.status_code == 400 and "rating" in r.json()
    assert act(req, order, "rate", {"rating": 5, "comment": "很快"}).json()["rating"] == 5
    assert act(req, order, "confirm").json()["status"] == "closed"
    assert act(req, order, "reopen", {"reason": "又坏了"}).json()["reopen_count"] == 1
    r = client(eng).get(f"{URL}{order.pk}/sla/")
    assert r.status_code == 200 and {e["type"] for e in r.json()} >= {"started", "reopened"}
    r = client(eng).get(f"{URL}{order.pk}/records/")
    assert [x["minutes"] for x in r.json()] == [45]


def test_second_accept_with_the_same_version_gets_409(w: World):
    order = w.open()
    version = order.version
    assert act(w.eng, order, "accept", {"expected_version": version}).status_code == 200
    r = act(w.eng2, order, "accept", {"expected_version": version})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict" and w.eng.person.name in r.json()["detail"]


def test_assign_transfer_priority_major_merge_close(w: World):
    order = w.open()
    r = act(w.lead, order, "assign", {"assignee": w.eng2.person.pk})
    assert r.status_code == 200 and r.json()["assignee"] == w.eng2.person.pk
    r = act(w.lead, order, "assign", {"assignee": w.outsider.person.pk})
    assert r.status_code == 400 and "assignee" in r.json()
    r = act(w.lead, order, "priority", {"priority": 1})
    assert r.status_code == 400 and "reason" in r.json()
    r = act(w.lead, order, "priority", {"priority": 1, "reason": "全院影响"})
    assert r.json()["priority"] == 1
    r = act(w.lead, order, "major", {"is_major": True})
    assert r.json()["is_major"] is True
    dup = w.open()
    r = act(w.eng, dup, "merge", {"into": order.pk})
    assert r.status_code == 200 and r.json()["merged_into"] == order.pk
    r = act(w.eng, w.open(), "merge", {"into": 999999})
    assert r.status_code == 400 and "into" in r.json()
    r = act(w.lead, order, "transfer", {"team": w.other_team.pk, "reason": ""})
    assert r.status_code == 400 and "reason" in r.json()
    r = act(w.lead, order, "close", {})
    assert r.status_code == 400
    r = act(w.lead, order, "transfer", {"team": w.other_team.pk, "reason": "安全事件"})
    assert r.status_code == 200 and r.json()["team"] == w.other_team.pk


def test_internal_notes_hidden_from_requesters(w: World):
    order = w.accepted()
    assert act(w.eng, order, "comment", {"body": "公开回复"}).status_code == 201
    assert act(w.eng, order, "comment", {"body": "内部备注", "internal": True}).status_code == 201
    assert act(w.req, order, "comment", {"body": "x", "internal": True}).status_code == 403
    assert act(w.req, order, "comments", {"body": "谢谢"}).status_code == 201
    r = client(w.req).get(f"{URL}{order.pk}/comments/")
    assert [c["body"] for c in r.json()] == ["公开回复", "谢谢"]
    r = client(w.director).get(f"{URL}{order.pk}/comments/")
    assert len(r.json()) == 3 and r.json()[1]["internal"] is True


def test_attachments_endpoint(w: World, settings: Any):
    order = w.open()
    c = client(w.req)
    png = SimpleUploadedFile("a.png", PNG_1x1, content_type="image/png")
    r = c.post(f"{URL}{order.pk}/attachments/", {"file": png}, format="multipart")
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    fake = SimpleUploadedFile("b.jpg", b"MZ" + b"\x00" * 100, content_type="image/jpeg")
    r = c.post(f"{URL}{order.pk}/attachments/", {"file": fake}, format="multipart")
    assert r.status_code == 400 and "b.jpg" in r.json()["file"][0]
    settings.NETDEPT = {**settings.NETDEPT, "ATTACHMENT_MAX_BYTES": 10}
    png = SimpleUploadedFile("c.png", PNG_1x1, content_type="image/png")
    r = c.post(f"{URL}{order.pk}/attachments/", {"file": png}, format="multipart")
    assert r.status_code == 400 and "c.png" in r.json()["file"][0]
    r = c.post(f"{URL}{order.pk}/attachments/", {}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()
    assert [a["name"] for a in c.get(f"{URL}{order.pk}/attachments/").json()] == ["a.png"]


def test_filters_ordering_and_bad_filter_values(w: World):
    a = w.open(impact=1, urgency=1)
    b = w.accepted()
    WorkOrder.objects.filter(pk=b.pk).update(resolution_breached=True)
    c = client(w.eng)
    ids = lambda r: [o["id"] for o in r.json()["results"]]  # noqa: E731
    assert ids(c.get(URL, {"status": "accepted"})) == [b.pk]
    assert ids(c.get(URL, {"priority": 1})) == [a.pk]
    assert ids(c.get(URL, {"breached": "true"})) == [b.pk]
    assert ids(c.get(URL, {"q": a.number})) == [a.pk]
    assert ids(c.get(URL, {"assignee": w.eng.person.pk})) == [b.pk]
    assert ids(c.get(URL, {"team": w.team.pk, "ordering": "priority"})) == [a.pk, b.pk]
    assert len(ids(c.get(URL, {"created_after": "2000-01-01"}))) == 2
    assert (
        c.get(URL, {"created_after": "2000-01-01", "created_before": "2000-01-02"}).json()["count"]
        == 0
    )
    r = c.get(URL, {"status": "nope"})
    assert r.status_code == 400 and "status" in r.json()
    r = c.get(URL, {"created_after": "not a date"})
    assert r.status_code == 400


def test_list_query_count_does_not_grow(w: World):
    for _ in range(3):
        WorkOrderFactory(category=w.category, requester=w.req.person)
    c = client(w.eng)
    c.get(URL)  # warm up (session, permissions)
    with CaptureQueriesContext(connection) as small:
        assert c.get(URL).status_code == 200
    for _ in range(10):
        WorkOrderFactory(category=w.category, requester=w.req.person)
    with CaptureQueriesContext(connection) as big:
        assert c.get(URL).json()["count"] == 13
    assert len(big) == len(small)


def test_anonymous_and_roles_without_view(w: World):
    assert APIClient().get(URL).status_code in (401, 403)
    from netdept.testing.factories import user_with_perms

    nobody = user_with_perms(["org.view_person"])
    assert client(nobody).get(URL).status_code == 403


def test_services_refusal_for_a_requester_of_the_department_who_is_not_the_requester(w: World):
    order = w.accepted()
    services.resolve(w.eng, order, solution="ok")
    r = act(w.colleague, order, "confirm")
    assert r.status_code == 200 and r.json()["status"] == Status.CLOSED


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC"])
def test_the_fast_representation_equals_drf_field_by_field(w: World, tz: str):
    """``WorkOrderSerializer.represent`` reads the order directly; it must give what DRF's
    generic representation gives for every field of ``Meta.fields`` (a new field in Meta
    without a line in ``represent`` fails here)."""
    from django.utils import timezone
    from rest_framework import serializers as drf

    from netdept.workorders.api.serializers import WorkOrderSerializer

    bare = WorkOrderFactory(category=None, requester=None, team=None, assignee=None)
    full = WorkOrderFactory(category=w.category, requester=w.req.person, team=w.team)
    now = timezone.now().replace(microsecond=123456)
    WorkOrder.objects.filter(pk=full.pk).update(
        assignee=w.eng.person,
        contact="分机 8123",
        location="5 病区 <护士站>",
        device="SW-5F-01",
        registration_no="KF-2026-001",
        priority_reason="影响全科室",
        is_major=True,
        major_report="已上报",
        solution="更换模块",
        status=Status.CLOSED,
        waiting_on="vendor",
        response_due=now,
        resolution_due=now,
        responded_at=now,
        resolved_at=now,
        closed_at=now,
        paused_at=now,
        response_breached=True,
        resolution_breached=True,
        escalation_percent=150,
        rating=5,
        rating_comment="很快",
        rated_at=now,
        reopen_count=2,
        merged_into=bare,
        created_by=w.eng,
    )
    ser = WorkOrderSerializer()
    fields = list(WorkOrderSerializer.Meta.fields)
    with timezone.override(tz):
        orders = WorkOrder.objects.select_related(
            "category", "team", "assignee", "requester", "requester_department"
        ).filter(pk__in=[bare.pk, full.pk])
        assert len(orders) == 2
        for order in orders:
            generic = drf.ModelSerializer.to_representation(ser, order)
            fast = ser.represent(order)
            assert list(fast) == fields
            assert fast == dict(generic)
        resolved = ser.represent(WorkOrder.objects.get(pk=full.pk))["resolved_at"]
    assert resolved.endswith("+08:00" if tz == "Asia/Shanghai" else "Z")
