from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models.base import BaseModel


def default_working_periods() -> list[list[str]]:
    return [["08:30", "12:00"], ["13:30", "17:30"]]


class WorkCalendar(BaseModel):
    """A working calendar: working hours per day, on Chinese public holidays and 调休 days.

    ``around_the_clock`` calendars (7×24) count every minute. Otherwise a day is a working day
    per the ``chinesecalendar`` package unless a ``CalendarOverride`` says otherwise, and only
    the ``working_periods`` of a working day count.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    around_the_clock = models.BooleanField(_("7×24"), default=False)
    working_periods = models.JSONField(
        _("working hours"),
        default=default_working_periods,
        help_text=_('Periods of a working day, e.g. [["08:30", "12:00"], ["13:30", "17:30"]].'),
    )
    is_default = models.BooleanField(_("default calendar"), default=False)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_workcalendar"  # kept when the model left core
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarOverride(BaseModel):
    """An administrator's correction of one day: working or not, whatever the package says."""

    calendar = models.ForeignKey(
        WorkCalendar, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        db_table = "core_calendaroverride"  # kept when the model left core
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_once")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.date:%Y-%m-%d}"

    @property
    def day(self) -> datetime.date:
        return self.date
