"""The meetings' demo: two types, last week's weekly meeting held with its minutes approved and
an action item that became 张伟's task, a monthly review that commended 张伟, the next
meetings scheduled — all through the services; and loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdept.duties.models import Reward, RewardSource
from netdept.org import demo
from netdept.worklog import demo_meetings
from netdept.worklog.models import Meeting, MeetingStatus, MeetingType, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_meetings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [demo_meetings.load])
    monkeypatch.setattr(demo, "LATE_LOADERS", [])


def test_demo_meetings(tmp_path: Path, only_meetings: None) -> None:
    result = demo.load(tmp_path)
    assert result.created > 0
    assert MeetingType.objects.filter(code__startswith="demo-").count() == 2
    weekly = Meeting.objects.get(
        meeting_type__code=demo_meetings.WEEKLY, status=MeetingStatus.CLOSED
    )
    assert weekly.minutes_by is not None and weekly.minutes_by.name == "李娜"
    task = Task.objects.get(meeting=weekly)
    assert task.owner.name == "张伟"
    assert weekly.attendees.filter(attendance="late", person=task.owner).exists()
    reward = Reward.objects.get(source=RewardSource.MONTHLY_REVIEW)
    assert reward.person.name == "张伟"
    assert Meeting.objects.filter(
        meeting_type__code=demo_meetings.WEEKLY, status="scheduled"
    ).exists()


def test_loading_again_adds_nothing(tmp_path: Path, only_meetings: None) -> None:
    demo.load(tmp_path)
    count = Meeting.objects.count()
    demo.load(tmp_path)
    assert Meeting.objects.count() == count
    assert MeetingType.objects.filter(code__startswith="demo-").count() == 2
