"""Generated CRUD + permission tests of the sanctions pages (netdept.testing.crud).

Penalty rules, their steps, prohibited acts and reward rules are configuration (forms, every
scoped reader sees every row). Violations, penalties, appeals and rewards are written by the
services only: their pages and endpoints are read-only (404 on add/edit/delete pages, 405 in
the API); their rows are made here directly, scoped by the person."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from netdept.duties.models import (
    Appeal,
    Penalty,
    PenaltyRule,
    PenaltyStep,
    ProhibitedAct,
    Reward,
    RewardRule,
    Violation,
)
from netdept.testing.crud import CrudTests
from netdept.testing.factories import PersonFactory

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def make_rule(**kw: Any) -> PenaltyRule:
    i = n()
    return PenaltyRule.objects.create(code=f"rule-{i}", name=kw.pop("name", f"罚则{i}"), **kw)


def _person_at(scope: str, department: Any, team: Any, user: Any) -> Any:
    if scope == "own":
        return user.person
    if scope == "team":
        return PersonFactory.create(department=department, team=team)
    return PersonFactory.create(department=department)


def make_violation(person: Any = None) -> Violation:
    return Violation.objects.create(
        person=person or PersonFactory.create(),
        source="manual",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        description=f"违规{n()}",
    )


def make_penalty(person: Any = None) -> Penalty:
    v = make_violation(person)
    return Penalty.objects.create(
        violation=v, person=v.person, family="late", sanction="fine", amount=Decimal("50.00"),
        month=dt.date(2026, 3, 1), status="effective",
    )  # fmt: skip


class TestPenaltyRuleCrud(CrudTests):
    model = PenaltyRule

    def make(self) -> Any:
        return make_rule()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"周报逾期{i}", "code": f"late-weekly-{i}", "description": "周日17:00前上交",
            "articles": [], "family": "paperwork", "period": "month", "appeal_days": 3,
            "pack": "", "is_active": True,
        }  # fmt: skip

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）", "code": obj.code, "description": "", "articles": [],
            "family": "", "period": "quarter", "appeal_days": 5, "pack": "marketing",
            "is_active": False,
        }  # fmt: skip


class TestPenaltyStepCrud(CrudTests):
    model = PenaltyStep
    bulk_field = "alternative"
    extra_perms = ["duties.view_penaltyrule"]

    def make(self) -> Any:
        return PenaltyStep.objects.create(rule=make_rule(), offence=1, sanction="criticism")

    def valid_data(self) -> dict[str, Any]:
        return {
            "rule": make_rule().pk, "offence": 2, "sanction": "fine", "amount": Decimal("10.00"),
            "per_item": True, "percent": None, "alternative": "", "note": "每篇",
        }  # fmt: skip

    def api_valid_data(self) -> dict[str, Any]:
        return {**self.valid_data(), "amount": "10.00"}

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "rule": obj.rule_id, "offence": obj.offence + 2, "sanction": "pay_cut",
            "amount": None, "per_item": False, "percent": Decimal("20.00"),
            "alternative": "dismissal", "note": "降薪20%或免职",
        }  # fmt: skip

    def api_update_data(self, obj: Any) -> dict[str, Any]:
        return {**self.update_data(obj), "percent": "20.00"}


class TestProhibitedActCrud(CrudTests):
    model = ProhibitedAct
    extra_perms = ["duties.view_penaltyrule"]

    def make(self) -> Any:
        return ProhibitedAct.objects.create(code=f"act-{n()}", name=f"禁止行为{n()}")

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"未经批准接入设备{i}", "code": f"unapproved-device-{i}",
            "description": "擅自接入网络设备", "articles": [], "penalty_rule": make_rule().pk,
            "pack": "telecom", "is_active": True,
        }  # fmt: skip

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）", "code": obj.code, "description": "", "articles": [],
            "penalty_rule": None, "pack": "", "is_active": False,
        }  # fmt: skip


class TestRewardRuleCrud(CrudTests):
    model = RewardRule

    def make(self) -> Any:
        return RewardRule.objects.create(code=f"reward-{n()}", name=f"表彰{n()}")

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "name": f"月度之星{i}", "code": f"monthly-star-{i}", "description": "月度考核第一",
            "articles": [], "kind": "bonus", "amount": Decimal("300.00"), "pack": "",
            "is_active": True,
        }  # fmt: skip

    def api_valid_data(self) -> dict[str, Any]:
        return {**self.valid_data(), "amount": "300.00"}

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "name": f"{obj.name}（新）", "code": obj.code, "description": "", "articles": [],
            "kind": "commendation", "amount": None, "pack": "", "is_active": False,
        }  # fmt: skip


class TestViolationCrud(CrudTests):
    model = Violation
    key_field = "description"

    def make(self) -> Any:
        return make_violation()

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_violation(_person_at(scope, department, team, user))


class TestPenaltyCrud(CrudTests):
    model = Penalty
    key_field = "violation"

    def make(self) -> Any:
        return make_penalty()

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_penalty(_person_at(scope, department, team, user))


class TestAppealCrud(CrudTests):
    model = Appeal
    key_field = "reason"

    def make(self) -> Any:
        p = make_penalty()
        return Appeal.objects.create(penalty=p, person=p.person, reason=f"申诉理由{n()}")

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        p = make_penalty(_person_at(scope, department, team, user))
        return Appeal.objects.create(penalty=p, person=p.person, reason=f"申诉理由{n()}")


class TestRewardCrud(CrudTests):
    model = Reward
    key_field = "reason"

    def _make(self, person: Any) -> Reward:
        return Reward.objects.create(
            person=person, kind="bonus", amount=Decimal("100.00"), reason=f"奖励{n()}",
            awarded_on=dt.date(2026, 3, 5), month=dt.date(2026, 3, 1),
        )  # fmt: skip

    def make(self) -> Any:
        return self._make(PersonFactory.create())

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return self._make(_person_at(scope, department, team, user))
