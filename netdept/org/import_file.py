"""The Excel file of an import, before anything is read from it: its size, and the size of
every part of the zip archive an xlsx file is, checked before openpyxl unpacks any of them (a
611 KB file can hold 175 MB of shared strings: 29 s and 650 MB to read)."""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# An xlsx file is a zip archive: its parts are checked before openpyxl unpacks any of them (a
# 611 KB file can hold 175 MB of shared strings). A file of MAX_ROWS rows needs a few MB.
MAX_PART_BYTES = 16 * 1024 * 1024  # any one part, unpacked
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # all parts together, unpacked
MAX_RATIO = 100  # a part of more than RATIO_FROM bytes packed tighter than this is a bomb
RATIO_FROM = 1024 * 1024
MAX_PARTS = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, size, headers, row count)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def open_workbook(upload: IO[bytes], size: int | None) -> Any:
    from openpyxl import load_workbook

    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
    upload.seek(0)
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


__all__ = [
    "MAX_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "RATIO_FROM",
    "ImportFileError",
    "check_parts",
    "open_workbook",
]
