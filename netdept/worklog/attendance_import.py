"""Reading the clock system's exports: one row per person per day, or every bad row named.

Three layouts are recognised by their headers (the header row is looked for in the first
rows; a title row above it — "每日统计 统计日期：…" — and a second header row below it, as
WeCom writes its grouped headers, are allowed):

* **DingTalk 每日统计** (daily statistics): 姓名, 考勤组, 部门, 工号, 职位, UserId, 日期
  ("25-08-01 星期五"), 班次, 上班1打卡时间, 上班1打卡结果, 下班1打卡时间, 下班1打卡结果, … up to
  the third pair. Clock in: 上班1; clock out: the last 下班N with a time. "次日 01:00" is the
  next day; "--", "缺卡", "未打卡" and other text without digits is no clock.
* **DingTalk 原始记录** (raw records): 姓名, 考勤组, 部门, 工号, 职位, UserId, 考勤日期, 考勤时间,
  打卡时间, 打卡结果, 打卡地址, …: one row per clock; a person's day is its earliest and latest.
* **WeCom 上下班打卡 日报** (sheet 概况统计与打卡明细): 时间 ("2025/08/01 星期五"), 姓名, 账号,
  部门, 职务, 所属规则, 班次, 最早, 最晚, 打卡次数(次), 标准工作时长(小时), …: clock in is 最早,
  clock out 最晚 (the first such columns: the 外出打卡 ones come later).
* **plain CSV** (or xlsx): 工号 (employee_no), 姓名 (name), 日期 (day), 上班 (clock_in), 下班
  (clock_out).

Nothing here reads the database: the people are matched by ``services.attendance``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from netdept.core.import_files import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    cell_text,
    csv_rows,
    is_csv,
    norm,
    open_workbook,
)
from netdept.core.import_files import MAX_BYTES as MAX_BYTES  # the services' limit too

DAILY, RAW, WECOM, PLAIN = "dingtalk_daily", "dingtalk_raw", "wecom_daily", "plain"

#: accepted headers (compared through ``core.import_files.norm``) of each key
HEADERS: dict[str, tuple[str, ...]] = {
    "employee_no": ("工号", "员工工号", "员工编号", "employee_no", "employee number"),
    "account": ("UserId", "账号", "userid", "account"),
    "name": ("姓名", "name", "person"),
    "day": ("日期", "考勤日期", "时间", "day", "date"),
    "punch": ("打卡时间",),
    "earliest": ("最早", "最早打卡"),
    "latest": ("最晚", "最晚打卡"),
    "clock_in": ("上班", "上班时间", "签到", "签到时间", "clock_in", "clock in"),
    "clock_out": ("下班", "下班时间", "签退", "签退时间", "clock_out", "clock out"),
}
PAIR = re.compile(r"^(上班|下班)(\d)打卡时间$")
DATE = re.compile(r"^(\d{2}|\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
TIME = re.compile(r"^(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d+)?)?$")
NEXT_DAY = ("次日", "第二天", "+1")


@dataclass
class Row:
    """One person's day as the file says it (times are local, naive)."""

    line: int
    employee_no: str
    account: str
    name: str
    day: dt.date
    clock_in: dt.datetime | None = None
    clock_out: dt.datetime | None = None
    lines: list[int] = field(default_factory=list)

    @property
    def who(self) -> str:
        return self.name or self.employee_no or self.account


@dataclass
class Parsed:
    layout: str
    rows: list[Row]
    errors: list[dict[str, Any]]


def problem(line: int, field_name: str, message: str) -> dict[str, Any]:
    return {"row": line, "field": field_name, "message": message}


# --- values --------------------------------------------------------------------------------
def parse_day(text: str) -> dt.date | None:
    """ "2025-08-01", "2025/8/1", "25-08-01 星期五", "2025年8月1日", an Excel date; None if
    none of these; ValueError if it looks like one but is not a day of the calendar."""
    text = text.strip()
    if not text:
        return None
    token = text.split()[0].split("T")[0]
    m = DATE.match(token)
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    if year < 100:
        year += 2000
    return dt.date(year, month, day)  # ValueError for 2025-02-30


