"""Rules, duties and occurrences for the sanctions tests (made directly, not through the
engine: these tests check violations, not materialisation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from netdept.duties.models import Duty, Occurrence, PenaltyRule, PenaltyStep, ProhibitedAct
from netdept.org.models import Person

SH = timezone.get_default_timezone()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def rule(
    code: str = "late-report",
    steps: list[dict[str, Any]] | None = None,
    *,
    family: str = "",
    period: str = "month",
    appeal_days: int = 3,
) -> PenaltyRule:
    """By default: 1st ¥100, 2nd ¥200, 3rd a 20 % pay cut or dismissal (needs a decision)."""
    r = PenaltyRule.objects.create(
        code=code, name=code, family=family, period=period, appeal_days=appeal_days
    )
    for s in steps or [
        {"offence": 1, "sanction": "fine", "amount": Decimal("100.00")},
        {"offence": 2, "sanction": "fine", "amount": Decimal("200.00")},
        {"offence": 3, "sanction": "pay_cut", "percent": Decimal("20"), "alternative": "dismissal"},
    ]:
        PenaltyStep.objects.create(rule=r, **s)
    return r


def per_item_rule(code: str = "late-article", amount: str = "10.00") -> PenaltyRule:
    return rule(
        code, [{"offence": 1, "sanction": "fine", "amount": Decimal(amount), "per_item": True}]
    )


def duty(person: Person, penalty_rule: PenaltyRule | None = None, code: str = "weekly") -> Duty:
    return Duty.objects.create(
        code=code,
        name="每周日交周工作报告",
        person=person,
        rrule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=dt.date(2026, 1, 1),
        due_time=dt.time(17, 0),
        violation_on="missed",
        penalty_rule=penalty_rule,
    )


def occurrence(d: Duty, person: Person, due: dt.datetime, status: str = "missed") -> Occurrence:
    return Occurrence.objects.create(
        duty=d,
        person=person,
        period_start=due - dt.timedelta(days=7),
        due_at=due,
        missed_at=due + dt.timedelta(hours=1),
        status=status,
    )


def act(code: str = "unapproved-change", penalty_rule: PenaltyRule | None = None) -> ProhibitedAct:
    return ProhibitedAct.objects.create(
        code=code, name="未经批准变更配置", penalty_rule=penalty_rule
    )
