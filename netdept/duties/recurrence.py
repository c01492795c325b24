"""When a duty falls due: an RFC 5545 ``RRULE`` (expanded with python-dateutil) read on the
working calendar.

The rule gives days; the duty's ``due_time`` gives the time of day, read in the calendar's time
zone (Asia/Shanghai by default). A day the rule gives that is not a working day becomes what
``duty.shift`` says: kept, dropped, or moved to the next or the previous working day (a day
moved onto a day the rule already gives counts once). A 调休 weekend working day is a working
day: a rule on Sundays with ``shift=previous`` is due on the Friday before, except on a Sunday
that is a make-up working day, when it stays on the Sunday.

``validate`` refuses a rule that is not one ``RRULE`` of days (no times: the due time is the
duty's) or that never fires between ``starts_on`` and ``ends_on``; ``due_instants`` answers the
due instants of a duty within a range of days. ``PRESETS`` are the form's ready-made rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Protocol

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.workcal.schedule import WorkSchedule

#: a shifted occurrence may move this far; days this far around a range are expanded too
SHIFT_REACH: Final = dt.timedelta(days=45)
#: a rule without an end must fire within this many years of its start
FIRES_WITHIN_YEARS: Final = 10
#: the parts of an RRULE a duty may use (times of day are the duty's ``due_time``)
ALLOWED_PARTS: Final = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY",
     "BYWEEKNO", "BYSETPOS", "WKST"}
)  # fmt: skip
ALLOWED_FREQ: Final = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_PART_RE = re.compile(r"^[A-Z]+=[A-Z0-9,+\-:TZ]+$")


class DutyTimes(Protocol):
    """What the expansion reads of a duty (a ``Duty`` or anything shaped like one)."""

    rrule: str
    starts_on: dt.date
    ends_on: dt.date | None
    due_time: dt.time
    shift: str


@dataclass(frozen=True)
class Preset:
    key: str
    label: str | Promise
    rrule: str
    due_time: str
    shift: str


PRESETS: Final = (
    Preset("workdays", gettext_lazy("every working day at 09:00"), "FREQ=DAILY", "09:00", "skip"),
    Preset(
        "monday",
        gettext_lazy("every Monday (the next working day when Monday is a holiday)"),
        "FREQ=WEEKLY;BYDAY=MO",
        "17:00",
        "next",
    ),
    Preset(
        "sunday",
        gettext_lazy("weekly, before Sunday 17:00"),
        "FREQ=WEEKLY;BYDAY=SU",
        "17:00",
        "keep",
    ),
    Preset("15days", gettext_lazy("every 15 days"), "FREQ=DAILY;INTERVAL=15", "17:00", "next"),
    Preset(
        "month_end",
        gettext_lazy("the last working day of the month"),
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "17:00",
        "previous",
    ),
    Preset(
        "quarterly",
        gettext_lazy("quarterly (the last working day of the quarter)"),
        "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
        "17:00",
        "previous",
    ),
    Preset(
        "yearly",
        gettext_lazy("yearly (the last working day of the year)"),
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1",
        "17:00",
        "previous",
    ),
)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"rrule": [message]})


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _parse(text: str, starts_on: dt.date) -> rrule:
    """The rule of ``text`` (one RRULE, normalised or not) starting on ``starts_on``."""
    body = text.strip().upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise _refuse(_("Enter a recurrence, for example FREQ=WEEKLY;BYDAY=MO."))
    if "\n" in body or "DTSTART" in body or "EXDATE" in body or "RDATE" in body:
        raise _refuse(_("Enter one RRULE only: the start is the duty's “starts on”."))
    parts = [p.strip() for p in body.strip(";").split(";")]
    names: list[str] = []
    for part in parts:
        if not _PART_RE.match(part):
            raise _refuse(_("“%(part)s” is not a part of an RRULE.") % {"part": part})
        name = part.split("=", 1)[0]
        if name not in ALLOWED_PARTS:
            raise _refuse(
                _("%(name)s cannot be used: the time of day is the duty's due time.")
                % {"name": name}
            )
        if name in names:
            raise _refuse(_("%(name)s is given twice.") % {"name": name})
        names.append(name)
    if "FREQ" not in names:
        raise _refuse(_("The recurrence needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)."))
    freq = next(p for p in parts if p.startswith("FREQ=")).split("=", 1)[1]
    if freq not in ALLOWED_FREQ:
        raise _refuse(_("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "COUNT" in names and "UNTIL" in names:
        raise _refuse(_("Give COUNT or UNTIL, not both."))
    # UNTIL is read as a day (or a local time): the expansion is in local dates
    parts = [_local_until(p) if p.startswith("UNTIL=") else p for p in parts]
    try:
        parsed = rrulestr(";".join(parts), dtstart=_start(starts_on), forceset=False)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _refuse(_("This is not a valid recurrence: %(error)s") % {"error": exc}) from exc
    if not isinstance(parsed, rrule):
        raise _refuse(_("Enter one RRULE only."))
    return parsed


def _local_until(part: str) -> str:
    value = part.split("=", 1)[1].rstrip("Z")
    if len(value) == 8:  # a date: the whole day counts
        value += "T235959"
    return f"UNTIL={value}"


def _normalised(parsed: rrule) -> str:
    lines = [line for line in str(parsed).splitlines() if line.startswith("RRULE:")]
    return lines[0][len("RRULE:") :] if lines else ""


def validate(rrule_text: str, starts_on: dt.date, ends_on: dt.date | None) -> str:
    """The rule, normalised; ``ValidationError({"rrule": …})`` for a bad rule or one that never
    fires between ``starts_on`` and ``ends_on`` (within ten years when it has no end)."""
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The end comes before the start.")]})
    parsed = _parse(rrule_text, starts_on)
    last = ends_on or _add_years(starts_on, FIRES_WITHIN_YEARS)
    first = parsed.after(_start(starts_on), inc=True)
    if first is None or first.date() > last:
        if ends_on is None:
            raise _refuse(_("This recurrence never fires within ten years of its start."))
        raise _refuse(_("This recurrence never fires between its start and its end."))
    return _normalised(parsed)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def rule_days(duty: DutyTimes, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days the rule gives within ``first``…``last`` (within the duty's start and end),
    before the working calendar is read."""
    lo = max(first, duty.starts_on)
    hi = last if duty.ends_on is None else min(last, duty.ends_on)
    if hi < lo:
        return []
    parsed = _parse(duty.rrule, duty.starts_on)
    found = parsed.between(_start(lo), _start(hi) + dt.timedelta(hours=23), inc=True)
    return [d.date() for d in found]


