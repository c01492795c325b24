"""The working calendar (工作日历): which days are working days and how much working time lies
between two instants.

A day is a working day when an administrator's ``CalendarOverride`` says so; otherwise the
``chinesecalendar`` package decides (Chinese public holidays and 调休 make-up working days), and
for years the package does not know yet, Monday to Friday are working days. Only the
``working_periods`` of a working day count, read as wall-clock times in the calendar's time zone.
A 7×24 calendar (``around_the_clock``) counts every minute of every day; overrides do not
apply to it.

All computations take and return aware datetimes; a result is given in the time zone of the
input. ``WorkSchedule`` answers many questions about one calendar with one override query per
range of days, so a batch (an SLA recalculation, a report) should create one and reuse it; the
module functions create a fresh one per call.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from netdept.core.services import ModelService, register_service
from netdept.workcal.models import CalendarOverride, WorkCalendar, default_working_periods

DEFAULT_CALENDAR_NAME: Final = "标准工作日历"

ONE_DAY: Final = dt.timedelta(days=1)
ZERO: Final = dt.timedelta(0)
UTC: Final = dt.UTC
MINUTES_PER_DAY: Final = 24 * 60
# Stop searching for working time after this many days (reached by an absurd duration, or by
# a calendar whose every day has been overridden to a day off): every search is bounded.
HORIZON_DAYS: Final = 366 * 30
# No computation answers outside these instants: far enough from ``datetime.min``/``max`` that
# converting a result to any time zone (and a day's arithmetic around it) cannot overflow.
EARLIEST: Final = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
# Overrides are read in ranges of at least this many days.
LOAD_CHUNK: Final = dt.timedelta(days=62)

# A period in minutes after local midnight: (start, end), 0 <= start < end <= 1440.
Period = tuple[int, int]
Span = tuple[dt.datetime, dt.datetime]

_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class OutOfRange(ValueError):
    """A working-time question the calendar cannot answer: the working time asked for is not
    reached within ``HORIZON_DAYS`` days (an absurd duration, or a calendar without working
    time), or the instants lie outside ``EARLIEST``…``LATEST``. The message is translated and
    names the calendar."""

    def __init__(self, calendar: WorkCalendar | None) -> None:
        name = str(calendar.name) if calendar is not None else ""
        super().__init__(
            _(
                "The working calendar “%(calendar)s” has no answer within %(years)s years: "
                "the duration is too long, or the calendar has no working time."
            )
            % {"calendar": name, "years": HORIZON_DAYS // 366}
        )


# --- day decisions -------------------------------------------------------------------------
@lru_cache(maxsize=32768)
def package_is_workday(day: dt.date) -> bool:
    """The ``chinesecalendar`` decision for ``day``; Monday–Friday outside its known years."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=4096)
