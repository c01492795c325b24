"""Rules declared as plain data (``netdept.approvals.define.define_rule``): created through the
services, audited, idempotent (a second run changes nothing and keeps the version), updated
step by step, and refused with the step and the field named when the data cannot resolve."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from netdept.approvals import services
from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalRule, ApprovalStepRule
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.testing.factories import user_with_perms, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def spec(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "purchase",
        "name": "采购审批",
        "kind": "approvals.general",
        "default": True,
        "restart": "returning",
        "allow_bulk": True,
        "emergency": True,
        "emergency_hours": 16,
        "steps": [
            {
                "name": "科室负责人审批",
                "approver": "department_head",
                "time_limit_hours": 8,
                "remind_before_hours": 2,
                "escalate_to": "superior",
            },
            {
                "name": "主任审批",
                "approver": "director",
                "condition": {"field": "amount", "op": "gt", "value": 5000},
                "require_2fa": True,
            },
            {"name": "信息科负责人审批", "approver": "head_of", "department": "XXK"},
            {"name": "网络运维组长", "approver": "person", "person": "H001"},
        ],
    }
    base.update(kw)
    return base


def records(rule: ApprovalRule) -> int:
    rule_rows = AuditRecord.objects.filter(
        object_type="approvals.approvalrule", object_id=str(rule.pk)
    ).count()
    step_rows = AuditRecord.objects.filter(object_type="approvals.approvalsteprule").count()
    return rule_rows + step_rows


def test_a_rule_is_created_from_data_with_its_steps_in_order_and_audited(h):
    rule = define_rule(spec())
    assert (rule.code, rule.name, rule.kind) == ("purchase", "采购审批", "approvals.general")
    assert rule.is_default and rule.allow_bulk and rule.emergency_allowed
    assert (rule.restart_on_return, rule.emergency_hours) == ("returning", 16)
    steps = list(rule.steps.order_by("order"))
    assert [(s.order, s.name, s.approver) for s in steps] == [
        (10, "科室负责人审批", "department_head"),
        (20, "主任审批", "director"),
        (30, "信息科负责人审批", "head_of"),
        (40, "网络运维组长", "person"),
    ]
    assert (steps[0].time_limit_hours, steps[0].remind_before_hours) == (8, 2)
    assert steps[0].escalate_to == "superior"
    assert (steps[1].condition_field, steps[1].condition_op) == ("amount", "gt")
    assert steps[1].condition_value == "5000" and steps[1].require_2fa
    assert steps[2].department == h.network
    assert steps[3].person == h["liuqiang"]
    created = AuditRecord.objects.filter(action=AuditAction.CREATE)
    assert created.filter(object_type="approvals.approvalrule", object_id=str(rule.pk)).exists()
    assert created.filter(object_type="approvals.approvalsteprule").count() == 4


def test_the_rule_works_for_a_request(h):
    rule = define_rule(spec(steps=[{"name": "科室负责人审批", "approver": "department_head"}]))
    req = services.submit(h.user("huangli"), kind="approvals.general", title="采购交换机")
    assert req.rule == rule
    assert [d.approver.name for d in req.decisions.all()] == ["陈志强"]


def test_a_second_run_changes_nothing_and_keeps_the_version(h):
    rule = define_rule(spec())
    version, n = rule.version, records(rule)
    again = define_rule(spec())
    assert again.pk == rule.pk and again.version == version
    assert records(rule) == n
    assert ApprovalStepRule.objects.filter(rule=rule).count() == 4


def test_a_change_is_made_through_the_services_and_raises_the_version(h):
    rule = define_rule(spec())
    version = rule.version
    steps = spec()["steps"]
    steps[1]["condition"] = {"field": "amount", "op": "gte", "value": 10000}
    changed = define_rule(spec(name="采购审批（新）", steps=steps[:2]))
    assert changed.pk == rule.pk and changed.name == "采购审批（新）"
    assert changed.version > version
    kept = list(changed.steps.order_by("order"))
    assert [s.name for s in kept] == ["科室负责人审批", "主任审批"]
    assert (kept[1].condition_op, kept[1].condition_value) == ("gte", "10000")
    deleted = AuditRecord.objects.filter(
        action=AuditAction.DELETE, object_type="approvals.approvalsteprule"
    )
    assert deleted.count() == 2
    update = AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_type="approvals.approvalsteprule"
    ).get()
    assert update.changes["condition_value"] == ["5000", "10000"]


def test_a_request_keeps_the_version_it_was_submitted_under(h):
    rule = define_rule(spec(steps=[{"name": "科室负责人审批", "approver": "department_head"}]))
    req = services.submit(h.user("huangli"), kind="approvals.general", title="申请")
    define_rule(spec(steps=[{"name": "主任审批", "approver": "director"}]))
    rule.refresh_from_db()
    req.refresh_from_db()
    assert req.rule_version < rule.version
    assert req.steps.get().name == "科室负责人审批"


def test_data_that_cannot_resolve_is_refused_naming_the_step_and_field_and_nothing_is_saved(h):
    bad = spec()
    bad["steps"][2]["department"] = "WK"  # 外科 has no head
    with pytest.raises(ValidationError) as exc:
        define_rule(bad)
    assert "steps[2].department" in exc.value.message_dict
    assert "外科" in exc.value.message_dict["steps[2].department"][0]
    assert not ApprovalRule.objects.filter(code="purchase").exists()
    assert not ApprovalStepRule.objects.filter(rule__code="purchase").exists()


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"name": "x", "approver": "head_of", "department": "NOPE"}, "steps[0]"),
        ({"name": "x", "approver": "person", "person": "NOPE"}, "steps[0]"),
        ({"name": "x", "approver": "committee", "committee": "无此委员会"}, "steps[0]"),
        ({"name": "x", "approver": "director", "colour": "red"}, "steps[0]"),
        (
            {"name": "x", "approver": "director", "condition": {"field": "weight", "value": 1}},
            "steps[0].condition_field",
        ),
        (
            {"name": "x", "approver": "director", "condition": {"field": "amount", "value": "多"}},
            "steps[0].condition_value",
        ),
        (
            {"name": "x", "approver": "director", "escalate_to": "superior"},
            "steps[0].time_limit_hours",
        ),
        ({"name": "x", "approver": "nobody"}, "steps[0].approver"),
        ("not a step", "steps[0]"),
    ],
)
def test_bad_steps_are_refused_by_name(h, step, field):
    with pytest.raises(ValidationError) as exc:
        define_rule(spec(steps=[step]))
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not ApprovalRule.objects.filter(code="purchase").exists()


def test_a_rule_of_an_unknown_kind_or_without_a_code_is_refused(h):
    with pytest.raises(ValidationError) as exc:
        define_rule(spec(kind="nobody.declares"))
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError):
        define_rule({"name": "无编码"})
    with pytest.raises(ValidationError):
        define_rule(spec(colour="red"))
    with pytest.raises(ValidationError):
        define_rule(spec(steps="科室负责人审批"))
    assert not ApprovalRule.objects.filter(code="purchase").exists()


def test_an_actor_needs_the_rights_and_is_recorded(h):
    with pytest.raises(PermissionDenied):
        define_rule(spec(), actor=user_with_perms(["approvals.view_approvalrule"]))
    assert not ApprovalRule.objects.filter(code="purchase").exists()
    director = user_with_role("director")
    rule = define_rule(spec(), actor=director)
    rec = AuditRecord.objects.get(
        action=AuditAction.CREATE, object_type="approvals.approvalrule", object_id=str(rule.pk)
    )
    assert rec.actor_id == director.pk
