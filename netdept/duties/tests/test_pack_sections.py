"""Pack sections registered by modules above duties (``netdept.duties.packs.sections``): the
working rhythm's ``worklog_policy``, ``meeting_types``, ``leave_types``, ``attendance_rules``
and ``project_flows``. A copy of the sample pack gets a ``rhythm.yaml``; its items are checked
against their section's schema and references (every problem named with file and line, nothing
written), written through the models' services, linked to their articles (the coverage shows
them), loaded a second time with 0 changes, upgraded (changed, dropped, edited on the site)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.duties.models import ArticleLink, Pack, PackItem
from netdept.duties.packs import PackInvalid
from netdept.duties.packs.coverage import coverage
from netdept.duties.packs.load import load
from netdept.duties.packs.sections import (
    PackSection,
    all_sections,
    get_section,
    register_section,
    unregister_section,
)
from netdept.duties.packs.validate import link_targets, pack_schema, validate
from netdept.worklog.models import (
    AttendanceRule,
    LeaveType,
    MeetingType,
    ProjectFlow,
    StageTemplate,
    WorklogPolicy,
)

FIXTURES = Path(__file__).parent / "packs"

pytestmark = pytest.mark.django_db

RHYTHM = """\
worklog_policy:
  - key: rhythm
    name: 测试节奏
    close_after_days: 3
    task_overdue_penalty_rule: late-article
    articles: ["rules#3"]
meeting_types:
  - key: weekly
    code: sample-weekly
    name: 周例会
    kind: weekly
    rrule: "FREQ=WEEKLY;BYDAY=FR"
    start_time: "15:00"
    duration_minutes: 60
    team: web-ops
    articles: ["rules#1"]
leave_types:
  - key: personal
    code: sample-personal
    name: 事假
    max_days: "2.5"
    valid_channels: [in_person, phone]
    articles: ["rules#4"]
attendance_rules:
  - key: hours
    code: sample-hours
    name: 上下班打卡
    work_starts: "08:30"
    work_ends: "17:30"
    absence_penalty_rule: escalating
    articles: ["rules#4"]
project_flows:
  - key: site
    code: sample-site
    name: 网站项目
    articles: ["rules#1"]
    stages:
      - {code: req, name: 需求分析, owner_role: manager, required_documents: [需求文档],
         articles: ["rules#2"]}
      - {code: dev, name: 开发, owner_position: editor}
