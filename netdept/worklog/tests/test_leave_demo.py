"""The leave and attendance demo: leave types, a clock rule, a leave approved by phone, one
pending, one invalid (asked by SMS), the clock of the last working days with one lateness
and one absence fined by rule — through the services; loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdept.duties.models import Violation
from netdept.org import demo
from netdept.worklog import demo_leave
from netdept.worklog.models.leave import AttendanceRecord, LeaveRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_leave(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [])
    monkeypatch.setattr(demo, "LATE_LOADERS", [demo_leave.load])


def test_demo_leave(tmp_path: Path, only_leave: None) -> None:
    result = demo.load(tmp_path)
    assert result.created > 0
    statuses = sorted(LeaveRequest.objects.values_list("status", flat=True))
    assert statuses == ["approved", "invalid", "pending"]
    assert AttendanceRecord.objects.count() == 15
    assert sorted(AttendanceRecord.objects.exclude(status="normal").values_list(
        "status", flat=True)) == ["absent", "late", "leave"]  # fmt: skip
    assert Violation.objects.count() == 2
    again = demo.load(tmp_path)
    assert again.created == 0
    assert LeaveRequest.objects.count() == 3
