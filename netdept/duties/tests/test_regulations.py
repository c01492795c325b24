"""The regulations register: a version goes draft → pending (the approvals engine, kind
duties.regulation, the director by default) → approved → effective on its date → superseded
by the next; what cites the old version's articles follows to the new version's article of the
same label; publishing asks each person it applies to for a read confirmation (阅读确认),
tracked per person; the periodic review is reminded once; bad input is refused naming the
field, nothing half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from netdept.approvals import services as approvals
from netdept.approvals.tests import hospital
from netdept.duties import importer
from netdept.duties.home_regulations import awaiting_context
from netdept.duties.models import (
    Article,
    ArticleLink,
    Duty,
    PenaltyRule,
    ReadConfirmation,
    Regulation,
    RegulationVersion,
    VersionStatus,
)
from netdept.duties.services import regulations as rs
from netdept.notify.models import Notification
from netdept.org.models import RoleAssignment
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import custom_role

pytestmark = pytest.mark.django_db

V1 = """大客户部管理制度
三、网络部工作制度
第一条每天上班不迟到、不早退。
第五条每天关注网站后台留言,及时回复;未及时回复的,每条罚款10元。
第八条每周一按时交2篇新闻稿至行政部,逾期未交稿罚款10元/篇。
第九条15天汇总一次装修建材活动,逾期未交,酌情处理。"""

V2 = """大客户部管理制度
三、网络部工作制度
第一条每天上班不迟到、不早退,上下班按时打卡。
第五条每天关注网站后台和百度商桥留言,及时回复;未及时回复的,每条罚款10元。
第八条每周一按时交2篇新闻稿至行政部,逾期未交稿罚款20元/篇。"""

EDITOR_PERMS = [
    "duties.view_regulation", "duties.add_regulation", "duties.change_regulation",
    "duties.view_regulationversion", "duties.add_regulationversion",
    "duties.change_regulationversion", "duties.view_article", "duties.add_article",
    "duties.change_article", "duties.delete_article", "duties.view_readconfirmation",
]  # fmt: skip


@pytest.fixture
def h() -> hospital.Hospital:
    org = hospital.build()
    RoleAssignment.objects.create(user=org.user("liuqiang"), role=custom_role(EDITOR_PERMS))
    return org


def regulation() -> Regulation:
    return rs.REGULATIONS.create(
        None, {"code": "dakehu", "title": "大客户部管理制度", "issuer": "网络部"}, check=False
    )


def draft(h: hospital.Hospital, text: str, label: str, on: dt.date | None) -> RegulationVersion:
    reg = Regulation.objects.filter(code="dakehu").first() or regulation()
    return rs.create_version_from_import(
        h.user("liuqiang"),
        regulation=reg,
        label=label,
        parsed=importer.split_text(text),
        source_text=text,
        effective_date=on,
    )


def approve(h: hospital.Hospital, version: RegulationVersion) -> RegulationVersion:
    request = rs.submit_version(h.user("liuqiang"), version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PENDING and version.approval_request == request
    (decision,) = approvals.pending_for(h["wangjg"])  # the director, by the default rule
    approvals.approve(h.user("wangjg"), decision, "同意发布")
    version.refresh_from_db()
    return version


def duty_citing(article: Article) -> Duty:
    duty = Duty.objects.create(
        code=f"duty-{article.pk}",
        name="每周一交两篇新闻稿",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        starts_on=dt.date(2026, 1, 5),
        due_time=dt.time(17, 0),
    )
    duty.articles.set([article])
    return duty


def test_import_then_approve_then_effective_asks_everyone_to_confirm_reading(h: Any) -> None:
    today = timezone.localdate()
    v1 = draft(h, V1, "2026版", today)
    assert v1.status == VersionStatus.DRAFT
    assert [a.label for a in v1.articles.all()] == ["第一条", "第五条", "第八条", "第九条"]
    assert v1.articles.get(label="第八条").chapter == "三、网络部工作制度"
    assert v1.source_text == V1

    v1 = approve(h, v1)  # approved with today's date: effective at once
    assert v1.status == VersionStatus.EFFECTIVE and v1.published_at is not None
    # the next review: the interval (12 months) after the effective date
    assert v1.next_review_date == today.replace(year=today.year + 1) or (
        today.month == 2 and today.day == 29
    )
    asked = set(v1.confirmations.values_list("person__name", flat=True))
    assert asked == {p.name for p in h.people.values()}
    note = Notification.objects.get(kind="duties.regulation_read", object_id=str(v1.pk))
    assert note.link == f"/duties/regulations/{v1.pk}/read/"
    assert rs.read_summary(v1) == {"total": 8, "confirmed": 0, "awaiting": 8}


def test_applies_to_a_department_asks_only_its_people(h: Any) -> None:
    v1 = draft(h, V1, "2026版", timezone.localdate())
    v1.applies_to.set([h.network])
    v1 = approve(h, v1)
    assert set(v1.confirmations.values_list("person__name", flat=True)) == {
        "王建国", "刘强", "张伟", "李娜",
    }  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        rs.confirm_read(h.user("huangli"), v1)  # 内科: not concerned
    assert "version" in exc.value.message_dict


def test_a_later_date_waits_for_the_daily_job_then_supersedes_and_repoints(h: Any) -> None:
    today = timezone.localdate()
    v1 = approve(h, draft(h, V1, "2026版", today))
    old8, old9 = v1.articles.get(label="第八条"), v1.articles.get(label="第九条")
    duty = duty_citing(old8)
    fine = PenaltyRule.objects.create(code="late-news", name="新闻稿逾期", family="news")
    fine.articles.set([old8, old9])
    link = ArticleLink.objects.create(
        article=v1.articles.get(label="第五条"),
        target_type_id=__import__("django.contrib.contenttypes.models", fromlist=["ContentType"])
        .ContentType.objects.get_for_model(Regulation)
        .pk,
        target_id=str(v1.regulation_id),
    )
    h["zhangwei"].refresh_from_db()
    rs.confirm_read(h.user("zhangwei"), v1)

    v2 = approve(h, draft(h, V2, "2027版", today + dt.timedelta(days=3)))
    assert v2.status == VersionStatus.APPROVED  # not yet: its date has not come
    assert rs.make_due_effective(timezone.now()) == 0
    later = timezone.now() + dt.timedelta(days=3)
    assert rs.make_due_effective(later) == 1

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED and v1.superseded_at == later
    assert v2.status == VersionStatus.EFFECTIVE
    new8 = v2.articles.get(label="第八条")
    assert list(duty.articles.all()) == [new8]
    # 第九条 has no successor in 2027版: the fine keeps citing the old one, and it is said
    assert set(fine.articles.all()) == {new8, old9}
    link.refresh_from_db()
    assert link.article == v2.articles.get(label="第五条")
    # the new version asks again, from everyone (张伟 read the old one, not this one)
    assert v2.confirmations.filter(person=h["zhangwei"], confirmed_at__isnull=True).exists()
    # the old version's text stays as it was
    assert "10元/篇" in old8.text and "20元/篇" in new8.text


def test_repoint_reports_unmatched_labels(h: Any) -> None:
    today = timezone.localdate()
    v1 = approve(h, draft(h, V1, "2026版", today))
    duty_citing(v1.articles.get(label="第九条"))
    v2 = draft(h, V2, "2027版", today)
    rs.VERSIONS.update(None, v2, {"status": VersionStatus.APPROVED}, check=False)
    moved = rs.take_effect(v2)
    assert moved.unmatched == ["第九条"] and moved.total == 0


def test_a_rejected_version_may_be_submitted_again(h: Any) -> None:
    v1 = draft(h, V1, "2026版", timezone.localdate())
    rs.submit_version(h.user("liuqiang"), v1)
    (decision,) = approvals.pending_for(h["wangjg"])
    approvals.reject(h.user("wangjg"), decision, "罚款标准需再议")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.REJECTED
    rs.submit_version(h.user("liuqiang"), v1)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PENDING


def test_bad_submissions_name_the_field_and_change_nothing(h: Any) -> None:
    v1 = draft(h, V1, "2026版", None)
    with pytest.raises(ValidationError) as exc:
        rs.submit_version(h.user("liuqiang"), v1)
    assert "effective_date" in exc.value.message_dict
    empty = rs.VERSIONS.create(
        None, {"regulation": v1.regulation, "label": "空", "effective_date": dt.date(2026, 1, 1)},
        check=False,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        rs.submit_version(h.user("liuqiang"), empty)
    assert "articles" in exc.value.message_dict
    v1.refresh_from_db()
    empty.refresh_from_db()
    assert v1.status == empty.status == VersionStatus.DRAFT
    assert v1.approval_request is None


def test_the_text_of_a_submitted_version_is_fixed(h: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    article = v1.articles.get(label="第八条")
    with pytest.raises(ValidationError) as exc:
        rs.ARTICLES.update(h.user("liuqiang"), article, {"text": "改过的"})
    assert "text" in exc.value.message_dict
    article.refresh_from_db()
    # what the site says of it stays editable
    rs.ARTICLES.update(h.user("liuqiang"), article, {"summary": "每周一两篇"})
    with pytest.raises(ValidationError) as exc:
        rs.ARTICLES.update(h.user("liuqiang"), article, {"automatable": False})
    assert "not_automatable_reason" in exc.value.message_dict
    assert Article.objects.get(pk=article.pk).summary == "每周一两篇"
    with pytest.raises(ValidationError):
        rs.import_articles(h.user("liuqiang"), v1, importer.split_text(V2), replace=True)
    assert v1.articles.count() == 4
    for field, value in (("label", "2026版（改）"), ("effective_date", dt.date(2030, 1, 1))):
        with pytest.raises(ValidationError) as exc:
            rs.VERSIONS.update(h.user("liuqiang"), RegulationVersion.objects.get(pk=v1.pk),
                               {field: value})  # fmt: skip
        assert field in exc.value.message_dict
    # its review settings stay editable
    rs.VERSIONS.update(h.user("liuqiang"), v1, {"review_interval_months": 6})


def test_read_confirmation_is_per_person_and_kept(h: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    first = rs.confirm_read(h.user("lina"), v1)
    again = rs.confirm_read(h.user("lina"), v1)
    assert again.pk == first.pk and again.confirmed_at == first.confirmed_at
    assert rs.read_summary(v1) == {"total": 8, "confirmed": 1, "awaiting": 7}
    assert not rs.awaiting(h["lina"]).exists()
    assert list(rs.awaiting(h["zhangwei"]).values_list("version", flat=True)) == [v1.pk]


def test_the_phone_page_confirms_and_the_home_widget_empties(h: Any, rf: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    request = rf.get("/")
    request.user = h.user("zhangwei")
    ctx = awaiting_context(request)
    assert ctx is not None and ctx["count"] == 1
    assert ctx["rows"][0]["url"] == f"/duties/regulations/{v1.pk}/read/"

    c = ui_client(h.user("zhangwei"))
    with translation.override("zh-hans"):
        page = c.get(f"/duties/regulations/{v1.pk}/read/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="rg-confirm"' in html
    assert "每周一按时交2篇新闻稿" in html and "确认已阅读" in html
    assert "btn-lg w-100 py-3" in html  # a thumb-sized target on a phone
    answer = c.post(f"/duties/regulations/{v1.pk}/read/")
    assert answer.status_code == 302
    assert ReadConfirmation.objects.get(version=v1, person=h["zhangwei"]).confirmed_at
    assert awaiting_context(request) is None
    done = c.get(answer["Location"]).content.decode()
    assert 'id="rg-confirmed"' in done and 'id="rg-confirm"' not in done

    # who has and who has not read it
    readers = ui_client(h.user("liuqiang")).get(f"/duties/regulations/{v1.pk}/readers/")
    body = readers.content.decode()
    assert readers.status_code == 200
    confirmed = body.split('id="rg-confirmed-list"')[1]
    waiting = body.split('id="rg-waiting"')[1].split('id="rg-confirmed-list"')[0]
    assert "张伟" in confirmed and "张伟" not in waiting and "李娜" in waiting


def test_review_is_reminded_once_then_rearmed_by_the_review(h: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    assert v1.next_review_date is not None
    soon = timezone.now() + dt.timedelta(
        days=(v1.next_review_date - timezone.localdate()).days - 10
    )
    assert rs.send_review_reminders(timezone.now()) == 0  # a year ahead: not yet
    assert rs.send_review_reminders(soon) == 1
    assert rs.send_review_reminders(soon) == 0  # once per review date
    assert Notification.objects.filter(kind="duties.regulation_review").count() == 1
    v1 = rs.mark_reviewed(h.user("liuqiang"), RegulationVersion.objects.get(pk=v1.pk), "已复审")
    assert v1.review_reminded_at is None and "已复审" in v1.change_note


def test_the_import_page_previews_then_saves(h: Any) -> None:
    reg = regulation()
    c = ui_client(h.user("liuqiang"))
    form = {"regulation": reg.pk, "label": "2026版", "text": V1, "confirm": "0"}
    with translation.override("zh-hans"):
        preview = c.post("/duties/regulations/import/", form)
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="rg-preview-table"' in html
    assert 'data-label="第九条"' in html and not reg.versions.exists()
    saved = c.post("/duties/regulations/import/", {**form, "confirm": "1"})
    version = reg.versions.get()
    assert saved.status_code == 302 and saved["Location"].endswith(f"/{version.pk}/")
    assert version.articles.count() == 4
    # no text: the field is named, nothing saved
    bad = c.post("/duties/regulations/import/", {**form, "label": "v3", "text": ""})
    assert bad.status_code == 200 and 'data-field="text"' in bad.content.decode()
    assert reg.versions.count() == 1


def test_the_import_page_refuses_without_permission(h: Any) -> None:
    assert ui_client(h.user("zhangwei")).get("/duties/regulations/import/").status_code == 403


def test_the_api_previews_imports_and_confirms(h: Any) -> None:
    reg = regulation()
    api = api_client(h.user("liuqiang"))
    preview = api.post(
        "/api/v1/duties/regulationversions/import_preview/", {"text": V1}, format="json"
    )
    assert preview.status_code == 200
    assert [a["label"] for a in preview.json()["articles"]] == [
        "第一条",
        "第五条",
        "第八条",
        "第九条",
    ]
    empty = api.post(
        "/api/v1/duties/regulationversions/import_preview/", {"text": ""}, format="json"
    )
    assert empty.status_code == 400 and "text" in empty.json()
    made = api.post(
        "/api/v1/duties/regulationversions/import/",
        {"regulation": reg.pk, "label": "2026版", "text": V1,
         "effective_date": timezone.localdate().isoformat()},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201
    version = RegulationVersion.objects.get(pk=made.json()["id"])
    version.applies_to.set([h.network])  # 信息科 only: 黄丽 of 内科 is not asked
    twice = api.post(
        "/api/v1/duties/regulationversions/import/",
        {"regulation": reg.pk, "label": "2026版", "text": V1},
        format="json",
    )
    assert twice.status_code == 400 and RegulationVersion.objects.count() == 1
    submit = api.post(f"/api/v1/duties/regulationversions/{version.pk}/submit/", {}, format="json")
    assert submit.status_code == 200, submit.content.decode()
    (decision,) = approvals.pending_for(h["wangjg"])
    approvals.approve(h.user("wangjg"), decision, "")

    mine = api_client(h.user("lina"))
    assert [r["version"] for r in mine.get("/api/v1/duties/readconfirmations/mine/").json()] == [
        version.pk
    ]
    ok = mine.post(f"/api/v1/duties/regulationversions/{version.pk}/confirm_read/")
    assert ok.status_code == 200 and ok.json()["confirmed_at"]
    assert mine.get("/api/v1/duties/readconfirmations/mine/").json() == []
    outsider = api_client(h.user("huangli")).post(
        f"/api/v1/duties/regulationversions/{version.pk}/confirm_read/"
    )
    assert outsider.status_code == 400 and "version" in outsider.json()
    gone = mine.post("/api/v1/duties/regulationversions/999999/confirm_read/")
    assert gone.status_code == 404


def test_an_article_page_shows_what_encodes_it(h: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    eighth = v1.articles.get(label="第八条")
    duty = duty_citing(eighth)
    first = v1.articles.get(label="第一条")
    reason = {"automatable": False, "not_automatable_reason": "考勤由打卡机记录"}
    rs.ARTICLES.update(None, first, reason, check=False)
    c = ui_client(h.user("liuqiang"))
    html = c.get(f"/duties/article/{eighth.pk}/").content.decode()
    assert duty.name in html and 'id="rg-article-encodings"' in html
    html = c.get(f"/duties/article/{first.pk}/").content.decode()
    assert 'id="rg-not-automatable"' in html and "考勤由打卡机记录" in html
    html = c.get(f"/duties/article/{v1.articles.get(label='第九条').pk}/").content.decode()
    assert 'id="rg-not-encoded"' in html


def test_the_version_page_lists_articles_and_submits_through_its_button(h: Any) -> None:
    v1 = draft(h, V1, "2026版", timezone.localdate())
    c = ui_client(h.user("liuqiang"))
    with translation.override("zh-hans"):
        html = c.get(f"/duties/regulationversion/{v1.pk}/").content.decode()
    assert 'id="rg-articles"' in html and "第九条" in html and "提交审批" in html
    answer = c.post(f"/duties/regulationversion/{v1.pk}/do/submit/", {})
    assert answer.status_code in (200, 302)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PENDING
    # the director reads the request in Chinese
    with translation.override("zh-hans"):
        (decision,) = approvals.pending_for(h["wangjg"])
        assert decision.request.title == "大客户部管理制度 2026版"


def test_the_daily_job_is_scheduled_and_runs_both_parts(h: Any) -> None:
    from netdept.duties import tasks_regulations
    from netdept.tasks import scheduler

    job = scheduler.jobs()["duties.regulations_daily"]
    assert job.cron == "5 0 * * *"
    v1 = draft(h, V1, "2026版", timezone.localdate() + dt.timedelta(days=1))
    rs.VERSIONS.update(None, v1, {"status": VersionStatus.APPROVED}, check=False)
    assert tasks_regulations.regulations_daily.call() == {"effective": 0, "review_reminders": 0}
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert rs.daily(tomorrow) == {"effective": 1, "review_reminders": 0}


def test_the_import_page_reads_an_uploaded_word_file(h: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from netdept.duties.tests.test_importer import NUMBERING, make_docx

    reg = regulation()
    data = make_docx(
        [("第一章 总则", None), ("每天写工作日志。", 0), ("每周一交两篇新闻稿。", 0)], NUMBERING
    )
    c = ui_client(h.user("liuqiang"))
    form = {"regulation": reg.pk, "label": "2026版", "confirm": "1"}
    upload = SimpleUploadedFile("大客户部管理制度.docx", data)
    answer = c.post("/duties/regulations/import/", {**form, "file": upload})
    assert answer.status_code == 302
    version = reg.versions.get()
    assert [(a.label, a.text) for a in version.articles.all()] == [
        ("第一条", "每天写工作日志。"),
        ("第二条", "每周一交两篇新闻稿。"),
    ]
    bad = SimpleUploadedFile("制度.pdf", b"%PDF-1.4")
    with translation.override("zh-hans"):
        refused = c.post("/duties/regulations/import/", {**form, "label": "v2", "file": bad})
    html = refused.content.decode()
    assert refused.status_code == 200 and 'data-field="file"' in html and "请上传" in html
    assert reg.versions.count() == 1


def test_the_review_is_recorded_through_the_api_with_its_next_date(h: Any) -> None:
    v1 = approve(h, draft(h, V1, "2026版", timezone.localdate()))
    api = api_client(h.user("liuqiang"))
    url = f"/api/v1/duties/regulationversions/{v1.pk}/reviewed/"
    nxt = timezone.localdate() + dt.timedelta(days=200)
    ok = api.post(url, {"next_review_date": nxt.isoformat(), "note": "2026年复审"}, format="json")
    assert ok.status_code == 200, ok.content.decode()
    v1.refresh_from_db()
    assert v1.next_review_date == nxt and "2026年复审" in v1.change_note
    past = api.post(url, {"next_review_date": "2020-01-01"}, format="json")
    assert past.status_code == 400 and "next_review_date" in past.json()
    v1.refresh_from_db()
    assert v1.next_review_date == nxt
