"""Excel (xlsx) and CSV exports. CSV is UTF-8 with a BOM so that Excel opens it correctly."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date | datetime.datetime):
        return value
    text = str(value)
    # Never let a cell start a formula in the reader's spreadsheet (CSV/formula injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Sheet1")
    ws.append(list(headers))
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        for i, v in enumerate(values):
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
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
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
