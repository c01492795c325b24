"""The projects' demo: the web team's flow and a project of the 系统开发组 whose requirements
were approved by the director, whose design was passed by its owner and whose development is
under way with its tasks — all through the services; loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from netdept.approvals.models import ApprovalRequest, RequestStatus
from netdept.org import demo
from netdept.worklog import demo_projects
from netdept.worklog.models.projects import Project, ProjectStatus, StageStatus
from netdept.worklog.models.tasks import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_projects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_LOADERS", [demo_projects.load])
    monkeypatch.setattr(demo, "LATE_LOADERS", [])


def test_demo_projects(tmp_path: Path, only_projects: None) -> None:
    result = demo.load(tmp_path)
    assert result.created > 0
    project = Project.objects.get(code="hospital-website-2026")
    stages = list(project.stages.order_by("order"))
    assert [s.status for s in stages[:4]] == [
        StageStatus.PASSED,
        StageStatus.PASSED,
        StageStatus.ACTIVE,
        StageStatus.PENDING,
    ]
    assert project.status == ProjectStatus.ACTIVE and project.current_stage == stages[2]
    assert stages[0].approval is not None
    assert stages[0].approval.status == RequestStatus.APPROVED
    assert stages[0].passed_at < stages[1].passed_at  # type: ignore[operator]
    assert Task.objects.filter(stage=stages[2]).count() == 3
    assert ApprovalRequest.objects.filter(kind="worklog.stage_gate").count() == 1
    demo.load(tmp_path)  # again: nothing added
    assert Project.objects.count() == 1 and Task.objects.count() == 3
