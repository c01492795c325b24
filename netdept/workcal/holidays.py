"""A year's public-holiday schedule that the ``chinesecalendar`` package does not know yet.

The package ships the holidays and 调休 days of the years published when it was released; for a
later year every calendar falls back to Monday–Friday, so SLA due times and working-day
deadlines would count 元旦 or 春节 as working days. The State Council publishes the next year's
schedule in the autumn. This module

* tells which years a calendar is missing (``missing_years``): the current year, and from
  October on the next one, when the package does not know them and the calendar has no
  override in them;
* reads a schedule pasted by an administrator (``parse``): the official notice as published
  (``二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。``)
  or one line per day or range (``2027-02-06 班 春节``, ``2027-02-10~2027-02-16 休 春节``);
  every line that cannot be read is reported with its number and nothing is applied;
* applies it as calendar overrides through the override service (``apply``), all or nothing,
  each change audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netdept.core.services import service_for
from netdept.workcal.models import CalendarOverride, WorkCalendar

#: a range longer than this is a typing mistake (春节 and 国庆 are at most 8–9 days)
MAX_RANGE_DAYS: Final = 31
#: from this month on, the next year's schedule is expected (it is usually published in
#: October–December)
NEXT_YEAR_FROM_MONTH: Final = 10

OFF_WORDS: Final = ("放假调休", "放假", "休息", "休", "off", "holiday", "rest")
WORK_WORDS: Final = ("上班", "补班", "班", "work", "working", "workday")


@dataclass(frozen=True)
class Day:
    date: dt.date
    is_working_day: bool
    note: str


class ScheduleError(ValidationError):
    """The lines that could not be read: ``errors`` is a list of (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.line_errors = errors
        super().__init__(
            [_("Line %(line)s: %(error)s") % {"line": n, "error": e} if n else e for n, e in errors]
        )


# --- what is missing ---------------------------------------------------------------------
@lru_cache(maxsize=64)
def package_knows(year: int) -> bool:
    """Whether the ``chinesecalendar`` package has the holiday schedule of ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def years_to_check(today: dt.date) -> list[int]:
    years = [today.year]
    if today.month >= NEXT_YEAR_FROM_MONTH:
        years.append(today.year + 1)
    return years


def missing_years(calendar: WorkCalendar, today: dt.date) -> list[int]:
    """The years near ``today`` whose holidays ``calendar`` does not know: neither the package
    nor an override of the calendar says anything about them (a 7×24 calendar needs none)."""
    if calendar.around_the_clock:
        return []
    unknown = [y for y in years_to_check(today) if not package_knows(y)]
    if not unknown:
        return []
    covered = set(
        CalendarOverride.objects.filter(calendar=calendar, date__year__in=unknown)
        .values_list("date__year", flat=True)
        .distinct()
    )
    return [y for y in unknown if y not in covered]


def calendars_missing(today: dt.date) -> list[tuple[WorkCalendar, list[int]]]:
    """Every calendar with a missing year (one query per calendar only when the package
    lacks a year at all)."""
    if all(package_knows(y) for y in years_to_check(today)):
        return []
    found = []
    for calendar in WorkCalendar.objects.filter(around_the_clock=False).order_by("name"):
        years = missing_years(calendar, today)
        if years:
            found.append((calendar, years))
    return found


# --- reading a schedule ------------------------------------------------------------------
_ISO: Final = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_LINE_RE: Final = re.compile(
    rf"^\s*{_ISO}\s*(?:(?:~|～|\.\.|至|到|—|–)\s*{_ISO})?\s+(\S+)\s*(.*)$", re.IGNORECASE
)
_CN_DATE: Final = r"(?:(\d{1,2})月)?(\d{1,2})日(?:[（(][^）)]*[）)])?"
_CN_DATE_RE: Final = re.compile(_CN_DATE)
_CN_RANGE_RE: Final = re.compile(rf"{_CN_DATE}\s*(?:至|到|—|-|~|～)\s*{_CN_DATE}")
_HEADING_RE: Final = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]\s*)?([^：:，,。]{1,12})[：:]"
)
_LOOSE_ISO_RE: Final = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_YEAR_RE: Final = re.compile(r"(\d{4})\s*年")
_SIGNED_RE: Final = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("%(year)s-%(month)s-%(day)s is not a date.")
            % {"year": year, "month": month, "day": day}
        ) from None


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        raise ValueError(
            _("The range ends (%(last)s) before it starts (%(first)s).")
            % {"first": first, "last": last}
        )
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise ValueError(
            _("A range of %(days)s days is too long (at most %(max)s).")
            % {"days": days, "max": MAX_RANGE_DAYS}
        )
    return [first + dt.timedelta(days=i) for i in range(days)]


def _meaning(word: str) -> bool | None:
    """True for a working day, False for a day off, None if the word means neither."""
    w = word.strip().lower()
    if w in OFF_WORDS:
        return False
    if w in WORK_WORDS:
        return True
    return None


def _parse_line(line: str) -> list[Day]:
    m = _LINE_RE.match(line)
    if m is None:
        raise LookupError
    y1, m1, d1, y2, m2, d2, word, note = m.groups()
    working = _meaning(word)
    if working is None:
        raise ValueError(
            _("“%(word)s” says neither a day off (休 / off) nor a working day (班 / work).")
            % {"word": word}
        )
    first = _date(int(y1), int(m1), int(d1))
    last = _date(int(y2), int(m2), int(d2)) if y2 else first
    return [Day(d, working, note.strip()[:200]) for d in _span(first, last)]


def _parse_notice_clause(clause: str, year: int, name: str) -> list[Day]:
    """One sentence of the official notice: ``…至…放假…`` or ``…、…上班``."""
    if "上班" in clause:
        dates = [_date(year, int(mo), int(d)) for mo, d in _CN_DATE_RE.findall(clause) if mo or d]
        note = _("%(name)s (make-up working day)") % {"name": name} if name else ""
        return [Day(d, True, note) for d in dates]
    if "放假" in clause or "休息" in clause:
        days: list[dt.date] = []
        rest = clause
        for m in _CN_RANGE_RE.finditer(clause):
            mo1, d1, mo2, d2 = m.groups()
            first = _date(year, int(mo1 or 0) or _month_hint(clause, m.start()), int(d1))
            last = _date(year, int(mo2) if mo2 else first.month, int(d2))
            if last < first and not mo2:  # 1月30日至2日: the range crosses a month
                last = _date(year, first.month + 1, int(d2))
            days.extend(_span(first, last))
            rest = rest.replace(m.group(0), " ")
        if not days:
            for mo, d in _CN_DATE_RE.findall(rest):
                days.append(_date(year, int(mo) if mo else _month_hint(clause, 0), int(d)))
        return [Day(d, False, name) for d in days]
    return []


def _month_hint(clause: str, pos: int) -> int:
    found = re.findall(r"(\d{1,2})月", clause[:pos])
    if not found:
        raise ValueError(_("The month of a date is missing."))
    return int(found[-1])


def _parse_notice(text: str, year: int) -> tuple[list[Day], list[tuple[int, str]]]:
    days: list[Day] = []
    errors: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING_RE.match(line)
        name = heading.group(1).strip() if heading else ""
        body = line[heading.end() :] if heading else line
        for clause in re.split(r"[。；;]", body):
            if not _CN_DATE_RE.search(clause):
                continue
            try:
                found = _parse_notice_clause(clause, year, name)
            except ValueError as exc:
                errors.append((number, str(exc)))
                continue
            if not found and not _SIGNED_RE.search(clause):  # the notice's date is no rule
                text = clause.strip()[:60]
                errors.append(
                    (
                        number,
                        _("This sentence says neither 放假 nor 上班: %(text)s") % {"text": text},
                    )
                )
            days.extend(found)
    return days, errors


def parse(text: str, year: int | None = None) -> list[Day]:
    """The days of a schedule, sorted; raises ``ScheduleError`` naming every line it could
    not read. ``year`` is the year of the official notice's dates (which carry none); it is
    read from the text (``2027年``) when not given. A date given twice with opposite meanings
    is an error."""
    days: list[Day] = []
    errors: list[tuple[int, str]] = []
    notice_lines: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            notice_lines.append("")
            continue
        try:
            days.extend(_parse_line(line))
            notice_lines.append("")
        except LookupError:
            if _LOOSE_ISO_RE.search(line):
                errors.append(
                    (number, _("This line could not be read; write e.g. 2027-02-06 班 春节."))
                )
                notice_lines.append("")
            else:
                notice_lines.append(line)  # not a line of the simple form: maybe the notice
        except ValueError as exc:
            errors.append((number, str(exc)))
            notice_lines.append("")
    notice = "\n".join(notice_lines)
    if notice.strip():
        if year is None:
            m = _YEAR_RE.search(text)
            year = int(m.group(1)) if m else None
        if year is None:
            errors.append((0, _("Give the year: the notice's dates carry none.")))
        else:
            found, notice_errors = _parse_notice(notice, year)
            days.extend(found)
            errors.extend(notice_errors)
    by_date: dict[dt.date, Day] = {}
    for day in days:
        seen = by_date.get(day.date)
        if seen is not None and seen.is_working_day != day.is_working_day:
            errors.append(
                (
                    0,
                    _("%(date)s is given both as a working day and as a day off.")
                    % {"date": day.date.isoformat()},
                )
            )
        by_date.setdefault(day.date, day)
    if year is not None:
        outside = sorted(d for d in by_date if d.year != year)
        if outside:
            errors.append(
                (
                    0,
                    _("%(date)s is not in %(year)s.")
                    % {"date": outside[0].isoformat(), "year": year},
                )
            )
    if errors:
        raise ScheduleError(sorted(errors, key=lambda e: e[0]))
    if not by_date:
        raise ScheduleError([(0, _("No dates were found."))])
    return [by_date[d] for d in sorted(by_date)]


# --- applying it -------------------------------------------------------------------------
@dataclass
class Applied:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply(actor: Any, calendar: WorkCalendar, days: Iterable[Day]) -> Applied:
    """Write ``days`` as overrides of ``calendar`` (create, or update an override of the same
    date), all or nothing, through the override service (permission checked, audited)."""
    service = service_for(CalendarOverride)
    result = Applied()
    days = list(days)
    with transaction.atomic():
        existing = {
            o.date: o
            for o in CalendarOverride.objects.filter(
                calendar=calendar, date__in=[d.date for d in days]
            )
        }
        for day in days:
            found = existing.get(day.date)
            if found is None:
                service.create(
                    actor,
                    {
                        "calendar": calendar,
                        "date": day.date,
                        "is_working_day": day.is_working_day,
                        "note": day.note,
                    },
                )
                result.created += 1
            elif found.is_working_day != day.is_working_day or (
                day.note and found.note != day.note
            ):
                service.update(
                    actor,
                    found,
                    {"is_working_day": day.is_working_day, "note": day.note or found.note},
                )
                result.updated += 1
            else:
                result.unchanged += 1
    return result
