"""Bad input to the approval settings (issue 11, "Bad input"): a rule that cannot resolve an
approver, or whose condition or time limits make no sense, is refused when saved — on the
page (the form's error on the field, in Chinese) and in the API (400 JSON naming the field) —
and nothing is saved. Odd input to the create endpoints (very long text, NUL bytes, negative
numbers, wrong types) is refused, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Committee, Delegation
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.testing.crud import api_client, form_data, ui_client

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
STEPS_ADD, STEPS_API = "approvals:rule-steps_add", "approvals-rule-steps-list"


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture
def rule(h: hospital.Hospital) -> ApprovalRule:
    return hospital.rule(code="purchase", name="采购审批")


def step_data(rule: ApprovalRule, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": rule.pk,
        "order": 10,
        "name": "审批",
        "approver": "director",
        "levels": 1,
        "role_quorum": "any",
        "condition_op": "gt",
        "condition_field": "",
        "condition_value": "",
        "time_limit_hours": 0,
        "remind_before_hours": 0,
        "escalate_to": "",
        "require_2fa": False,
    }
    data.update(kw)
    return data


def saved_nothing(rule: ApprovalRule) -> None:
    assert not ApprovalStepRule.objects.filter(rule=rule).exists()
    assert ApprovalRule.objects.get(pk=rule.pk).version == rule.version
    assert not AuditRecord.objects.filter(
        action=AuditAction.CREATE, object_type="approvals.approvalsteprule"
    ).exists()


def refused_on_page(user: Any, url: str, data: dict[str, Any], field: str) -> str:
    r = ui_client(user).post(url, form_data(data))
    assert r.status_code == 422, r.status_code
    errors = r.context["form"].errors
    assert field in errors, errors
    message = " ".join(errors[field])
    assert CJK.search(message), message  # the page reads in Chinese
    return message


def refused_by_api(user: Any, url: str, data: dict[str, Any], field: str) -> str:
    r = api_client(user).post(url, data, format="json")
    assert r.status_code == 400, (r.status_code, r.content[:500])
    body = r.json()
    assert field in body, body
    return " ".join(body[field])


BAD_STEPS = [
    # a department without head, named: 外科 has none
    ("head of a department without head", {"approver": "head_of"}, "department", "外科"),
    ("an unknown condition field", {"condition_field": "weight"}, "condition_field", ""),
    (
        "a number field compared with text",
        {"condition_field": "amount", "condition_value": "五千"},
        "condition_value",
        "数字",
    ),
    (
        "a choice field compared with a value it does not have",
        {"condition_field": "risk", "condition_op": "eq", "condition_value": "extreme"},
        "condition_value",
        "high",
    ),
    (
        "a reminder after the limit",
        {"time_limit_hours": 4, "remind_before_hours": 6},
        "remind_before_hours",
        "提醒",
    ),
    ("passing on without a limit", {"escalate_to": "superior"}, "time_limit_hours", "时限"),
    (
        "passing on to nobody named",
        {"time_limit_hours": 8, "escalate_to": "person"},
        "escalate_person",
        "",
    ),
    (
        "a choice field put in order",
        {"condition_field": "risk", "condition_op": "gt", "condition_value": "high"},
        "condition_op",
        "≠",
    ),
    ("a role step without role", {"approver": "role"}, "role", "角色"),
    ("a person step without person", {"approver": "person"}, "person", ""),
]


@pytest.mark.parametrize(
    ("case", "extra", "field", "words"), BAD_STEPS, ids=[c[0] for c in BAD_STEPS]
)
def test_a_step_that_cannot_work_is_refused_on_the_page_and_by_the_api(
    h, rule, case, extra, field, words
):
    data = step_data(rule, **extra)
    if extra.get("approver") == "head_of":
        data["department"] = h.waike.pk
    director = h.user("wangjg")
    message = refused_on_page(director, reverse(STEPS_ADD), data, field)
    assert words in message
    saved_nothing(rule)
    message = refused_by_api(director, reverse(STEPS_API), data, field)
    assert words in message
    saved_nothing(rule)


def test_a_committee_without_members_is_refused_and_so_is_a_step_naming_one(h, rule):
    director = h.user("wangjg")
    data = {"name": "网络管理委员会", "members": [], "quorum": "all", "quorum_count": 1}
    message = refused_on_page(director, reverse("approvals:committee_add"), data, "members")
    assert "网络管理委员会" in message
    refused_by_api(director, reverse("approvals-committee-list"), data, "members")
    assert not Committee.objects.filter(name="网络管理委员会").exists()

    empty = Committee.objects.create(name="空委员会")  # made before the rule existed
    data = step_data(rule, approver="committee", committee=empty.pk)
    message = refused_on_page(director, reverse(STEPS_ADD), data, "committee")
    assert "空委员会" in message
    refused_by_api(director, reverse(STEPS_API), data, "committee")
    saved_nothing(rule)


def test_a_quorum_larger_than_the_committee_is_refused_on_the_count(h):
    director = h.user("wangjg")
    members = [h["wangjg"].pk, h["liuqiang"].pk]
    data = {"name": "领导小组", "members": members, "quorum": "count", "quorum_count": 3}
    message = refused_on_page(director, reverse("approvals:committee_add"), data, "quorum_count")
    assert "3" in message and "2" in message
    refused_by_api(director, reverse("approvals-committee-list"), data, "quorum_count")
    data["chair"] = h["lina"].pk  # not a member
    data["quorum_count"] = 2
    refused_on_page(director, reverse("approvals:committee_add"), data, "chair")
    assert not Committee.objects.filter(name="领导小组").exists()


def test_a_rule_of_a_kind_nobody_declares_is_refused(h):
    director = h.user("wangjg")
    data = {"name": "无名", "code": "nobody", "kind": "nobody.declares", "emergency_hours": 8,
            "restart_on_return": "first", "is_active": True}  # fmt: skip
    refused_on_page(director, reverse("approvals:rules_add"), data, "kind")
    refused_by_api(director, reverse("approvals-rules-list"), data, "kind")
    assert not ApprovalRule.objects.filter(code="nobody").exists()


def test_a_second_default_rule_of_a_kind_is_refused(h, rule):
    ApprovalRule.objects.filter(pk=rule.pk).update(is_default=True)
    director = h.user("wangjg")
    data = {"name": "另一条", "code": "another", "kind": "approvals.general", "is_default": True,
            "emergency_hours": 8, "restart_on_return": "first", "is_active": True}  # fmt: skip
    message = refused_on_page(director, reverse("approvals:rules_add"), data, "is_default")
    assert "采购审批" in message
    refused_by_api(director, reverse("approvals-rules-list"), data, "is_default")
    assert not ApprovalRule.objects.filter(code="another").exists()


# --- fuzz: odd input is refused, never a 500 --------------------------------------------------
LONG = "审" * 5000
ODD: list[Any] = [LONG, "a\x00b", -1, 2**64, 1.5, True, None, [], {"x": 1}, "<b>１</b>"]


def endpoints(
    h: hospital.Hospital, rule: ApprovalRule
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(page URL name, API route name, a valid payload) of each create endpoint."""
    return [
        ("approvals:rules_add", "approvals-rules-list", "rule",
         {"name": "规则", "code": "fuzz-rule", "kind": "approvals.general", "emergency_hours": 8,
          "restart_on_return": "first", "is_active": True}),
        (STEPS_ADD, STEPS_API, "step",
         step_data(rule, approver="person", person=h["liuqiang"].pk, condition_field="amount",
                   condition_value="5000", time_limit_hours=8, remind_before_hours=2)),
        ("approvals:committee_add", "approvals-committee-list", "committee",
         {"name": "委员会", "members": [h["wangjg"].pk], "quorum": "any", "quorum_count": 1}),
        ("approvals:delegation_add", "approvals-delegation-list", "delegation",
         {"delegator": h["wangjg"].pk, "delegate": h["liuqiang"].pk,
          "starts_at": "2026-12-01T08:00:00+08:00", "ends_at": "2026-12-03T08:00:00+08:00",
          "reason": "出差"}),
    ]  # fmt: skip


