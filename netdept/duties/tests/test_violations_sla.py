"""An SLA breach → a violation of the assignee by the policy's penalty rule (once per order
and person), recorded by the escalation job and by a late first response."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from netdept.duties.models import Penalty, Violation
from netdept.duties.tests import sanctions_fixtures as fx
from netdept.testing.factories import TeamFactory, user_with_role
from netdept.workorders import sla
from netdept.workorders.models import EscalationRule, SlaPolicy, Status, WorkOrder

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def desk():
    SlaPolicy.objects.all().delete()
    EscalationRule.objects.all().delete()
    team = TeamFactory.create()
    user = user_with_role("engineer", team=team)
    return team, user.person


def _order(team, person, number: str, when: str, rule=None, *, respond: bool = True) -> WorkOrder:
    SlaPolicy.objects.get_or_create(
        name="P3",
        priority=3,
        defaults={
            "response_minutes": 60,
            "resolution_minutes": 8 * 60,
            "breach_penalty_rule": rule,
        },
    )
    o = WorkOrder.objects.create(
        number=number,
        title="交换机端口故障",
        priority=3,
        team=team,
        assignee=person,
        status=Status.IN_PROGRESS,
    )
    sla.on_open(o, at(when))
    o.save()
    if respond:
        sla.on_respond(o, at(when))
        o.save()
    return o


def test_a_resolution_breach_records_one_violation_by_the_policy_s_rule(desk):
    team, person = desk
    rule = fx.per_item_rule("sla-breach", "20.00")
    o = _order(team, person, "WO-1", "2026-03-09 08:30", rule)
    assert sla.check_all(at("2026-03-10 09:01")) == 1  # due Tuesday 09:00
    v = Violation.objects.get()
    assert (v.person, v.source, v.penalty_rule, v.record_id) == (person, "sla", rule, str(o.pk))
    assert v.occurred_at == o.resolution_due
    assert v.penalty.amount == Decimal("20.00")
    sla.check_all(at("2026-03-20 09:00"))  # escalation later: still one
    assert Violation.objects.count() == 1 and Penalty.objects.count() == 1


def test_a_late_first_response_records_the_violation(desk):
    team, person = desk
    rule = fx.per_item_rule("sla-breach", "20.00")
    o = _order(team, person, "WO-2", "2026-03-09 08:30", rule, respond=False)
    sla.on_respond(o, at("2026-03-09 10:00"))  # 60 minutes allowed, 90 taken
    o.save()
    v = Violation.objects.get()
    assert v.occurred_at == o.response_due and v.record_label == str(o)


def test_no_rule_on_the_policy_no_violation(desk):
    team, person = desk
    _order(team, person, "WO-3", "2026-03-09 08:30")
    assert sla.check_all(at("2026-03-10 09:01")) == 1
    assert not Violation.objects.exists()
