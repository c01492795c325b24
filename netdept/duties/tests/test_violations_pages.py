"""The own pages and the API of sanctions: record a violation (a lead, on a phone), the
penalty's appeal button (page and API), my penalties and rewards (two ledgers, two totals),
grant a reward; bad input names the field (422 on the page, 400 in the API), nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.duties.models import Appeal, Penalty, PenaltyStatus, Reward, Violation
from netdept.duties.services import rewards
from netdept.duties.services import violations as svc
from netdept.duties.tests import sanctions_fixtures as fx
from netdept.testing.clients import api_client, ui_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def test_the_lead_records_a_prohibited_act_on_the_page_and_the_fine_follows(h):
    rule = fx.rule(
        "private-call",
        [{"offence": 1, "sanction": "fine", "amount": Decimal("20"), "per_item": True}],
    )
    act = fx.act("private-call", penalty_rule=rule)
    c = ui_client(h.user("liuqiang"))
    url = reverse("duties:violation_record")
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "记录违规" in html and 'name="viewport"' in html
    assert "张伟" in html and "王建国" not in html.split('id="id_person"')[1].split("</select>")[0]
    r = c.post(
        url,
        {
            "person": h["zhangwei"].pk,
            "source": "prohibited",
            "prohibited_act": act.pk,
            "occurred_at": "2026-03-03T10:00",
            "quantity": 3,
            "description": "上班时间私人电话 3 次",
        },
    )
    assert r.status_code == 302
    p = Penalty.objects.get()
    assert r["Location"] == reverse("duties:penalties_detail", args=[p.pk])
    assert (p.amount, p.person, p.violation.recorded_by) == (
        Decimal("60.00"),
        h["zhangwei"],
        h["liuqiang"],
    )


def test_bad_input_on_the_page_names_the_field_in_chinese(h):
    c = ui_client(h.user("liuqiang"))
    r = c.post(
        reverse("duties:violation_record"),
        {
            "person": h["zhangwei"].pk,
            "source": "prohibited",
            "occurred_at": "2026-03-03T10:00",
            "quantity": 0,
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "请选择禁止行为" in html
    assert not Violation.objects.exists()


def test_an_engineer_may_not_record_a_violation_of_a_colleague(h):
    c = ui_client(h.user("lina"))
    r = c.post(
        reverse("duties:violation_record"),
        {
            "person": h["zhangwei"].pk,
            "source": "manual",
            "occurred_at": "2026-03-03T10:00",
            "quantity": 1,
        },
    )
    assert r.status_code in (403, 422)
    assert not Violation.objects.exists()


def test_the_person_appeals_from_the_phone_page_and_the_director_grants_it(h):
    rule = fx.rule()
    v = svc.record_violation(h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"])
    p = v.penalty
    c = ui_client(h.user("zhangwei"))
    mine = c.get(reverse("duties:my_sanctions")).content.decode()
    appeal_url = reverse("duties:penalties_transition", args=[p.pk, "appeal"])
    assert appeal_url in mine and "¥100.00" in mine
    r = c.post(appeal_url, {"reason": "当天系统故障", "expected_version": p.version})
    assert r.status_code in (302, 204), r.content[:500]
    a = Appeal.objects.get()
    assert a.person == h["zhangwei"]
    from netdept.approvals import services as approvals

    approvals.approve(h.user("wangjg"), a.approval_request.decisions.get(status="pending"), "属实")
    p.refresh_from_db()
    assert p.status == PenaltyStatus.WITHDRAWN
    mine = c.get(reverse("duties:my_sanctions")).content.decode()
    assert "已撤回" in mine and "撤销原因" in mine and appeal_url not in mine


def test_someone_else_sees_no_appeal_button_and_is_refused(h):
    rule = fx.rule()
    p = svc.record_violation(h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"]).penalty
    r = ui_client(h.user("lina")).post(
        reverse("duties:penalties_transition", args=[p.pk, "appeal"]), {"reason": "替他申诉"}
    )
    assert r.status_code in (403, 404)
    assert not Appeal.objects.exists()


def test_my_page_keeps_two_ledgers_and_never_a_balance(h):
    rule = fx.rule()
    svc.record_violation(h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"])
    rewards.grant(h["zhangwei"], kind="bonus", amount="300", reason="抢修有功", by=h["wangjg"])
    html = ui_client(h.user("zhangwei")).get(reverse("duties:my_sanctions")).content.decode()
    assert "¥100.00" in html and "¥300.00" in html
    assert "¥200.00" not in html and "¥-200.00" not in html  # no net figure anywhere


def test_the_api_records_and_appeals_and_refuses_bad_input(h):
    rule = fx.rule()
    lead = api_client(h.user("liuqiang"))
    url = reverse("duties-violations-record")
    r = lead.post(
        url,
        {
            "person": h["zhangwei"].pk,
            "source": "manual",
            "penalty_rule": rule.pk,
            "quantity": "lots",
        },
        format="json",
    )
    assert r.status_code == 400 and "quantity" in r.json()
    r = lead.post(
        url,
        {
            "person": h["zhangwei"].pk,
            "source": "manual",
            "penalty_rule": rule.pk,
            "description": "周报逾期",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["penalty"]["amount"] == "100.00" and body["penalty"]["offence_no"] == 1
    pid = body["penalty"]["id"]
    other = api_client(h.user("lina")).post(
        url, {"person": h["zhangwei"].pk, "source": "manual"}, format="json"
    )
    assert other.status_code == 403
    person = api_client(h.user("zhangwei"))
    appeal = reverse("duties-penalties-appeal", args=[pid])
    assert person.post(appeal, {"reason": ""}, format="json").status_code == 400
    r = person.post(appeal, {"reason": "系统故障"}, format="json")
    assert r.status_code == 200, r.json()
    assert Penalty.objects.get(pk=pid).status == PenaltyStatus.APPEALED


def test_the_api_grants_a_reward_and_refuses_an_amount_that_is_not_money(h):
    c = api_client(h.user("wangjg"))
    url = reverse("duties-rewards-grant")
    with translation.override("en"):
        r = c.post(
            url,
            {"person": h["lina"].pk, "kind": "bonus", "amount": "12.345", "reason": "表现突出"},
            format="json",
        )
    assert r.status_code == 400 and "amount" in r.json()
    assert not Reward.objects.exists()
    r = c.post(
        url,
        {"person": h["lina"].pk, "kind": "bonus", "amount": "200", "reason": "表现突出"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["amount"] == "200.00"


def test_the_grant_page(h):
    c = ui_client(h.user("liuqiang"))
    url = reverse("duties:reward_grant")
    assert c.get(url).status_code == 200
    r = c.post(
        url,
        {
            "person": h["lina"].pk,
            "kind": "bonus",
            "amount": "abc",
            "reason": "好",
            "awarded_on": "2026-03-05",
        },
    )
    assert r.status_code == 422 and not Reward.objects.exists()
    r = c.post(
        url,
        {
            "person": h["lina"].pk,
            "kind": "bonus",
            "amount": "50.5",
            "reason": "好",
            "awarded_on": "2026-03-05",
        },
    )
    assert r.status_code == 302
    assert Reward.objects.get().amount == Decimal("50.50")


def test_the_person_reads_the_violation_in_chinese_with_the_fine_and_the_deadline(h):
    from netdept.notify.models import InboxMessage

    rule = fx.rule()
    with translation.override("zh-hans"):
        svc.record_violation(
            h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"], description="周报逾期"
        )
    msg = InboxMessage.objects.get(user=h.user("zhangwei"))
    assert "违规记录" in msg.title
    assert "第 1 次" in msg.body and "罚款 ¥100.00" in msg.body and "前申诉" in msg.body


def test_the_penalty_page_shows_the_appeal_button_to_its_person_only(h):
    rule = fx.rule()
    p = svc.record_violation(h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"]).penalty
    url = reverse("duties:penalties_detail", args=[p.pk])
    appeal = reverse("duties:penalties_transition", args=[p.pk, "appeal"])
    withdraw = reverse("duties:penalties_transition", args=[p.pk, "withdraw"])
    mine = ui_client(h.user("zhangwei")).get(url)
    assert mine.status_code == 200
    html = mine.content.decode()
    assert appeal in html and "申诉" in html and withdraw not in html
    lead = ui_client(h.user("liuqiang")).get(url).content.decode()
    assert withdraw in lead and "撤销处罚" in lead and appeal not in lead
