"""The tasks' demo: a department goal, a team goal under it, tasks done and evaluated, in
progress, to do and one due today — through the services; loading again adds nothing.

The demo's tasks are written at the real now, after the work orders' replay of the past (the
replayed clock never goes back): a task can only become overdue by the sweep tomorrow."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from netdept.org import demo
from netdept.worklog import demo_tasks
from netdept.worklog.models import Goal, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [demo_tasks.load])
    monkeypatch.setattr(demo, "LATE_LOADERS", [])


def test_demo_tasks(tmp_path: Path, only_tasks: None) -> None:
    result = demo.load(tmp_path)
    assert result.created > 0
    team_goal = Goal.objects.get(title=demo_tasks.TEAM_GOAL)
    statuses = sorted(Task.objects.filter(goal=team_goal).values_list("status", flat=True))
    assert statuses == ["doing", "doing", "done", "todo"]
    done = Task.objects.get(status="done")
    assert done.score == 92 and done.evaluated_by is not None
    today = timezone.localdate()
    assert Task.objects.filter(due_on=today, status__in=["todo", "doing"]).count() == 1
    assert not Task.objects.filter(due_on__lt=today).exists()
    assert team_goal.progress > 0
    assert Goal.objects.get(title=demo_tasks.GOAL).progress == team_goal.progress
    again = demo.load(tmp_path)
    assert again.created == 0
    assert Task.objects.count() == 4