def parse_clock(text: str, day: dt.date) -> dt.datetime | None:
    """A clock time on ``day``: "08:59", "8:59:30", "次日 01:00" (the next day), "2025-08-01
    08:59" (a full time stamp). Text without digits ("--", "缺卡") is no clock: None.
    ValueError: digits that are not a time of day."""
    text = text.strip()
    if not any(c.isdigit() for c in text):
        return None
    on = day
    for mark in NEXT_DAY:
        if text.startswith(mark):
            on, text = day + dt.timedelta(days=1), text[len(mark) :].strip()
            break
    parts = text.replace("T", " ").split()
    if len(parts) == 2:
        stamp_day = parse_day(parts[0])
        if stamp_day is None:
            raise ValueError(text)
        on, text = stamp_day, parts[1]
    elif len(parts) != 1:
        raise ValueError(text)
    m = TIME.match(text)
    if m is None:
        raise ValueError(text)
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    return dt.datetime.combine(on, dt.time(hour, minute, second))  # ValueError for 25:61


# --- the file ------------------------------------------------------------------------------
def read_rows(upload: IO[bytes], name: str, size: int | None = None) -> list[list[str]]:
    """Every row of the file's first sheet, as text (the file is unpacked here only)."""
    if is_csv(name):
        rows = [[cell_text(v) for v in r] for r in csv_rows(upload, size)]
    else:
        wb = open_workbook(upload, size)
        try:
            if not wb.worksheets:
                raise ImportFileError(_("The workbook has no worksheet."))
            rows = [
                [cell_text(v) for v in r]
                for r in wb.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
            ]
        finally:
            wb.close()
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s rows; split it and import each part.")
            % {"limit": MAX_ROWS}
        )
    return rows


_ALIASES = {norm(h): key for key, headers in HEADERS.items() for h in headers}


def _key(header: str) -> str:
    text = header.strip()
    m = PAIR.match(re.sub(r"\s", "", text))
    if m is not None:
        return f"{'in' if m.group(1) == '上班' else 'out'}{m.group(2)}"
    return _ALIASES.get(norm(text), "")


