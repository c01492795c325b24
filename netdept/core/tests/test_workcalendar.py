"""The working calendar: Chinese public holidays and 调休 (official 2026 schedule), overrides,
working-time arithmetic, time zones, validation, and the calendar pages."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from netdept.accounts.models import UserProfile
from netdept.core import audit
from netdept.core.models import AuditRecord
from netdept.core.models.audit import AuditAction
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import user_with_role
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workcal.schedule import (
    CalendarOverrideService,
    WorkCalendarService,
    WorkSchedule,
    add_working_days,
    add_working_time,
    default_calendar,
    is_working_day,
    next_working_instant,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
_seq = itertools.count(1)


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def at(s: str, tz: dt.tzinfo = SH) -> dt.datetime:
    """``at("2026-02-13 16:00")`` → an aware datetime in Shanghai time."""
    return dt.datetime.fromisoformat(s).replace(tzinfo=tz)


def days(first: str, last: str) -> list[dt.date]:
    d, end, out = D(first), D(last), []
    while d <= end:
        out.append(d)
        d += dt.timedelta(days=1)
    return out


# The official 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知).
HOLIDAYS_2026 = [
    *days("2026-01-01", "2026-01-03"),  # 元旦
    *days("2026-02-15", "2026-02-23"),  # 春节
    *days("2026-04-04", "2026-04-06"),  # 清明
    *days("2026-05-01", "2026-05-05"),  # 劳动节
    *days("2026-06-19", "2026-06-21"),  # 端午
    *days("2026-09-25", "2026-09-27"),  # 中秋
    *days("2026-10-01", "2026-10-07"),  # 国庆
]
MAKEUP_WORKDAYS_2026 = [
    D("2026-01-04"),  # Sunday
    D("2026-02-14"),  # Saturday
    D("2026-02-28"),  # Saturday
    D("2026-05-09"),  # Saturday
    D("2026-09-20"),  # Sunday
    D("2026-10-10"),  # Saturday
]


def unsaved(**kwargs: Any) -> WorkCalendar:
    """A calendar that is never saved: no override query, for the pure arithmetic."""
    return WorkCalendar(name="标准", **kwargs)


def make_calendar(**kwargs: Any) -> WorkCalendar:
    kwargs.setdefault("name", f"日历{next(_seq)}")
    return WorkCalendar.objects.create(**kwargs)


@pytest.fixture
def cal(db: Any) -> WorkCalendar:
    return make_calendar()


# --- which days are working days -----------------------------------------------------------
@pytest.mark.parametrize("day", HOLIDAYS_2026, ids=str)
def test_2026_public_holidays_are_days_off(day: dt.date) -> None:
    assert not is_working_day(unsaved(), day)


@pytest.mark.parametrize("day", MAKEUP_WORKDAYS_2026, ids=str)
def test_2026_makeup_days_are_working_days(day: dt.date) -> None:
    assert day.weekday() >= 5  # a weekend day…
    assert is_working_day(unsaved(), day)  # …worked in exchange (调休)


def test_2026_every_other_day_follows_the_week() -> None:
    special = set(HOLIDAYS_2026) | set(MAKEUP_WORKDAYS_2026)
    cal = unsaved()
    for day in days("2026-01-01", "2026-12-31"):
        if day not in special:
            assert is_working_day(cal, day) == (day.weekday() < 5), day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-03-10", True),  # Tuesday
        ("2026-03-13", True),  # Friday
        ("2026-03-14", False),  # Saturday
        ("2026-03-15", False),  # Sunday
        ("2026-12-31", True),  # Thursday, the package's last known day
    ],
)
def test_ordinary_weekdays_and_weekends(day: str, working: bool) -> None:
    assert is_working_day(unsaved(), D(day)) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-01-01", True),  # not yet published: a Friday is a working day
        ("2027-01-02", False),
        ("2027-01-04", True),
        ("2035-10-01", True),  # Monday
        ("2003-06-02", True),  # before the package's first year
        ("2003-06-01", False),
    ],
)
def test_outside_the_packages_years_monday_to_friday(day: str, working: bool) -> None:
    assert is_working_day(unsaved(), D(day)) is working


def test_overrides_beat_the_package(cal: WorkCalendar) -> None:
    other = make_calendar()
    CalendarOverride.objects.create(calendar=cal, date=D("2026-10-08"), is_working_day=False)
    CalendarOverride.objects.create(calendar=cal, date=D("2026-02-16"), is_working_day=True)
    CalendarOverride.objects.create(calendar=cal, date=D("2026-02-14"), is_working_day=False)
    CalendarOverride.objects.create(calendar=cal, date=D("2026-03-14"), is_working_day=True)
    CalendarOverride.objects.create(calendar=cal, date=D("2027-01-01"), is_working_day=False)

    assert not is_working_day(cal, D("2026-10-08"))  # ordinary Thursday, declared off
    assert is_working_day(cal, D("2026-02-16"))  # Spring Festival, declared working
    assert not is_working_day(cal, D("2026-02-14"))  # 调休 Saturday, declared off
    assert is_working_day(cal, D("2026-03-14"))  # ordinary Saturday, declared working
    assert not is_working_day(cal, D("2027-01-01"))  # beyond the package
    # Another calendar is not affected.
    assert is_working_day(other, D("2026-10-08"))
    assert not is_working_day(other, D("2026-02-16"))

    # Working time follows the overrides too.
    assert add_working_time(cal, at("2026-10-07 10:00"), H) == at("2026-10-09 09:30")
    assert add_working_time(cal, at("2026-02-13 17:00"), H) == at("2026-02-16 09:00")


# --- adding working time -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "delta", "expected"),
    [
        ("2026-03-10 09:00", H, "2026-03-10 10:00"),  # plain
        ("2026-03-10 11:00", 2 * H, "2026-03-10 14:30"),  # across the lunch break
        ("2026-03-10 11:00", H, "2026-03-10 12:00"),  # ends exactly at noon, not at 13:30
        ("2026-03-10 12:00", 30 * M, "2026-03-10 14:00"),  # starts in the lunch break
        ("2026-03-10 07:00", 30 * M, "2026-03-10 09:00"),  # starts before work
        ("2026-03-10 17:00", H, "2026-03-11 09:00"),  # overnight
        ("2026-03-10 22:00", H, "2026-03-11 09:30"),  # starts at night
        ("2026-03-10 08:30", 7 * H + 30 * M, "2026-03-10 17:30"),  # one full day
        ("2026-03-10 08:30", 15 * H, "2026-03-11 17:30"),  # two full days
        ("2026-03-13 17:00", H, "2026-03-16 09:00"),  # over a weekend
        ("2026-03-14 10:00", H, "2026-03-16 09:30"),  # starts on a Saturday
        # Spring Festival: Friday 13th, then the 调休 Saturday 14th, then 15th–23rd off.
        ("2026-02-13 16:00", 8 * H, "2026-02-14 16:30"),
        ("2026-02-13 16:00", 16 * H, "2026-02-24 17:00"),
        ("2026-02-14 17:00", H, "2026-02-24 09:00"),
        ("2026-02-18 10:00", H, "2026-02-24 09:30"),  # starts inside the holiday
        # 调休 Saturdays are worked.
        ("2026-02-27 17:00", H, "2026-02-28 09:00"),
        ("2026-05-08 17:00", H, "2026-05-09 09:00"),
        ("2026-09-19 10:00", H, "2026-09-20 09:30"),  # Sunday 20 Sept is worked
        ("2026-09-30 17:00", H, "2026-10-08 09:00"),  # National Day week
        ("2026-12-31 17:00", H, "2027-01-01 09:00"),  # beyond the package: Monday–Friday
    ],
)
def test_add_working_time(start: str, delta: dt.timedelta, expected: str) -> None:
    assert add_working_time(unsaved(), at(start), delta) == at(expected)


@pytest.mark.parametrize(
    ("start", "delta", "expected"),
    [
        ("2026-03-10 10:00", -H, "2026-03-10 09:00"),
        ("2026-03-10 14:00", -H, "2026-03-10 11:30"),  # back across lunch
        ("2026-03-16 09:00", -H, "2026-03-13 17:00"),  # back over a weekend
        ("2026-02-24 09:00", -H, "2026-02-14 17:00"),  # back over the Spring Festival
        ("2026-03-10 13:30", -30 * M, "2026-03-10 11:30"),
    ],
)
def test_subtract_working_time(start: str, delta: dt.timedelta, expected: str) -> None:
    assert add_working_time(unsaved(), at(start), delta) == at(expected)


def test_zero_delta_returns_the_start() -> None:
    t = at("2026-03-14 10:00")  # a Saturday
    assert add_working_time(unsaved(), t, dt.timedelta(0)) == t


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_time(unsaved(), dt.datetime(2026, 3, 10, 9), H)
    with pytest.raises(ValueError, match="aware"):
        working_time_between(unsaved(), dt.datetime(2026, 3, 10, 9), at("2026-03-11 09:00"))


# --- working time between two instants -----------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-03-10 09:00", "2026-03-10 10:00", H),
        ("2026-03-10 11:00", "2026-03-10 14:30", 2 * H),
        ("2026-03-10 12:10", "2026-03-10 13:20", dt.timedelta(0)),  # all lunch
        ("2026-03-10 00:00", "2026-03-11 00:00", 7 * H + 30 * M),
        ("2026-03-13 17:00", "2026-03-16 09:00", H),
        ("2026-02-13 16:00", "2026-02-24 17:00", 16 * H),
        ("2026-03-10 10:00", "2026-03-10 09:00", dt.timedelta(0)),  # b before a
        ("2026-03-10 10:00", "2026-03-10 10:00", dt.timedelta(0)),
        ("2026-10-01 00:00", "2026-10-08 00:00", dt.timedelta(0)),  # National Day week
    ],
)
def test_working_time_between(a: str, b: str, expected: dt.timedelta) -> None:
    assert working_time_between(unsaved(), at(a), at(b)) == expected


def test_a_working_year() -> None:
    # 2026: 365 days − 104 weekend days − 13 holidays on weekdays + 6 调休 days = 254… (check
    # with the package): every working day counts 7½ hours.
    cal = unsaved()
    working = sum(1 for d in days("2026-01-01", "2026-12-31") if is_working_day(cal, d))
    total = working_time_between(cal, at("2026-01-01 00:00"), at("2027-01-01 00:00"))
    assert total == working * (7 * H + 30 * M)
    assert working == 365 - 104 - len([d for d in HOLIDAYS_2026 if d.weekday() < 5]) + 6


@pytest.mark.django_db
def test_between_and_add_are_inverse_over_many_start_points() -> None:
    """Property: for many starts s and deltas d, between(s, add(s, d)) == d, add(s, d) is the
    first such instant, and counting backwards mirrors it."""
    cal = make_calendar()
    CalendarOverride.objects.create(calendar=cal, date=D("2026-02-10"), is_working_day=False)
    CalendarOverride.objects.create(calendar=cal, date=D("2026-02-21"), is_working_day=True)
    schedule = WorkSchedule(cal)
    deltas = [M, 45 * M, 3 * H + 30 * M, 7 * H + 30 * M, 8 * H, 30 * H, 100 * H]
    start = at("2026-02-01 00:00")
    tick = dt.timedelta(minutes=97)  # not a divisor of a day: starts land at every hour
    checked = 0
    for i in range(0, 28 * 24 * 60 // 97):
        s = start + i * tick
        for d in deltas:
            end = schedule.add(s, d)
            assert schedule.between(s, end) == d, (s, d, end)
            assert schedule.between(s, end - dt.timedelta(microseconds=1)) < d, (s, d)
            assert schedule.is_working_time(end - dt.timedelta(microseconds=1))
            back = schedule.add(s, -d)
            assert schedule.between(back, s) == d, (s, -d, back)
            checked += 1
    assert checked > 2500


@pytest.mark.django_db
def test_module_functions_agree_with_a_reused_schedule() -> None:
    cal = make_calendar()
    schedule = WorkSchedule(cal)
    for i in range(40):
        s = at("2026-09-15 07:00") + i * dt.timedelta(hours=7, minutes=13)
        d = dt.timedelta(minutes=17 * i + 5)
        end = add_working_time(cal, s, d)
        assert end == schedule.add(s, d)
        assert working_time_between(cal, s, end) == d
        assert next_working_instant(cal, s) == schedule.next_working_instant(s)


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        ("2026-03-10 09:00", "2026-03-10 09:00"),  # already working time
        ("2026-03-10 08:30", "2026-03-10 08:30"),
        ("2026-03-10 12:00", "2026-03-10 13:30"),  # a period's end is not working time
        ("2026-03-10 17:30", "2026-03-11 08:30"),
        ("2026-03-14 09:00", "2026-03-16 08:30"),  # Saturday
        ("2026-02-15 09:00", "2026-02-24 08:30"),  # Spring Festival
        ("2026-02-13 18:00", "2026-02-14 08:30"),  # the 调休 Saturday follows
    ],
)
def test_next_working_instant(t: str, expected: str) -> None:
    assert next_working_instant(unsaved(), at(t)) == at(expected)


def test_add_working_days() -> None:
    cal = unsaved()
    assert add_working_days(cal, D("2026-02-13"), 1) == D("2026-02-14")
    assert add_working_days(cal, D("2026-02-13"), 2) == D("2026-02-24")
    assert add_working_days(cal, D("2026-02-24"), -1) == D("2026-02-14")
    assert add_working_days(cal, D("2026-03-13"), 0) == D("2026-03-13")
    assert add_working_days(cal, D("2026-09-30"), 1) == D("2026-10-08")


# --- 7×24 and time zones -------------------------------------------------------------------
def test_around_the_clock_calendar_counts_every_minute() -> None:
    cal = unsaved(around_the_clock=True, working_periods=[])
    start = at("2026-02-14 23:00")
    assert add_working_time(cal, start, 30 * H) == at("2026-02-16 05:00")
    assert add_working_time(cal, start, -30 * H) == at("2026-02-13 17:00")
    assert working_time_between(cal, at("2026-10-01 00:00"), at("2026-10-08 00:00")) == 168 * H
    assert next_working_instant(cal, at("2026-02-17 03:00")) == at("2026-02-17 03:00")
    assert is_working_day(cal, D("2026-02-17"))
    assert is_working_day(cal, D("2026-03-14"))
    marks = WorkSchedule(cal).describe(D("2026-02-14"), D("2026-02-22"))
    assert {(m.is_working_day, m.kind) for m in marks} == {(True, "workday")}


def test_inputs_in_utc_calendar_in_shanghai() -> None:
    cal = unsaved(time_zone="Asia/Shanghai")
    start = dt.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    end = add_working_time(cal, start, 2 * H)
    assert end == dt.datetime(2026, 3, 10, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    assert end.tzinfo is UTC  # the answer comes in the zone it was asked in
    # Friday 20:00 UTC is already Saturday 04:00 in Shanghai: next is Monday 08:30 (00:30 UTC).
    friday_night = dt.datetime(2026, 3, 13, 20, 0, tzinfo=UTC)
    assert next_working_instant(cal, friday_night) == dt.datetime(2026, 3, 16, 0, 30, tzinfo=UTC)
    # 2026-02-13 08:00 UTC = 16:00 in Shanghai: same as the Spring Festival case.
    spring = dt.datetime(2026, 2, 13, 8, 0, tzinfo=UTC)
    assert add_working_time(cal, spring, 8 * H) == at("2026-02-14 16:30")
    assert working_time_between(cal, spring, at("2026-02-24 17:00").astimezone(UTC)) == 16 * H


def test_the_same_instant_on_a_utc_calendar() -> None:
    cal = unsaved(time_zone="UTC")
    start = at("2026-03-10 17:00")  # 09:00 UTC
    assert add_working_time(cal, start, H) == at("2026-03-10 18:00")
    assert add_working_time(cal, start, H).tzinfo is SH


@pytest.mark.django_db
def test_daylight_saving_days_are_counted_in_real_time() -> None:
    cal = make_calendar(time_zone="Europe/Berlin", working_periods=[["00:00", "24:00"]])
    CalendarOverride.objects.create(calendar=cal, date=D("2026-03-29"), is_working_day=True)
    CalendarOverride.objects.create(calendar=cal, date=D("2026-10-25"), is_working_day=True)
    berlin = ZoneInfo("Europe/Berlin")
    spring = working_time_between(
        cal, at("2026-03-29 00:00", berlin), at("2026-03-30 00:00", berlin)
    )
    autumn = working_time_between(
        cal, at("2026-10-25 00:00", berlin), at("2026-10-26 00:00", berlin)
    )
    assert spring == 23 * H
    assert autumn == 25 * H
    assert add_working_time(cal, at("2026-03-29 00:00", berlin), 23 * H) == at(
        "2026-03-30 00:00", berlin
    )


# --- efficiency ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_overrides_are_read_with_one_query_per_call(
    django_assert_max_num_queries: Any,
) -> None:
    cal = make_calendar()
    CalendarOverride.objects.create(calendar=cal, date=D("2026-06-01"), is_working_day=False)
    with django_assert_max_num_queries(1):
        end = add_working_time(cal, at("2026-03-02 09:00"), 600 * H)  # about four months
    assert working_time_between(cal, at("2026-03-02 09:00"), end) == 600 * H
    with django_assert_max_num_queries(1):
        working_time_between(cal, at("2026-01-01 00:00"), at("2026-12-31 00:00"))
    schedule = WorkSchedule(cal)  # a batch: the loaded range grows two months at a time
    with django_assert_max_num_queries(2):
        for i in range(200):
            schedule.add(at("2026-03-02 09:00") + i * 3 * H, 20 * H)


# --- the default calendar and the service ---------------------------------------------------
@pytest.mark.django_db
def test_default_calendar_is_created_once() -> None:
    assert not WorkCalendar.objects.exists()
    first = default_calendar()
    assert first.name == "标准工作日历"
    assert first.is_default
    assert first.working_periods == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert default_calendar().pk == first.pk
    assert WorkCalendar.objects.count() == 1
    assert audit.history(first).filter(action=AuditAction.CREATE).count() == 1


@pytest.mark.django_db
def test_default_calendar_returns_the_existing_default() -> None:
    make_calendar()
    chosen = make_calendar(is_default=True)
    assert default_calendar().pk == chosen.pk
    assert WorkCalendar.objects.count() == 2


@pytest.mark.django_db
def test_only_one_default_calendar() -> None:
    service = WorkCalendarService()
    a = service.create(None, {"name": "甲", "is_default": True}, check=False)
    b = service.create(None, {"name": "乙", "is_default": True}, check=False)
    a.refresh_from_db()
    assert b.is_default and not a.is_default
    rec = audit.history(a).get(action=AuditAction.UPDATE)
    assert rec.changes == {"is_default": [True, False]}
    service.update(None, a, {"is_default": True}, check=False)
    b.refresh_from_db()
    assert not b.is_default
    assert list(WorkCalendar.objects.filter(is_default=True)) == [a]


@pytest.mark.parametrize(
    ("periods", "fragment"),
    [
        ("08:30-12:00", "list of periods"),
        ({"from": "08:30"}, "list of periods"),
        ([["08:30"]], "not a period"),
        (["08:30", "12:00"], "not a period"),
        ([["8:3x", "12:00"]], "not a time of day"),
        ([["08:30", "25:00"]], "not a time of day"),
        ([["24:00", "24:00"]], "not a time of day"),
        ([[830, 1200]], "not a time of day"),
        ([["12:00", "08:30"]], "must end after it starts"),
        ([["08:30", "08:30"]], "must end after it starts"),
        ([["08:30", "12:00"], ["11:00", "17:30"]], "overlap or are out of order"),
        ([["13:30", "17:30"], ["08:30", "12:00"]], "overlap or are out of order"),
        ([], "at least one working period"),
    ],
)
@pytest.mark.django_db
def test_bad_working_periods_are_refused_with_a_field_error(periods: Any, fragment: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        WorkCalendarService().create(None, {"name": "坏", "working_periods": periods}, check=False)
    assert list(exc.value.error_dict) == ["working_periods"]
    assert fragment in " ".join(exc.value.message_dict["working_periods"])
    assert not WorkCalendar.objects.exists()


@pytest.mark.django_db
def test_working_periods_are_normalised() -> None:
    service = WorkCalendarService()
    cal = service.create(
        None,
        {
            "name": "夜班",
            "working_periods": [["8:00", "12:00"], ["12:00", "18:00"], ["20:00", "24:00"]],
        },
        check=False,
    )
    assert cal.working_periods == [["08:00", "12:00"], ["12:00", "18:00"], ["20:00", "24:00"]]
    assert add_working_time(cal, at("2026-03-10 23:00"), 2 * H) == at("2026-03-11 09:00")
    seven = service.create(
        None, {"name": "7×24", "around_the_clock": True, "working_periods": []}, check=False
    )
    # A 7×24 calendar ignores its periods; empty ones are replaced by the standard hours.
    assert seven.working_periods == [["08:30", "12:00"], ["13:30", "17:30"]]


@pytest.mark.django_db
def test_an_override_per_calendar_and_day(cal: WorkCalendar) -> None:
    service = CalendarOverrideService()
    data = {"calendar": cal, "date": D("2026-10-08"), "is_working_day": False}
    service.create(None, data, check=False)
    with pytest.raises(ValidationError):
        service.create(None, data | {"is_working_day": True}, check=False)
    assert not is_working_day(cal, D("2026-10-08"))


@pytest.mark.django_db
def test_bad_time_zone_is_refused() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        WorkCalendarService().create(None, {"name": "坏", "time_zone": "Mars/Olympus"}, check=False)
    assert list(exc.value.error_dict) == ["time_zone"]
    assert "Mars/Olympus" in exc.value.message_dict["time_zone"][0]


# --- pages ---------------------------------------------------------------------------------
def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_director_sees_calendar_pages_with_the_month_view() -> None:
    cal = default_calendar()
    CalendarOverride.objects.create(
        calendar=cal, date=D("2026-03-06"), is_working_day=False, note="全院停电检修"
    )
    director = user_with_role("director")
    c = _client(director)
    with translation.override("en"):
        r = c.get(reverse("workcal:workcalendar_list"))
        assert r.status_code == 200
        assert cal.name in r.content.decode()
        r = c.get(reverse("workcal:workcalendar_detail", args=[cal.pk]), {"month": "2026-02"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="nd-month-view"' in html
    assert "08:30–12:00, 13:30–17:30" in html
    assert 'class="nd-day nd-makeup bg-warning-subtle" data-date="2026-02-14"' in html
    assert 'nd-holiday bg-danger-subtle" data-date="2026-02-16"' in html
    assert 'nd-makeup bg-warning-subtle" data-date="2026-02-28"' in html
    assert 'nd-weekend bg-body-tertiary text-body-secondary" data-date="2026-03-07"' in html
    assert 'nd-override_off bg-secondary-subtle" data-date="2026-03-06"' in html
    assert "全院停电检修" in html
    assert 'data-date="2026-04-01"' not in html  # two months only
    assert "春节" in html  # holiday names in the user's language (the package knows both)
    assert "?month=2026-03" in html and "?month=2026-01" in html
    UserProfile.objects.update_or_create(user=director, defaults={"language": "en"})
    r = c.get(reverse("workcal:workcalendar_detail", args=[cal.pk]), {"month": "2026-02"})
    assert "Spring Festival" in r.content.decode()
    # Without a month: the current month and the next; a bad month is ignored.
    assert c.get(reverse("workcal:workcalendar_detail", args=[cal.pk])).status_code == 200
    r = c.get(reverse("workcal:workcalendar_detail", args=[cal.pk]), {"month": "2026-13"})
    assert r.status_code == 200
    r = c.get(reverse("workcal:calendaroverride_list"), {"calendar": cal.pk})
    assert r.status_code == 200
    assert "全院停电检修" in r.content.decode()


@pytest.mark.django_db
def test_requester_may_not_see_calendars() -> None:
    cal = default_calendar()
    override = CalendarOverride.objects.create(
        calendar=cal, date=D("2026-03-06"), is_working_day=False
    )
    requester = user_with_role("requester")
    c = _client(requester)
    assert c.get(reverse("workcal:workcalendar_list")).status_code == 403
    assert c.get(reverse("workcal:workcalendar_detail", args=[cal.pk])).status_code == 403
    assert c.get(reverse("workcal:calendaroverride_list")).status_code == 403
    assert c.get(reverse("workcal:calendaroverride_detail", args=[override.pk])).status_code == 403
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=requester).exists()


@pytest.mark.django_db
def test_team_scoped_engineer_reads_but_does_not_change_global_overrides() -> None:
    # Calendars are configuration (issue 8): seen whole at any scope, changed by leads only.
    cal = default_calendar()
    CalendarOverride.objects.create(calendar=cal, date=D("2026-03-06"), is_working_day=False)
    c = _client(user_with_role("engineer"))
    r = c.get(reverse("workcal:calendaroverride_list"))
    assert r.status_code == 200
    assert "2026-03-06" in r.content.decode()
    assert c.get(reverse("workcal:calendaroverride_add")).status_code == 403


@pytest.mark.django_db
def test_form_and_api_refuse_bad_working_periods() -> None:
    director = user_with_role("director")
    UserProfile.objects.update_or_create(user=director, defaults={"language": "en"})
    c = ui_client(director)
    with translation.override("en"):
        r = c.post(
            reverse("workcal:workcalendar_add"),
            {
                "name": "坏日历",
                "time_zone": "Asia/Shanghai",
                "working_periods": "13:30-17:30, 08:30-12:00",
            },
        )
        assert r.status_code == 422
        assert "overlap or are out of order" in str(r.context["form"].errors["working_periods"])
        r = c.post(
            reverse("workcal:workcalendar_add"),
            {"name": "坏日历", "time_zone": "Asia/Shanghai", "working_periods": "8点半到12点"},
        )
        assert r.status_code == 422
        assert "working_periods" in r.context["form"].errors
        r = api_client(director).post(
            reverse("workcal-workcalendar-list"),
            {
                "name": "坏日历",
                "time_zone": "Asia/Shanghai",
                "working_periods": [["12:00", "08:30"]],
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 400
    assert "working_periods" in r.json()
    assert not WorkCalendar.objects.filter(name="坏日历").exists()

    r = c.post(
        reverse("workcal:workcalendar_add"),
        {
            "name": "好日历",
            "time_zone": "Asia/Shanghai",
            "working_periods": "8:00-12:00，14:00~18:00",
        },
    )
    assert r.status_code == 302
    assert WorkCalendar.objects.get(name="好日历").working_periods == [
        ["08:00", "12:00"],
        ["14:00", "18:00"],
    ]
    edit = c.get(
        reverse("workcal:workcalendar_edit", args=[WorkCalendar.objects.get(name="好日历").pk])
    )
    assert "08:00-12:00, 14:00-18:00" in edit.content.decode()
