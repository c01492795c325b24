"""The daily log's pages, phone first and in Chinese: 我的日志 opens (and drafts) today's log,
entries are added, edited and removed, the text saved, the log submitted; the lead sees the
team's day (who has not written one) and accepts or returns; refusals are said on the page
(403 / 409 / 422, never a 500), nothing half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from netdept.testing.clients import ui_client
from netdept.testing.factories import UserFactory
from netdept.worklog.models.logs import DailyLog, LogEntry, LogStatus
from netdept.worklog.services import logs
from netdept.worklog.tests.factories_logs import team3, working
from netdept.workorders.models import Status
from netdept.workorders.tests.factories import WorkOrderFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db
S = LogStatus


def zh(client: Any) -> Any:
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def t() -> Any:
    return team3()


def log_url(log: DailyLog, name: str = "") -> str:
    if not name:
        return reverse("worklog:log", args=[log.pk])
    return reverse(f"worklog:{name}", args=[log.pk])


def test_my_log_drafts_itself_from_a_resolved_work_order(t: Any) -> None:
    day = logs.today()
    start, _end = logs.day_bounds(day)
    order = WorkOrderFactory.create(
        title="门诊楼交换机故障",
        assignee=t.alice,
        status=Status.RESOLVED,
        resolved_at=start + dt.timedelta(hours=11),
    )
    WorkRecordFactory.create(
        order=order,
        person=t.alice,
        description="更换光模块",
        minutes=50,
        performed_at=start + dt.timedelta(hours=10),
    )
    c = zh(ui_client(t.alice_user))
    with translation.override("zh-hans"):
        r = c.get(reverse("worklog:log_today"))
        assert r.status_code == 302
        log = DailyLog.objects.get(person=t.alice, day=day)
        assert r["Location"] == log_url(log)
        page = c.get(log_url(log))
    html = page.content.decode()
    assert page.status_code == 200
    assert "我的日志" in html and "更换光模块" in html and order.number in html
    assert "解决工单" in html and "工作日志" not in html.split("<title>")[0]
    assert "50 分钟" in html
    assert 'name="viewport"' in html  # the phone page
    # opening again drafts nothing twice
    c.get(reverse("worklog:log_today"))
    assert LogEntry.objects.filter(log=log).count() == 2


def test_write_and_submit_then_the_lead_returns_and_accepts(t: Any) -> None:
    c = zh(ui_client(t.alice_user))
    c.get(reverse("worklog:log_today"))
    log = DailyLog.objects.get(person=t.alice)
    r = c.post(
        log_url(log, "log_entry_add"),
        {
            "text": "核心交换机巡检",
            "minutes": "30",
            "state": "done",
            "expected_version": log.version,
        },
    )
    assert r.status_code == 302
    log.refresh_from_db()
    r = c.post(
        log_url(log, "log_save"),
        {
            "summary": "巡检正常",
            "problems": "",
            "plan": "升级固件",
            "expected_version": log.version,
        },
    )
    assert r.status_code == 302
    log.refresh_from_db()
    assert (log.summary, log.plan, log.minutes) == ("巡检正常", "升级固件", 30)
    r = c.post(
        reverse("worklog:log_do", args=[log.pk, "submit"]), {"expected_version": log.version}
    )
    assert r.status_code == 302
    log.refresh_from_db()
    assert log.status == S.SUBMITTED and log.reviewer_id == t.lead.pk
    # the lead: the team's day, then return with a reason (required) and accept
    lead = zh(ui_client(t.lead_user))
    with translation.override("zh-hans"):
        team = lead.get(reverse("worklog:team_logs"))
    html = team.content.decode()
    assert team.status_code == 200 and t.alice.name in html and t.bob.name in html
    assert "未写" in html  # bob
    assert team.context["missing"] == 1 and team.context["waiting"] == 1
    ret = reverse("worklog:log_do", args=[log.pk, "return_for_changes"])
    r = lead.post(ret, {"comment": "", "expected_version": log.version})
    assert r.status_code in (200, 422)
    log.refresh_from_db()
    assert log.status == S.SUBMITTED
    r = lead.post(ret, {"comment": "请写明固件版本", "expected_version": log.version})
    assert r.status_code == 302
    log.refresh_from_db()
    assert log.status == S.RETURNED
    page = c.get(log_url(log)).content.decode()
    assert "请写明固件版本" in page
    c.post(reverse("worklog:log_do", args=[log.pk, "submit"]), {"expected_version": log.version})
    log.refresh_from_db()
    r = lead.post(
        reverse("worklog:log_do", args=[log.pk, "accept"]),
        {"comment": "", "expected_version": log.version, "next": reverse("worklog:team_logs")},
    )
    assert r.status_code == 302 and r["Location"] == reverse("worklog:team_logs")
    log.refresh_from_db()
    assert log.status == S.ACCEPTED


def test_bad_entries_are_said_under_the_field(t: Any) -> None:
    c = zh(ui_client(t.alice_user))
    c.get(reverse("worklog:log_today"))
    log = DailyLog.objects.get(person=t.alice)
    for data in (
        {"text": "", "minutes": "10", "state": "done"},
        {"text": "x", "minutes": "-5", "state": "done"},
        {"text": "x", "minutes": "99999", "state": "done"},
        {"text": "x" * 1001, "minutes": "1", "state": "done"},
        {"text": "x", "minutes": "1", "state": "weird"},
    ):
        with translation.override("zh-hans"):
            r = c.post(log_url(log, "log_entry_add"), data)
        assert r.status_code == 422, data
        assert 'class="invalid-feedback d-block"' in r.content.decode()
    assert not LogEntry.objects.filter(log=log).exists()


def test_save_and_submit_in_one_press(t: Any) -> None:
    c = ui_client(t.alice_user)
    log = logs.open_log(t.alice)
    data = {"summary": "", "problems": "", "plan": "", "expected_version": log.version}
    r = c.post(log_url(log, "log_save"), {**data, "then_submit": "1"})
    assert r.status_code == 422  # nothing written: refused, said on the page
    log.refresh_from_db()
    assert log.status == S.DRAFT
    data = {"summary": "完成机房巡检", "problems": "", "plan": "", "expected_version": log.version}
    r = c.post(log_url(log, "log_save"), {**data, "then_submit": "1"})
    assert r.status_code == 302
    log.refresh_from_db()
    assert (log.status, log.summary) == (S.SUBMITTED, "完成机房巡检")


def test_edit_remove_and_a_stale_page(t: Any) -> None:
    c = ui_client(t.alice_user)
    log = logs.open_log(t.alice)
    e = logs.add_entry(log, by=t.alice, text="旧内容", minutes=5)
    log.refresh_from_db()
    edit = reverse("worklog:log_entry_edit", args=[e.pk])
    r = c.post(
        edit,
        {
            "text": "新内容",
            "minutes": "15",
            "state": "in_progress",
            "expected_version": log.version,
        },
    )
    assert r.status_code == 302
    e.refresh_from_db()
    assert (e.text, e.minutes, e.state) == ("新内容", 15, "in_progress")
    r = c.post(
        edit, {"text": "过期页面", "minutes": "1", "state": "done", "expected_version": log.version}
    )  # the page before the edit
    assert r.status_code == 409
    e.refresh_from_db()
    assert e.text == "新内容"
    r = c.post(reverse("worklog:log_entry_remove", args=[e.pk]), {})
    assert r.status_code == 302 and not LogEntry.objects.filter(pk=e.pk).exists()


def test_others_cannot_write_and_strangers_cannot_see(t: Any) -> None:
    log = logs.open_log(t.alice)
    bob = ui_client(t.bob.user)
    r = bob.post(log_url(log, "log_entry_add"), {"text": "冒名", "minutes": "1", "state": "done"})
    assert r.status_code == 403
    r = bob.post(reverse("worklog:log_do", args=[log.pk, "submit"]), {})
    assert r.status_code == 403
    assert not LogEntry.objects.filter(log=log).exists()
    stranger = ui_client(UserFactory.create())
    assert stranger.get(log_url(log)).status_code == 403
    assert ui_client(t.alice_user).get(reverse("worklog:log", args=[999999])).status_code == 404


def test_a_day_off_asks_before_opening(t: Any) -> None:
    day = logs.today() - dt.timedelta(days=1)
    working(day, False)
    c = zh(ui_client(t.alice_user))
    with translation.override("zh-hans"):
        r = c.get(reverse("worklog:log_today"), {"day": day.isoformat()})
    assert r.status_code == 200 and "无需写日志" in r.content.decode()
    assert not DailyLog.objects.filter(person=t.alice).exists()
    r = c.post(reverse("worklog:log_today"), {"day": day.isoformat()})
    assert r.status_code == 302
    assert DailyLog.objects.filter(person=t.alice, day=day).exists()
    # a future day is refused, said on the page
    r = c.post(
        reverse("worklog:log_today"), {"day": (logs.today() + dt.timedelta(days=3)).isoformat()}
    )
    assert r.status_code == 422


def test_without_a_person() -> None:
    c = zh(ui_client(UserFactory.create()))
    with translation.override("zh-hans"):
        r = c.get(reverse("worklog:log_today"))
        assert r.status_code == 200 and "未关联" in r.content.decode()
        assert c.get(reverse("worklog:team_logs")).status_code in (200, 403)


def test_redraft_button(t: Any) -> None:
    c = ui_client(t.alice_user)
    log = logs.open_log(t.alice)
    start, _end = logs.day_bounds(log.day)
    WorkOrderFactory.create(assignee=t.alice, resolved_at=start + dt.timedelta(hours=9))
    r = c.post(log_url(log, "log_redraft"), {"expected_version": log.version})
    assert r.status_code == 302
    assert LogEntry.objects.filter(log=log, source="workorders.resolved").count() == 1


def test_the_home_widget(t: Any) -> None:
    c = zh(ui_client(t.alice_user))
    with translation.override("zh-hans"):
        html = c.get("/").content.decode()
    assert "今日日志" in html and reverse("worklog:log_today") in html


def test_one_language_at_a_time(t: Any) -> None:
    """The log's pages read in Chinese, and in English, with nothing of the other language
    (the checker of the browser tests)."""
    from netdept.accounts.models import UserProfile
    from netdept.testing.language import LanguageChecker, database_words

    start, _end = logs.day_bounds(logs.today())
    order = WorkOrderFactory.create(
        title="门诊楼交换机故障", assignee=t.alice, resolved_at=start + dt.timedelta(hours=9)
    )
    WorkRecordFactory.create(
        order=order, person=t.alice, description="更换光模块", minutes=20,
        performed_at=start + dt.timedelta(hours=8),
    )  # fmt: skip
    log = logs.open_log(t.alice)
    logs.save(log, by=t.alice, summary="巡检正常", problems="光模块老化", plan="升级固件")
    logs.submit(log, by=t.alice)
    off = logs.today() - dt.timedelta(days=1)
    working(off, False)
    checker = LanguageChecker(data_words=lambda refresh: database_words(refresh))
    pages = [
        (t.alice_user, reverse("worklog:log", args=[log.pk])),
        (t.alice_user, reverse("worklog:log_today") + f"?day={off:%Y-%m-%d}"),
        (t.alice_user, "/"),
        (t.lead_user, reverse("worklog:log", args=[log.pk])),
        (t.lead_user, reverse("worklog:team_logs")),
        (t.lead_user, reverse("worklog:logs_list")),
        (t.lead_user, reverse("worklog:log-entries_list")),
        (t.lead_user, "/"),
    ]
    for lang in ("zh-hans", "en"):
        for user, url in pages:
            UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
            r = ui_client(user).get(url)
            assert r.status_code == 200, url
            checker.check_html(url, r.content.decode(), r.get("Content-Language", ""), "")
    assert not checker.findings, "\n".join(str(f) for f in checker.findings)
