"""A year's holiday schedule the calendar package does not know: reading the official notice
or simple lines, applying it as overrides, and telling administrators what is missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from netdept.accounts.models import UserProfile
from netdept.core.models import AuditRecord
from netdept.notify.models import InboxMessage
from netdept.testing.factories import user_with_role
from netdept.workcal import holidays
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workcal.schedule import WorkSchedule
from netdept.workcal.tasks import remind_holidays_unknown

# The State Council's notice of the 2026 schedule, as published (国办发明电〔2025〕7号).
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知

经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。

国务院办公厅
2025年11月4日
"""
#: a year no release of the package will know: tests stay true when the package is upgraded
FAR = 2098


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def decisions(days: list[holidays.Day], year: int) -> dict[dt.date, bool]:
    """Working or not for every day of ``year``: the schedule over the Monday–Friday rule."""
    given = {d.date: d.is_working_day for d in days}
    out = {}
    day = dt.date(year, 1, 1)
    while day.year == year:
        out[day] = given.get(day, day.weekday() < 5)
        day += dt.timedelta(days=1)
    return out


# --- reading -----------------------------------------------------------------------------
def test_the_official_2026_notice_gives_exactly_the_packages_2026() -> None:
    days = holidays.parse(NOTICE_2026, 2026)
    package = {d: bool(chinese_calendar.is_workday(d)) for d in decisions(days, 2026)}
    assert decisions(days, 2026) == package
    assert len([d for d in days if not d.is_working_day]) == 33
    assert [d.date for d in days if d.is_working_day] == [
        D("2026-01-04"),
        D("2026-02-14"),
        D("2026-02-28"),
        D("2026-05-09"),
        D("2026-09-20"),
        D("2026-10-10"),
    ]
    spring = next(d for d in days if d.date == D("2026-02-16"))
    assert spring.note == "春节"


def test_the_year_is_read_from_the_notice_title() -> None:
    assert holidays.parse(NOTICE_2026)[0].date == D("2026-01-01")


def test_simple_lines_ranges_comments_and_english_words() -> None:
    text = """
    # 2098
    2098-01-01 休 元旦
    2098-02-06~2098-02-08 off Spring Festival
    2098-02-20 班 春节   # a Saturday
    2098/10/1 .. 2098/10/03 holiday 国庆
    2098年10月10日 work
    """
    days = holidays.parse(text)
    assert [(d.date.isoformat(), d.is_working_day) for d in days] == [
        ("2098-01-01", False),
        ("2098-02-06", False),
        ("2098-02-07", False),
        ("2098-02-08", False),
        ("2098-02-20", True),
        ("2098-10-01", False),
        ("2098-10-02", False),
        ("2098-10-03", False),
        ("2098-10-10", True),
    ]
    assert days[1].note == "Spring Festival" and days[4].note == "春节"


def test_a_notice_range_across_a_month_end() -> None:
    days = holidays.parse("二、春节：1月30日（周四）至2月5日（周三）放假调休，共7天。", FAR)
    assert [d.date for d in days] == [D(f"{FAR}-01-{n}") for n in (30, 31)] + [
        D(f"{FAR}-02-0{n}") for n in range(1, 6)
    ]
    short = holidays.parse("春节：1月30日至2日放假。", FAR)
    assert short[-1].date == D(f"{FAR}-02-02") and len(short) == 4


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("2098-13-01 休", None, "Line 1: 2098-13-1 is not a date."),
        ("2098-01-01 maybe", None, "Line 1: “maybe” says neither"),
        ("2098-02-08~2098-02-01 休", None, "Line 1: The range ends (2098-02-01) before"),
        ("2098-01-01~2098-03-01 休", None, "Line 1: A range of 60 days is too long"),
        ("\n2098-01-01休", None, "Line 2: This line could not be read"),
        ("2098-01-01 休\n2098-01-01 班", None, "2098-01-01 is given both as a working day"),
        ("2097-12-31 休", FAR, "2097-12-31 is not in 2098."),
        ("一、元旦：1月1日放假。", None, "Give the year"),
        ("春节：2月3日（周六）调整。", FAR, "Line 1: This sentence says neither 放假 nor 上班"),
        ("只是一段说明。", FAR, "No dates were found."),
    ],
)
def test_what_cannot_be_read_is_named_by_line(text: str, year: int | None, message: str) -> None:
    with translation.override("en"), pytest.raises(holidays.ScheduleError) as caught:
        holidays.parse(text, year)
    assert any(m.startswith(message) for m in caught.value.messages), caught.value.messages


