"""The rewards ledger: grant and withdraw (kept), money to the fen, who may, and 功过不能相抵:
a reward changes no penalty and a penalty no reward."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.duties.models import Penalty, Reward, RewardRule, RewardStatus
from netdept.duties.services import rewards
from netdept.duties.services import violations as svc
from netdept.duties.tests import sanctions_fixtures as fx
from netdept.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


def test_a_lead_grants_a_bonus_to_the_fen_and_the_person_hears_of_it(h):
    r = rewards.grant(
        h["zhangwei"],
        kind="bonus",
        amount="200.5",
        reason="及时处置重大故障",
        awarded_on=dt.date(2026, 3, 12),
        by=h["liuqiang"],
    )
    assert r.amount == Decimal("200.50") and r.month == dt.date(2026, 3, 1)
    assert r.granted_by == h["liuqiang"] and r.status == RewardStatus.EFFECTIVE
    assert AuditRecord.objects.filter(object_type="duties.reward", object_id=str(r.pk)).exists()
    assert Notification.objects.filter(kind="duties.reward").exists()


def test_a_rule_gives_its_kind_and_amount(h):
    rule = RewardRule.objects.create(
        code="monthly-star", name="月度之星", kind="bonus", amount=Decimal("300.00")
    )
    r = rewards.grant(h["lina"], rule=rule, reason="三月考核第一", source="review", by=None)
    assert (r.kind, r.amount, r.source, r.rule) == ("bonus", Decimal("300.00"), "review", rule)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "bonus", "amount": "ten"}, "amount"),
        ({"kind": "bonus", "amount": "1.001"}, "amount"),
        ({"kind": "bonus", "amount": "-5"}, "amount"),
        ({"kind": "bonus", "amount": 12.5}, "amount"),
        ({"kind": "bonus"}, "amount"),
        ({"kind": "medal"}, "kind"),
        ({"kind": "commendation", "reason": ""}, "reason"),
        ({"kind": "commendation", "reason": "x" * 1001}, "reason"),
        ({"kind": "commendation", "awarded_on": "2026-03-01"}, "awarded_on"),
        ({"kind": "commendation", "source": "lottery"}, "source"),
    ],
)
def test_bad_input_is_refused_naming_the_field(h, kwargs, field):
    kwargs.setdefault("reason", "表现突出")
    with pytest.raises(ValidationError) as err:
        rewards.grant(h["zhangwei"], by=h["liuqiang"], **kwargs)
    assert field in err.value.message_dict
    assert not Reward.objects.exists()


def test_nobody_rewards_themselves_and_an_engineer_rewards_nobody(h):
    with pytest.raises(PermissionDenied):
        rewards.grant(h["liuqiang"], reason="自我表扬", by=h["liuqiang"])
    with pytest.raises(PermissionDenied):
        rewards.grant(h["lina"], reason="同事互夸", by=h["zhangwei"])
    assert not Reward.objects.exists()


def test_withdrawn_rewards_stay_in_the_ledger(h):
    r = rewards.grant(h["zhangwei"], reason="表扬", by=h["wangjg"])
    rewards.withdraw_reward(r, by=h["wangjg"], reason="重复录入")
    r.refresh_from_db()
    assert r.status == RewardStatus.WITHDRAWN and Reward.objects.count() == 1
    with pytest.raises(ValidationError):
        rewards.withdraw_reward(r, by=h["wangjg"], reason="再撤")


def test_merits_never_offset_faults(h):
    """功过不能相抵: a reward leaves the penalties as they are, and the next penalty counts
    and costs the same whatever the rewards."""
    rule = fx.rule()
    v1 = svc.record_violation(
        h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"], occurred_at=fx.at(2026, 3, 2)
    )
    rewards.grant(
        h["zhangwei"],
        kind="bonus",
        amount="500.00",
        reason="抢修有功",
        awarded_on=dt.date(2026, 3, 3),
        by=h["wangjg"],
    )
    v2 = svc.record_violation(
        h["zhangwei"], "manual", penalty_rule=rule, by=h["liuqiang"], occurred_at=fx.at(2026, 3, 4)
    )
    p1, p2 = Penalty.objects.get(pk=v1.penalty.pk), Penalty.objects.get(pk=v2.penalty.pk)
    assert (p1.amount, p1.status) == (Decimal("100.00"), "effective")
    assert (p2.offence_no, p2.amount) == (2, Decimal("200.00"))
    assert Reward.objects.get().amount == Decimal("500.00")