def _columns(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The index of the last header row and each key's first column."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_key(c) for c in row]
        if "day" not in keys or not ({"name", "employee_no", "account"} & set(keys)):
            continue
        last = index
        below = rows[index + 1] if index + 1 < len(rows) else []
        day_col = keys.index("day")
        sub = [_key(c) for c in below]
        if below and (day_col >= len(below) or not below[day_col].strip()) and any(sub):
            # a grouped header (WeCom): the second row names the grouped columns
            last = index + 1
            width = max(len(keys), len(sub))
            keys = [
                (sub[i] if i < len(sub) else "") or (keys[i] if i < len(keys) else "")
                for i in range(width)
            ]
        found: dict[str, int] = {}
        for col, key in enumerate(keys):
            if key and key not in found:
                found[key] = col
        return last, found
    raise ImportFileError(
        _("No header row was found in the first %(n)s rows: the file needs a name or employee "
          "number column and a date column (%(columns)s).")
        % {"n": HEADER_SEARCH_ROWS, "columns": "姓名/工号, 日期"}
    )  # fmt: skip


def layout_of(columns: dict[str, int]) -> str:
    if "in1" in columns:
        return DAILY
    if "punch" in columns:
        return RAW
    if "earliest" in columns:
        return WECOM
    if "clock_in" in columns:
        return PLAIN
    raise ImportFileError(
        _("The clock columns were not found: a DingTalk daily export has %(daily)s, a raw "
          "export %(raw)s, a WeCom export %(wecom)s, a plain file %(plain)s.")
        % {"daily": "上班1打卡时间", "raw": "打卡时间", "wecom": "最早/最晚", "plain": "上班/下班"}
    )  # fmt: skip


def parse(upload: IO[bytes], name: str, size: int | None = None) -> Parsed:
    """Read the file; every row it holds becomes a ``Row`` or a problem naming the row."""
    rows = read_rows(upload, name, size)
    last, columns = _columns(rows)
    layout = layout_of(columns)
    out: dict[tuple[str, str, str, dt.date], Row] = {}
    errors: list[dict[str, Any]] = []

    def cell(values: list[str], key: str) -> str:
        col = columns.get(key)
        return values[col].strip() if col is not None and col < len(values) else ""

    for index in range(last + 1, len(rows)):
        values, line = rows[index], index + 1
        if not any(v.strip() for v in values):
            continue
        ident = (cell(values, "employee_no"), cell(values, "account"), cell(values, "name"))
        if not any(ident):
            errors.append(problem(line, "name", _("Row %(row)s: no name or employee number.")
                                  % {"row": line}))  # fmt: skip
            continue
        raw_day = cell(values, "day")
        try:
            day = parse_day(raw_day)
        except ValueError:
            day = None
        if day is None:
            errors.append(problem(line, "day", _("Row %(row)s: “%(value)s” is not a date.")
                                  % {"row": line, "value": raw_day[:40]}))  # fmt: skip
            continue
        times = _times(layout, values, cell, day, line, errors)
        if times is None:
            continue
        first, last_clock = times
        key = (*ident, day)
        found = out.get(key)
        if found is None:
            out[key] = Row(line, *ident, day=day, clock_in=first, clock_out=last_clock,
                           lines=[line])  # fmt: skip
            continue
        if layout != RAW:
            errors.append(
                problem(
                    line,
                    "day",
                    _("Row %(row)s: %(who)s has %(day)s twice (also row %(other)s).")
                    % {"row": line, "who": found.who, "day": day.isoformat(), "other": found.line},
                )
            )
            continue  # fmt: skip
        found.lines.append(line)
        stamps = [t for t in (found.clock_in, found.clock_out, first) if t is not None]
        found.clock_in = min(stamps) if stamps else None
        found.clock_out = max(stamps) if len(stamps) > 1 else None
    rows_out = sorted(out.values(), key=lambda r: (r.day, r.line))
    for r in rows_out:
        if r.clock_in is not None and r.clock_out is not None and r.clock_out < r.clock_in:
            errors.append(problem(r.line, "clock_out", _(
                "Row %(row)s: %(who)s clocked out (%(out)s) before clocking in (%(in)s)."
            ) % {"row": r.line, "who": r.who, "out": r.clock_out.strftime("%H:%M"),
                 "in": r.clock_in.strftime("%H:%M")}))  # fmt: skip
    if not rows_out and not errors:
        raise ImportFileError(_("The file holds no attendance rows."))
    return Parsed(layout, rows_out, errors)


def _times(
    layout: str,
    values: list[str],
    cell: Any,
    day: dt.date,
    line: int,
    errors: list[dict[str, Any]],
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """(clock in, clock out) of one row, or None after naming the problem."""
    if layout == DAILY:
        keys_in, keys_out = ["in1"], [f"out{n}" for n in (3, 2, 1)]
    elif layout == RAW:
        keys_in, keys_out = ["punch"], []
    elif layout == WECOM:
        keys_in, keys_out = ["earliest"], ["latest"]
    else:
        keys_in, keys_out = ["clock_in"], ["clock_out"]
    found: list[dt.datetime | None] = []
    for keys in (keys_in, keys_out):
        value: dt.datetime | None = None
        for key in keys:
            text = cell(values, key)
            try:
                value = parse_clock(text, day)
            except ValueError:
                field_name = "clock_in" if keys is keys_in else "clock_out"
                errors.append(problem(line, field_name, _(
                    "Row %(row)s: “%(value)s” is not a possible time of day."
                ) % {"row": line, "value": text[:40]}))  # fmt: skip
                return None
            if value is not None:
                break
        found.append(value)
    return found[0], found[1]
