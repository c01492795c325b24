"""Helpers of the doing-duties tests (no tests here): duties and occurrences made directly
(the engine's materialisation is tested by its own tests), a real PNG photo, uploads."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netdept.duties.models import Duty, Occurrence
from netdept.org.models import Person

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def make_duty(**kw: Any) -> Duty:
    i = n()
    data: dict[str, Any] = {
        "code": f"duty-{i}",
        "name": kw.pop("name", f"机房巡检{i}"),
        "rrule": "FREQ=DAILY",
        "starts_on": dt.date(2026, 1, 1),
        "due_time": dt.time(17, 0),
        "evidence_kind": "none",
        "reviewer_kind": "team_lead",
    }
    data.update(kw)
    if "evidence_min" in data and data["evidence_min"] is not None:
        data["evidence_min"] = Decimal(str(data["evidence_min"]))
    return Duty.objects.create(**data)


def make_occurrence(
    duty: Duty, person: Person, *, due_in_hours: float = 4, status: str = "pending", **kw: Any
) -> Occurrence:
    due = kw.pop("due_at", None) or (timezone.now() + dt.timedelta(hours=due_in_hours)).replace(
        microsecond=0
    )
    return Occurrence.objects.create(
        duty=duty,
        person=person,
        team=kw.pop("team", person.team),
        period_start=kw.pop("period_start", due - dt.timedelta(days=1)),
        due_at=due,
        missed_at=kw.pop("missed_at", due + dt.timedelta(hours=2)),
        status=status,
        **kw,
    )


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A real (tiny) PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "机房.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_photo(name: str = "病毒.jpg") -> SimpleUploadedFile:
    """Named like a photo, but not one."""
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is a program", content_type="image/jpeg")
