"""The pages of doing duties, through HTTP: my duties (today, upcoming, history), an
occurrence (submit with a photo; a refusal under the field it names, 422, nothing saved;
accept and return for changes by the reviewer; who may open it), 待我复核 with its quick
accept, evidence files behind a permission check, and the home widget "今日职责"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from netdept.approvals.tests import hospital
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.services import occurrences as svc
from netdept.duties.tests.test_work_fixtures import (
    fake_photo,
    make_duty,
    make_occurrence,
    photo,
)
from netdept.testing.clients import denials, ui_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


def url(occ: Occurrence, name: str = "") -> str:
    if not name:
        return reverse("duties:occurrence", args=[occ.pk])
    if name == "submit":
        return reverse("duties:occurrence_submit", args=[occ.pk])
    return reverse("duties:occurrence_do", args=[occ.pk, name])


def zh(client: Any) -> Any:
    client.cookies["django_language"] = "zh-hans"
    return client


# --- my duties -------------------------------------------------------------------------------
def test_my_duties_today_upcoming_history(h: hospital.Hospital) -> None:
    duty = make_duty(name="机房巡检")
    other = make_duty(name="核对备份")
    now = timezone.now()
    tonight = timezone.localtime(now).replace(hour=23, minute=59)
    today = make_occurrence(
        duty,
        h["zhangwei"],
        due_at=max(now + dt.timedelta(minutes=1), tonight - dt.timedelta(minutes=1)),
    )
    overdue = make_occurrence(other, h["zhangwei"], due_in_hours=-30, status="overdue")
    later = make_occurrence(duty, h["zhangwei"], due_in_hours=72)
    done = make_occurrence(other, h["zhangwei"], due_in_hours=-60, status="done")
    make_occurrence(duty, h["lina"], due_in_hours=1)  # someone else's
    c = ui_client(h.user("zhangwei"))

    def listed(tab: str) -> set[int]:
        r = c.get(reverse("duties:mine"), {"tab": tab})
        assert r.status_code == 200
        return {row.occ.pk for row in r.context["rows"]}

    assert listed("today") == {today.pk, overdue.pk}
    assert listed("upcoming") == {later.pk}
    assert listed("history") == {done.pk}
    assert listed("nonsense") == {today.pk, overdue.pk}


def test_late_in_the_evening_what_falls_due_after_midnight_is_still_today(
    h: hospital.Hospital,
) -> None:
    from netdept.duties.views_work import end_of_today, mine_querysets

    duty = make_duty(name="机房巡检")
    late = timezone.localtime(timezone.now()).replace(
        hour=23, minute=40, second=0, microsecond=0
    ) - dt.timedelta(days=1)
    noon = late.replace(hour=12, minute=0)
    assert end_of_today(noon) == late.replace(hour=0, minute=0) + dt.timedelta(days=1)
    assert end_of_today(late) == late + dt.timedelta(hours=2)
    soon = make_occurrence(duty, h["zhangwei"], due_at=late + dt.timedelta(minutes=30))
    next_day = make_occurrence(duty, h["zhangwei"], due_at=late + dt.timedelta(hours=12))
    tabs = mine_querysets(h["zhangwei"], late)
    assert list(tabs["today"]) == [soon]
    assert list(tabs["upcoming"]) == [next_day]
    # at noon the same duty, due after midnight, is tomorrow's
    at_noon = mine_querysets(h["zhangwei"], noon)
    assert soon not in at_noon["today"] and soon in at_noon["upcoming"]


def test_my_duties_without_a_person(h: hospital.Hospital) -> None:
    from netdept.testing.factories import UserFactory

    with translation.override("zh-hans"):
        r = zh(ui_client(UserFactory.create())).get(reverse("duties:mine"))
    assert r.status_code == 200 and not r.context["rows"]


# --- an occurrence: submit with a photo ------------------------------------------------------
def test_submit_with_a_photo_from_the_phone(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo", name="机房巡检拍照"), h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    page = c.get(url(occ))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html
    r = c.post(url(occ, "submit"), {"text": "A 区机柜正常", "files": [photo(), photo("2.png")],
                                    "expected_version": occ.version})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == url(occ)
    occ.refresh_from_db()
    assert occ.status == "submitted" and occ.reviewer == h["liuqiang"]
    assert Evidence.objects.filter(occurrence=occ, kind="photo").count() == 2
    page = c.get(url(occ)).content.decode()
    ev = Evidence.objects.filter(occurrence=occ).first()
    assert ev is not None and reverse("duties:evidence_file", args=[ev.pk]) in page


def test_a_bad_photo_is_refused_under_its_field(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo"), h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    r = c.post(url(occ, "submit"), {"files": [fake_photo()]})
    assert r.status_code == 422
    form = r.context["submit_form"]
    assert "files" in form.errors and "病毒.jpg" in form.errors["files"][0]
    r = c.post(url(occ, "submit"), {})
    assert r.status_code == 422 and "files" in r.context["submit_form"].errors
    occ.refresh_from_db()
    assert occ.status == "pending" and not Evidence.objects.exists()


def test_a_number_below_the_minimum(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="number", evidence_min=2, evidence_unit="篇")
    occ = make_occurrence(duty, h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    r = c.post(url(occ, "submit"), {"number": "1"})
    assert r.status_code == 422
    assert "number" in r.context["submit_form"].errors
    assert "至少" in r.context["submit_form"].errors["number"][0]
    r = c.post(url(occ, "submit"), {"number": "2"})
    assert r.status_code == 302


def test_a_checklist_on_the_page(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="checklist", checklist=["温度", "湿度"])
    occ = make_occurrence(duty, h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    assert 'value="湿度"' in c.get(url(occ)).content.decode()
    r = c.post(url(occ, "submit"), {"checklist": ["温度"]})
    assert r.status_code == 422 and "checklist" in r.context["submit_form"].errors
    assert c.post(url(occ, "submit"), {"checklist": ["温度", "湿度"]}).status_code == 302


def test_a_stale_page_is_a_conflict(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    assert c.post(url(occ, "submit"), {"expected_version": occ.version}).status_code == 302
    occ.refresh_from_db()
    svc.review(occ, by=h["liuqiang"], accept=False, comment="补照片")
    r = c.post(url(occ, "submit"), {"expected_version": occ.version})  # the old version
    assert r.status_code == 409


def test_someone_else_cannot_submit(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    r = zh(ui_client(h.user("liuqiang"))).post(url(occ, "submit"), {})
    assert r.status_code == 403
    occ.refresh_from_db()
    assert occ.status == "pending"


# --- review ----------------------------------------------------------------------------------
def test_review_on_the_page_accept_and_return(h: hospital.Hospital) -> None:
    duty = make_duty(evidence_kind="text")
    a = make_occurrence(duty, h["zhangwei"])
    b = make_occurrence(duty, h["lina"])
    svc.submit(a, by=h["zhangwei"], text="完成")
    svc.submit(b, by=h["lina"], text="完成")
    lead = zh(ui_client(h.user("liuqiang")))
    page = lead.get(url(a)).content.decode()
    assert 'id="dw-do-accept"' in page and 'id="dw-open-return_for_changes"' in page
    r = lead.post(url(a, "return_for_changes"), {"comment": ""})
    assert r.status_code == 422
    r = lead.post(url(a, "return_for_changes"), {"comment": "请补充机柜编号"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "returned" and a.review_comment == "请补充机柜编号"
    # the person sees why on their page and in today's list
    mine = zh(ui_client(h.user("zhangwei")))
    assert "请补充机柜编号" in mine.get(url(a)).content.decode()
    assert a.pk in {r.occ.pk for r in mine.get(reverse("duties:mine")).context["rows"]}
    # 待我复核: the quick accept goes back to the queue
    queue = lead.get(reverse("duties:review_queue"))
    assert [row.occ.pk for row in queue.context["rows"]] == [b.pk]
    version = Occurrence.objects.get(pk=b.pk).version
    r = lead.post(
        url(b, "accept"), {"next": reverse("duties:review_queue"), "expected_version": version}
    )
    assert r.status_code == 302 and r["Location"] == reverse("duties:review_queue")
    assert Occurrence.objects.get(pk=b.pk).status == "done"


def test_a_colleague_cannot_review(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"])
    c = zh(ui_client(h.user("lina")))
    page = c.get(url(occ))
    assert page.status_code == 200  # her team's row: she may read it
    assert "dw-do-accept" not in page.content.decode()
    assert c.post(url(occ, "accept"), {}).status_code == 403
    assert Occurrence.objects.get(pk=occ.pk).status == "submitted"


def test_who_may_open_an_occurrence(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(), h["zhangwei"])
    assert ui_client(h.user("wangjg")).get(url(occ)).status_code == 200
    assert ui_client(h.user("liuqiang")).get(url(occ)).status_code == 200
    nurse = h.user("huangli")  # a requester of another department
    r = ui_client(nurse).get(url(occ))
    assert r.status_code in (403, 404)
    assert ui_client(nurse).get(reverse("duties:occurrence", args=[999_999])).status_code in (
        403, 404,
    )  # fmt: skip
    if r.status_code == 403:
        assert denials(nurse).exists()


def test_evidence_files_are_served_to_who_may_see_them(h: hospital.Hospital) -> None:
    occ = make_occurrence(make_duty(evidence_kind="photo"), h["zhangwei"])
    svc.submit(occ, by=h["zhangwei"], files=[photo()])
    ev = Evidence.objects.get(occurrence=occ)
    link = reverse("duties:evidence_file", args=[ev.pk])
    r = ui_client(h.user("liuqiang")).get(link)
    assert r.status_code == 200
    assert r.getvalue().startswith(b"\x89PNG")
    assert ui_client(h.user("huangli")).get(link).status_code in (403, 404)


# --- the home widget -------------------------------------------------------------------------
def test_home_widget_today_overdue_returned(h: hospital.Hospital) -> None:
    from netdept.duties.home_work import today_context

    duty = make_duty(name="机房巡检")
    now = timezone.now()
    tonight = timezone.localtime(now).replace(hour=23, minute=59)
    if tonight > now + dt.timedelta(minutes=2):
        make_occurrence(duty, h["zhangwei"], due_at=tonight - dt.timedelta(minutes=1))
    make_occurrence(duty, h["zhangwei"], due_in_hours=-3, status="overdue")
    ret = make_occurrence(duty, h["zhangwei"], due_in_hours=48)
    svc.submit(ret, by=h["zhangwei"])
    svc.review(ret, by=h["liuqiang"], accept=False, comment="补充")

    req = RequestFactory().get("/")
    req.user = h.user("zhangwei")
    ctx = today_context(req)
    assert ctx is not None
    tiles = {t["key"]: t["count"] for t in ctx["tiles"]}
    assert tiles["duties_overdue"] == 1 and tiles["duties_returned"] == 1
    assert tiles["duties_today"] == (1 if tonight > now + dt.timedelta(minutes=2) else 0)
    with translation.override("zh-hans"):
        r = zh(ui_client(h.user("zhangwei"))).get("/")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-tile="duties_returned"' in html

    req.user = h.user("huangli")
    assert today_context(req) is None


def test_a_record_link_on_the_page(h: hospital.Hospital) -> None:
    from django.contrib.contenttypes.models import ContentType

    from netdept.org.models import Team

    duty = make_duty(evidence_kind="record", record_type=ContentType.objects.get_for_model(Team))
    occ = make_occurrence(duty, h["zhangwei"])
    c = zh(ui_client(h.user("zhangwei")))
    html = c.get(url(occ)).content.decode()
    assert f'value="{h.ops.pk}"' in html and "网络运维组" in html  # a record he may see
    r = c.post(url(occ, "submit"), {"record_ids": "888888"})
    assert r.status_code == 422 and "888888" in r.context["submit_form"].errors["records"][0]
    r = c.post(url(occ, "submit"), {"records": [str(h.ops.pk)]})
    assert r.status_code == 302
    assert Evidence.objects.get(occurrence=occ).record_label == "网络运维组"
    assert "网络运维组" in c.get(url(occ)).content.decode()
