"""record_violation: sources, idempotency, escalation by count within the period and family,
per-item fines, money, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from netdept.approvals.models import ApprovalRequest, DecisionStatus, RequestStatus
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.duties.models import Penalty, PenaltyStatus, Violation, ViolationStatus
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


def missed(h: hospital.Hospital, rule, when: dt.datetime, key: str = "zhangwei") -> Violation:
    """A missed weekly report of ``key`` due at ``when`` (a new duty each time: one per week)."""
    d = fx.duty(h[key], rule, code=f"weekly-{key}-{rule.code}-{when:%Y%m%d%H%M}")
    occ = fx.occurrence(d, h[key], when)
    return svc.record_violation(h[key], "missed", occurrence=occ)


def test_a_missed_occurrence_becomes_a_violation_with_the_rule_s_fine(h):
    rule = fx.rule()
    v = missed(h, rule, fx.at(2026, 3, 8, 17))
    assert v.source == "missed" and v.penalty_rule == rule
    assert v.occurred_at == fx.at(2026, 3, 8, 18)  # the occurrence's missed_at
    assert v.status == ViolationStatus.PENALISED
    p = v.penalty
    assert (p.sanction, p.amount, p.offence_no, p.status) == (
        "fine",
        Decimal("100.00"),
        1,
        PenaltyStatus.EFFECTIVE,
    )
    assert p.month == dt.date(2026, 3, 1)
    assert p.effective_at is not None and p.appeal_until is not None
    assert AuditRecord.objects.filter(object_type="duties.violation", object_id=str(v.pk)).exists()
    assert AuditRecord.objects.filter(object_type="duties.penalty", object_id=str(p.pk)).exists()
    note = Notification.objects.get(kind="duties.violation")
    assert note.data["amount"] == "100.00"


def test_the_same_occurrence_twice_is_one_violation(h):
    rule = fx.rule()
    d = fx.duty(h["zhangwei"], rule)
    occ = fx.occurrence(d, h["zhangwei"], fx.at(2026, 3, 8, 17))
    first = svc.record_violation(h["zhangwei"], "missed", occurrence=occ)
    again = svc.record_violation(h["zhangwei"], "missed", occurrence=occ)
    assert first.pk == again.pk
    assert Violation.objects.count() == 1 and Penalty.objects.count() == 1


def test_the_rule_of_the_duty_is_used_when_none_is_given(h):
    rule = fx.rule()
    v = missed(h, rule, fx.at(2026, 3, 8, 17))
    assert v.penalty_rule == rule


def test_escalation_the_third_offence_in_a_month_and_the_first_of_the_next(h):
    rule = fx.rule()
    one = missed(h, rule, fx.at(2026, 3, 1, 17))
    two = missed(h, rule, fx.at(2026, 3, 8, 17))
    three = missed(h, rule, fx.at(2026, 3, 29, 17))
    assert [one.penalty.offence_no, two.penalty.offence_no, three.penalty.offence_no] == [1, 2, 3]
    assert [one.penalty.amount, two.penalty.amount] == [Decimal("100.00"), Decimal("200.00")]
    # the third: a 20 % pay cut (or dismissal) — it waits for the director's decision
    p3 = three.penalty
    assert (p3.sanction, p3.percent, p3.status) == (
        "pay_cut",
        Decimal("20.00"),
        PenaltyStatus.PENDING,
    )
    assert p3.approval_request is not None and p3.approval_request.kind == "duties.penalty"
    assert p3.appeal_until is None
    # the next month starts again at the first offence: ¥100
    april = missed(h, rule, fx.at(2026, 4, 5, 17))
    assert (april.penalty.offence_no, april.penalty.amount) == (1, Decimal("100.00"))
    assert april.penalty.month == dt.date(2026, 4, 1)


def test_the_month_is_local_time(h):
    rule = fx.rule()
    # 31 March 23:30 in Shanghai is still March; 1 April 00:30 is April
    a = svc.record_violation(
        h["zhangwei"],
        "manual",
        penalty_rule=rule,
        occurred_at=fx.at(2026, 3, 31, 23, 30),
        by=h["liuqiang"],
    )
    b = svc.record_violation(
        h["zhangwei"],
        "manual",
        penalty_rule=rule,
        occurred_at=fx.at(2026, 4, 1, 0, 30),
        by=h["liuqiang"],
    )
    assert (a.penalty.month, a.penalty.offence_no) == (dt.date(2026, 3, 1), 1)
    assert (b.penalty.month, b.penalty.offence_no) == (dt.date(2026, 4, 1), 1)


def test_beyond_the_last_step_the_last_step_applies(h):
    rule = fx.rule(
        "two-steps",
        [
            {"offence": 1, "sanction": "criticism"},
            {"offence": 2, "sanction": "fine", "amount": Decimal("50")},
        ],
    )
    got = [missed(h, rule, fx.at(2026, 5, d, 17)).penalty for d in (3, 10, 17, 24)]
    assert [p.offence_no for p in got] == [1, 2, 3, 4]
    assert [p.sanction for p in got] == ["criticism", "fine", "fine", "fine"]
    assert got[3].amount == Decimal("50.00")


def test_rules_of_one_family_count_together_and_other_people_apart(h):
    a = fx.rule("late-log", family="paperwork")
    b = fx.rule("late-weekly", family="paperwork")
    missed(h, a, fx.at(2026, 6, 7, 17))
    second = missed(h, b, fx.at(2026, 6, 14, 17))
    assert second.penalty.offence_no == 2 and second.penalty.family == "paperwork"
    other = missed(h, b, fx.at(2026, 6, 14, 17), key="lina")
    assert other.penalty.offence_no == 1


def test_withdrawn_and_rejected_penalties_do_not_count(h):
    rule = fx.rule()
    first = missed(h, rule, fx.at(2026, 3, 1, 17))
    svc.withdraw_penalty(first.penalty, by=h["wangjg"], reason="系统误判")
    again = missed(h, rule, fx.at(2026, 3, 8, 17))
    assert again.penalty.offence_no == 1


def test_quarter_year_and_ever_periods(h):
    q = fx.rule("q", period="quarter")
    assert missed(h, q, fx.at(2026, 1, 4, 17)).penalty.offence_no == 1
    assert missed(h, q, fx.at(2026, 3, 29, 17)).penalty.offence_no == 2
    assert missed(h, q, fx.at(2026, 4, 5, 17)).penalty.offence_no == 1
    y = fx.rule("y", period="year", steps=[{"offence": 1, "sanction": "criticism"}])
    assert missed(h, y, fx.at(2026, 1, 4, 17)).penalty.offence_no == 1
    assert missed(h, y, fx.at(2026, 12, 27, 17)).penalty.offence_no == 2
    assert missed(h, y, fx.at(2027, 1, 3, 17)).penalty.offence_no == 1
    e = fx.rule("e", period="ever", steps=[{"offence": 1, "sanction": "criticism"}])
    missed(h, e, fx.at(2026, 1, 4, 17))
    assert missed(h, e, fx.at(2027, 1, 3, 17)).penalty.offence_no == 2


def test_per_item_fine_is_the_amount_times_the_items(h):
    rule = fx.per_item_rule()
    v = svc.record_violation(
        h["zhangwei"],
        "manual",
        penalty_rule=rule,
        quantity=3,
        description="3 篇新闻稿逾期",
        by=h["liuqiang"],
    )
    assert v.penalty.amount == Decimal("30.00") and v.quantity == 3


def test_a_prohibited_act_uses_its_rule(h):
    rule = fx.rule(
        "telecom-sanctions",
        [{"offence": 1, "sanction": "written_warning"}, {"offence": 2, "sanction": "report"}],
    )
    act = fx.act(penalty_rule=rule)
    v = svc.record_violation(
        h["zhangwei"],
        "prohibited",
        prohibited_act=act,
        by=h["liuqiang"],
        occurred_at=fx.at(2026, 3, 3),
    )
    assert v.penalty_rule == rule and v.recorded_by == h["liuqiang"]
    assert v.penalty.sanction == "written_warning" and v.penalty.amount is None
    second = svc.record_violation(
        h["zhangwei"],
        "prohibited",
        prohibited_act=act,
        by=h["liuqiang"],
        occurred_at=fx.at(2026, 3, 4),
    )
    # reporting to the superior unit needs the director's decision, proposed by the lead
    req = second.penalty.approval_request
    assert req.requester == h["liuqiang"]
    assert [d.approver for d in req.decisions.all()] == [h["wangjg"]]


def test_a_violation_without_a_rule_is_recorded_without_a_penalty(h):
    v = svc.record_violation(h["zhangwei"], "manual", description="上班玩游戏", by=h["liuqiang"])
    assert v.status == ViolationStatus.OPEN
    assert not Penalty.objects.exists()


def test_an_sla_breach_is_one_violation_per_record_and_person(h):
    rule = fx.per_item_rule("sla-breach", "20.00")
    record = h.ops  # any record stands for the breached order here
    a = svc.record_violation(h["zhangwei"], "sla", record=record, penalty_rule=rule)
    b = svc.record_violation(h["zhangwei"], "sla", record=record, penalty_rule=rule)
    c = svc.record_violation(h["lina"], "sla", record=record, penalty_rule=rule)
    assert a.pk == b.pk and c.pk != a.pk
    assert a.record_label == str(record) and a.record_id == str(record.pk)


def test_pay_cut_decided_by_the_director_takes_effect(h):
    rule = fx.rule()
    for d in (1, 8):
        missed(h, rule, fx.at(2026, 3, d, 17))
    third = missed(h, rule, fx.at(2026, 3, 15, 17)).penalty
    from netdept.approvals import services as approvals

    decision = third.approval_request.decisions.get(status=DecisionStatus.PENDING)
    assert decision.approver == h["wangjg"]
    approvals.approve(h.user("wangjg"), decision, "同意降薪")
    third.refresh_from_db()
    assert third.status == PenaltyStatus.EFFECTIVE and third.appeal_until is not None
    assert Notification.objects.filter(kind="duties.penalty_decided").exists()


def test_rejected_decision_means_not_imposed_and_not_counted(h):
    rule = fx.rule(
        "disc",
        [
            {"offence": 1, "sanction": "discretionary", "amount": Decimal("80")},
            {"offence": 2, "sanction": "fine", "amount": Decimal("10")},
        ],
    )
    v = missed(h, rule, fx.at(2026, 3, 1, 17))
    from netdept.approvals import services as approvals

    req: ApprovalRequest = v.penalty.approval_request
    approvals.reject(h.user("wangjg"), req.decisions.get(status="pending"), "情节轻微，不予处罚")
    v.penalty.refresh_from_db()
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED
    assert v.penalty.status == PenaltyStatus.REJECTED
    assert missed(h, rule, fx.at(2026, 3, 8, 17)).penalty.offence_no == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "nonsense"}, "source"),
        ({"source": "missed"}, "occurrence"),
        ({"source": "prohibited"}, "prohibited_act"),
        ({"source": "sla"}, "record"),
        ({"source": "manual", "quantity": 0}, "quantity"),
        ({"source": "manual", "quantity": "three"}, "quantity"),
        ({"source": "manual", "description": "x" * 4001}, "description"),
        ({"source": "manual", "occurred_at": dt.datetime(2026, 3, 1, 10)}, "occurred_at"),
        ({"source": "manual", "occurred_at": fx.at(2099, 1, 1)}, "occurred_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(h, kwargs, field):
    rule = fx.rule()
    with pytest.raises(ValidationError) as err:
        svc.record_violation(h["zhangwei"], penalty_rule=rule, by=h["liuqiang"], **kwargs)
    assert field in err.value.message_dict
    assert not Violation.objects.exists() and not Penalty.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", Decimal("10.00")),
        ("¥1,200.50", Decimal("1200.50")),
        (50, Decimal("50.00")),
        (Decimal("0.1"), Decimal("0.10")),
        ("", None),
    ],
)
def test_money_accepts_cny_to_the_fen(value, expected):
    assert svc.money(value, "amount") == expected


@pytest.mark.parametrize(
    "value", ["ten", "1.234", "-5", 10.5, "NaN", "Infinity", True, "99999999999"]
)
def test_money_refuses_what_is_not_money_naming_the_field(value):
    with pytest.raises(ValidationError) as err:
        svc.money(value, "amount")
    assert list(err.value.message_dict) == ["amount"]