def test_odd_input_to_the_create_endpoints_never_answers_500(h, rule):
    director = h.user("wangjg")
    page, api = ui_client(director), api_client(director)
    tried = 0
    for page_name, api_name, _what, valid in endpoints(h, rule):
        for field in valid:
            for value in ODD:
                data = {**valid, field: value}
                r = api.post(reverse(api_name), data, format="json")
                assert r.status_code < 500, (api_name, field, value, r.status_code)
                if r.status_code == 400:
                    assert r["Content-Type"].startswith("application/json")
                try:
                    form = form_data(data)
                except TypeError:
                    form = {**form_data(valid), field: str(value)}
                if isinstance(value, dict):
                    form[field] = str(value)
                r = page.post(reverse(page_name), form)
                assert r.status_code < 500, (page_name, field, value, r.status_code)
                tried += 2
        # wrong types for the whole body
        for body in ([], "x", 1, None, [valid]):
            r = api.post(reverse(api_name), body, format="json")
            assert r.status_code in (400, 415), (api_name, body, r.status_code)
    assert tried > 400
    # whatever was accepted is whole: nothing half-saved with a NUL or a negative number
    for obj in [*ApprovalRule.objects.all(), *Committee.objects.all(), *Delegation.objects.all()]:
        for f in obj._meta.concrete_fields:
            value = getattr(obj, f.attname)
            assert not (isinstance(value, str) and "\x00" in value), (obj, f.name)
            assert not (isinstance(value, int) and not isinstance(value, bool) and value < 0)


def test_the_api_names_unknown_ids_and_wrong_types(h, rule):
    api = api_client(h.user("wangjg"))
    data = step_data(rule, approver="person", person=999_999_999)
    r = api.post(reverse(STEPS_API), data, format="json")
    assert r.status_code == 400 and "person" in r.json()
    r = api.post(reverse(STEPS_API), step_data(rule, levels="三"), format="json")
    assert r.status_code == 400 and "levels" in r.json()
    r = api.post(reverse(STEPS_API), step_data(rule, time_limit_hours=-8), format="json")
    assert r.status_code == 400 and "time_limit_hours" in r.json()
    r = api.post(
        reverse(STEPS_API), step_data(rule, levels=11, approver="superiors"), format="json"
    )
    assert r.status_code == 400 and "levels" in r.json()
    saved_nothing(rule)
