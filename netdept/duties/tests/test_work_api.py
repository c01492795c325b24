"""The API of doing duties: submit (JSON and multipart with a photo), evidence of the wrong
kind a 400 naming the field, someone else's a 403, a lost race a 409; the reviewer's generated
actions (accept, return for changes with a reason, excuse); my duties and 待我复核."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from netdept.approvals.tests import hospital
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.tests.test_work_fixtures import make_duty, make_occurrence, photo
from netdept.org.models import Team
from netdept.testing.clients import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


def detail(occ: Occurrence) -> str:
    return reverse("duties-occurrences-detail", args=[occ.pk])


def act(occ: Occurrence, name: str) -> str:
    return detail(occ) + f"{name}/"


def test_submit_json_then_accept(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="number", evidence_min=2, evidence_unit="篇")
    occ = make_occurrence(duty, h["zhangwei"])
    me = api_client(h.user("zhangwei"))
    r = me.post(act(occ, "submit"), {"number": "1"}, format="json")
    assert r.status_code == 400 and "number" in r.json()
    r = me.post(act(occ, "submit"), {"number": "2", "checklist": ["x"]}, format="json")
    assert r.status_code == 400 and "checklist" in r.json()  # the wrong kind, named
    r = me.post(act(occ, "submit"), {"number": "2.5", "expected_version": 1}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["number"] == "2.50"
    assert body["reviewer"] == h["liuqiang"].pk and body["evidence"] == []
    lead = api_client(h.user("liuqiang"))
    queue = lead.get(reverse("duties-occurrences-to-review")).json()
    assert [row["id"] for row in queue["results"]] == [occ.pk]
    r = lead.post(act(occ, "accept"), {"comment": "好"}, format="json")
    assert r.status_code == 200, r.content
    assert Occurrence.objects.get(pk=occ.pk).status == "done"


def test_submit_multipart_with_a_photo(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo"), h["zhangwei"])
    me = api_client(h.user("zhangwei"))
    r = me.post(act(occ, "submit"), {"text": "机房正常", "files": [photo()]}, format="multipart")
    assert r.status_code == 200, r.content
    ev = r.json()["evidence"]
    assert len(ev) == 1 and ev[0]["kind"] == "photo" and ev[0]["file_url"]
    assert Evidence.objects.get(occurrence=occ).file_name == "机房.png"


def test_submit_records_by_id(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="record", record_type=ContentType.objects.get_for_model(Team))
    occ = make_occurrence(duty, h["zhangwei"])
    me = api_client(h.user("zhangwei"))
    r = me.post(act(occ, "submit"), {"records": ["987654"]}, format="json")
    assert r.status_code == 400 and "987654" in r.json()["records"][0]
    r = me.post(act(occ, "submit"), {"records": [str(h.ops.pk)]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["evidence"][0]["record_label"] == "网络运维组"


def test_someone_else_may_not_submit_or_review(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    lina = api_client(h.user("lina"))
    assert lina.post(act(occ, "submit"), {}, format="json").status_code == 403
    api_client(h.user("zhangwei")).post(act(occ, "submit"), {}, format="json")
    r = lina.post(act(occ, "accept"), {}, format="json")
    assert r.status_code == 403 and "detail" in r.json()
    assert Occurrence.objects.get(pk=occ.pk).status == "submitted"


def test_return_needs_a_reason_and_a_lost_race_is_a_conflict(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    api_client(h.user("zhangwei")).post(act(occ, "submit"), {}, format="json")
    lead = api_client(h.user("liuqiang"))
    r = lead.post(act(occ, "return_for_changes"), {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    r = lead.post(act(occ, "return_for_changes"), {"comment": "补照片", "expected_version": 1},
                  format="json")  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = lead.post(act(occ, "return_for_changes"), {"comment": "补照片"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_excuse_by_the_lead(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"], due_in_hours=-2, status="overdue")
    r = api_client(h.user("zhangwei")).post(act(occ, "excuse"), {"reason": "x"}, format="json")
    assert r.status_code == 403
    r = api_client(h.user("liuqiang")).post(act(occ, "excuse"), {"reason": "出差"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "excused"


def test_mine_tabs(h: hospital.Hospital) -> None:
    duty = make_duty()
    later = make_occurrence(duty, h["zhangwei"], due_in_hours=96)
    late = make_occurrence(duty, h["zhangwei"], due_in_hours=-5, status="overdue")
    make_occurrence(duty, h["lina"], due_in_hours=-5, status="overdue")
    me = api_client(h.user("zhangwei"))
    url = reverse("duties-occurrences-mine")
    assert [r["id"] for r in me.get(url).json()["results"]] == [late.pk]
    upcoming = me.get(url, {"tab": "upcoming"}).json()["results"]
    assert [r["id"] for r in upcoming] == [later.pk]
    r = me.get(url, {"tab": "soon"})
    assert r.status_code == 400 and "tab" in r.json()


def test_the_person_reads_their_own_occurrence(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    r = api_client(h.user("zhangwei")).get(detail(occ))
    assert r.status_code == 200
    assert r.json()["allowed_actions"] == ["submit"]
    assert api_client(h.user("huangli")).get(detail(occ)).status_code in (403, 404)