def _shifted(day: dt.date, shift: str, schedule: WorkSchedule) -> dt.date | None:
    if shift == "keep" or schedule.is_working_day(day):
        return day
    if shift == "skip":
        return None
    if shift == "previous":
        return schedule.add_working_days(day, -1)
    return schedule.add_working_days(day, 1)


def due_days(
    duty: DutyTimes, first: dt.date, last: dt.date, schedule: WorkSchedule
) -> list[dt.date]:
    """The due days within ``first``…``last``, read on the working calendar (sorted, each
    once). Days of the rule shortly outside the range count when shifted into it."""
    seen: set[dt.date] = set()
    for day in rule_days(duty, first - SHIFT_REACH, last + SHIFT_REACH):
        moved = _shifted(day, duty.shift, schedule)
        if moved is not None and first <= moved <= last:
            seen.add(moved)
    return sorted(seen)


def instant(duty: DutyTimes, day: dt.date, schedule: WorkSchedule) -> dt.datetime:
    """The due instant on ``day``: the duty's time of day in the calendar's time zone."""
    return dt.datetime.combine(day, duty.due_time, tzinfo=schedule.tz)


def due_instants(
    duty: DutyTimes, first: dt.date, last: dt.date, schedule: WorkSchedule
) -> list[dt.datetime]:
    """The due instants of ``duty`` whose day lies within ``first``…``last`` (aware, in the
    calendar's time zone, sorted)."""
    return [instant(duty, day, schedule) for day in due_days(duty, first, last, schedule)]


def preset_choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.label)) for p in PRESETS]


def preset(key: str) -> Preset | None:
    return next((p for p in PRESETS if p.key == key), None)


__all__ = [
    "PRESETS",
    "DutyTimes",
    "Preset",
    "due_days",
    "due_instants",
    "instant",
    "preset",
    "preset_choices",
    "rule_days",
    "validate",
]
