"""Excel (xlsx) and CSV exports. CSV is UTF-8 with a BOM so that Excel opens it correctly."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# C0 control characters other than tab, newline and carriage return are not allowed in XML
# 1.0 (openpyxl refuses them and the export fails), nor are lone surrogates and U+FFFE/U+FFFF.
# Input may hold them (a requester's text is kept as typed); exports show each C0 character
# as its visible "control picture" (\x1b → ␛, \x07 → ␇) and the others as U+FFFD.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Never let a cell start a formula in the reader's spreadsheet (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The longest text an Excel cell holds.
XLSX_CELL_MAX = 32767


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def clean_text(text: str) -> str:
    """``text`` without the characters a spreadsheet cannot hold (see ``_ILLEGAL``)."""
    return _ILLEGAL.sub(_picture, text)


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates as they are; text cleaned of control
    characters and quoted when it would start a formula. Every xlsx or CSV writer of the
    project goes through this."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, int | float | datetime.date):
        return value
    text = clean_text(str(value))
    if text[:1] in _FORMULA_START:
        return "'" + text
    return text


def _xlsx_cell(value: Any) -> Any:
    v = safe_cell(value)
    if isinstance(v, str) and len(v) > XLSX_CELL_MAX:
        return v[: XLSX_CELL_MAX - 1] + "…"
    return v


def sheet_title(title: str) -> str:
    """A worksheet title Excel accepts: no ``[]:*?/\\``, no control characters, 31 characters
    at most, not empty."""
    text = re.sub(r"[\[\]:*?/\\]", " ", clean_text(str(title))).strip().strip("'")
    return text[:31] or "Sheet1"


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(title))
    ws.append([_xlsx_cell(h) for h in headers])
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        values = [_xlsx_cell(v) for v in row]
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], len(str(v)) + 2))
        ws.append(values)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def response(
    filename: str, fmt: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    if fmt == "csv":
        body, ctype, ext = to_csv(headers, rows), "text/csv; charset=utf-8", "csv"
    else:
        body, ctype, ext = to_xlsx(title, headers, rows), XLSX_TYPE, "xlsx"
    resp = HttpResponse(body, content_type=ctype)
    from urllib.parse import quote

    resp["Content-Disposition"] = (
        f"attachment; filename=\"{filename}.{ext}\"; filename*=UTF-8''{quote(title)}.{ext}"
    )
    return resp
