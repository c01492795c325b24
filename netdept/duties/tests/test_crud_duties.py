"""Generated CRUD + permission tests of the duty configuration page (netdept.testing.crud).
Duties are configuration: every scoped reader sees every row."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from netdept.duties.models import Duty
from netdept.testing.crud import CrudTests
from netdept.testing.factories import PersonFactory

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


class TestDutyCrud(CrudTests):
    model = Duty
    extra_perms = ["org.view_person"]

    def make(self) -> Any:
        return Duty.objects.create(
            code=f"duty-{n()}",
            name="每周一交周报",
            person=PersonFactory.create(),
            rrule="FREQ=WEEKLY;BYDAY=MO",
            starts_on=dt.date(2026, 1, 1),
            due_time=dt.time(17, 0),
        )

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "code": f"inspect-{i}",
            "name": f"机房巡检{i}",
            "description": "每个工作日上午巡检机房并填写巡检记录",
            "assignee_kind": "person",
            "assignee_mode": "each",
            "person": PersonFactory.create().pk,
            "rrule": "FREQ=DAILY",
            "starts_on": dt.date(2026, 1, 1),
            "due_time": dt.time(9, 0),
            "shift": "skip",
            "grace_minutes": 30,
            "horizon_days": 7,
            "evidence_kind": "checklist",
            "checklist": ["温湿度正常", "UPS 无告警", "空调运行正常"],
            "reviewer_kind": "team_lead",
            "remind_before_minutes": 30,
            "escalate_after_days": 1,
            "violation_on": "missed",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": f"{obj.name}（新）",
            "description": "改",
            "assignee_kind": "person",
            "assignee_mode": "each",
            "person": obj.person_id,
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
            "starts_on": dt.date(2026, 1, 1),
            "due_time": dt.time(10, 0),
            "shift": "next",
            "grace_minutes": 0,
            "horizon_days": 14,
            "evidence_kind": "number",
            "evidence_min": "2.00",
            "evidence_unit": "篇",
            "reviewer_kind": "",
            "remind_before_minutes": 60,
            "escalate_after_days": 0,
            "violation_on": "late",
            "is_active": True,
        }
