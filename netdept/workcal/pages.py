"""Pages and API endpoints of core settings: the working calendars and their day overrides."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.core.registry import Page, register
from netdept.workcal import holidays
from netdept.workcal import schedule as workcalendar
from netdept.workcal.models import CalendarOverride, WorkCalendar

_PERIOD_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|–|—|~|～|至|to)\s*(\d{1,2}:\d{2})\s*$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
MONTHS_SHOWN = 2


class WorkingPeriodsField(forms.CharField):
    """Working hours typed as ``08:30-12:00, 13:30-17:30`` (or as JSON); cleaned to pairs.

    Order, overlap and the 24-hour range are checked by the calendar service, so that the API
    gives the same messages.
    """

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            parts = []
            for item in value:
                if isinstance(item, list | tuple) and len(item) == 2:
                    parts.append(f"{item[0]}-{item[1]}")
                else:
                    return json.dumps(value, ensure_ascii=False)
            return ", ".join(parts)
        return value

    def to_python(self, value: Any) -> Any:
        text = str(super().to_python(value) or "").strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                return json.loads(text)
            except ValueError as exc:
                raise forms.ValidationError(
                    _('Enter periods like 08:30-12:00, 13:30-17:30, or JSON [["08:30", "12:00"]].')
                ) from exc
        periods: list[list[str]] = []
        for piece in re.split(r"[,，;；\n]+", text):
            if not piece.strip():
                continue
            m = _PERIOD_RE.match(piece)
            if m is None:
                raise forms.ValidationError(
                    _("“%(value)s” is not a period; write it as 08:30-12:00.")
                    % {"value": piece.strip()}
                )
            periods.append([m.group(1), m.group(2)])
        return periods


class WorkCalendarForm(forms.ModelForm):
    working_periods = WorkingPeriodsField(
        label=capfirst(_("working hours")),
        required=False,
        help_text=_("Periods of a working day, e.g. 08:30-12:00, 13:30-17:30."),
    )

    class Meta:
        model = WorkCalendar
        fields = ["name", "time_zone", "around_the_clock", "working_periods", "is_default"]


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["calendar", "date", "is_working_day", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is None:
            default = WorkCalendar.objects.filter(is_default=True).values_list("pk", flat=True)
            self.initial.setdefault("calendar", default.first())


# --- month view on the calendar's detail page -------------------------------------------
def _first_month(request: HttpRequest, tz: dt.tzinfo) -> dt.date:
    m = _MONTH_RE.match(request.GET.get("month", ""))
    if m is not None and 1 <= int(m.group(2)) <= 12 and 1900 <= int(m.group(1)) <= 2999:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    return timezone.now().astimezone(tz).date().replace(day=1)


def _add_months(first: dt.date, n: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_view(calendar: WorkCalendar, first: dt.date, count: int = MONTHS_SHOWN) -> dict[str, Any]:
    """Weeks (Monday first) of ``count`` months from ``first``, each day marked."""
    schedule = workcalendar.WorkSchedule(calendar)
    last = _add_months(first, count) - workcalendar.ONE_DAY
    infos = {d.date: d for d in schedule.describe(first, last)}
    today = timezone.now().astimezone(schedule.tz).date()
    months = []
    for i in range(count):
        start = _add_months(first, i)
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(start.year, start.month):
            weeks.append(
                [
                    {"info": infos[d], "today": d == today} if d.month == start.month else None
                    for d in week
                ]
            )
        months.append(
            {
                "title": date_format(start, "YEAR_MONTH_FORMAT"),
                "weeks": weeks,
                "working_days": sum(
                    1 for d in infos.values() if d.is_working_day and d.date.month == start.month
                ),
            }
        )
    return {
        "months": months,
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        "prev_month": _add_months(first, -1).strftime("%Y-%m"),
        "next_month": _add_months(first, 1).strftime("%Y-%m"),
        "this_month": today.replace(day=1).strftime("%Y-%m"),
    }


def calendar_detail(request: HttpRequest, obj: WorkCalendar) -> dict[str, Any]:
    try:
        schedule_tz = workcalendar.check_time_zone(obj.time_zone)
        periods = workcalendar.calendar_periods(obj)
    except (ValueError, ValidationError):
        return {
            "detail_template": "workcal/workcalendar_detail.html",
            "calendar_broken": True,
        }
    ctx = month_view(obj, _first_month(request, schedule_tz))
    ctx["detail_template"] = "workcal/workcalendar_detail.html"
    ctx["missing_years"] = holidays.missing_years(obj, timezone.localdate())
    ctx["can_enter_schedule"] = not obj.around_the_clock and permissions.has_perm(
        request.user, "workcal.add_calendaroverride"
    )
    ctx["periods_text"] = workcalendar.format_periods(periods)
    return ctx


register(
    Page(
        model=WorkCalendar,
        nav_group="system",
        nav_order=40,
        icon="bi-calendar3",
        fields=["name", "time_zone", "around_the_clock", "working_periods", "is_default"],
        columns=[
            "name",
            "time_zone",
            "around_the_clock",
            "working_periods",
            "is_default",
            "created_at",
            "updated_at",
        ],
        default_columns=["name", "time_zone", "around_the_clock", "is_default"],
        detail_fields=["name", "time_zone", "around_the_clock", "is_default", "updated_at"],
        filters=["around_the_clock", "is_default", "time_zone"],
        search=["name", "time_zone"],
        form_class=WorkCalendarForm,
        service=workcalendar.WorkCalendarService(),
        extra_detail=calendar_detail,
    )
)
register(
    Page(
        model=CalendarOverride,
        nav_group="system",
        nav_order=41,
        icon="bi-calendar-x",
        fields=["calendar", "date", "is_working_day", "note"],
        columns=["date", "calendar", "is_working_day", "note", "created_at", "updated_at"],
        default_columns=["date", "calendar", "is_working_day", "note"],
        filters=["calendar", "date", "is_working_day"],
        search=["note", "calendar__name"],
        ordering=["-date", "calendar__name"],
        select_related=["calendar"],
        form_class=CalendarOverrideForm,
        service=workcalendar.CalendarOverrideService(),
    )
)
