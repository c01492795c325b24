"""Periodic job of the working calendar: the reminder about unknown public holidays."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from netdept.core import context
from netdept.notify import listing, notify
from netdept.notify.engine import holders_of
from netdept.tasks.scheduler import periodic
from netdept.workcal import holidays


@task(queue_name="default")
def remind_holidays_unknown() -> int:
    """Every Monday: tell the calendar administrators about working calendars missing this
    year's or (from October) next year's public holidays. Returns how many calendars."""
    today = timezone.localdate()
    found = holidays.calendars_missing(today)
    admins = holders_of("workcal.add_calendaroverride")
    if not found or not admins:
        return len(found)
    week = today.isocalendar()
    with context.acting(None, None, "task"), transaction.atomic():
        for calendar, years in found:
            notify(
                "core.holidays_unknown",
                recipients=admins,
                severity="warning",
                data={"calendar": calendar.name, "years": listing(years)},
                link=reverse("workcal:calendar_schedule", args=[calendar.pk]),
                dedupe_key=f"holidays:{calendar.pk}:{years}:{week.year}-{week.week}",
            )
    return len(found)


periodic("core.remind_holidays_unknown", "0 9 * * 1", remind_holidays_unknown, queue="default")
