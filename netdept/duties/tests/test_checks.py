"""Duties that check themselves: the registry, and the work orders' checks satisfying an
occurrence automatically at its due instant — done on time with the orders linked as its
evidence, done late when they come within the grace, missed when they never come."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from netdept.approvals.tests import hospital
from netdept.duties import checks
from netdept.duties.models import Evidence, Occurrence, Violation
from netdept.duties.services import engine, sweeping
from netdept.duties.tests.engine_world import at, make_duty
from netdept.workcal.schedule import default_calendar
from netdept.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


@pytest.fixture
def h(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> hospital.Hospital:
    built = hospital.build()
    default_calendar()
    sweep = sweeping.sweep

    def sweep_and_notify(**kw: Any) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kw)

    monkeypatch.setattr(sweeping, "sweep", sweep_and_notify)
    return built


def order(assignee: Any, **kw: Any) -> WorkOrder:
    return WorkOrder.objects.create(
        number=f"WO-DUTY-{next(_numbers):05d}", title="交换机端口故障", assignee=assignee, **kw
    )


def only(duty: Any) -> Occurrence:
    return Occurrence.objects.get(duty=duty, due_at=at(2, 9, 17))


def test_the_work_orders_checks_are_declared() -> None:
    codes = dict(checks.choices())
    assert {
        "workorders.resolved_in_sla",
        "workorders.answered_in_sla",
        "workorders.major_report",
    } <= set(codes)
    check = checks.get("workorders.resolved_in_sla")
    assert check is not None and check.check_params({"min": 2}) == {}
    assert check.check_params({"min": "two", "max": 1}) == {"min": "integer", "max": "unknown"}
    assert checks.get("nobody.declares.this") is None


def test_register_check_refuses_an_empty_code() -> None:
    with pytest.raises(ValueError):
        checks.register_check(checks.DutyCheck(code="", label="x", records=lambda *a: []))


def test_done_on_time_by_its_records(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    duty = make_duty(
        person=zw, check_code="workorders.resolved_in_sla", check_params={"min": 2},
        reviewer_kind="",
    )  # fmt: skip
    engine.materialise(now=at(2, 9, 8))
    occ = only(duty)  # its period: from Monday 2 Feb 17:00 to Monday 9 Feb 17:00
    a = order(zw, resolved_at=at(2, 5, 10))
    b = order(zw, resolved_at=at(2, 9, 11))
    order(zw, resolved_at=at(2, 6, 10), resolution_breached=True)  # outside its SLA
    order(zw, resolved_at=at(2, 2, 16))  # before the period
    order(h["lina"], resolved_at=at(2, 6, 10))  # somebody else's
    done = sweeping.sweep(now=at(2, 9, 17))
    assert done["done_by_check"] == 1 and done["overdue"] == 0
    occ.refresh_from_db()
    assert occ.status == "done" and occ.by_check and occ.next_check_at is None
    linked = Evidence.objects.filter(occurrence=occ).order_by("record_id")
    assert [(e.kind, e.record_type and e.record_type.model, e.record_id) for e in linked] == [
        ("record", "workorder", str(a.pk)), ("record", "workorder", str(b.pk)),
    ]  # fmt: skip
    assert linked[0].record_label == str(a)


def test_done_late_when_the_records_come_within_the_grace(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    duty = make_duty(
        person=zw, check_code="workorders.resolved_in_sla", violation_on="late",
        grace_minutes=120,
    )  # fmt: skip
    engine.materialise(now=at(2, 9, 8))
    assert sweeping.sweep(now=at(2, 9, 17))["overdue"] == 1
    late = order(zw, resolved_at=at(2, 10, 8, 45))  # Tuesday morning, within the grace
    # the grace ends two working hours after 17:00: 17:30, then 08:30–10:00 on Tuesday
    occ = only(duty)
    assert occ.missed_at == at(2, 10, 10)
    done = sweeping.sweep(now=at(2, 10, 10))
    assert done["done_by_check"] == 1
    occ.refresh_from_db()
    assert occ.status == "done_late" and occ.by_check
    assert list(occ.evidence.values_list("record_id", flat=True)) == [str(late.pk)]
    # late is a violation by the duty's rule (recorded once, when it became overdue)
    assert Violation.objects.filter(occurrence=occ).count() == 1


def test_missed_when_the_records_never_come(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    duty = make_duty(person=zw, check_code="workorders.resolved_in_sla", grace_minutes=0)
    engine.materialise(now=at(2, 9, 8))
    done = sweeping.sweep(now=at(2, 9, 17))
    assert done["missed"] == 1 and done["done_by_check"] == 0 and done["checked"] == 1
    occ = only(duty)
    assert occ.status == "missed" and not occ.evidence.exists()
    assert Violation.objects.get().occurrence == occ


def test_every_order_answered_in_sla(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    duty = make_duty(person=zw, check_code="workorders.answered_in_sla", grace_minutes=0)
    late_one = make_duty(
        "answered-2", person=h["lina"], check_code="workorders.answered_in_sla", grace_minutes=0
    )
    engine.materialise(now=at(2, 9, 8))
    order(zw, response_due=at(2, 6, 10), responded_at=at(2, 6, 9, 30))
    order(h["lina"], response_due=at(2, 6, 10), responded_at=at(2, 6, 11), response_breached=True)
    sweeping.sweep(now=at(2, 9, 17))
    assert only(duty).status == "done"
    assert only(late_one).status == "missed"


def test_a_major_incident_needs_its_report(h: hospital.Hospital) -> None:
    zw, ln = h["zhangwei"], h["lina"]
    reported = make_duty(
        "major-1", person=zw, check_code="workorders.major_report", grace_minutes=0
    )
    unreported = make_duty(
        "major-2", person=ln, check_code="workorders.major_report", grace_minutes=0
    )
    engine.materialise(now=at(2, 9, 8))
    a = order(zw, is_major=True, major_report="核心交换机宕机 40 分钟，原因与整改措施如下……")
    b = order(ln, is_major=True)
    WorkOrder.objects.filter(pk__in=[a.pk, b.pk]).update(created_at=at(2, 5, 10))
    sweeping.sweep(now=at(2, 9, 17))
    assert only(reported).status == "done"
    assert only(unreported).status == "missed"


def test_a_check_that_fails_does_not_stop_the_sweep(h: hospital.Hospital) -> None:
    def broken(*args: Any) -> list[Any]:
        raise RuntimeError("the module's query broke")

    checks.register_check(checks.DutyCheck(code="tests.broken", label="broken", records=broken))
    try:
        duty = make_duty(person=h["zhangwei"], check_code="tests.broken", grace_minutes=0)
        other = make_duty("plain", person=h["lina"], grace_minutes=0)
        engine.materialise(now=at(2, 9, 8))
        done = sweeping.sweep(now=at(2, 9, 17))
    finally:  # the declaration is this test's alone: no later page offers it
        checks.unregister("tests.broken")
    assert done["missed"] == 2
    assert only(duty).status == "missed" and only(other).status == "missed"


def test_period_is_the_previous_due_instant(h: hospital.Hospital) -> None:
    """A record of the previous week does not satisfy this week's occurrence."""
    zw = h["zhangwei"]
    duty = make_duty(person=zw, check_code="workorders.resolved_in_sla", grace_minutes=0)
    engine.materialise(now=at(2, 9, 8))
    order(zw, resolved_at=at(2, 2, 16, 59))
    sweeping.sweep(now=at(2, 9, 17))
    assert only(duty).status == "missed"
    assert only(duty).period_start == at(2, 2, 17)
    assert dt.timedelta(0) < only(duty).due_at - only(duty).period_start
