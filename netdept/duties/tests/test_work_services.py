"""Doing duties, through the services: submit with evidence of each kind (text, file, photo,
number, checklist, record link) and the wrong kind refused naming the field; review (accept
on time or late, return with a reason, resubmit); excuse; who may do what; nothing half-saved;
the audit trail and the engine's next check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.services import occurrences as svc
from netdept.duties.tests.test_work_fixtures import (
    fake_photo,
    make_duty,
    make_occurrence,
    photo,
)
from netdept.notify.models import Notification
from netdept.org.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- evidence of each kind -------------------------------------------------------------------
def test_none_needs_nothing_and_goes_to_the_team_lead(
    h: hospital.Hospital, django_capture_on_commit_callbacks: Any
) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    with django_capture_on_commit_callbacks(execute=True):
        done = svc.submit(occ, by=h["zhangwei"])
    assert done.status == "submitted"
    assert done.reviewer == h["liuqiang"]
    assert done.submitted_at is not None and done.version == occ.version + 1
    # the reviewer hears of it, with a link to the page where they review
    note = Notification.objects.get(kind="duties.review_pending")
    assert f"/duties/occurrences/{occ.pk}/" in (note.link or "")


def test_text_is_required_for_a_text_duty(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="text"), h["zhangwei"])
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], text="   ")
    assert "text" in errors_of(exc)
    done = svc.submit(occ, by=h["zhangwei"], text="巡检了核心交换机，温度正常")
    assert done.text == "巡检了核心交换机，温度正常"


def test_number_below_the_minimum_is_refused_naming_the_field(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="number", evidence_min=2, evidence_unit="篇", name="交新闻稿")
    occ = make_occurrence(duty, h["zhangwei"])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], number="1")
    assert list(errors_of(exc)) == ["number"]
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], number="两篇")
    assert "number" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"])
    assert "number" in errors_of(exc)
    done = svc.submit(occ, by=h["zhangwei"], number="2")
    assert done.number == Decimal("2.00")


def test_checklist_must_be_complete_and_of_its_items(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="checklist", checklist=["温度", "湿度", "UPS"])
    occ = make_occurrence(duty, h["zhangwei"])
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], checklist=["温度"])
    assert "湿度" in errors_of(exc)["checklist"][0]
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], checklist=["温度", "湿度", "UPS", "空调"])
    assert "空调" in errors_of(exc)["checklist"][0]
    done = svc.submit(occ, by=h["zhangwei"], checklist=["UPS", "温度", "湿度"])
    assert done.checklist_done == ["温度", "湿度", "UPS"]  # in the duty's order


def test_photo_is_stored_as_evidence(h: hospital.Hospital, media: Path) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo"), h["zhangwei"])
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"])
    assert "files" in errors_of(exc)
    svc.submit(occ, by=h["zhangwei"], files=[photo("机柜正面.png"), photo("机柜背面.png")])
    evidence = list(Evidence.objects.filter(occurrence=occ).order_by("pk"))
    assert [e.kind for e in evidence] == ["photo", "photo"]
    assert [e.file_name for e in evidence] == ["机柜正面.png", "机柜背面.png"]
    assert all(e.added_by == h["zhangwei"] for e in evidence)
    name = evidence[0].file.name or ""
    assert (Path(media) / name).read_bytes().startswith(b"\x89PNG")
    assert "机柜" not in name  # stored under a random name
    assert (
        AuditRecord.objects.filter(action=AuditAction.CREATE, object_type="duties.evidence").count()
        == 2
    )


def test_a_photo_that_is_not_one_is_refused_and_nothing_is_kept(
    h: hospital.Hospital, media: Path
) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo"), h["zhangwei"])
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], files=[photo(), fake_photo()])
    assert "病毒.jpg" in errors_of(exc)["files"][0]
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], files=[pdf])
    assert "files" in errors_of(exc)
    occ.refresh_from_db()
    assert occ.status == "pending" and not Evidence.objects.exists()
    assert not any(p.is_file() for p in Path(media).rglob("*"))


def test_a_file_duty_takes_a_pdf_and_refuses_a_big_one(h: hospital.Hospital, settings: Any) -> None:
    occ = make_occurrence(make_duty(evidence_kind="file"), h["zhangwei"])
    settings.NETDEPT = {**settings.NETDEPT, "ATTACHMENT_MAX_BYTES": 100}
    big = SimpleUploadedFile("恢复测试.pdf", b"%PDF-1.4" + b"x" * 200)
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], files=[big])
    assert "恢复测试.pdf" in errors_of(exc)["files"][0]
    ok = SimpleUploadedFile("恢复测试.pdf", b"%PDF-1.4 ok")
    svc.submit(occ, by=h["zhangwei"], files=[ok])
    assert Evidence.objects.get(occurrence=occ).kind == "file"


def test_record_link_of_the_duty_kind(h: hospital.Hospital) -> None:
    team_type = ContentType.objects.get_for_model(Team)
    duty = make_duty(evidence_kind="record", record_type=team_type)
    occ = make_occurrence(duty, h["zhangwei"])
    with pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"])
    assert "records" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:  # a person is not a team
        svc.submit(occ, by=h["zhangwei"], records=[h["lina"]])
    assert "records" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        svc.records_by_id(duty, ["999999"], h.user("zhangwei"))
    assert "999999" in errors_of(exc)["records"][0]
    records = svc.records_by_id(duty, [str(h.ops.pk)], h.user("zhangwei"))
    svc.submit(occ, by=h["zhangwei"], records=records)
    ev = Evidence.objects.get(occurrence=occ)
    assert (ev.kind, ev.record_type, ev.record_id, ev.record_label) == (
        "record", team_type, str(h.ops.pk), "网络运维组",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "given", "field"),
    [
        ("text", {"number": "3"}, "number"),
        ("none", {"files": "photo"}, "files"),
        ("number", {"number": "3", "checklist": ["温度"]}, "checklist"),
        ("photo", {"files": "photo", "records": "team"}, "records"),
    ],
)
def test_evidence_of_the_wrong_kind_is_refused_naming_the_field(
    h: hospital.Hospital, kind: str, given: dict[str, Any], field: str
) -> None:
    occ = make_occurrence(make_duty(evidence_kind=kind), h["zhangwei"])
    kwargs = dict(given)
    if kwargs.get("files") == "photo":
        kwargs["files"] = [photo()]
    if kwargs.get("records") == "team":
        kwargs["records"] = [h.ops]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        svc.submit(occ, by=h["zhangwei"], text="完成", **kwargs)
    assert field in errors_of(exc)
    assert not Evidence.objects.exists()
    occ.refresh_from_db()
    assert occ.status == "pending"


# --- review ----------------------------------------------------------------------------------
def test_accept_on_time_and_late(h: hospital.Hospital) -> None:
    duty = make_duty()
    on_time = make_occurrence(duty, h["zhangwei"], due_in_hours=2)
    svc.submit(on_time, by=h["zhangwei"])
    done = svc.review(on_time, by=h["liuqiang"], accept=True)
    assert done.status == "done" and done.done_at == done.submitted_at
    late = make_occurrence(duty, h["zhangwei"], due_in_hours=-1, status="overdue")
    svc.submit(late, by=h["zhangwei"])
    assert Occurrence.objects.get(pk=late.pk).status == "submitted"
    assert svc.review(late, by=h["liuqiang"], accept=True).status == "done_late"


def test_return_needs_a_reason_then_the_person_resubmits(
    h: hospital.Hospital, django_capture_on_commit_callbacks: Any
) -> None:
    occ = make_occurrence(make_duty(evidence_kind="text"), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"], text="已巡检")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        svc.review(occ, by=h["liuqiang"], accept=False, comment=" ")
    assert "comment" in errors_of(exc)
    with django_capture_on_commit_callbacks(execute=True):
        back = svc.review(occ, by=h["liuqiang"], accept=False, comment="请写明机柜编号")
    assert back.status == "returned" and back.review_comment == "请写明机柜编号"
    note = Notification.objects.get(kind="duties.reviewed")
    assert note.data["comment"] == "请写明机柜编号"
    again = svc.submit(occ, by=h["zhangwei"], text="已巡检 A01–A08 机柜")
    assert again.status == "submitted" and again.review_comment == ""
    assert svc.review(occ, by=h["liuqiang"], accept=True).status == "done"


def test_no_reviewer_means_done_on_submit_late_after_due(h: hospital.Hospital) -> None:
    duty = make_duty(reviewer_kind="")
    assert svc.submit(make_occurrence(duty, h["zhangwei"]), by=h["zhangwei"]).status == "done"
    late = make_occurrence(duty, h["zhangwei"], due_in_hours=-3, status="overdue")
    assert svc.submit(late, by=h["zhangwei"]).status == "done_late"


def test_a_lead_reviewing_their_own_duty_goes_one_level_up(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["liuqiang"])
    assert svc.submit(occ, by=h["liuqiang"]).reviewer == h["wangjg"]


def test_a_named_reviewer(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(reviewer_kind="person", reviewer=h["lina"]), h["zhangwei"])
    assert svc.submit(occ, by=h["zhangwei"]).reviewer == h["lina"]


# --- who may ---------------------------------------------------------------------------------
def test_only_the_person_submits(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    with pytest.raises(PermissionDenied):
        svc.submit(occ, by=h["lina"])
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=h.user("lina")).exists()


def test_who_reviews(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"])
    occ.refresh_from_db()
    assert svc.may_review(h.user("liuqiang"), occ)  # the reviewer
    assert svc.may_review(h.user("wangjg"), occ)  # the director
    assert not svc.may_review(h.user("zhangwei"), occ)  # not their own
    assert not svc.may_review(h.user("lina"), occ)  # a colleague, though she may change rows
    with pytest.raises(PermissionDenied):
        svc.review(occ, by=h["lina"], accept=True)
    with pytest.raises(PermissionDenied):
        svc.review(occ, by=h["zhangwei"], accept=True)
    done = svc.review(occ, by=h["wangjg"], accept=True, comment="主任代为复核")
    assert done.status == "done" and done.reviewer == h["wangjg"]


def test_review_refused_unless_submitted(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        svc.review(occ, by=h["liuqiang"], accept=True)
    assert "status" in errors_of(exc)


def test_excuse(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"], due_in_hours=-1, status="overdue")
    with pytest.raises(ValidationError) as exc:
        svc.excuse(occ, by=h["liuqiang"], reason="")
    assert "reason" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        svc.excuse(occ, by=h["zhangwei"], reason="我请假了")
    done = svc.excuse(occ, by=h["liuqiang"], reason="病假（已批准）")
    assert done.status == "excused" and done.next_check_at is None
    with pytest.raises(ValidationError):
        svc.submit(done, by=h["zhangwei"])


# --- the row: versions, audit, next check ----------------------------------------------------
def test_a_stale_version_is_a_conflict(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"], expected_version=occ.version)
    with pytest.raises(svc.Conflict):
        svc.review(occ, by=h["liuqiang"], accept=True, expected_version=occ.version)


def test_changes_are_audited_with_before_and_after(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="text"), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"], text="完成", ip="10.1.2.3")
    rec = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="duties.occurrence", object_id=str(occ.pk)
    ).get()
    assert rec.changes["status"] == ["pending", "submitted"]
    assert rec.actor == h.user("zhangwei")
    assert rec.ip == "10.1.2.3"


def test_the_engine_is_told_when_to_look_next(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="text"), h["zhangwei"])
    back = svc.submit(occ, by=h["zhangwei"], text="完成")
    assert Occurrence.objects.get(pk=occ.pk).next_check_at is None  # awaiting review
    back = svc.review(back, by=h["liuqiang"], accept=False, comment="补充")
    fresh = Occurrence.objects.get(pk=occ.pk)
    assert fresh.next_check_at is not None and fresh.next_check_at <= fresh.missed_at
    assert back.status == "returned"


def test_to_review_lists_what_awaits_me(h: hospital.Hospital) -> None:
    duty = make_duty()
    a = make_occurrence(duty, h["zhangwei"], due_in_hours=5)
    b = make_occurrence(duty, h["lina"], due_in_hours=1)
    make_occurrence(duty, h["lina"], due_in_hours=8)  # not submitted
    svc.submit(a, by=h["zhangwei"])
    svc.submit(b, by=h["lina"])
    assert list(svc.to_review(h["liuqiang"])) == [
        Occurrence.objects.get(pk=b.pk),
        Occurrence.objects.get(pk=a.pk),
    ]
    assert not svc.to_review(h["zhangwei"]).exists()
    assert not svc.to_review(None).exists()


def test_submitting_late_keeps_the_due_instant(h: hospital.Hospital) -> None:
    now = timezone.now()
    occ = make_occurrence(make_duty(), h["zhangwei"], due_at=now - dt.timedelta(hours=1),
                          status="overdue")  # fmt: skip
    done = svc.submit(occ, by=h["zhangwei"], now=now)
    assert done.submitted_at == now and done.due_at < now
