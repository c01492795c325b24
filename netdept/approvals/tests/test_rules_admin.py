"""Administering approval rules on the generic pages: the choices come from the declared kinds,
a rule's page lists its steps with an "add step" link, saving unchanged keeps the version; a
person keeps their own delegations; the lists' filters (the inbox's among them); the roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from netdept.approvals import kinds, services
from netdept.approvals.filtersets import DecisionFilterSet, RequestFilterSet
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    Delegation,
    StepStatus,
)
from netdept.approvals.tests import hospital
from netdept.core import permissions
from netdept.testing.crud import api_client, form_data, ui_client
from netdept.testing.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture
def extra_kind() -> Any:
    kind = kinds.register_kind(
        kinds.ApprovalKind(
            code="tests.leave",
            label="请假",
            fields={"days": kinds.Condition("天数", kinds.NUMBER)},
        )
    )
    yield kind
    kinds.unregister(kind.code)


def test_the_rule_form_and_serializer_offer_the_declared_kinds(h, extra_kind):
    director = h.user("wangjg")
    html = ui_client(director).get(reverse("approvals:rules_add")).content.decode()
    assert '<option value="approvals.general">通用申请</option>' in html
    assert '<option value="tests.leave">请假</option>' in html  # declared after start-up
    r = api_client(director).options(reverse("approvals-rules-list"))
    choices = r.json()["actions"]["POST"]["kind"]["choices"]
    assert {"value": "tests.leave", "display_name": "请假"} in choices
    data = {"name": "请假审批", "code": "leave", "kind": "tests.leave", "emergency_hours": 8,
            "restart_on_return": "first", "is_active": True}  # fmt: skip
    r = api_client(director).post(reverse("approvals-rules-list"), data, format="json")
    assert r.status_code == 201, r.json()


def test_the_step_form_offers_every_condition_field_as_kind_and_field(h, extra_kind):
    html = ui_client(h.user("wangjg")).get(reverse("approvals:rule-steps_add")).content.decode()
    assert "通用申请 · 金额（元）" in html
    # "days" is a field of both kinds: one choice naming both
    assert "通用申请 · 天数 / 请假 · 天数" in html
    assert "申请人所在科室负责人" in html and "逐级上级审批" in html  # the approvers, in Chinese


def test_a_field_of_another_kind_is_refused_naming_the_fields_of_the_rule_s_kind(h, extra_kind):
    rule = hospital.rule(kind="tests.leave", code="leave")
    data = {"rule": rule.pk, "order": 10, "name": "主任", "approver": "director", "levels": 1,
            "role_quorum": "any", "condition_field": "amount", "condition_op": "gt",
            "condition_value": "3", "time_limit_hours": 0, "remind_before_hours": 0}  # fmt: skip
    r = ui_client(h.user("wangjg")).post(reverse("approvals:rule-steps_add"), form_data(data))
    assert r.status_code == 422
    assert "days" in r.context["form"].errors["condition_field"][0]


def test_the_rule_page_lists_its_steps_with_an_add_step_link_prefilled(h):
    rule = hospital.rule(code="purchase", name="采购审批")
    hospital.step(rule, "科室负责人审批", "department_head", order=10)
    hospital.step(rule, "主任审批", "director", order=20)
    c = ui_client(h.user("wangjg"))
    url = reverse("approvals:rules_detail", args=[rule.pk])
    html = c.get(url, {"tab": "steps"}).content.decode()
    assert "审批步骤" in html
    tab = c.get(reverse("approvals:rules_tab", args=[rule.pk, "steps"])).content.decode()
    assert tab.index("科室负责人审批") < tab.index("主任审批")
    add = f"{reverse('approvals:rule-steps_add')}?rule={rule.pk}"
    assert f'href="{add}"' in tab.replace("&amp;", "&")
    form = c.get(add).context["form"]
    assert form.initial["rule"] == rule.pk and form.initial["order"] == 30
    # a reader who may not add steps sees the steps, not the link
    auditor = h.user("fengli")
    tab = ui_client(auditor).get(reverse("approvals:rules_tab", args=[rule.pk, "steps"]))
    assert tab.status_code == 200
    assert "主任审批" in tab.content.decode() and "nd-add-step" not in tab.content.decode()


def test_saving_a_rule_unchanged_keeps_its_version_and_a_change_raises_it(h):
    rule = hospital.rule(code="purchase", name="采购审批")
    step = hospital.step(rule, "主任审批", "director")
    rule.refresh_from_db()
    v = rule.version
    director = h.user("wangjg")
    services.ApprovalRuleService().update(director, rule, {"name": "采购审批"})
    services.ApprovalStepRuleService().update(director, step, {"name": "主任审批"})
    rule.refresh_from_db()
    assert rule.version == v
    services.ApprovalStepRuleService().update(director, step, {"time_limit_hours": 8})
    rule.refresh_from_db()
    assert rule.version == v + 1


# --- delegations: each person's own ---------------------------------------------------------------
def window(**kw: Any) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    return {"starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(days=2),
            "reason": "出差", "is_active": True, **kw}  # fmt: skip


def test_a_requester_passes_on_their_own_approvals_and_nobody_else_s(h):
    chen = h.user("chenzq")  # 内科's head: a requester too
    c = ui_client(chen)
    form = c.get(reverse("approvals:delegation_add")).context["form"]
    assert form.initial["delegator"] == h["chenzq"].pk
    assert list(form.fields["delegator"].queryset) == [h["chenzq"]]
    add = reverse("approvals:delegation_add")
    r = c.post(
        add, form_data({"delegator": h["chenzq"].pk, "delegate": h["huangli"].pk, **window()})
    )
    assert r.status_code == 302, r.context["form"].errors
    mine = Delegation.objects.get(delegator=h["chenzq"])
    assert mine.delegate == h["huangli"]

    # another person of the department: not a choice on the page, refused by the API
    r = c.post(
        add, form_data({"delegator": h["huangli"].pk, "delegate": h["chenzq"].pk, **window()})
    )
    assert r.status_code == 422 and "delegator" in r.context["form"].errors
    api = api_client(chen)
    iso = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in window().items()}
    body = {"delegator": h["huangli"].pk, "delegate": h["chenzq"].pk, **iso}
    r = api.post(reverse("approvals-delegation-list"), body, format="json")
    assert r.status_code == 400 and "delegator" in r.json()
    assert not Delegation.objects.filter(delegator=h["huangli"]).exists()

    # the API takes the caller as the person away when none is named
    del body["delegator"]
    body["delegate"] = h["huangli"].pk
    r = api.post(reverse("approvals-delegation-list"), body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["delegator"] == h["chenzq"].pk

    # a colleague's delegation, visible at the department scope, cannot be changed
    theirs = services.DelegationService().create(
        None, {"delegator": h["huangli"], "delegate": h["chenzq"], **window()}, check=False
    )
    r = c.post(reverse("approvals:delegation_edit", args=[theirs.pk]),
               form_data({"delegator": h["huangli"].pk, "delegate": None, **window()}))  # fmt: skip
    assert r.status_code == 422 and "delegator" in r.context["form"].errors
    theirs.refresh_from_db()
    assert theirs.delegate == h["chenzq"]


def test_the_director_sets_a_delegation_for_someone_away(h):
    c = ui_client(h.user("wangjg"))
    data = {"delegator": h["liuqiang"].pk, "delegate": h["lina"].pk, **window()}
    r = c.post(reverse("approvals:delegation_add"), form_data(data))
    assert r.status_code == 302, r.context["form"].errors
    assert Delegation.objects.filter(delegator=h["liuqiang"], delegate=h["lina"]).exists()


# --- the lists' filters ---------------------------------------------------------------------------
def submitted(h: hospital.Hospital, who: str, **kw: Any) -> ApprovalRequest:
    return services.submit(h.user(who), kind="approvals.general", title=kw.pop("title", "申请"),
                           **kw)  # fmt: skip


def rows(filterset: Any, user: Any, **params: Any) -> list[Any]:
    qs = filterset.Meta.model.objects.all()

    class Req:
        pass

    req = Req()
    req.user = user  # type: ignore[attr-defined]
    fs = filterset(params, queryset=qs, request=req)
    assert fs.is_valid(), fs.errors
    return list(fs.qs)


def test_the_decision_filters_the_inbox_uses(h):
    rule = hospital.rule(code="general", is_default=True, emergency_allowed=True)
    hospital.step(rule, "科室负责人审批", "department_head", time_limit_hours=8)
    late = submitted(h, "huangli", title="迟了")
    soon = submitted(h, "huangli", title="不急", emergency=True)
    ApprovalDecision.objects.filter(request=late).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    late.steps.update(due_at=timezone.now() - dt.timedelta(hours=1))
    ApprovalDecision.objects.filter(request=soon).update(
        due_at=timezone.now() + dt.timedelta(hours=5)
    )
    director = h.user("wangjg")
    titles = lambda got: sorted(d.request.title for d in got)  # noqa: E731
    assert titles(rows(DecisionFilterSet, director, overdue="true")) == ["迟了"]
    assert titles(rows(DecisionFilterSet, director, overdue="false")) == ["不急"]
    assert titles(rows(DecisionFilterSet, director, emergency="true")) == ["不急"]
    assert len(rows(DecisionFilterSet, director, kind="approvals.general")) == 2
    assert rows(DecisionFilterSet, director, kind="workorders.major_report") == []
    assert len(rows(DecisionFilterSet, director, requester=h["huangli"].pk)) == 2
    assert len(rows(DecisionFilterSet, director, status=DecisionStatus.PENDING)) == 2
    assert len(rows(DecisionFilterSet, director, approver=h["chenzq"].pk)) == 2
    assert len(rows(DecisionFilterSet, director, rule=rule.pk)) == 2
    fs = DecisionFilterSet({"kind": "nobody.declares"}, queryset=ApprovalDecision.objects.all())
    assert not fs.is_valid() and "kind" in fs.errors

    assert [r.title for r in rows(RequestFilterSet, director, overdue="true")] == ["迟了"]
    assert [r.title for r in rows(RequestFilterSet, director, emergency="true")] == ["不急"]
    late.steps.update(status=StepStatus.APPROVED)
    assert rows(RequestFilterSet, director, overdue="true") == []
    assert len(rows(RequestFilterSet, director, flagged="false", kind="approvals.general")) == 2


def test_the_lists_take_the_filters_on_the_page_and_in_the_api(h):
    rule = hospital.rule(code="general", is_default=True)
    hospital.step(rule, "科室负责人审批", "department_head")
    submitted(h, "huangli", title="交换机采购")
    director = h.user("wangjg")
    r = ui_client(director).get(reverse("approvals:decisions_list"), {"overdue": "false"})
    assert r.status_code == 200 and "交换机采购" in r.content.decode()
    r = api_client(director).get(reverse("approvals-decisions-list"), {"overdue": "true"})
    assert r.status_code == 200 and r.json()["count"] == 0
    r = api_client(director).get(reverse("approvals-requests-list"), {"kind": "x"})
    assert r.status_code == 400 and "kind" in r.json()


# --- roles -------------------------------------------------------------------------------------
def test_the_roles_give_what_approvals_need_and_the_three_officers_nothing(h):
    requester = h.user("huangli")
    for perm in ("view_approvalrequest", "view_approvaldecision", "view_delegation",
                 "add_delegation", "change_delegation"):  # fmt: skip
        assert permissions.scope_of(requester, f"approvals.{perm}") == "department", perm
    for perm in ("add_approvalrule", "change_approvalrule", "view_approvalrule",
                 "add_committee", "delete_delegation", "change_approvaldecision"):  # fmt: skip
        assert not permissions.has_perm(requester, f"approvals.{perm}"), perm
    auditor = h.user("fengli")
    for model in ("approvalrule", "approvalsteprule", "committee", "delegation",
                  "approvalrequest", "approvalstep", "approvaldecision"):  # fmt: skip
        assert permissions.scope_of(auditor, f"approvals.view_{model}") == "all", model
        assert not permissions.has_perm(auditor, f"approvals.change_{model}"), model
    director = h.user("wangjg")
    assert permissions.scope_of(director, "approvals.change_approvalrule") == "all"
    engineer = h.user("zhangwei")
    assert permissions.has_perm(engineer, "approvals.view_approvalrule")
    assert not permissions.has_perm(engineer, "approvals.change_approvalrule")
    for code in ("sysadmin", "secadmin"):
        officer = user_with_role(code)
        held = {p for p in permissions.user_perms(officer) if p.startswith("approvals.")}
        assert held == set(), (code, held)


@pytest.mark.parametrize("route", ["approvals-decisions-list", "approvals-requests-list"])
def test_odd_filter_values_are_refused_never_a_500(h, route):
    api = api_client(h.user("wangjg"))
    page = ui_client(h.user("wangjg"))
    page_url = reverse(route.replace("approvals-", "approvals:").replace("-list", "_list"))
    for name in ("status", "kind", "requester", "emergency", "overdue", "rule", "approver"):
        for value in ("", "x" * 5000, "-1", str(2**64), "1.5", "\x00", "真", "true"):
            r = api.get(reverse(route), {name: value})
            assert r.status_code in (200, 400), (name, value, r.status_code)
            assert page.get(page_url, {name: value}).status_code == 200, (name, value)
