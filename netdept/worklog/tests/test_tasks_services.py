"""Tasks (任务): who may assign, progress, complete, evaluate, cancel and reopen; bad input
refused with the field named and nothing saved; every change audited; the owner told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.notify.models import Notification
from netdept.org.models import Person
from netdept.testing.factories import PersonFactory, TeamFactory, UserFactory
from netdept.worklog.models import ProjectFlow, ProjectStage, StageTemplate, Task, TaskStatus
from netdept.worklog.models.projects import Project
from netdept.worklog.services import tasks
from netdept.worklog.services.tasks import Conflict, create_task
from netdept.worklog.tests.factories_meetings import MeetingFactory
from netdept.worklog.tests.factories_tasks import GoalFactory

pytestmark = pytest.mark.django_db
S = TaskStatus


def today(days: int = 0) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class Org:
    """A team with its lead and two engineers, each with a login."""

    def __init__(self) -> None:
        self.team = TeamFactory.create()
        dept = self.team.department
        self.lead = PersonFactory.create(department=dept, team=self.team, user=UserFactory.create())
        self.team.lead = self.lead
        self.team.save()
        self.eng = PersonFactory.create(department=dept, team=self.team, user=UserFactory.create())
        self.peer = PersonFactory.create(department=dept, team=self.team, user=UserFactory.create())


@pytest.fixture
def org() -> Org:
    return Org()


def assign(org: Org, **kw: Any) -> Task:
    data: dict[str, Any] = {"by": org.lead, "title": "巡检机房", "owner": org.eng,
                            "due_on": today(3)}  # fmt: skip
    data.update(kw)
    return create_task(**data)


# --- create ------------------------------------------------------------------------------------
def test_lead_assigns_a_task_audited_and_the_owner_is_told(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        t = assign(org, description="三楼、五楼", weight=Decimal("2.5"))
    assert (t.owner, t.assigned_by, t.team, t.department) == (
        org.eng,
        org.lead,
        org.team,
        org.team.department,
    )
    assert t.status == S.TODO and t.weight == Decimal("2.50")
    rec = audit.history(t).get(action=AuditAction.CREATE)
    assert rec.actor_id == org.lead.user_id
    note = Notification.objects.get(kind="worklog.task_assigned")
    assert note.data["task"] == "巡检机房"


def test_one_own_todo_needs_no_lead_and_tells_nobody(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        t = create_task(by=org.eng, title="整理文档", owner=org.eng, due_on=today())
    assert t.assigned_by == org.eng
    assert not Notification.objects.filter(kind="worklog.task_assigned").exists()


def test_a_peer_may_not_assign_and_the_refusal_is_audited(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        create_task(by=org.peer, title="帮我做", owner=org.eng, due_on=today(1))
    assert not Task.objects.exists()
    assert AuditRecord.objects.filter(
        action=AuditAction.DENIED, actor=org.peer.user, extra__permission="worklog.add_task"
    ).exists()


def test_the_meeting_chair_assigns_action_items(org: Org) -> None:
    meeting = MeetingFactory.create(department=org.team.department, chair=org.peer)
    t = create_task(by=org.peer, title="跟进报修", owner=org.eng, due_on=today(2), meeting=meeting)
    assert t.meeting == meeting
    other = MeetingFactory.create(department=org.team.department)
    with pytest.raises(PermissionDenied):
        create_task(by=org.peer, title="x", owner=org.eng, due_on=today(2), meeting=other)


def _project(manager: Person, stage_owner: Person | None = None) -> tuple[Project, ProjectStage]:
    flow = ProjectFlow.objects.create(code=f"flow-{manager.pk}", name="网站开发")
    tpl = StageTemplate.objects.create(flow=flow, order=1, code="dev", name="开发")
    project = Project.objects.create(
        code=f"p-{manager.pk}", name="官网改版", flow=flow, department=manager.department,
        manager=manager, starts_on=today(),
    )  # fmt: skip
    stage = ProjectStage.objects.create(
        project=project, template=tpl, order=1, name="开发", owner=stage_owner
    )
    return project, stage


def test_project_manager_and_stage_owner_assign_under_a_stage(org: Org) -> None:
    project, stage = _project(org.peer)
    t = create_task(by=org.peer, title="首页", owner=org.eng, due_on=today(5), stage=stage)
    assert (t.project, t.stage) == (project, stage)  # the stage's project filled in
    manager = PersonFactory.create(department=org.team.department)
    other_project, other_stage = _project(manager, stage_owner=org.peer)
    t2 = create_task(by=org.peer, title="接口", owner=org.eng, due_on=today(5), stage=other_stage)
    assert t2.project == other_project
    with pytest.raises(ValidationError) as exc:
        create_task(by=org.peer, title="x", owner=org.eng, due_on=today(5), project=project,
                    stage=other_stage)  # fmt: skip
    assert "stage" in exc.value.message_dict


def test_bad_input_names_every_field_and_saves_nothing(org: Org) -> None:
    gone = PersonFactory.create(department=org.team.department, is_active=False)
    with pytest.raises(ValidationError) as exc:
        create_task(by=org.lead, title="  ", owner=gone, due_on=today(-1), weight=Decimal(0))
    errors = exc.value.message_dict
    assert {"title", "owner", "due_on", "weight"} <= set(errors)
    assert today(-1).isoformat() in " ".join(errors["due_on"])
    for weight in ("abc", "NaN", "-1", "1.234", "100000"):
        with pytest.raises(ValidationError) as exc:
            assign(org, weight=weight)
        assert "weight" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        assign(org, title="长" * 201, description="x" * 10001)
    assert {"title", "description"} <= set(exc.value.message_dict)
    assert not Task.objects.exists()


def test_goal_rules_on_create(org: Org) -> None:
    goal = GoalFactory.create(department=org.team.department, due_on=today(10))
    with pytest.raises(ValidationError) as exc:
        assign(org, goal=goal, due_on=today(11))
    assert "due_on" in exc.value.message_dict
    goal.status = "achieved"
    goal.save()
    with pytest.raises(ValidationError) as exc:
        assign(org, goal=goal)
    assert "goal" in exc.value.message_dict


# --- progress and done -------------------------------------------------------------------------
def test_owner_progresses_and_completes(org: Org) -> None:
    t = assign(org)
    t = tasks.update_progress(t, by=org.eng, progress="40")
    assert (t.status, t.progress) == (S.DOING, 40)
    with pytest.raises(ValidationError) as exc:
        tasks.update_progress(t, by=org.eng, progress=100)
    assert "progress" in exc.value.message_dict
    for bad in ("x", -1, 101, None):
        with pytest.raises(ValidationError):
            tasks.update_progress(t, by=org.eng, progress=bad)
    t = tasks.complete(t, by=org.eng, result="已完成三层巡检")
    assert (t.status, t.progress, t.result) == (S.DONE, 100, "已完成三层巡检")
    assert t.done_at is not None
    with pytest.raises(ValidationError) as exc:
        tasks.update_progress(t, by=org.eng, progress=10)
    assert "status" in exc.value.message_dict
    changes = [r.changes for r in audit.history(t).filter(action=AuditAction.UPDATE)]
    assert any("progress" in c for c in changes) and any("status" in c for c in changes)


def test_a_peer_may_not_progress_anothers_task(org: Org) -> None:
    t = assign(org)
    with pytest.raises(PermissionDenied):
        tasks.update_progress(t, by=org.peer, progress=10)
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=org.peer.user).exists()
    t.refresh_from_db()
    assert t.progress == 0


def test_a_stale_version_is_a_conflict(org: Org) -> None:
    t = assign(org)
    seen = t.version
    tasks.update_progress(t, by=org.eng, progress=10, expected_version=seen)
    with pytest.raises(Conflict):
        tasks.update_progress(t, by=org.eng, progress=20, expected_version=seen)


# --- evaluate ----------------------------------------------------------------------------------
def test_lead_evaluates_never_the_owner(org: Org, django_capture_on_commit_callbacks: Any) -> None:
    t = assign(org)
    with pytest.raises(ValidationError) as exc:
        tasks.evaluate(t, by=org.lead, score=90)
    assert "status" in exc.value.message_dict
    tasks.complete(t, by=org.eng)
    with pytest.raises(PermissionDenied):
        tasks.evaluate(t, by=org.eng, score=100)
    with pytest.raises(PermissionDenied):
        tasks.evaluate(t, by=org.peer, score=100)
    for bad in (101, -1, "good", None):
        with pytest.raises(ValidationError) as exc:
            tasks.evaluate(t, by=org.lead, score=bad)
        assert "score" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        t = tasks.evaluate(t, by=org.lead, score="88", comment="按时完成")
    assert (t.score, t.evaluation, t.evaluated_by) == (88, "按时完成", org.lead)
    note = Notification.objects.get(kind="worklog.task_evaluated")
    assert note.data["score"] == 88
    with pytest.raises(ValidationError):
        tasks.reopen(t, by=org.lead, reason="重做")  # scored: not reopened


def test_own_todo_is_evaluated_by_the_lead_not_oneself(org: Org) -> None:
    t = create_task(by=org.eng, title="自学", owner=org.eng, due_on=today(1))
    tasks.complete(t, by=org.eng)
    with pytest.raises(PermissionDenied):
        tasks.evaluate(t, by=org.eng, score=100)
    assert tasks.evaluate(t, by=org.lead, score=70).score == 70


# --- cancel, reopen, edit ----------------------------------------------------------------------
def test_cancel_and_reopen_by_who_manages(org: Org) -> None:
    t = assign(org)
    with pytest.raises(PermissionDenied):
        tasks.cancel(t, by=org.eng, reason="不做了")
    with pytest.raises(ValidationError) as exc:
        tasks.cancel(t, by=org.lead, reason=" ")
    assert "reason" in exc.value.message_dict
    t = tasks.cancel(t, by=org.lead, reason="需求取消")
    assert t.status == S.CANCELLED
    t2 = assign(org)
    tasks.complete(t2, by=org.eng)
    t2 = tasks.reopen(t2, by=org.lead, reason="报告缺照片")
    assert (t2.status, t2.done_at) == (S.DOING, None) and t2.progress <= 99


def test_update_task_rules(org: Org, django_capture_on_commit_callbacks: Any) -> None:
    t = assign(org)
    with pytest.raises(PermissionDenied):
        tasks.update_task(t, by=org.peer, data={"title": "改"})
    with pytest.raises(ValidationError) as exc:
        tasks.update_task(t, by=org.lead, data={"due_on": today(-2)})
    assert "due_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tasks.update_task(t, by=org.lead, data={"status": "done"})
    assert "status" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        t = tasks.update_task(t, by=org.lead, data={"owner": org.peer, "title": "改派"})
    assert (t.owner, t.title) == (org.peer, "改派")
    assert Notification.objects.filter(kind="worklog.task_assigned").count() == 1
    t.refresh_from_db()
    assert t.title == "改派"


def test_the_director_manages_every_task(org: Org) -> None:
    from netdept.testing.factories import user_with_role

    boss_user = user_with_role("director")
    t = assign(org)
    assert tasks.may_manage(boss_user.person, t)
    assert tasks.may_evaluate(boss_user.person, t)
    stranger = PersonFactory.create(user=UserFactory.create())
    assert not tasks.may_manage(stranger, t) and not tasks.may_evaluate(stranger, t)


def test_open_tasks_of(org: Org) -> None:
    a = assign(org, due_on=today(5))
    b = assign(org, due_on=today(1))
    c = assign(org)
    tasks.cancel(c, by=org.lead, reason="重复")
    assert list(tasks.open_tasks_of(org.eng)) == [b, a]
    assert list(tasks.open_tasks_of(None)) == []