def _package_holiday_name(day: dt.date) -> str:
    """The English name of the holiday ``day`` belongs to (or is a 调休 day of), else ""."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return str(name) if name else ""


def holiday_name(english: str) -> str:
    """The name of a public holiday in the active language (the package knows both)."""
    lang = translation.get_language() or ""
    if lang.lower().startswith("zh"):
        for h in chinese_calendar.Holiday:
            if h.value == english:
                return str(h.chinese)
    return english


# --- working periods ---------------------------------------------------------------------
def _parse_time(value: object, *, end: bool) -> int:
    m = _TIME_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValidationError(
            _("“%(value)s” is not a time of day; write it as HH:MM, e.g. 08:30.") % {"value": value}
        )
    hours, minutes = int(m.group(1)), int(m.group(2))
    if (hours, minutes) == (24, 0) and end:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValidationError(
            _("“%(value)s” is not a time of day; write it as HH:MM, e.g. 08:30.") % {"value": value}
        )
    return hours * 60 + minutes


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_periods(periods: Iterable[Period]) -> str:
    """``08:30–12:00, 13:30–17:30``."""
    return ", ".join(f"{format_minutes(s)}–{format_minutes(e)}" for s, e in periods)


def parse_periods(value: object, *, required: bool = True) -> tuple[Period, ...]:
    """Check ``[["08:30", "12:00"], ["13:30", "17:30"]]`` and return it as minutes.

    Each period is a pair of times HH:MM (``24:00`` may end the last one), ends after it starts,
    and the periods are sorted and do not overlap (one may start when the previous ends).
    Raises ``ValidationError`` with a message that names the problem.
    """
    if not isinstance(value, list | tuple):
        raise ValidationError(
            _('Enter a list of periods, each a pair of times such as ["08:30", "12:00"].')
        )
    periods: list[Period] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationError(
                _('“%(value)s” is not a period; write a pair of times such as ["08:30", "12:00"].')
                % {"value": item}
            )
        start = _parse_time(item[0], end=False)
        end = _parse_time(item[1], end=True)
        if end <= start:
            raise ValidationError(
                _("The period %(start)s–%(end)s must end after it starts.")
                % {"start": format_minutes(start), "end": format_minutes(end)}
            )
        if periods and start < periods[-1][1]:
            prev = periods[-1]
            raise ValidationError(
                _(
                    "The periods %(first)s and %(second)s overlap or are out of order; "
                    "list them from morning to evening without overlap."
                )
                % {"first": format_periods([prev]), "second": format_periods([(start, end)])}
            )
        periods.append((start, end))
    if required and not periods:
        raise ValidationError(_("Enter at least one working period, or mark the calendar 7×24."))
    return tuple(periods)


def normalise_periods(value: object, *, required: bool = True) -> list[list[str]]:
    """The canonical JSON form (``[["08:30", "12:00"], …]``) of valid ``value``."""
    return [
        [format_minutes(s), format_minutes(e)] for s, e in parse_periods(value, required=required)
    ]


def _periods_key(value: object) -> tuple[tuple[object, ...], ...] | None:
    if not isinstance(value, list | tuple):
        return None
    key: list[tuple[object, ...]] = []
    for item in value:
        if not isinstance(item, list | tuple):
            return None
        key.append(tuple(item))
    return tuple(key)


@lru_cache(maxsize=256)
def _cached_periods(key: tuple[tuple[object, ...], ...]) -> tuple[Period, ...]:
    return parse_periods([list(item) for item in key], required=False)


def calendar_periods(calendar: WorkCalendar) -> tuple[Period, ...]:
    """The working periods of ``calendar`` in minutes (raises ValueError if they are invalid)."""
    try:
        key = _periods_key(calendar.working_periods)
        if key is None:
            return parse_periods(calendar.working_periods, required=False)
        return _cached_periods(key)
    except ValidationError as exc:
        raise ValueError(
            f"calendar {calendar.pk}: invalid working periods: {exc.messages}"
        ) from exc


def check_time_zone(name: object) -> ZoneInfo:
    """The zone called ``name``; ``ValidationError`` if there is none."""
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ValueError, OSError, LookupError):
            pass
    raise ValidationError(
        _("“%(value)s” is not a known time zone, e.g. Asia/Shanghai.") % {"value": name}
    )


@lru_cache(maxsize=65536)
def _day_spans(
    zone: str, periods: tuple[Period, ...], day: dt.date
) -> tuple[tuple[Span, ...], dt.timedelta]:
    """The working periods of ``day`` as UTC instants, and their total length."""
    tz = ZoneInfo(zone)
    midnight = dt.datetime(day.year, day.month, day.day)
    spans: list[Span] = []
    total = ZERO
    for start, end in periods:
        s = (midnight + dt.timedelta(minutes=start)).replace(tzinfo=tz).astimezone(UTC)
        e = (midnight + dt.timedelta(minutes=end)).replace(tzinfo=tz).astimezone(UTC)
        if spans and s < spans[-1][1]:  # a daylight-saving shift folded the day
            s = spans[-1][1]
        if e > s:
            spans.append((s, e))
            total += e - s
    return tuple(spans), total


@lru_cache(maxsize=8)
def _override_sql(alias: str) -> str:
    """The overrides of one calendar in a date range.

    Plain SQL because this runs once per working-time question (every SLA deadline), where
    building the equivalent ORM query costs ten times more than running it.
    """
    meta = CalendarOverride._meta
    qn = connections[alias].ops.quote_name
    date = qn(str(meta.get_field("date").column))
    working = qn(str(meta.get_field("is_working_day").column))
    note = qn(str(meta.get_field("note").column))
    calendar = qn(str(meta.get_field("calendar").column))
    return (
        f"SELECT {date}, {working}, {note} FROM {qn(meta.db_table)} "  # noqa: S608
        f"WHERE {calendar} = %s AND {date} >= %s AND {date} <= %s"
    )


@lru_cache(maxsize=65536)
def _package_day_spans(
    zone: str, periods: tuple[Period, ...], day: dt.date
) -> tuple[tuple[Span, ...], dt.timedelta]:
    """``_day_spans`` on a working day per the package, nothing on its days off."""
    if package_is_workday(day):
        return _day_spans(zone, periods, day)
    return (), ZERO


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value


# --- the schedule ------------------------------------------------------------------------
@dataclass(frozen=True)
class DayInfo:
    """How one day is marked in a month view."""

    date: dt.date
    is_working_day: bool
    kind: str  # workday, weekend, holiday, makeup, override_working, override_off
    label: str  # holiday name or override note


class WorkSchedule:
    """The working time of one calendar.

    Overrides are read lazily, one query per range of days, and kept for the life of the
    schedule: create one per batch of questions, not one per process.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.around_the_clock = bool(calendar.around_the_clock)
        self.zone_name = str(calendar.time_zone)
        try:
            self.tz = check_time_zone(self.zone_name)
        except ValidationError as exc:
            raise ValueError(
                f"calendar {calendar.pk}: unknown time zone {self.zone_name!r}"
            ) from exc
        self.periods: tuple[Period, ...] = (
            () if self.around_the_clock else calendar_periods(calendar)
        )
        self.day_length = dt.timedelta(minutes=sum(e - s for s, e in self.periods))
        self._overrides: dict[dt.date, bool] = {}
        self._notes: dict[dt.date, str] = {}
        self._lo: dt.date | None = None
        self._hi: dt.date | None = None

    # overrides -------------------------------------------------------------------------
    def load(self, first: dt.date, last: dt.date) -> None:
        """Make sure the overrides of ``first``…``last`` are loaded (at most two queries).

        The loaded range stays contiguous and grows by at least two months (or by its own
        size) at a time, so a batch that walks forward queries rarely."""
        lo, hi = self._lo, self._hi
        if lo is None or hi is None:
            self._query(first, last)
            self._lo, self._hi = first, last
            return
        chunk = max(LOAD_CHUNK, hi - lo)
        if first < lo:
            first = min(first, lo - chunk)
            self._query(first, lo - ONE_DAY)
            self._lo = first
        if last > hi:
            last = max(last, hi + chunk)
            self._query(hi + ONE_DAY, last)
            self._hi = last

    def _query(self, first: dt.date, last: dt.date) -> None:
        if self.calendar.pk is None or first > last:
            return
        alias = router.db_for_read(CalendarOverride)
        connection = connections[alias]
        ops = connection.ops
        params = [
            self.calendar.pk,
            ops.adapt_datefield_value(first),
            ops.adapt_datefield_value(last),
        ]
        with connection.cursor() as cursor:
            cursor.execute(_override_sql(alias), params)
            rows = cursor.fetchall()
        for day, working, note in rows:
            if isinstance(day, str):  # a backend that does not convert dates
                day = dt.date.fromisoformat(day)
            self._overrides[day] = bool(working)
            self._notes[day] = str(note or "")

    def _extend_to(self, day: dt.date) -> None:
        if self._lo is None or self._hi is None:
            self.load(day - ONE_DAY, day + LOAD_CHUNK)
        else:
            self.load(day, day)

    # days ------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if self.around_the_clock:
            return True
        if self._lo is None or self._hi is None or not (self._lo <= day <= self._hi):
            self._extend_to(day)
        override = self._overrides.get(day)
        if override is not None:
            return override
        return package_is_workday(day)

    def spans(self, day: dt.date) -> tuple[tuple[Span, ...], dt.timedelta]:
        """The working periods of ``day`` (none on a day off) as UTC instants, and their total."""
        if not self.is_working_day(day):
            return (), ZERO
        if self.around_the_clock:
            return _day_spans(self.zone_name, ((0, MINUTES_PER_DAY),), day)
        return _day_spans(self.zone_name, self.periods, day)

    def _working_spans(
        self, day: dt.date, step: dt.timedelta, until: dt.date | None = None
    ) -> Iterator[tuple[tuple[Span, ...], dt.timedelta]]:
        """The spans and totals of the working days from ``day`` on, one ``step`` at a time,
        up to ``until`` (included). The hot loop of every computation, kept lean."""
        overrides = self._overrides
        zone, periods = self.zone_name, self.periods
        lo, hi = self._lo, self._hi
        forward = step > ZERO
        for _i in range(HORIZON_DAYS):
            if until is not None and (day > until if forward else day < until):
                return
            if lo is None or hi is None or day < lo or day > hi:
                self._extend_to(day)
                lo, hi = self._lo, self._hi
            working = overrides.get(day)
            if working is None:
                spans, total = _package_day_spans(zone, periods, day)
            elif working:
                spans, total = _day_spans(zone, periods, day)
            else:
                spans, total = (), ZERO
            if spans:
                yield spans, total
            day += step
        raise OutOfRange(self.calendar)

    def local_date(self, t: dt.datetime) -> dt.date:
        return t.astimezone(self.tz).date()

    def describe(self, first: dt.date, last: dt.date) -> list[DayInfo]:
        """How each day of ``first``…``last`` is marked: holiday, 调休 working day, override…"""
        self.load(first, last)
        days: list[DayInfo] = []
        day = first
        while day <= last:
            days.append(self._describe_day(day))
            day += ONE_DAY
        return days

    def _describe_day(self, day: dt.date) -> DayInfo:
        if self.around_the_clock:  # every day counts; overrides have nothing to change
            return DayInfo(day, True, "workday", "")
        override = self._overrides.get(day)
        if override is not None:
            kind = "override_working" if override else "override_off"
            return DayInfo(day, override, kind, self._notes.get(day, ""))
        weekend = day.weekday() >= 5
        working = package_is_workday(day)
        english = _package_holiday_name(day)
        name = holiday_name(english) if english else ""
        if working:
            return DayInfo(day, True, "makeup" if weekend else "workday", name if weekend else "")
        if name or not weekend:
            return DayInfo(day, False, "holiday", name)
        return DayInfo(day, False, "weekend", "")

    # time ------------------------------------------------------------------------------
    def _estimate_days(self, delta: dt.timedelta) -> int:
        if self.day_length <= ZERO:
            return 62
        working_days = delta / self.day_length
        return min(int(working_days * 1.5) + 16, 3700)

    def _check_has_hours(self) -> None:
        if not self.around_the_clock and self.day_length <= ZERO:
            raise OutOfRange(self.calendar)

    def add(self, start: dt.datetime, delta: dt.timedelta, *, cap: bool = False) -> dt.datetime:
        """The instant when ``delta`` of working time has passed after ``start`` (a negative
        ``delta`` counts backwards). Counting starts at the next working period.

        The search is bounded: when the instant lies beyond ``HORIZON_DAYS`` days or outside
        ``EARLIEST``…``LATEST``, ``OutOfRange`` is raised — or, with ``cap``, the bound
        itself is returned (``start`` ± ``HORIZON_DAYS`` days, within those instants): "not
        within any foreseeable time", which is what an SLA due time needs."""
        _aware(start, "start")
        if delta == ZERO:
            return start
        try:
            t = start.astimezone(UTC)
            if self.around_the_clock:
                result = t + delta
            else:
                self._check_has_hours()
                if abs(delta) > self.day_length * HORIZON_DAYS:  # more than the horizon holds
                    raise OutOfRange(self.calendar)
                result = self._forward(t, delta) if delta > ZERO else self._backward(t, -delta)
            if not EARLIEST <= result <= LATEST:
                raise OutOfRange(self.calendar)
        except (OutOfRange, OverflowError) as exc:
            if not cap:
                if isinstance(exc, OutOfRange):
                    raise
                raise OutOfRange(self.calendar) from exc
            result = _bound(start, delta > ZERO)
        return result.astimezone(start.tzinfo)

    def _forward(self, t: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        day = self.local_date(t)
        self.load(day - ONE_DAY, day + dt.timedelta(days=self._estimate_days(remaining)))
        for spans, total in self._working_spans(day, ONE_DAY):
            if spans[0][0] >= t and total < remaining:
                remaining -= total
                continue
            for s, e in spans:
                if e <= t:
                    continue
                if s < t:
                    s = t
                available = e - s
                if available >= remaining:
                    return s + remaining
                remaining -= available
        raise AssertionError("unreachable")  # _working_spans raises first

    def _backward(self, t: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        day = self.local_date(t)
        self.load(day - dt.timedelta(days=self._estimate_days(remaining)), day + ONE_DAY)
        for spans, total in self._working_spans(day, -ONE_DAY):
            if spans[-1][1] <= t and total < remaining:
                remaining -= total
                continue
            for s, e in reversed(spans):
                if s >= t:
                    continue
                if e > t:
                    e = t
                available = e - s
                if available >= remaining:
                    return e - remaining
                remaining -= available
        raise AssertionError("unreachable")

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time from ``a`` to ``b``; zero if ``b`` is not after ``a``."""
        a = _clamp(_aware(a, "a").astimezone(UTC))
        b = _clamp(_aware(b, "b").astimezone(UTC))
        if b <= a:
            return ZERO
        if self.around_the_clock:
            return b - a
        # Bounded like every search: a longer stretch counts its first HORIZON_DAYS - 2 days
        # (decades of working time: no share or breach reads differently).
        b = min(b, a + dt.timedelta(days=HORIZON_DAYS - 2))
        day, last = self.local_date(a), self.local_date(b)
        self.load(day, last)
        total = ZERO
        for spans, day_total in self._working_spans(day, ONE_DAY, until=last):
            if spans[0][0] >= a and spans[-1][1] <= b:
                total += day_total
                continue
            for s, e in spans:
                lo = s if s > a else a
                hi = e if e < b else b
                if hi > lo:
                    total += hi - lo
        return total

    def next_working_instant(self, t: dt.datetime) -> dt.datetime:
        """``t`` if it lies in working time, else the start of the next working period."""
        _aware(t, "t")
        if self.around_the_clock:
            return t
        self._check_has_hours()
        try:
            u = t.astimezone(UTC)
            if not EARLIEST <= u <= LATEST:
                raise OutOfRange(self.calendar)
            day = self.local_date(u)
            self.load(day - ONE_DAY, day + dt.timedelta(days=31))
            for spans, _total in self._working_spans(day, ONE_DAY):
                for s, e in spans:
                    if e > u:
                        return t if s <= u else s.astimezone(t.tzinfo)
        except OverflowError as exc:
            raise OutOfRange(self.calendar) from exc
        raise AssertionError("unreachable")

    def is_working_time(self, t: dt.datetime) -> bool:
        u = _aware(t, "t").astimezone(UTC)
        if not EARLIEST <= u <= LATEST:
            return False
        spans, _total = self.spans(self.local_date(u))
        return any(s <= u < e for s, e in spans)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (before it if ``n`` is negative); bounded
        like every search (``OutOfRange`` beyond ``HORIZON_DAYS`` days)."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        left = abs(n)
        if left > HORIZON_DAYS:
            raise OutOfRange(self.calendar)
        try:
            if left:
                self._extend_to(day + step * min(left * 2 + 16, HORIZON_DAYS))
            for _i in range(HORIZON_DAYS):
                if not left:
                    return day
                day += step
                if self.is_working_day(day):
                    left -= 1
        except OverflowError as exc:
            raise OutOfRange(self.calendar) from exc
        if not left:
            return day
        raise OutOfRange(self.calendar)


def _clamp(t: dt.datetime) -> dt.datetime:
    """``t`` (in UTC) moved into ``EARLIEST``…``LATEST``."""
    return min(max(t, EARLIEST), LATEST)


def _bound(start: dt.datetime, forward: bool) -> dt.datetime:
    """The capped answer of ``WorkSchedule.add``: ``start`` ± ``HORIZON_DAYS`` days, within
    ``EARLIEST``…``LATEST``."""
    horizon = dt.timedelta(days=HORIZON_DAYS)
    t = _clamp(start.astimezone(UTC))
    if forward:
        return LATEST if t > LATEST - horizon else t + horizon
    return EARLIEST if t < EARLIEST + horizon else t - horizon


# --- module functions --------------------------------------------------------------------
def is_working_day(calendar: WorkCalendar, date: dt.date) -> bool:
    """Override wins; else Chinese public holidays and 调休 days; Monday–Friday beyond those."""
    return WorkSchedule(calendar).is_working_day(date)


def add_working_time(
    calendar: WorkCalendar, start: dt.datetime, delta: dt.timedelta
) -> dt.datetime:
    """The instant when ``delta`` of working time has elapsed after ``start``."""
    return WorkSchedule(calendar).add(start, delta)


def working_time_between(calendar: WorkCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Working time from ``a`` to ``b`` (zero if ``b <= a``)."""
    return WorkSchedule(calendar).between(a, b)


def next_working_instant(calendar: WorkCalendar, t: dt.datetime) -> dt.datetime:
    """``t`` if it is working time, else the start of the next working period."""
    return WorkSchedule(calendar).next_working_instant(t)


def add_working_days(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day``."""
    return WorkSchedule(calendar).add_working_days(day, n)


def default_calendar() -> WorkCalendar:
    """The default calendar; a "标准工作日历" (08:30–12:00, 13:30–17:30) is created if none is."""
    found = WorkCalendar.objects.filter(is_default=True).order_by("pk").first()
    if found is not None:
        return found
    service = WorkCalendarService()
    with transaction.atomic():
        existing = (
            WorkCalendar.objects.select_for_update().filter(name=DEFAULT_CALENDAR_NAME).first()
        )
        if existing is not None:
            return service.update(None, existing, {"is_default": True}, check=False)
        try:
            return service.create(
                None, {"name": DEFAULT_CALENDAR_NAME, "is_default": True}, check=False
            )
        except ValidationError:
            # Another process created it in the meantime.
            return WorkCalendar.objects.get(name=DEFAULT_CALENDAR_NAME)


# --- services ----------------------------------------------------------------------------
class WorkCalendarService(ModelService[WorkCalendar]):
    """Calendars: valid working periods and time zone; exactly one default calendar."""

    model = WorkCalendar

    def before_save(
        self, actor: Any, obj: WorkCalendar, data: Mapping[str, Any], creating: bool
    ) -> None:
        errors: dict[str, list[str]] = {}
        try:
            periods = normalise_periods(obj.working_periods, required=not obj.around_the_clock)
        except ValidationError as exc:
            errors["working_periods"] = exc.messages
        else:
            # A 7×24 calendar ignores its periods; keep valid ones for the day it stops being 7×24.
            obj.working_periods = periods or default_working_periods()
        try:
            check_time_zone(obj.time_zone)
        except ValidationError as exc:
            errors["time_zone"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def after_save(
        self, actor: Any, obj: WorkCalendar, data: Mapping[str, Any], creating: bool
    ) -> None:
        if not obj.is_default:
            return
        others = WorkCalendar.objects.select_for_update().filter(is_default=True).exclude(pk=obj.pk)
        for other in others:
            self.update(actor, other, {"is_default": False}, check=False)


class CalendarOverrideService(ModelService[CalendarOverride]):
    model = CalendarOverride


register_service(WorkCalendar, WorkCalendarService())
register_service(CalendarOverride, CalendarOverrideService())

__all__ = [
    "DEFAULT_CALENDAR_NAME",
    "CalendarOverrideService",
    "DayInfo",
    "OutOfRange",
    "WorkCalendarService",
    "WorkSchedule",
    "add_working_days",
    "add_working_time",
    "default_calendar",
    "is_working_day",
    "next_working_instant",
    "working_time_between",
]
