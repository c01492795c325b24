"""The web-team pack on an empty site: its five positions and roles, and a website project
walked through the pack's flow (需求分析 → 技术方案 → 开发 → 测试 → 上线 → 运维) in one
week — each gate refused while a required document is missing (naming it), the requirements
evaluated by the technical lead (the web team's lead), the design and development gates passed
by their owners, the test results reviewed by the department's head before launch, tasks under
a stage, and the project done when the last gate passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from freezegun import freeze_time

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.duties.models import Pack
from netdept.duties.packs.coverage import coverage
from netdept.org.models import Role
from netdept.worklog.models import (
    Project,
    ProjectFlow,
    ProjectStage,
    StageTemplate,
    Task,
    WorklogPolicy,
)
from netdept.worklog.tests.factories_packs import Office, Spec, at, build

pytestmark = pytest.mark.django_db

PEOPLE: list[Spec] = [
    ("zhao", "赵主管", "部门主管", "", "director", "", False),
    ("qian", "钱技术", "技术负责人", "网站建设团队", "team_lead", "zhao", True),
    ("sun", "孙经理", "项目经理", "网站建设团队", "engineer", "qian", False),
    ("li", "李程序", "程序员", "网站建设团队", "engineer", "qian", False),
    ("zhou", "周测试", "测试人员", "网站建设团队", "engineer", "qian", False),
]
MONDAY = at(3, 2, 8, 0)
FLOW = ["需求分析", "技术方案", "开发", "测试", "上线", "运维"]


@pytest.fixture
def office() -> Office:
    return build("webteam", MONDAY, PEOPLE, head="zhao")


def test_the_pack_makes_the_team_its_flow_and_complete_coverage(office: Office) -> None:
    flow = ProjectFlow.objects.get(code="webteam-website")
    stages = list(flow.stages.order_by("order"))
    assert [s.name for s in stages] == FLOW
    assert [s.owner_role for s in stages] == [
        "manager",
        "tech_lead",
        "tech_lead",
        "tester",
        "tech_lead",
        "manager",
    ]
    assert stages[0].required_documents == ["需求分析文档"]
    assert stages[3].required_documents == ["系统测试报告", "性能测试报告"]
    assert [s.approval_rule.code if s.approval_rule else "" for s in stages] == [
        "webteam-requirements-review",
        "",
        "",
        "webteam-release-review",
        "",
        "",
    ]
    assert {a.label for a in stages[0].articles.all()} == {"第十二条"}
    codes = set(Role.objects.filter(code__startswith="webteam-").values_list("code", flat=True))
    assert codes == {f"webteam-{k}" for k in ("head", "tech-lead", "pm", "developer", "tester")}
    assert WorklogPolicy.objects.get(department=office.department).pack == "webteam"
    with translation.override("en"):
        cov = coverage(Pack.objects.get(name="webteam"))
    assert len(cov.rows) == 19 and cov.complete
    by_label = {row.article.label: {e.kind for e in row.encoders} for row in cov.rows}
    assert "project flow" in by_label["第十一条"]
    assert "stage template" in by_label["第十三条"]
    assert "working rhythm policy" in by_label["第十八条"]


def _pending(person_key: str, office: Office) -> ApprovalDecision:
    return ApprovalDecision.objects.get(approver=office[person_key], status=DecisionStatus.PENDING)


def _stage(project: Project) -> ProjectStage:
    project.refresh_from_db()
    assert project.current_stage is not None
    return project.current_stage


def test_a_project_walks_through_its_gates(office: Office) -> None:
    from netdept.worklog.services import projects as svc

    flow = ProjectFlow.objects.get(code="webteam-website")
    with freeze_time(at(3, 2, 9, 0)):
        project = svc.PROJECTS.create(
            office.user("zhao"),
            {
                "code": "site-2026",
                "name": "官网改版",
                "flow": flow,
                "department": office.department,
                "team": office["qian"].team,
                "manager": office["sun"],
                "tech_lead": office["qian"],
                "tester": office["zhou"],
                "starts_on": dt.date(2026, 3, 2),
                "due_on": dt.date(2026, 3, 31),
            },
            check=False,
        )
    stage = _stage(project)
    assert (stage.name, stage.owner, stage.status) == ("需求分析", office["sun"], "active")
    sun = office.user("sun")

    # 需求分析: refused without its document, naming it; then the tech lead evaluates it
    with freeze_time(at(3, 2, 15, 0)), pytest.raises(ValidationError) as refused:
        svc.request_gate(sun, stage)
    assert "需求分析文档" in str(refused.value)
    with freeze_time(at(3, 2, 15, 5)):
        svc.add_document(sun, stage, name="需求分析文档", link="https://docs.example.org/req")
        stage = svc.request_gate(sun, stage)
    assert stage.status == "awaiting"
    with freeze_time(at(3, 2, 16, 0)):
        approvals.approve(office.user("qian"), _pending("qian", office), "需求可行。")

    # 技术方案: no approval in the text — its owner passes it once the plan is in
    stage = _stage(project)
    assert (stage.name, stage.owner) == ("技术方案", office["qian"])
    qian = office.user("qian")
    with freeze_time(at(3, 3, 10, 0)):
        svc.add_document(qian, stage, name="技术方案", link="https://docs.example.org/design")
        svc.request_gate(qian, stage)

    # 开发: tasks hang under the stage; the tech lead passes it
    stage = _stage(project)
    assert stage.name == "开发"
    with freeze_time(at(3, 3, 11, 0)):
        svc.add_stage_task(
            qian, stage, title="首页与产品页开发", owner=office["li"], due_on=dt.date(2026, 3, 5)
        )
        assert Task.objects.get(stage=stage).owner == office["li"]
        svc.request_gate(qian, stage)

    # 测试: both reports, then the department's head reviews the results before launch
    stage = _stage(project)
    assert (stage.name, stage.owner) == ("测试", office["zhou"])
    zhou = office.user("zhou")
    with freeze_time(at(3, 4, 16, 0)):
        svc.add_document(zhou, stage, name="系统测试报告", link="https://docs.example.org/t1")
        with pytest.raises(ValidationError) as refused:
            svc.request_gate(zhou, stage)
        assert "性能测试报告" in str(refused.value)
        svc.add_document(zhou, stage, name="性能测试报告", link="https://docs.example.org/t2")
        stage = svc.request_gate(zhou, stage)
    assert stage.status == "awaiting"
    with pytest.raises(ApprovalDecision.DoesNotExist):
        _pending("qian", office)  # not the tech lead's to decide
    with freeze_time(at(3, 5, 9, 0)):
        approvals.approve(office.user("zhao"), _pending("zhao", office), "测试通过，可以上线。")

    # 上线 and 运维: their owners pass them; the last gate ends the project
    stage = _stage(project)
    assert stage.name == "上线"
    with freeze_time(at(3, 5, 18, 0)):
        svc.add_document(qian, stage, name="上线部署记录", link="https://docs.example.org/go")
        svc.request_gate(qian, stage)
    stage = _stage(project)
    assert (stage.name, stage.owner) == ("运维", office["sun"])
    with freeze_time(at(3, 6, 10, 0)):
        svc.request_gate(sun, stage)
    project.refresh_from_db()
    assert project.status == "done"
    assert list(project.stages.order_by("order").values_list("status", flat=True)) == [
        "passed"
    ] * len(FLOW)
    assert StageTemplate.objects.filter(flow=flow).count() == len(FLOW)


def test_a_second_load_changes_nothing_and_a_site_edit_is_kept(office: Office) -> None:
    from netdept.duties.packs.load import load

    again = load("webteam")
    assert again.changes == 0 and not again.kept and not again.edited
    stage = StageTemplate.objects.get(flow__code="webteam-website", code="testing")
    stage.required_documents = ["系统测试报告"]
    stage.save()
    again = load("webteam")
    assert again.changes == 0
    assert "stage_template:website#testing" in again.edited
