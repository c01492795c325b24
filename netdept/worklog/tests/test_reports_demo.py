"""The reports' demo: last week's reports of two engineers drafted from their daily logs,
submitted, one accepted and one returned; this week's drafted; the default policy — through
the services; loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdept.org import demo
from netdept.worklog import demo_logs, demo_reports
from netdept.worklog.models import Report, WorklogPolicy
from netdept.workorders import demo as workorders_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [workorders_demo.load])
    monkeypatch.setattr(demo, "LATE_LOADERS", [demo_logs.load, demo_reports.load])


def test_demo_reports(tmp_path: Path, only_reports: None) -> None:
    assert demo.load(tmp_path).created > 0
    statuses = sorted(Report.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "draft", "draft", "returned"]
    returned = Report.objects.get(status="returned")
    assert returned.review_comment and returned.next_plan
    assert Report.objects.get(status="accepted").done  # drafted from the logs
    assert WorklogPolicy.objects.filter(department__isnull=True).count() == 1
    assert demo.load(tmp_path).created == 0
    assert Report.objects.count() == 4
