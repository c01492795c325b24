"""Generated CRUD + permission tests of the core pages: working calendars and overrides."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from netdept.testing.crud import CrudTests, form_data
from netdept.workcal.models import CalendarOverride, WorkCalendar

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def periods_text(periods: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in periods)


def make_calendar(**kwargs: Any) -> WorkCalendar:
    i = n()
    return WorkCalendar.objects.create(
        name=kwargs.pop("name", f"日历{i}"),
        working_periods=kwargs.pop("working_periods", [["08:30", "12:00"], ["13:30", "17:30"]]),
        **kwargs,
    )


class TestWorkCalendarCrud(CrudTests):
    model = WorkCalendar  # no scope paths: a scoped holder sees no calendar

    def make(self) -> Any:
        return make_calendar()

    def valid_data(self) -> dict[str, Any]:
        return {
            "name": f"急诊科日历{n()}",
            "time_zone": "Asia/Urumqi",
            "around_the_clock": False,
            "working_periods": [["09:00", "13:00"], ["14:00", "18:00"]],
            "is_default": False,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}-改",
            "time_zone": "Asia/Shanghai",
            "around_the_clock": True,
            "working_periods": [["08:00", "12:00"]],
            "is_default": False,
        }

    def to_form(self, data: dict[str, Any]) -> dict[str, Any]:
        return form_data({**data, "working_periods": periods_text(data["working_periods"])})


class TestCalendarOverrideCrud(CrudTests):
    model = CalendarOverride
    extra_perms = ["workcal.view_workcalendar"]

    def make(self) -> Any:
        return CalendarOverride.objects.create(
            calendar=make_calendar(),
            date=datetime.date(2030, 1, 1) + datetime.timedelta(days=n()),
            is_working_day=True,
            note=f"调休{n()}",
        )

    def valid_data(self) -> dict[str, Any]:
        return {
            "calendar": make_calendar().pk,
            "date": (datetime.date(2031, 1, 1) + datetime.timedelta(days=n())).isoformat(),
            "is_working_day": True,
            "note": "院庆补班",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "calendar": obj.calendar_id,
            "date": obj.date.isoformat(),
            "is_working_day": False,
            "note": "改为休息",
        }
