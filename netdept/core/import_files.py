"""The file of an import, read once: an Excel workbook (.xlsx) or a CSV file (UTF-8 with or
without BOM, or GB18030 as Chinese Excel saves it), checked before anything unpacks it.

An xlsx file is a zip archive: the size of every part is checked before openpyxl unpacks any of
them (a 611 KB file can hold 175 MB of shared strings: 29 s and 650 MB to read). The header row
is looked for in the first rows, matched against the columns' accepted headers (Chinese,
English, the field name), in any order; unknown columns are ignored. Every cell is read as text
(a cell starting with ``=`` in a CSV file is plain text; workbooks are read without formulas).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import secrets
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_PART_BYTES = 16 * 1024 * 1024  # any one part of an xlsx archive, unpacked
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # all parts together, unpacked
MAX_RATIO = 100  # a part of more than RATIO_FROM bytes packed tighter than this is a bomb
RATIO_FROM = 1024 * 1024
MAX_PARTS = 1000
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 100
EXTENSIONS = (".xlsx", ".csv")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, size, headers, row count)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """One column of an import: ``key`` (a field name, or the importer's own key), its label,
    the headers accepted for it (the first is the header of the template)."""

    key: str
    label: str | Promise
    headers: tuple[str, ...]
    required: bool = False


@dataclass
class Sheet:
    """What an import file holds, read once: the recognised columns (key, header as written)
    and the non-blank rows (row number, values). Kept between the preview and the confirmation
    (``to_json``/``from_json``) so that confirming validates again without reading the file."""

    kind: str
    columns: list[tuple[str, str]]
    rows: list[tuple[int, dict[str, str]]]

    def to_json(self) -> str:
        return json.dumps(
            {"kind": self.kind, "columns": self.columns, "rows": self.rows}, ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> Sheet:
        """The sheet stored by ``to_json``; ValueError if ``text`` is not one."""
        try:
            raw = json.loads(text)
            kind = str(raw["kind"])
            columns = [(str(k), str(h)) for k, h in raw["columns"]]
            rows = [
                (int(n), {str(k): str(v) for k, v in values.items()}) for n, values in raw["rows"]
            ]
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError("not a stored import sheet") from exc
        return cls(kind, columns, rows)


def norm(text: str) -> str:
    """A header or a value as compared: no brackets' content, spaces, marks or case."""
    text = re.sub(r"[（(\[【].*?[)）\]】]", "", str(text))
    return re.sub(r"[\s_\-*.:：]", "", text).lower()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _mb(size: float) -> str:
    return str(round(size / 1024 / 1024, 1))


def check_parts(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse an archive whose parts would unpack beyond the limits (the sizes a zip declares
    bound what Python's zipfile unpacks: a part cannot grow past its declared size)."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    biggest = max(infos, key=lambda i: i.file_size, default=None)
    too_big = _(
        "“%(file)s” is refused: unpacked, it would take %(size)s MB (%(part)s alone: "
        "%(part_size)s MB); the limit is %(part_limit)s MB per part and %(limit)s MB in all. "
        "Copy the data into a new workbook and save it again."
    )
    if biggest is not None and (
        biggest.file_size > MAX_PART_BYTES or total > MAX_UNPACKED_BYTES or len(infos) > MAX_PARTS
    ):
        raise ImportFileError(
            too_big
            % {
                "file": name,
                "size": _mb(total),
                "part": biggest.filename[:100],
                "part_size": _mb(biggest.file_size),
                "part_limit": _mb(MAX_PART_BYTES),
                "limit": _mb(MAX_UNPACKED_BYTES),
            }
        )
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError(
                _(
                    "“%(file)s” is refused: its part %(part)s is packed %(ratio)s to 1 "
                    "(%(size)s MB unpacked); the limit is %(limit)s to 1. Copy the data into "
                    "a new workbook and save it again."
                )
                % {
                    "file": name,
                    "part": info.filename[:100],
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "size": _mb(info.file_size),
                    "limit": MAX_RATIO,
                }
            )


def _size(upload: IO[bytes], size: int | None) -> int:
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    return size


def open_workbook(upload: IO[bytes], size: int | None) -> Any:
    # imported here, when a workbook is read: the tests count the loads by patching openpyxl
    from openpyxl import load_workbook

    _size(upload, size)
    bad = ImportFileError(
        _("The file is not an Excel workbook (.xlsx) or it is damaged. Save it as .xlsx and retry.")
    )
    if upload.read(4) != b"PK\x03\x04":
        raise bad
    upload.seek(0)
    name = PurePath(str(getattr(upload, "name", "") or "")).name[:200] or _("the file")
    try:
        with zipfile.ZipFile(upload) as zf:
            check_parts(zf, name)
        upload.seek(0)
        return load_workbook(upload, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise bad from exc


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or GB18030 (Chinese Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The CSV file is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 and retry.")
        ) from exc


def csv_rows(upload: IO[bytes], size: int | None = None) -> Iterator[Sequence[Any]]:
    """The rows of a CSV upload (UTF-8 with or without BOM, or GB18030; the delimiter
    sniffed), each cut to ``MAX_COLUMNS``; a file too large, binary or damaged is refused."""
    _size(upload, size)
    data = upload.read()
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            _("The file is not a CSV text file; save it as CSV (UTF-8) or .xlsx and retry.")
        )
    text = decode_csv(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is damaged: %(error)s") % {"error": str(exc)[:200]}
        ) from exc


def is_csv(name: str) -> bool:
    return name.lower().endswith(".csv")


def read_sheet(
    kind: str,
    upload: IO[bytes],
    columns: Sequence[Column],
    *,
    size: int | None = None,
    name: str = "",
) -> Sheet:
    """Read ``upload`` (the only place the file is unpacked); nothing is validated against the
    database yet. A ``name`` ending in .csv is read as CSV, anything else as a workbook.
    Raises ImportFileError."""
    name = name or str(getattr(upload, "name", "") or "")
    if is_csv(name):
        return _read(kind, csv_rows(upload, size), columns)
    wb = open_workbook(upload, size)
    try:
        if not wb.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."))
        ws = wb.worksheets[0]
        return _read(kind, ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), columns)
    finally:
        wb.close()


def _read(kind: str, rows: Iterator[Sequence[Any]], specs: Sequence[Column]) -> Sheet:
    aliases = {norm(h): c.key for c in specs for h in c.headers}
    header: dict[int, tuple[str, str]] = {}
    header_row = 0
    number = 0
    pending: list[tuple[int, Sequence[Any]]] = []
    for number, raw in enumerate(rows, start=1):
        found = {
            i: (aliases[norm(cell_text(v))], cell_text(v))
            for i, v in enumerate(raw)
            if norm(cell_text(v)) in aliases
        }
        if len(found) > len(header):
            header, header_row = found, number
            pending = []
        else:
            pending.append((number, raw))
        if number >= HEADER_SEARCH_ROWS or any(
            c.required for c in specs if c.key in {k for k, _h in found.values()}
        ):
            break
    keys = [k for k, _h in header.values()]
    missing = [c for c in specs if c.required and c.key not in keys]
    if missing or not header:
        names = "、".join(f"{c.headers[0]} ({c.headers[-1]})" for c in (missing or specs[:1]))
        raise ImportFileError(
            _("Required columns are missing from the header row: %(columns)s.") % {"columns": names}
        )
    doubled = sorted({h for k, h in header.values() if keys.count(k) > 1})
    if doubled:
        raise ImportFileError(
            _("These columns mean the same thing; keep one: %(columns)s.")
            % {"columns": "、".join(doubled)}
        )
    data: list[tuple[int, dict[str, str]]] = []

    def rest() -> Iterator[tuple[int, Sequence[Any]]]:
        yield from ((n, r) for n, r in pending if n > header_row)
        yield from enumerate(rows, start=number + 1)

    for n, raw in rest():
        values = {key: cell_text(raw[i]) if i < len(raw) else "" for i, (key, _h) in header.items()}
        if not any(values.values()):
            continue
        if len(data) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": MAX_ROWS}
            )
        data.append((n, values))
    if not data:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return Sheet(kind, [header[i] for i in sorted(header)], data)


# --- the pending preview: the sheet kept between preview and confirmation ---------------------
STALE_SECONDS = 24 * 3600


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale() -> None:
    limit = time.time() - STALE_SECONDS
    for old in import_dir().glob("*.json"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass


def store(sheet: Sheet, user: Any, name: str) -> str:
    """Keep ``sheet`` until it is confirmed; the token names it (only ``user`` may use it)."""
    _remove_stale()
    token = secrets.token_hex(16)
    payload = {"user": str(user.pk), "name": name, "sheet": json.loads(sheet.to_json())}
    (import_dir() / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return token


def load(token: str, user: Any, kind: str) -> tuple[Sheet, str]:
    """The sheet stored under ``token`` by ``user`` for ``kind`` and its file name; raises
    ImportFileError when there is none (another user's token is refused like a missing one)."""
    gone = ImportFileError(_("This import is no longer pending; upload the file again."))
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise gone
    path = import_dir() / f"{token}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        owner, name = str(raw["user"]), str(raw["name"])
        sheet = Sheet.from_json(json.dumps(raw["sheet"]))
    except FileNotFoundError as exc:
        raise gone from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImportFileError(
            _("The pending import could not be read; upload the file again.")
        ) from exc
    if owner != str(user.pk) or sheet.kind != kind:
        raise gone
    return sheet, name


def forget(token: str) -> None:
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        (import_dir() / f"{token}.json").unlink(missing_ok=True)


__all__ = [
    "EXTENSIONS",
    "MAX_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "RATIO_FROM",
    "Column",
    "ImportFileError",
    "Sheet",
    "cell_text",
    "check_parts",
    "decode_csv",
    "forget",
    "import_dir",
    "load",
    "norm",
    "open_workbook",
    "read_sheet",
    "store",
]
