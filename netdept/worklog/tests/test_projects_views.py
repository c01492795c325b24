"""The project's page (the stages as a stepper, documents, missing documents, tasks, the
stage's buttons), a stage's actions from the page and through the API, a document's file,
in Chinese; bad input answered with the field named (4xx, never a 500, nothing saved)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.org.models import Person, RoleAssignment
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import PersonFactory, UserFactory, custom_role
from netdept.worklog.models.projects import ProjectDocument, StageStatus
from netdept.worklog.models.tasks import Task
from netdept.worklog.tests.factories_projects import make_director, make_project

pytestmark = pytest.mark.django_db
READ = [
    "worklog.view_project", "worklog.view_projectstage", "worklog.view_projectdocument",
    "worklog.view_projectflow",
]  # fmt: skip


def member(dept: Any, name: str, perms: list[str] = READ, scope: str = "department") -> Person:
    user = UserFactory.create()
    person = PersonFactory.create(department=dept, user=user, name=name)
    RoleAssignment.objects.create(user=user, role=custom_role(perms, scope))
    return person


@pytest.fixture
def world() -> dict[str, Any]:
    director = make_director()
    dept = director.department
    manager = member(dept, "王经理")
    tech = member(dept, "李技术")
    tester = member(dept, "赵测试")
    project = make_project(
        manager=manager, tech_lead=tech, tester=tester, department=dept, name="门户网站改版",
        code="portal",
    )  # fmt: skip
    stages = list(project.stages.order_by("order"))
    return {"director": director, "dept": dept, "manager": manager, "tech": tech,
            "tester": tester, "project": project, "stages": stages}  # fmt: skip


def page(project: Any) -> str:
    return reverse("worklog:projects_detail", args=[project.pk])


def act(stage: Any, name: str) -> str:
    return reverse("worklog:project_stage_action", args=[stage.pk, name])


def api_act(stage: Any, name: str) -> str:
    return f"/api/v1/worklog/project-stages/{stage.pk}/{name}/"


def test_the_project_page_shows_the_stepper_in_chinese(world: dict[str, Any]) -> None:
    c = ui_client(world["manager"].user)
    with translation.override("zh-hans"):
        r = c.get(page(world["project"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    html = r.content.decode()
    for name in ("需求分析", "技术方案", "开发", "测试", "上线", "运维"):
        assert name in html
    assert 'id="wl-stepper"' in html
    assert "尚缺文档" in html and "需求规格说明书" in html
    assert "已通过 0 / 6 个关口" in html
    assert 'data-action="request_gate"' in html and 'data-action="add_document"' in html
    # the other stages, not started, offer no gate
    assert html.count('data-action="request_gate"') == 1


def test_a_reader_sees_the_page_without_the_buttons(world: dict[str, Any]) -> None:
    reader = member(world["dept"], "只读")
    r = ui_client(reader.user).get(page(world["project"]))
    assert r.status_code == 200
    assert 'data-action="request_gate"' not in r.content.decode()
    assert (
        ui_client(reader.user).post(act(world["stages"][0], "request_gate"), {}).status_code == 403
    )


def test_add_a_file_then_request_the_gate_from_the_page(world: dict[str, Any]) -> None:
    c = ui_client(world["manager"].user)
    first = world["stages"][0]
    with translation.override("zh-hans"):
        r = c.post(act(first, "request_gate"), {"note": "完成", "expected_version": first.version},
                   HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 422
    assert "通过关口前须先提交以下文档：需求规格说明书" in r.content.decode()
    upload = SimpleUploadedFile("需求规格说明书.txt", "一、背景".encode(), "text/plain")
    r = c.post(act(first, "add_document"), {"name": "需求规格说明书", "file": upload})
    assert r.status_code == 302 and r["Location"] == page(world["project"])
    doc = ProjectDocument.objects.get()
    assert doc.file_name == "需求规格说明书.txt" and doc.added_by == world["manager"]
    first.refresh_from_db()
    r = c.post(act(first, "request_gate"), {"note": "完成", "expected_version": first.version})
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.status == StageStatus.AWAITING
    # the director approves in the approvals inbox: the next stage starts
    decision = ApprovalDecision.objects.get(status=DecisionStatus.PENDING)
    assert decision.approver == world["director"]
    from netdept.approvals import services as approvals

    approvals.approve(world["director"].user, decision)
    world["stages"][1].refresh_from_db()
    assert world["stages"][1].status == StageStatus.ACTIVE
    with translation.override("zh-hans"):
        html = c.get(page(world["project"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已通过 1 / 6 个关口" in html and "已通过关口" in html
    # the file: to those who see the document, as an attachment
    url = reverse("worklog:project_document_file", args=[doc.pk])
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content) == "一、背景".encode()
    outsider = UserFactory.create()
    PersonFactory.create(user=outsider)
    RoleAssignment.objects.create(user=outsider, role=custom_role(READ, "own"))
    assert ui_client(outsider).get(url).status_code == 404


def test_a_task_under_a_stage_from_the_page(world: dict[str, Any]) -> None:
    c = ui_client(world["manager"].user)
    first = world["stages"][0]
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    r = c.post(act(first, "add_task"), {"title": "需求调研", "owner": world["tech"].pk,
                                        "due_on": due, "weight": "1"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:500]
    task = Task.objects.get()
    assert task.stage == first and task.owner == world["tech"]
    html = c.get(page(world["project"])).content.decode()
    assert "需求调研" in html
    r = c.post(act(first, "add_task"), {"title": "", "owner": world["tech"].pk, "due_on": "x"})
    assert r.status_code == 422 and Task.objects.count() == 1


def test_the_api_runs_the_gate_and_names_the_missing_document(world: dict[str, Any]) -> None:
    api = api_client(world["tech"].user)
    manager_api = api_client(world["manager"].user)
    first = world["stages"][0]
    r = manager_api.post(api_act(first, "request_gate"), {}, format="json")
    assert r.status_code == 400 and "需求规格说明书" in r.content.decode()
    r = manager_api.post(
        api_act(first, "add_document"),
        {"name": "需求规格说明书", "link": "https://wiki.example.org/req"},
        format="json",
    )
    assert r.status_code == 200, r.content
    # the tech lead owns no gate of the first stage but may add to it
    assert api.post(api_act(first, "request_gate"), {}, format="json").status_code == 403
    r = manager_api.post(api_act(first, "request_gate"), {"note": "完成"}, format="json")
    assert r.status_code == 200, r.content
    first.refresh_from_db()
    assert first.status == StageStatus.AWAITING
    r = manager_api.post(api_act(first, "request_gate"), {}, format="json")
    assert r.status_code == 400
    r = api_client(world["manager"].user).get(f"/api/v1/worklog/projects/{world['project'].pk}/")
    assert r.status_code == 200 and r.json()["current_stage"] == first.pk


def test_the_api_takes_a_file_in_multipart(world: dict[str, Any]) -> None:
    api = api_client(world["manager"].user)
    first = world["stages"][0]
    upload = SimpleUploadedFile("需求.txt", b"hello", "text/plain")
    r = api.post(api_act(first, "add_document"), {"name": "需求规格说明书", "file": upload},
                 format="multipart")  # fmt: skip
    assert r.status_code == 200, r.content
    bad = SimpleUploadedFile("x.exe", b"MZ\x90", "application/octet-stream")
    r = api.post(api_act(first, "add_document"), {"name": "安装包", "file": bad},
                 format="multipart")  # fmt: skip
    assert r.status_code == 400 and "file" in r.json()
    assert ProjectDocument.objects.count() == 1


def test_fuzzing_the_stage_actions_never_answers_500(world: dict[str, Any]) -> None:
    rng = random.Random(13)
    api = api_client(world["manager"].user)
    c = ui_client(world["manager"].user)
    junk: list[Any] = ["", " ", "x" * 5000, "\x00", "2026-13-45", -1, 10**20, None, [], {},
                       "https://", "javascript:alert(1)", "需求" * 300]  # fmt: skip
    fields = ["name", "link", "note", "title", "owner", "due_on", "weight", "expected_version"]
    for _ in range(60):
        stage = rng.choice(world["stages"])
        name = rng.choice(["request_gate", "pass_gate", "add_document", "add_task", "nope"])
        data = {f: rng.choice(junk) for f in rng.sample(fields, rng.randint(0, len(fields)))}
        r = api.post(api_act(stage, name), data, format="json")
        assert r.status_code < 500, (name, data, r.content[:300])
        form = {k: ("" if v is None else str(v)) for k, v in data.items()}
        r = c.post(act(stage, name), form)
        assert r.status_code < 500, (name, form)
    assert not ProjectDocument.objects.filter(name="").exists()


def test_the_stages_collection_has_no_post_of_its_own_for_anyone(world: dict[str, Any]) -> None:
    """Stages come with their project; the collection answers 405 whoever asks — one who may
    add nothing too (the permission is not asked first) — and nothing is saved."""
    before = world["project"].stages.count()
    for person in (world["manager"], world["director"]):
        r = api_client(person.user).post(
            "/api/v1/worklog/project-stages/",
            {"project": world["project"].pk, "name": "额外阶段"},
            format="json",
        )
        assert r.status_code == 405, (person.name, r.status_code)
    assert world["project"].stages.count() == before
