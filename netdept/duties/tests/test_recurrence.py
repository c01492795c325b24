"""Recurrences read on the working calendar of 2026 (the State Council's holidays and 调休
days, through ``chinesecalendar``): a Monday on a holiday moves to the next working day; a
Sunday that is a 调休 working day keeps its due; every 15 days across the Spring Festival; the
last working day of the month when the last day is a 调休 Saturday; and the refusals of
``validate`` (each naming the field)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from netdept.duties import recurrence
from netdept.workcal.models import WorkCalendar
from netdept.workcal.schedule import WorkSchedule

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


@dataclass
class Rule:
    rrule: str
    starts_on: dt.date = dt.date(2026, 1, 1)
    ends_on: dt.date | None = None
    due_time: dt.time = dt.time(17, 0)
    shift: str = "next"


@pytest.fixture
def sched() -> WorkSchedule:
    # an unsaved calendar: no overrides, the package's 2026 holidays and 调休 days decide
    return WorkSchedule(WorkCalendar(name="标准工作日历", time_zone="Asia/Shanghai"))


def days(rule: Rule, first: dt.date, last: dt.date, sched: WorkSchedule) -> list[dt.date]:
    return recurrence.due_days(rule, first, last, sched)


def test_monday_on_a_holiday_moves_to_the_next_working_day(sched: WorkSchedule) -> None:
    monday = Rule("FREQ=WEEKLY;BYDAY=MO")
    # Spring Festival: Mon 16 Feb and Mon 23 Feb are holidays (15–23 Feb off)
    assert days(monday, D(2026, 2, 9), D(2026, 3, 2), sched) == [
        D(2026, 2, 9), D(2026, 2, 24), D(2026, 3, 2),
    ]  # fmt: skip
    # Labour Day: Mon 4 May off → Wed 6 May; National Day: Mon 5 Oct off → Thu 8 Oct
    assert days(monday, D(2026, 5, 1), D(2026, 5, 10), sched) == [D(2026, 5, 6)]
    assert days(monday, D(2026, 10, 1), D(2026, 10, 12), sched) == [D(2026, 10, 8), D(2026, 10, 12)]
    # Tomb-sweeping: Mon 6 Apr → Tue 7 Apr
    assert days(monday, D(2026, 4, 6), D(2026, 4, 7), sched) == [D(2026, 4, 7)]


def test_a_shift_into_the_range_from_before_it_counts(sched: WorkSchedule) -> None:
    # asked for 24 Feb only: the Monday of 16 Feb and of 23 Feb both land on it, once
    monday = Rule("FREQ=WEEKLY;BYDAY=MO")
    assert days(monday, D(2026, 2, 24), D(2026, 2, 24), sched) == [D(2026, 2, 24)]


def test_due_instants_are_at_the_due_time_in_shanghai(sched: WorkSchedule) -> None:
    monday = Rule("FREQ=WEEKLY;BYDAY=MO", due_time=dt.time(9, 0))
    found = recurrence.due_instants(monday, D(2026, 2, 16), D(2026, 2, 28), sched)
    assert found == [dt.datetime(2026, 2, 24, 9, 0, tzinfo=SH)]
    assert found[0].astimezone(dt.UTC).hour == 1


def test_sunday_due_kept_on_a_tiaoxiu_sunday(sched: WorkSchedule) -> None:
    # "before Sunday": a day off moves to the Friday before — except 4 Jan and 20 Sep 2026,
    # Sundays that are 调休 working days, when the due stays on the Sunday
    sunday = Rule("FREQ=WEEKLY;BYDAY=SU", shift="previous")
    assert days(sunday, D(2026, 1, 1), D(2026, 1, 18), sched) == [
        D(2026, 1, 4), D(2026, 1, 9), D(2026, 1, 16),
    ]  # fmt: skip
    assert days(sunday, D(2026, 9, 14), D(2026, 9, 27), sched) == [
        D(2026, 9, 20), D(2026, 9, 24),
    ]  # 27 Sep → Thu 24 Sep (Fri 25 Sep is the Mid-autumn Festival)  # fmt: skip
    # kept: due on Sunday 17:00 whatever the day is (the rule's own setting)
    kept = Rule("FREQ=WEEKLY;BYDAY=SU", shift="keep")
    assert days(kept, D(2026, 1, 1), D(2026, 1, 18), sched) == [
        D(2026, 1, 4), D(2026, 1, 11), D(2026, 1, 18),
    ]  # fmt: skip
    # dropped on days off: only the 调休 Sundays remain
    skip = Rule("FREQ=WEEKLY;BYDAY=SU", shift="skip")
    assert days(skip, D(2026, 1, 1), D(2026, 12, 31), sched) == [D(2026, 1, 4), D(2026, 9, 20)]


def test_every_15_days_across_the_spring_festival(sched: WorkSchedule) -> None:
    rule = Rule("FREQ=DAILY;INTERVAL=15", starts_on=D(2026, 1, 5))
    # raw: 5 Jan, 20 Jan, 4 Feb, 19 Feb (holiday → Tue 24 Feb), 6 Mar (Fri), 21 Mar (Sat → 23)
    assert days(rule, D(2026, 1, 1), D(2026, 3, 31), sched) == [
        D(2026, 1, 5), D(2026, 1, 20), D(2026, 2, 4), D(2026, 2, 24), D(2026, 3, 6),
        D(2026, 3, 23),
    ]  # fmt: skip
    # the cycle counts calendar days from the start, not from the shifted day
    assert days(rule, D(2026, 4, 1), D(2026, 4, 30), sched) == [
        D(2026, 4, 7), D(2026, 4, 20),
    ]  # 5 Apr (Sun) → Tue 7 Apr (6 Apr is Tomb-sweeping); 20 Apr  # fmt: skip


def test_last_working_day_of_the_month(sched: WorkSchedule) -> None:
    rule = Rule("FREQ=MONTHLY;BYMONTHDAY=-1", shift="previous")
    assert days(rule, D(2026, 1, 1), D(2026, 12, 31), sched) == [
        D(2026, 1, 30),  # 31 Jan is a Saturday
        D(2026, 2, 28),  # a Saturday, but a 调休 working day
        D(2026, 3, 31), D(2026, 4, 30),
        D(2026, 5, 29),  # 31 May is a Sunday
        D(2026, 6, 30), D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30),
        D(2026, 10, 30),  # 31 Oct is a Saturday
        D(2026, 11, 30), D(2026, 12, 31),
    ]  # fmt: skip


def test_every_working_day_includes_tiaoxiu_saturdays(sched: WorkSchedule) -> None:
    rule = Rule("FREQ=DAILY", shift="skip")
    feb = days(rule, D(2026, 2, 9), D(2026, 3, 1), sched)
    assert D(2026, 2, 14) in feb and D(2026, 2, 28) in feb  # 调休 Saturdays
    assert not [d for d in feb if D(2026, 2, 15) <= d <= D(2026, 2, 23)]
    assert len(feb) == 5 + 1 + 4 + 1  # 9–13, 14, 24–27, 28


def test_quarterly_and_yearly_presets(sched: WorkSchedule) -> None:
    quarterly = recurrence.preset("quarterly")
    yearly = recurrence.preset("yearly")
    assert quarterly is not None and yearly is not None
    q = Rule(quarterly.rrule, shift=quarterly.shift)
    assert days(q, D(2026, 1, 1), D(2026, 12, 31), sched) == [
        D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31),
    ]  # fmt: skip
    y = Rule(yearly.rrule, shift=yearly.shift)
    assert days(y, D(2026, 1, 1), D(2027, 12, 31), sched) == [D(2026, 12, 31), D(2027, 12, 31)]


def test_every_preset_validates_and_fires(sched: WorkSchedule) -> None:
    for p in recurrence.PRESETS:
        normal = recurrence.validate(p.rrule, D(2026, 1, 1), None)
        rule = Rule(normal, shift=p.shift, due_time=dt.time.fromisoformat(p.due_time))
        assert days(rule, D(2026, 1, 1), D(2026, 12, 31), sched), p.key


def test_ends_on_and_count_limit_the_days(sched: WorkSchedule) -> None:
    rule = Rule("FREQ=WEEKLY;BYDAY=MO", ends_on=D(2026, 1, 20))
    assert days(rule, D(2026, 1, 1), D(2026, 3, 1), sched) == [
        D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19),
    ]  # fmt: skip
    counted = Rule("FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    assert days(counted, D(2026, 1, 1), D(2026, 3, 1), sched) == [D(2026, 1, 5), D(2026, 1, 12)]


def test_validate_normalises() -> None:
    assert recurrence.validate("rrule:freq=weekly;byday=mo", D(2026, 1, 1), None) == (
        "FREQ=WEEKLY;BYDAY=MO"
    )
    assert recurrence.validate(" FREQ=MONTHLY;BYMONTHDAY=-1; ", D(2026, 1, 1), None) == (
        "FREQ=MONTHLY;BYMONTHDAY=-1"
    )


@pytest.mark.parametrize(
    ("text", "ends_on", "words"),
    [
        ("", None, "Enter a recurrence"),
        ("FREQ=SOMETIMES", None, "FREQ must be"),
        ("BYDAY=MO", None, "needs FREQ"),
        ("FREQ=HOURLY", None, "FREQ must be"),
        ("FREQ=DAILY;BYHOUR=9", None, "BYHOUR cannot be used"),
        ("FREQ=DAILY;FREQ=WEEKLY", None, "given twice"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20270101", None, "COUNT or UNTIL"),
        ("FREQ=WEEKLY;BYDAY=XX", None, "not a valid recurrence"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", None, "never fires within ten years"),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", D(2026, 6, 30), "between its start and its end"),
        ("FREQ=DAILY;UNTIL=20251231", None, "never fires"),
        ("DTSTART:20260101\nRRULE:FREQ=DAILY", None, "one RRULE only"),
        ("FREQ=DAILY;X-NAME=1", None, "not a part of an RRULE"),
    ],
)
def test_validate_refuses_naming_the_field(text: str, ends_on: dt.date | None, words: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        recurrence.validate(text, D(2026, 1, 1), ends_on)
    assert list(exc.value.message_dict) == ["rrule"]
    assert words in " ".join(exc.value.message_dict["rrule"])


def test_validate_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValidationError) as exc:
        recurrence.validate("FREQ=DAILY", D(2026, 3, 1), D(2026, 2, 1))
    assert list(exc.value.message_dict) == ["ends_on"]