"""


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def packs(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "v1", root)
    (root / "sample" / "rhythm.yaml").write_text(RHYTHM, encoding="utf-8")
    with override_settings(NETDEPT_PACKS_DIR=str(root)):
        yield root


@pytest.fixture
def org() -> hospital.Hospital:
    return hospital.build()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_worklog_sections_are_registered() -> None:
    names = [s.name for s in all_sections()]
    for name in ("worklog_policy", "meeting_types", "leave_types", "attendance_rules"):
        assert name in names
    assert "project_flows" in names
    schema = pack_schema()
    assert schema["properties"]["meeting_types"]["type"] == "array"
    assert link_targets()["worklog.meetingtype"] == "meeting_types"


def test_a_section_may_not_take_a_built_in_name() -> None:
    section = get_section("meeting_types")
    assert section is not None
    with pytest.raises(ValueError):
        register_section(PackSection(**{**section.__dict__, "name": "duties"}))
    with pytest.raises(ValueError):
        register_section(PackSection(**{**section.__dict__, "name": "Meeting-Types"}))
    register_section(PackSection(**{**section.__dict__, "name": "meeting_types_copy"}))
    try:
        assert get_section("meeting_types_copy") is not None
    finally:
        unregister_section("meeting_types_copy")
    assert get_section("meeting_types_copy") is None


def test_the_items_load_through_the_services_with_their_articles(
    packs: Path, org: hospital.Hospital
) -> None:
    before = AuditRecord.objects.count()
    report = load("sample", department="XXK")
    assert {
        "worklog_policy:rhythm",
        "meeting_type:weekly",
        "leave_type:personal",
        "attendance_rule:hours",
        "project_flow:site",
        "stage_template:site#req",
        "stage_template:site#dev",
    } <= set(report.created)
    policy = WorklogPolicy.objects.get(department=org.network)
    assert (policy.close_after_days, policy.pack) == (3, "sample")
    assert policy.task_overdue_penalty_rule is not None
    assert policy.task_overdue_penalty_rule.code == "sample-late-article"
    weekly = MeetingType.objects.get(code="sample-weekly")
    assert weekly.team is not None and weekly.team.name == "网站运营组"
    assert [a.label for a in weekly.articles.all()] == ["1"]
    personal = LeaveType.objects.get(code="sample-personal")
    assert (str(personal.max_days), personal.valid_channels) == ("2.5", ["in_person", "phone"])
    hours = AttendanceRule.objects.get(code="sample-hours")
    assert hours.department == org.network and hours.absence_penalty_rule is not None
    flow = ProjectFlow.objects.get(code="sample-site")
    stages = list(StageTemplate.objects.filter(flow=flow).order_by("order"))
    assert [(s.order, s.code, s.owner_role) for s in stages] == [
        (1, "req", "manager"),
        (2, "dev", ""),
    ]
    assert stages[1].owner_position is not None and stages[1].owner_position.name == "网站编辑"
    # audited through the services; linked so the coverage shows them
    assert AuditRecord.objects.count() > before
    linked = {
        link.target_type.model
        for link in ArticleLink.objects.filter(article__version__regulation__pack="sample")
    }
    assert {"worklogpolicy", "meetingtype", "leavetype", "attendancerule"} <= linked
    assert {"projectflow", "stagetemplate"} <= linked
    cov = coverage(Pack.objects.get(name="sample"))
    row = next(r for r in cov.rows if r.article.label == "2")
    assert "stage template" in {e.kind for e in row.encoders}
    again = load("sample")
    assert again.changes == 0 and not again.kept and not again.edited


def test_an_upgrade_updates_retires_and_keeps_site_edits(
    packs: Path, org: hospital.Hospital
) -> None:
    load("sample", department="XXK")
    personal = LeaveType.objects.get(code="sample-personal")
    hours = AttendanceRule.objects.get(code="sample-hours")
    hours.late_grace_minutes = 10  # the site's own setting
    hours.save()
    rhythm = packs / "sample" / "rhythm.yaml"
    edit(packs / "sample" / "pack.yaml", 'version: "1.0"', 'version: "1.1"')
    edit(rhythm, '    max_days: "2.5"\n', '    max_days: "3"\n')
    edit(rhythm, 'work_ends: "17:30"', 'work_ends: "18:00"')
    text = rhythm.read_text(encoding="utf-8")
    start = text.index("meeting_types:")
    rhythm.write_text(text[:start] + text[text.index("leave_types:") :], encoding="utf-8")
    edit(rhythm, "      - {code: dev, name: 开发, owner_position: editor}\n", "")
    report = load("sample")
    assert "leave_type:personal" in report.updated
    personal.refresh_from_db()
    assert str(personal.max_days) == "3.0"
    assert "meeting_type:weekly" in report.retired
    assert not MeetingType.objects.get(code="sample-weekly").is_active
    assert "stage_template:site#dev" in report.retired
    assert not StageTemplate.objects.filter(code="dev").exists()
    kept = {k["key"] for k in report.kept}
    assert "attendance_rule:hours" in kept
    hours.refresh_from_db()
    assert (hours.late_grace_minutes, hours.work_ends.hour) == (10, 17)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("[in_person, phone]", "[in_person, pigeon]", 22, '"pigeon" is not one of'),
        ("task_overdue_penalty_rule: late-article", "task_overdue_penalty_rule: nope", 5, "nope"),
        ("    team: web-ops\n", "    team: nowhere\n", 15, "nowhere"),
        ('work_ends: "17:30"', 'work_ends: "07:30"', 29, "work ends after it starts"),
        ('start_time: "15:00"', 'start_time: "25:00"', 13, "not a time of day"),
        ("owner_position: editor}", "owner_position: chief}", 40, "chief"),
        ('articles: ["rules#2"]}', 'articles: ["rules#99"]}', 39, "rules#99"),
        ("    kind: weekly\n", "    kind: weekly\n    colour: red\n", 12, "unknown field colour"),
        ('rrule: "FREQ=WEEKLY;BYDAY=FR"', 'rrule: "FREQ=SOMETIMES"', 12, "rrule"),
    ],
)
def test_a_bad_item_is_named_with_its_line_and_nothing_is_written(
    packs: Path, org: hospital.Hospital, old: str, new: str, line: int, message: str
) -> None:
    edit(packs / "sample" / "rhythm.yaml", old, new)
    with pytest.raises(PackInvalid) as refused:
        validate("sample")
    errors = [e for e in refused.value.errors if e.file.endswith("rhythm.yaml")]
    assert errors, refused.value.errors
    assert any(message in e.message and e.line == line for e in errors), errors
    with pytest.raises(PackInvalid):
        load("sample", department="XXK")
    assert not Pack.objects.filter(name="sample").exists()
    assert not PackItem.objects.exists() and not MeetingType.objects.exists()


#: values a careless or hostile pack might give any field
ODD_VALUES: list[object] = [None, "", -1, 10**12, 1.5, True, [], {}, "x" * 5000, "17:00", ["a"]]


def test_odd_values_in_any_field_are_refused_or_loaded_never_a_crash(
    packs: Path, org: hospital.Hospital
) -> None:
    """Every field of every rhythm item, given each odd value: the pack is refused with
    problems naming rhythm.yaml, or it loads (a value the field takes); nothing else."""
    import yaml

    rhythm = packs / "sample" / "rhythm.yaml"
    base = yaml.safe_load(RHYTHM)
    tried = 0
    for section, items in base.items():
        for field_name in list(items[0]):
            for value in ODD_VALUES:
                data = yaml.safe_load(RHYTHM)
                data[section][0][field_name] = value
                rhythm.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
                tried += 1
                try:
                    validate("sample", org.network)
                except PackInvalid as exc:
                    assert exc.errors and all(str(e) for e in exc.errors)
                    continue
                try:
                    load("sample", department="XXK")
                except PackInvalid as exc:  # a service refused it, named; nothing written
                    assert exc.errors
                    assert not Pack.objects.filter(name="sample").exists()
                else:
                    Pack.objects.filter(name="sample").delete()
    assert tried > 200