# --- what is missing ---------------------------------------------------------------------
@pytest.mark.django_db
def test_missing_years() -> None:
    cal = WorkCalendar.objects.create(name="标准")
    round_the_clock = WorkCalendar.objects.create(name="7×24", around_the_clock=True)
    assert holidays.package_knows(2026) and not holidays.package_knows(FAR)
    assert holidays.missing_years(cal, D("2026-05-01")) == []
    assert holidays.missing_years(cal, D(f"{FAR}-09-30")) == [FAR]
    assert holidays.missing_years(cal, D(f"{FAR}-10-01")) == [FAR, FAR + 1]
    assert holidays.missing_years(round_the_clock, D(f"{FAR}-10-01")) == []
    CalendarOverride.objects.create(calendar=cal, date=D(f"{FAR}-01-01"), is_working_day=False)
    assert holidays.missing_years(cal, D(f"{FAR}-10-01")) == [FAR + 1]
    assert holidays.calendars_missing(D(f"{FAR}-10-01")) == [(cal, [FAR + 1])]
    assert holidays.calendars_missing(D("2026-05-01")) == []


# --- applying ----------------------------------------------------------------------------
@pytest.fixture
def admin(db: Any) -> Client:
    c = Client()
    c.force_login(user_with_role("sysadmin"))
    return c


@pytest.mark.django_db
def test_preview_then_apply_writes_audited_overrides_and_the_calendar_follows(
    admin: Client,
) -> None:
    cal = WorkCalendar.objects.create(name="标准")
    url = reverse("workcal:calendar_schedule", args=[cal.pk])
    text = "2098-01-01 休 元旦\n2098-02-05~2098-02-07 休 春节\n2098-02-09 班 春节"
    resp = admin.post(url, {"year": FAR, "text": text, "confirm": "0"})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'id="nd-schedule-table"' in page and page.count("<tr data-date=") == 5
    assert CalendarOverride.objects.count() == 0  # a preview writes nothing
    resp = admin.post(url, {"year": FAR, "text": text, "confirm": "1"})
    assert resp.status_code == 302 and resp["Location"].endswith(f"?month={FAR}-01")
    assert CalendarOverride.objects.filter(calendar=cal).count() == 5
    sched = WorkSchedule(cal)
    assert not sched.is_working_day(D("2098-01-01"))  # a Wednesday, now a holiday
    assert not sched.is_working_day(D("2098-02-06"))
    assert sched.is_working_day(D("2098-02-09"))  # a Sunday, now a working day
    assert AuditRecord.objects.filter(object_type="workcal.calendaroverride").count() == 5
    # applied again: nothing changes; a changed day is updated, not duplicated
    again = holidays.apply(
        user_with_role("sysadmin"), cal, holidays.parse(text.replace("02-09 班", "02-09 休"))
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 4)
    assert not WorkSchedule(cal).is_working_day(D("2098-02-09"))


@pytest.mark.django_db
def test_a_bad_schedule_lists_every_bad_line_and_writes_nothing(admin: Client) -> None:
    cal = WorkCalendar.objects.create(name="标准")
    text = "2098-01-01 休 元旦\n2098-02-30 休\n2098-03-01 maybe"
    resp = admin.post(
        reverse("workcal:calendar_schedule", args=[cal.pk]),
        {"year": FAR, "text": text, "confirm": "1"},
    )
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "2098-2-30" in page and "maybe" in page and 'id="nd-schedule-errors"' in page
    assert CalendarOverride.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["engineer", "team_lead", "requester", "auditor"])
