"""The duty engine: materialisation (one row per duty, person and due instant, never twice;
periods, grace, reviewers, assignees by kind and mode), and the sweep (reminder, overdue,
missed with its violation, escalation after working days, nothing twice, nothing due = one
query), on the 2026 working calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netdept.approvals.tests import hospital
from netdept.duties.models import Occurrence, Violation
from netdept.duties.services import engine, sweeping
from netdept.duties.tests.engine_world import at, make_duty
from netdept.notify.models import Notification
from netdept.org.models import Position, Role
from netdept.workcal.schedule import default_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def h(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> hospital.Hospital:
    built = hospital.build()
    default_calendar()
    sweep = sweeping.sweep

    def sweep_and_notify(**kw: Any) -> dict[str, int]:
        # the messages go when the sweep's transaction commits (the test's never does)
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kw)

    monkeypatch.setattr(sweeping, "sweep", sweep_and_notify)
    return built


def rows(duty: Any) -> list[Occurrence]:
    return list(Occurrence.objects.filter(duty=duty).order_by("due_at", "person__employee_no"))


ENGINE_KINDS = (
    "duties.reminder", "duties.overdue", "duties.missed", "duties.escalated",
    "duties.done_by_check",
)  # fmt: skip


def kinds_for(person: Any) -> list[str]:
    """The engine's messages to ``person`` (the violations part sends its own besides)."""
    return list(
        Notification.objects.filter(inbox_messages__user=person.user, kind__in=ENGINE_KINDS)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- materialisation ------------------------------------------------------------------------
def test_materialise_a_weekly_duty_across_the_spring_festival(h: hospital.Hospital) -> None:
    duty = make_duty(person=h["zhangwei"])
    assert engine.materialise(now=at(2, 9, 8)) == 3
    found = rows(duty)
    assert [o.due_at for o in found] == [at(2, 9, 17), at(2, 24, 17), at(3, 2, 17)]
    first, second, _third = found
    # the period runs from the previous due instant (2 Feb), then from the 9th
    assert first.period_start == at(2, 2, 17)
    assert second.period_start == at(2, 9, 17)
    # an hour of working time of grace: 17:00–17:30 Monday, then 08:30–09:00 Tuesday
    assert first.missed_at == at(2, 10, 9)
    # 24 Feb: 17:00–17:30, then the 25th from 08:30
    assert second.missed_at == at(2, 25, 9)
    assert {o.reviewer for o in found} == {h["liuqiang"]}
    assert first.next_check_at == at(2, 9, 16)  # the reminder, an hour before
    assert {o.status for o in found} == {"pending"}
    assert {o.team_id for o in found} == {h.ops.pk}
    assert {o.duty_version for o in found} == {1}
    # again: nothing new, nothing twice
    assert engine.materialise(now=at(2, 9, 8)) == 0
    assert engine.materialise(now=at(2, 10, 8)) == 0
    assert len(rows(duty)) == 3
    # a week later the horizon reaches 9 March
    assert engine.materialise(now=at(2, 16, 8)) == 1
    assert rows(duty)[-1].due_at == at(3, 9, 17)


def test_the_first_period_starts_with_the_recurrence(h: hospital.Hospital) -> None:
    duty = make_duty(person=h["zhangwei"], starts_on=dt.date(2026, 1, 5))
    engine.materialise(now=at(1, 5, 8))
    assert rows(duty)[0].period_start == at(1, 5, 0)


def test_nothing_is_owed_before_the_duty_exists(h: hospital.Hospital) -> None:
    duty = make_duty(person=h["zhangwei"])
    Occurrence.objects.all().delete()
    type(duty).objects.filter(pk=duty.pk).update(created_at=at(2, 9, 18))
    duty.refresh_from_db()
    engine.materialise(now=at(2, 9, 18))
    assert [o.due_at for o in rows(duty)] == [at(2, 24, 17), at(3, 2, 17)]


def test_an_inactive_or_ended_duty_is_not_materialised(h: hospital.Hospital) -> None:
    make_duty("a", person=h["zhangwei"], is_active=False)
    make_duty("b", person=h["zhangwei"], ends_on=dt.date(2026, 1, 31))
    assert engine.materialise(now=at(2, 9, 8)) == 0


def test_assignees_by_kind_and_mode(h: hospital.Hospital) -> None:
    zw, ln, lq, wj = h["zhangwei"], h["lina"], h["liuqiang"], h["wangjg"]
    team = make_duty("team", assignee_kind="team", team=h.ops)
    per_team = make_duty("per-team", assignee_kind="team", team=h.ops, assignee_mode="per_team")
    rotation = make_duty(
        "rotation", assignee_kind="role", role=Role.objects.get(code="engineer"),
        assignee_mode="rotation",
    )  # fmt: skip
    position = Position.objects.create(name="网络管理员", department=h.network)
    zw.position = position
    zw.save()
    by_position = make_duty("position", assignee_kind="position", position=position)
    dept = make_duty("dept", assignee_kind="department", department=h.network)
    dept_teams = make_duty(
        "dept-teams", assignee_kind="department", department=h.network, assignee_mode="per_team"
    )
    engine.materialise(now=at(3, 2, 8), until=dt.date(2026, 3, 16))
    people = lambda d: [o.person for o in rows(d)]  # noqa: E731
    week = lambda d, day: {o.person for o in rows(d) if o.due_at.date() == day}  # noqa: E731
    assert week(team, dt.date(2026, 3, 2)) == {lq, zw, ln}
    assert people(per_team) == [lq, lq, lq]  # the team's lead, each week
    assert people(by_position) == [zw, zw, zw]
    assert week(dept, dt.date(2026, 3, 2)) == {wj, lq, zw, ln}
    # one per team (运维组: its lead) and one for the people without a team (the director)
    assert week(dept_teams, dt.date(2026, 3, 2)) == {lq, wj}
    # the engineers (张伟, 李娜) take turns, counted from the start of the recurrence
    turns = people(rotation)
    assert len(turns) == 3 and set(turns) == {zw, ln}
    assert turns[0] != turns[1] and turns[0] == turns[2]


def test_reviewer_kinds(h: hospital.Hospital) -> None:
    named = make_duty("named", person=h["zhangwei"], reviewer_kind="person", reviewer=h["wangjg"])
    superior = make_duty("sup", person=h["liuqiang"], reviewer_kind="superior")
    nobody = make_duty("none", person=h["zhangwei"], reviewer_kind="")
    lead_self = make_duty("lead-self", person=h["liuqiang"], reviewer_kind="team_lead")
    engine.materialise(now=at(3, 2, 8))
    assert rows(named)[0].reviewer == h["wangjg"]
    assert rows(superior)[0].reviewer == h["wangjg"]  # 刘强's superior: the director
    assert rows(nobody)[0].reviewer is None
    assert rows(lead_self)[0].reviewer == h["wangjg"]  # a lead is not their own reviewer


# --- the sweep --------------------------------------------------------------------------------
def test_reminder_overdue_missed_and_the_violation(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    duty = make_duty(person=zw, escalate_after_days=0)
    engine.materialise(now=at(2, 9, 8))
    occ = rows(duty)[0]
    assert sweeping.sweep(now=at(2, 9, 15, 59))["reminded"] == 0
    assert sweeping.sweep(now=at(2, 9, 16))["reminded"] == 1
    occ.refresh_from_db()
    assert occ.reminded_at == at(2, 9, 16) and occ.status == "pending"
    assert occ.next_check_at == at(2, 9, 17)
    assert kinds_for(zw) == ["duties.reminder"]
    # the same instant again: nobody told twice
    assert sweeping.sweep(now=at(2, 9, 16))["reminded"] == 0
    done = sweeping.sweep(now=at(2, 9, 17))
    assert done["overdue"] == 1
    occ.refresh_from_db()
    assert occ.status == "overdue" and occ.next_check_at == at(2, 10, 9)
    assert not Violation.objects.exists()  # the duty's rule: a violation when missed
    done = sweeping.sweep(now=at(2, 10, 9))
    assert done["missed"] == 1 and done["violations"] == 1
    occ.refresh_from_db()
    assert occ.status == "missed" and occ.next_check_at is None
    violation = Violation.objects.get()
    assert violation.person == zw and violation.occurrence == occ and violation.source == "missed"
    assert kinds_for(zw) == ["duties.reminder", "duties.overdue", "duties.missed"]
    assert kinds_for(h["liuqiang"]) == ["duties.missed"]  # the reviewer hears of it
    # later sweeps leave it alone
    assert sweeping.sweep(now=at(2, 20, 9))["missed"] == 0
    assert Violation.objects.count() == 1


def test_violation_when_late_at_the_due_instant(h: hospital.Hospital) -> None:
    duty = make_duty(person=h["zhangwei"], violation_on="late")
    engine.materialise(now=at(2, 9, 8))
    assert sweeping.sweep(now=at(2, 9, 17, 1))["violations"] == 1
    assert Violation.objects.get().source == "late"
    sweeping.sweep(now=at(2, 10, 9))  # missed later: still the one violation
    assert Violation.objects.count() == 1
    assert rows(duty)[0].status == "missed"


def test_no_violation_when_the_duty_says_never(h: hospital.Hospital) -> None:
    make_duty(person=h["zhangwei"], violation_on="")
    engine.materialise(now=at(2, 9, 8))
    assert sweeping.sweep(now=at(2, 10, 9))["missed"] == 1
    assert not Violation.objects.exists()


def test_a_late_sweep_catches_up_in_one_pass(h: hospital.Hospital) -> None:
    """The worker was down from Monday morning to Wednesday: the occurrence goes straight to
    missed (no "due soon" message after the fact)."""
    zw = h["zhangwei"]
    duty = make_duty(person=zw)
    engine.materialise(now=at(2, 9, 8))
    done = sweeping.sweep(now=at(2, 11, 10))
    assert done["missed"] == 1 and done["reminded"] == 0 and done["overdue"] == 0
    assert rows(duty)[0].status == "missed"
    assert kinds_for(zw) == ["duties.missed"]


def test_escalation_after_working_days_across_a_tiaoxiu_saturday(h: hospital.Hospital) -> None:
    """Due Friday 13 Feb; one working day later is Saturday 14 Feb (a 调休 working day) — the
    team lead is told then, while the occurrence is still within its long grace."""
    duty = make_duty(
        person=h["zhangwei"], rrule="FREQ=WEEKLY;BYDAY=FR", grace_minutes=3 * 450,
        escalate_after_days=1,
    )  # fmt: skip
    engine.materialise(now=at(2, 13, 8))
    occ = rows(duty)[0]
    assert occ.due_at == at(2, 13, 17)
    sched = engine.work_schedule()
    assert engine.escalation_instant(1, occ.due_at, sched) == at(2, 14, 17)
    assert engine.escalation_instant(1, at(2, 14, 17), sched) == at(2, 24, 17)
    sweeping.sweep(now=at(2, 13, 17))
    assert sweeping.sweep(now=at(2, 14, 16, 59))["escalated"] == 0
    assert sweeping.sweep(now=at(2, 14, 17))["escalated"] == 1
    occ.refresh_from_db()
    assert occ.escalated_at == at(2, 14, 17) and occ.status == "overdue"
    assert kinds_for(h["liuqiang"]) == ["duties.escalated"]
    assert sweeping.sweep(now=at(2, 14, 18))["escalated"] == 0
    # the grace (three working days) runs out on Wednesday 25 Feb after the festival
    assert occ.missed_at == at(2, 25, 17)


def test_one_message_per_person_for_many_occurrences(h: hospital.Hospital) -> None:
    zw = h["zhangwei"]
    for i in range(3):
        make_duty(f"d{i}", name=f"职责{i}", person=zw, escalate_after_days=0)
    engine.materialise(now=at(2, 9, 8))
    assert sweeping.sweep(now=at(2, 9, 16))["reminded"] == 3
    message = Notification.objects.get(kind="duties.reminder")
    assert message.data["count"] == 3
    assert "职责0" in message.data["items"] and "职责2" in message.data["items"]


def test_nothing_due_costs_one_query(h: hospital.Hospital) -> None:
    make_duty(person=h["zhangwei"])
    engine.materialise(now=at(2, 9, 8))
    with CaptureQueriesContext(connection) as queries:
        assert not any(sweeping.sweep(now=at(2, 9, 8)).values())
    assert len(queries) == 1
    assert "next_check_at" in queries[0]["sql"]
    assert "duties_occ_next_check" in _plan(), _plan()


def _plan() -> str:
    """The query plan of the sweep's probe; on PostgreSQL with sequential scans off (a table
    of a few rows is read whole otherwise: the bench measures the index on a million)."""
    probe = sweeping.due_now(at(2, 9, 8)).order_by("next_check_at", "person_id", "pk")
    qs = probe.values_list("pk")[:500]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return str(qs.explain())


def test_a_batch_larger_than_one_is_swept_whole(
    h: hospital.Hospital, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweeping, "BATCH", 2)
    for i in range(5):
        make_duty(f"d{i}", person=h["zhangwei"], remind_before_minutes=0, escalate_after_days=0)
    engine.materialise(now=at(2, 9, 8))
    assert sweeping.sweep(now=at(2, 9, 17))["overdue"] == 5
    assert Occurrence.objects.filter(status="overdue").count() == 5


def test_the_periodic_jobs_are_declared(h: hospital.Hospital) -> None:
    from netdept.duties import tasks
    from netdept.tasks.scheduler import jobs

    declared = jobs()
    assert declared["duties.sweep"].cron == "* * * * *"
    assert declared["duties.materialise"].cron == "7 * * * *"
    # the tasks run the engine: the hourly one materialises every active duty
    make_duty(person=h["zhangwei"])
    assert tasks.materialise_duties.call() >= 0
    assert isinstance(tasks.sweep_duties.call(), dict)
