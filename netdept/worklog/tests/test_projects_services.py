"""Projects with stage gates: created from the web team's flow (需求分析 → 技术方案 → 开发 →
测试 → 上线 → 运维), the gates refuse while a required document is missing (naming it), a gate
with an approval rule goes through the approvals engine (approved: the next stage starts;
returned: the stage goes on, and is requested again), a gate without one is passed by its
owner, tasks hang under stages through the tasks service, and bad input is refused with the
field named and nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision, DecisionStatus, RequestStatus
from netdept.core.models.audit import AuditRecord
from netdept.org.models import Person
from netdept.testing.factories import DepartmentFactory, PersonFactory, UserFactory
from netdept.worklog.models.projects import (
    ProjectDocument,
    ProjectStage,
    ProjectStatus,
    StageStatus,
)
from netdept.worklog.services import projects as svc
from netdept.worklog.tests.factories_projects import (
    make_director,
    make_flow,
    make_project,
)

pytestmark = pytest.mark.django_db
S = StageStatus


def person(dept=None, **kw) -> Person:  # type: ignore[no-untyped-def]
    return PersonFactory.create(
        department=dept or DepartmentFactory.create(), user=UserFactory.create(), **kw
    )


@pytest.fixture
def team():  # type: ignore[no-untyped-def]
    director = make_director()
    dept = director.department
    return {
        "director": director,
        "manager": person(dept, name="项目经理"),
        "tech": person(dept, name="技术负责人"),
        "tester": person(dept, name="测试人员"),
        "dept": dept,
    }


@pytest.fixture
def project(team):  # type: ignore[no-untyped-def]
    return make_project(
        manager=team["manager"], tech_lead=team["tech"], tester=team["tester"],
        department=team["dept"],
    )  # fmt: skip


def stages(project):  # type: ignore[no-untyped-def]
    return list(project.stages.order_by("order"))


def add_doc(user, stage, name):  # type: ignore[no-untyped-def]
    return svc.add_document(user, stage, name=name, link="https://wiki.example.org/" + name)


def approve_pending(director: Person, reject: bool = False, returned: bool = False) -> None:
    decision = ApprovalDecision.objects.get(approver=director, status=DecisionStatus.PENDING)
    if returned:
        approvals.return_for_changes(director.user, decision, comment="补充接口说明")
    elif reject:
        approvals.reject(director.user, decision, comment="方案不可行")
    else:
        approvals.approve(director.user, decision, comment="同意")


def test_a_project_gets_its_flows_stages_with_owners_and_starts_the_first(project, team) -> None:
    st = stages(project)
    assert [s.name for s in st] == ["需求分析", "技术方案", "开发", "测试", "上线", "运维"]
    assert [s.owner for s in st] == [
        team["manager"],
        team["tech"],
        team["tech"],
        team["tester"],
        team["manager"],
        team["tech"],
    ]
    assert [s.status for s in st] == [S.ACTIVE] + [S.PENDING] * 5
    project.refresh_from_db()
    assert project.current_stage == st[0]
    assert project.status == ProjectStatus.ACTIVE
    assert AuditRecord.objects.filter(object_type="worklog.projectstage").count() >= 6


def test_the_gate_refuses_while_a_required_document_is_missing_naming_it(project, team) -> None:
    first = stages(project)[0]
    with pytest.raises(ValidationError) as exc:
        svc.request_gate(team["manager"].user, first)
    assert "需求规格说明书" in str(exc.value)
    first.refresh_from_db()
    assert first.status == S.ACTIVE and first.approval is None


def test_the_whole_flow_approved_gates_owner_gates_and_the_project_done(project, team) -> None:
    manager, tech, tester = team["manager"].user, team["tech"].user, team["tester"].user
    st = stages(project)
    add_doc(manager, st[0], "需求规格说明书")
    svc.request_gate(manager, st[0], note="需求已确认")
    st[0].refresh_from_db()
    assert st[0].status == S.AWAITING and st[0].approval.status == RequestStatus.PENDING
    approve_pending(team["director"])
    st = stages(project)
    assert st[0].status == S.PASSED and st[0].passed_at is not None
    assert st[1].status == S.ACTIVE
    # 技术方案: two documents, the second missing first
    add_doc(tech, st[1], "技术方案")
    with pytest.raises(ValidationError, match="数据库设计"):
        svc.request_gate(tech, st[1])
    add_doc(tech, st[1], "数据库设计")
    svc.request_gate(tech, st[1])
    approve_pending(team["director"])
    st = stages(project)
    assert st[2].status == S.ACTIVE
    # 开发: no approval rule → the owner passes it
    svc.pass_gate(tech, st[2], note="开发完成")
    st = stages(project)
    assert st[2].status == S.PASSED and st[2].approval is None and st[3].status == S.ACTIVE
    add_doc(tester, st[3], "测试报告")
    svc.request_gate(tester, st[3])
    approve_pending(team["director"])
    st = stages(project)
    add_doc(manager, st[4], "上线方案")
    svc.request_gate(manager, st[4])
    svc.request_gate(tech, stages(project)[5])
    project.refresh_from_db()
    assert project.status == ProjectStatus.DONE
    assert all(s.status == S.PASSED for s in stages(project))


def test_a_returned_gate_goes_back_in_progress_and_is_requested_again(project, team) -> None:
    manager = team["manager"].user
    first = stages(project)[0]
    add_doc(manager, first, "需求规格说明书")
    svc.request_gate(manager, first)
    approve_pending(team["director"], returned=True)
    first.refresh_from_db()
    assert first.status == S.ACTIVE
    assert "补充接口说明" in first.note
    request = first.approval
    svc.request_gate(manager, first)
    first.refresh_from_db()
    assert first.status == S.AWAITING and first.approval_id == request.pk  # resubmitted
    approve_pending(team["director"])
    first.refresh_from_db()
    assert first.status == S.PASSED


def test_a_rejected_gate_keeps_the_stage_in_progress(project, team) -> None:
    manager = team["manager"].user
    first = stages(project)[0]
    add_doc(manager, first, "需求规格说明书")
    svc.request_gate(manager, first)
    approve_pending(team["director"], reject=True)
    first.refresh_from_db()
    assert first.status == S.ACTIVE and "方案不可行" in first.note
    assert stages(project)[1].status == S.PENDING
    svc.request_gate(manager, first)  # a new request
    first.refresh_from_db()
    assert first.status == S.AWAITING and first.approval.status == RequestStatus.PENDING


def test_only_the_owner_the_manager_or_a_project_editor_runs_a_gate(project, team) -> None:
    st = stages(project)
    stranger = person(team["dept"]).user
    with pytest.raises(PermissionDenied):
        svc.request_gate(stranger, st[0])
    with pytest.raises(PermissionDenied):
        add_doc(stranger, st[0], "需求规格说明书")
    # the tester (a project member) may add a document, not run another owner's gate
    add_doc(team["tester"].user, st[0], "需求规格说明书")
    with pytest.raises(PermissionDenied):
        svc.request_gate(team["tester"].user, st[0])
    assert AuditRecord.objects.filter(action="denied").count() >= 3


def test_a_stage_not_started_cannot_pass_and_a_passed_one_keeps_its_documents(
    project, team
) -> None:
    manager = team["manager"].user
    st = stages(project)
    with pytest.raises(ValidationError, match="技术方案"):
        svc.request_gate(manager, st[1])
    add_doc(manager, st[0], "需求规格说明书")
    svc.request_gate(manager, st[0])
    approve_pending(team["director"])
    with pytest.raises(ValidationError) as exc:
        add_doc(manager, stages(project)[0], "补充材料")
    assert "stage" in exc.value.message_dict
    assert ProjectDocument.objects.filter(name="补充材料").count() == 0


def test_a_document_needs_a_file_or_a_link_and_a_clean_file(project, team) -> None:
    manager = team["manager"].user
    first = stages(project)[0]
    with pytest.raises(ValidationError) as exc:
        svc.add_document(manager, first, name="需求规格说明书")
    assert "link" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.add_document(manager, first, name="  ", link="https://x.example.org/")
    assert "name" in exc.value.message_dict
    bad = SimpleUploadedFile("需求.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        svc.add_document(manager, first, name="需求规格说明书", file=bad)
    assert "file" in exc.value.message_dict
    good = SimpleUploadedFile("需求.txt", "需求说明".encode(), content_type="text/plain")
    doc = svc.add_document(manager, first, name="需求规格说明书", file=good)
    assert doc.file_name == "需求.txt" and doc.added_by == team["manager"]
    assert svc.missing_documents(first) == []
    assert ProjectDocument.objects.count() == 1


def test_tasks_hang_under_a_stage_through_the_tasks_service(project, team) -> None:
    first = stages(project)[0]
    due = timezone.localdate() + dt.timedelta(days=5)
    task = svc.add_stage_task(
        team["manager"].user, first, title="整理需求清单", owner=team["tech"], due_on=due,
        weight=Decimal(2),
    )  # fmt: skip
    assert task.stage == first and task.project == project and task.owner == team["tech"]
    assert task.assigned_by == team["manager"]
    with pytest.raises(PermissionDenied):
        svc.add_stage_task(person(team["dept"]).user, first, title="x", owner=team["tech"],
                           due_on=due)  # fmt: skip
    views = svc.stepper(project)
    assert [t.title for t in views[0].tasks] == ["整理需求清单"]
    assert views[0].missing == ["需求规格说明书"]


def test_cancelling_withdraws_an_awaiting_gate(project, team) -> None:
    manager = team["manager"].user
    first = stages(project)[0]
    add_doc(manager, first, "需求规格说明书")
    svc.request_gate(manager, first)
    svc.cancel_project(manager, project, reason="需求取消")
    project.refresh_from_db()
    first.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    assert first.approval.status == RequestStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        svc.cancel_project(manager, project, reason="again")
    with pytest.raises(ValidationError):
        add_doc(manager, first, "x")


def test_bad_project_and_template_input_is_refused_naming_the_field(team) -> None:
    flow = make_flow()
    with pytest.raises(ValidationError) as exc:
        make_project(flow, manager=team["manager"], department=team["dept"],
                     starts_on=dt.date(2026, 5, 1), due_on=dt.date(2026, 4, 1))  # fmt: skip
    assert "due_on" in exc.value.message_dict
    empty = make_flow(stages=())
    with pytest.raises(ValidationError) as exc:
        make_project(empty, manager=team["manager"], department=team["dept"])
    assert "flow" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.TEMPLATES.create(None, {"flow": flow, "order": 99, "code": "x", "name": "x",
                                    "owner_role": "boss"}, check=False)  # fmt: skip
    assert "owner_role" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.TEMPLATES.create(None, {"flow": flow, "order": 98, "code": "y", "name": "y",
                                    "required_documents": [1, 2]}, check=False)  # fmt: skip
    assert "required_documents" in exc.value.message_dict
    assert not ProjectStage.objects.exists()


def test_the_flow_status_and_current_stage_are_fixed_for_the_form(project, team) -> None:
    other = make_flow(code="other-flow")
    with pytest.raises(ValidationError) as exc:
        svc.PROJECTS.update(None, project, {"flow": other}, check=False)
    assert "flow" in exc.value.message_dict
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.PROJECTS.update(None, project, {"status": ProjectStatus.DONE}, check=False)
    assert "status" in exc.value.message_dict
    stage = stages(project)[1]
    with pytest.raises(ValidationError):
        svc.STAGES.update(None, stage, {"status": S.PASSED}, check=False)
    stage.refresh_from_db()
    svc.STAGES.update(None, stage, {"note": "提前准备"}, check=False)


def test_changing_the_projects_tech_lead_moves_the_open_stages(project, team) -> None:
    new = person(team["dept"], name="新技术负责人")
    project.refresh_from_db()
    svc.PROJECTS.update(None, project, {"tech_lead": new}, check=False)
    st = stages(project)
    assert st[1].owner == new and st[2].owner == new and st[3].owner == team["tester"]


def test_a_passed_stages_documents_are_kept(project, team) -> None:
    manager = team["manager"].user
    first = stages(project)[0]
    doc = add_doc(manager, first, "需求规格说明书")
    svc.request_gate(manager, first)
    approve_pending(team["director"])
    with pytest.raises(ValidationError, match="需求分析"):
        svc.DOCUMENTS.delete(None, doc, check=False)
    assert ProjectDocument.objects.filter(pk=doc.pk).exists()


def test_the_owner_of_a_stage_that_starts_is_told(
    project, team, django_capture_on_commit_callbacks
) -> None:
    from netdept.notify.models import InboxMessage, Notification

    tech = team["tech"].user
    first = stages(project)[0]
    add_doc(team["manager"].user, first, "需求规格说明书")
    svc.request_gate(team["manager"].user, first)
    with django_capture_on_commit_callbacks(execute=True):
        approve_pending(team["director"])
    note = Notification.objects.get(kind="worklog.stage_started", data__stage="技术方案")
    assert note.data["project"] == project.name
    assert InboxMessage.objects.filter(notification=note, user=tech).exists()


def test_an_engineers_edit_right_does_not_run_gates_a_lead_or_director_does(team) -> None:
    from netdept.org.models import RoleAssignment
    from netdept.testing.factories import TeamFactory, custom_role

    dept = team["dept"]
    squad = TeamFactory.create(department=dept)
    lead = person(dept, team=squad)
    squad.lead = lead
    squad.save()
    project = make_project(manager=team["manager"], department=dept, team=squad)
    first = stages(project)[0]
    perms = ["worklog.change_project", "worklog.view_project"]
    engineer = person(dept, team=squad)
    RoleAssignment.objects.create(user=engineer.user, role=custom_role(perms, "team"))
    RoleAssignment.objects.create(user=lead.user, role=custom_role(perms, "team"))
    head = person(dept)
    RoleAssignment.objects.create(user=head.user, role=custom_role(perms, "department"))
    assert not svc.may_run_gate(engineer.user, first)
    assert svc.may_run_gate(lead.user, first)
    assert svc.may_run_gate(head.user, first)
