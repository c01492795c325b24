"""Shared helpers of the engine's tests: a duty of the hospital (``hospital.build()``) written
directly with a creation instant in 2026, and instants in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from netdept.duties.models import Duty

SH = ZoneInfo("Asia/Shanghai")
CREATED = dt.datetime(2026, 1, 1, 0, 0, tzinfo=SH)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def make_duty(code: str = "weekly-report", **kw: Any) -> Duty:
    """A duty as a pack or the form would leave it (its created_at set to 1 Jan 2026)."""
    fields: dict[str, Any] = {
        "name": "每周一交周报",
        "assignee_kind": "person",
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "starts_on": dt.date(2026, 1, 1),
        "due_time": dt.time(17, 0),
        "shift": "next",
        "grace_minutes": 60,
        "horizon_days": 21,
        "remind_before_minutes": 60,
        "escalate_after_days": 1,
        "violation_on": "missed",
        "reviewer_kind": "team_lead",
    }
    fields.update(kw)
    duty = Duty.objects.create(code=code, **fields)
    Duty.objects.filter(pk=duty.pk).update(created_at=CREATED)
    duty.refresh_from_db()
    return duty
