"""Bad pack files: each refused with a message naming the file and the line of the key at
fault, every problem listed, and nothing loaded. The good pack is ``tests/packs/v1/sample``;
each case breaks one thing in a copy. ``tests/packs/bad/`` holds whole broken packs (YAML that
does not parse, a key given twice, a file that is not a mapping)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.duties.models import Duty, Pack, Regulation
from netdept.duties.packs import PackInvalid, available
from netdept.duties.packs.load import load
from netdept.duties.packs.validate import validate

FIXTURES = Path(__file__).parent / "packs"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English here (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def packs(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "v1", root)
    with override_settings(NETDEPT_PACKS_DIR=str(root)):
        yield root


@pytest.fixture(autouse=True)
def org(db: None) -> hospital.Hospital:
    return hospital.build()


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def refused(name: str = "sample") -> list[str]:
    with pytest.raises(PackInvalid) as exc:
        load(name, department="XXK")
    assert not Pack.objects.exists() and not Regulation.objects.filter(pack=name).exists()
    assert not Duty.objects.filter(pack=name).exists()
    return [str(e) for e in exc.value.errors]


# (file, text replaced, replacement, line holding this text after the change, message part)
CASES = [
    ("rules.yaml", 'amount: "10.00", per_item', "amount: 10.5, per_item", "amount: 10.5",
     "is not an amount of money"),
    ("rules.yaml", 'amount: "10.00", per_item', 'amount: "10.001", per_item', "10.001",
     "is not an amount of money"),
    ("rules.yaml", 'amount: "200.00", articles', 'amount: "两百", articles', "两百",
     "is not an amount of money"),
    ("rules.yaml", 'rrule: "FREQ=WEEKLY;BYDAY=MO"', 'rrule: "FREQ=WEEKLY;BYDAY=MO;UNTIL=20000101"',
     "UNTIL=2000", "never fires"),
    ("rules.yaml", 'rrule: "FREQ=WEEKLY;BYDAY=MO"', 'rrule: "FREQ=HOURLY"', "FREQ=HOURLY",
     "FREQ"),
    ("rules.yaml", 'due_time: "17:00"', 'due_time: "25:00"', "25:00", "not a time of day"),
    ("rules.yaml", "due_time: \"17:00\"", "due_time: 1700", "due_time: 1700", "expected text"),
    ("rules.yaml", 'articles: ["rules#3"]\n    period', 'articles: ["rules#33"]\n    period',
     "rules#33", "no article rules#33"),
    ("rules.yaml", "penalty_rule: escalating", "penalty_rule: nope", "penalty_rule: nope",
     "no penalty_rules item has the key nope"),
    ("rules.yaml", "shift: next", "shift: later", "shift: later", '"later" is not one of'),
    ("rules.yaml", "evidence: {kind: number, min: 2, unit: 篇}", "evidence: {kind: checklist}",
     "evidence: {kind: checklist}", "a checklist needs its items"),
    ("rules.yaml", "evidence: {kind: number, min: 2, unit: 篇}",
     "evidence: {kind: record, record: nothing.here}", "nothing.here", "no such kind of record"),
    ("rules.yaml", "reviewer: {kind: team_lead}", "reviewer: {kind: team_lead, who: me}",
     "who: me", "unknown field who"),
    ("rules.yaml", "assignee: {kind: department, department: XXK}",
     "assignee: {kind: person, person: NO-SUCH}", "NO-SUCH", "employee number NO-SUCH"),
    ("rules.yaml", "assignee: {kind: department, department: XXK}", "assignee: {kind: position}",
     "assignee: {kind: position}", "names its position"),
    ("rules.yaml", "      - {offence: 2, sanction: fine, amount: \"200\"}",
     "      - {offence: 2, sanction: fine}", "offence: 2, sanction: fine}",
     "a fine needs its amount"),
    ("rules.yaml", "sanction: pay_cut, percent: \"20\"", "sanction: pay_cut, percent: \"120\"",
     "percent: \"120\"", "percentage"),
    ("rules.yaml", "  - key: escalating\n    code: sample-escalating",
     "  - key: late-article\n    code: sample-escalating", "  - key: late-article\n",
     "the key late-article is used twice"),
    ("rules.yaml", "    code: sample-news\n", "", "  - key: news", "code is required"),
    ("rules.yaml", "kind: approvals.general", "kind: approvals.general\n    colour: red",
     "colour: red", "unknown field colour"),
    ("rules.yaml", "check: {code: workorders.resolved_in_sla, params: {min: 3}}",
     "check: {code: nope}", "check: {code: nope}", "no self-check is registered as nope"),
    ("rules.yaml", "params: {min: 3}}", 'params: {min: "three"}}', "three", "bad parameters: min"),
    ("rules.yaml", "reviewer: {kind: person, person: H001}", "reviewer: {kind: person}",
     "reviewer: {kind: person}", "a reviewer of kind person names the person"),
    ("pack.yaml", "name: sample", "name: other", "name: other", "differs from the folder"),
    ("pack.yaml", 'version: "1.0"', "version: 1.0", "version: 1.0", "write it in quotes"),
    ("pack.yaml", '"duties.view_duty"', '"duties.fly_away"', "duties.fly_away",
     "no such permission: duties.fly_away"),
    ("pack.yaml", "{label: \"2\", seed_line: 558", "{label: \"1\", seed_line: 558",
     "seed_line: 558", "the label 1 is used twice"),
    ("pack.yaml", "articles: [\"rules#2\"]", "articles: [\"other#2\"]", "other#2",
     "no article other#2"),
    ("rules.yaml", "duties:\n", "title: 另一个\nduties:\n", "title: 另一个", "pack.yaml only"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "at", "message"), CASES)
def test_a_bad_pack_is_refused_naming_file_and_line(
    packs: Path, file: str, old: str, new: str, at: str, message: str
) -> None:
    path = packs / "sample" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if at in new:  # the line of ``at`` inside the replacement
        start = text.index(old)
        line = text[:start].count("\n") + 1 + new[: new.index(at)].count("\n")
    else:
        line = line_of(path, at)
    errors = refused()
    wanted = f"packs/sample/{file}:{line}: "
    assert any(e.startswith(wanted) and message in e for e in errors), (wanted, message, errors)


def test_every_problem_is_listed_at_once(packs: Path) -> None:
    path = packs / "sample" / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('due_time: "17:00"', 'due_time: "7pm"').replace(
        "period: month", "period: week"
    )
    path.write_text(text, encoding="utf-8")
    errors = refused()
    assert len(errors) == 2
    assert any("due_time" in e for e in errors) and any("period" in e for e in errors)


@pytest.mark.parametrize(
    ("case", "where", "message"),
    [
        ("broken-yaml", "packs/broken-yaml/pack.yaml:5: ", "not valid YAML"),
        (
            "twice",
            "packs/twice/rules.yaml:4: ",
            "the key name is given twice in this mapping (first on line 3)",
        ),
        ("not-mapping", "packs/not-mapping/rules.yaml:1: ", "a pack file is a mapping"),
        ("no-header", "packs/no-header/pack.yaml: ", "the pack has no pack.yaml"),
    ],
)
def test_broken_files_are_refused(tmp_path: Path, case: str, where: str, message: str) -> None:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "bad", root)
    with override_settings(NETDEPT_PACKS_DIR=str(root)):
        errors = refused(case)
    assert any(e.startswith(where) and message in e for e in errors), errors


def test_the_sample_is_valid_and_listed(packs: Path) -> None:
    assert available() == ["sample"]
    data = validate("sample")
    assert (data.name, data.version) == ("sample", "1.0")
    assert [i.key for i in data.section("duties")] == ["news", "resolve"]


def test_the_command_prints_every_problem_in_chinese(packs: Path) -> None:
    path = packs / "sample" / "rules.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("period: month", "period: week"), encoding="utf-8"
    )
    line = line_of(path, "period: week")
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command("nd_pack", "load", "sample", "--department", "XXK")
    text = str(exc.value)
    assert f"packs/sample/rules.yaml:{line}: penalty_rules[late-article].period" in text
    assert "制度包 sample 未通过校验" in text
    assert not Pack.objects.exists()


def test_unknown_pack(packs: Path) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("nd_pack", "show", "nothing")
    assert "no such pack" in str(exc.value)
