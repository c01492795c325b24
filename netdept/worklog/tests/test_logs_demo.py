"""The daily logs' demo: the last working days of two engineers drafted from the demo's work
orders, submitted and reviewed (one returned), today's log a draft — through the services;
loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdept.org import demo
from netdept.worklog import demo_logs
from netdept.worklog.models.logs import DailyLog, LogEntry
from netdept.workorders import demo as workorders_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [workorders_demo.load])
    monkeypatch.setattr(demo, "LATE_LOADERS", [demo_logs.load])


def test_demo_logs(tmp_path: Path, only_logs: None) -> None:
    result = demo.load(tmp_path)
    assert result.created > 0
    statuses = sorted(set(DailyLog.objects.values_list("status", flat=True)))
    assert statuses == ["accepted", "draft", "returned", "submitted"]
    assert DailyLog.objects.exclude(status="draft").count() == 2 * demo_logs.DAYS
    assert LogEntry.objects.exclude(source="").exists()  # drafted from the demo's records
    again = demo.load(tmp_path)
    assert again.created == 0
    assert DailyLog.objects.count() == 2 * demo_logs.DAYS + 1