def test_only_calendar_administrators_enter_schedules(role: str) -> None:
    cal = WorkCalendar.objects.create(name="标准")
    c = Client()
    c.force_login(user_with_role(role))
    url = reverse("workcal:calendar_schedule", args=[cal.pk])
    assert c.get(url).status_code in (403, 404)
    assert c.post(url, {"year": FAR, "text": "2098-01-01 休", "confirm": "1"}).status_code in (
        403,
        404,
    )
    assert CalendarOverride.objects.count() == 0


@pytest.mark.django_db
def test_warnings_on_the_calendar_page_and_home_page() -> None:
    cal = WorkCalendar.objects.create(name="标准")
    sysadmin, engineer_user = user_with_role("sysadmin"), user_with_role("engineer")
    admin, engineer = Client(), Client()
    with freeze_time(f"{FAR}-11-02 09:00:00"):
        admin.force_login(sysadmin)  # signed in at the frozen time (idle timeout)
        engineer.force_login(engineer_user)
        detail = admin.get(reverse("workcal:workcalendar_detail", args=[cal.pk])).content.decode()
        assert 'id="nd-calendar-missing"' in detail and f"{FAR}, {FAR + 1}" in detail
        assert reverse("workcal:calendar_schedule", args=[cal.pk]) in detail
        home = admin.get(reverse("home")).content.decode()
        assert "nd-calendar-missing" in home
        assert "nd-calendar-missing" not in engineer.get(reverse("home")).content.decode()
        form = admin.get(reverse("workcal:calendar_schedule", args=[cal.pk])).content.decode()
        assert f'value="{FAR + 1}"' in form  # the latest missing year is proposed
    with freeze_time("2026-05-04 09:00:00"):
        admin.force_login(sysadmin)
        detail = admin.get(reverse("workcal:workcalendar_detail", args=[cal.pk])).content.decode()
        assert "nd-calendar-missing" not in detail and 'id="nd-calendar-schedule"' in detail


@pytest.mark.django_db
def test_the_weekly_reminder_goes_to_calendar_administrators_once_a_week() -> None:
    WorkCalendar.objects.create(name="标准")
    sysadmin = user_with_role("sysadmin")
    english = user_with_role("sysadmin")
    UserProfile.objects.update_or_create(user=sysadmin, defaults={"language": "zh-hans"})
    UserProfile.objects.update_or_create(user=english, defaults={"language": "en"})
    engineer = user_with_role("engineer")
    with freeze_time(f"{FAR}-11-03 09:00:00"):  # a Monday
        assert remind_holidays_unknown.call() == 1
        assert remind_holidays_unknown.call() == 1  # the same week: no second message
    assert InboxMessage.objects.filter(user=sysadmin).count() == 1
    assert InboxMessage.objects.filter(user=engineer).count() == 0
    message = InboxMessage.objects.get(user=sysadmin)
    assert f"{FAR}" in message.title
    # the years missing, listed the way each reader's language lists them
    both = (f"{FAR}、{FAR + 1}", f"{FAR}, {FAR + 1}")
    chinese = f"{message.title}\n{message.body}"
    english_message = InboxMessage.objects.get(user=english)
    english_text = f"{english_message.title}\n{english_message.body}"
    assert both[0] in chinese and both[1] not in chinese, chinese
    assert both[1] in english_text and both[0] not in english_text, english_text
    with freeze_time(f"{FAR}-11-10 09:00:00"):  # the next Monday: reminded again
        remind_holidays_unknown.call()
    assert InboxMessage.objects.filter(user=sysadmin).count() == 2
    with freeze_time("2026-05-04 09:00:00"):
        assert remind_holidays_unknown.call() == 0
