"""Drafting everyone's reports in the background: a run with its progress, one report a
person, safe to run again, submitted reports left alone, what people wrote kept; and the
duty checks ``worklog.weekly_report`` / ``worklog.monthly_report``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netdept.duties import checks
from netdept.testing.factories import PersonFactory
from netdept.worklog.contributions import Line
from netdept.worklog.models import DraftRunStatus, LogStatus, Report, ReportKind
from netdept.worklog.services import drafting
from netdept.worklog.services import reports as services
from netdept.worklog.tests.factories_reports import (
    MONDAY,
    TeamWorld,
    aware,
    contribution,
    make_log,
    make_report,
)

pytestmark = pytest.mark.django_db
S = LogStatus


@pytest.fixture
def world() -> TeamWorld:
    return TeamWorld()


def test_a_run_drafts_everyone_once_and_records_progress(world: TeamWorld) -> None:
    extra = [PersonFactory.create(department=world.department) for _ in range(4)]
    make_log(world.person, MONDAY, ["巡检核心交换机"])
    submitted = make_report(world.other, status=S.SUBMITTED, done="已交")
    mine = make_report(world.lead, done="组长自己写的")
    lines = [Line(p.pk, aware(MONDAY), f"工单 {p.name}") for p in extra]
    run = drafting.start_run(None, kind=ReportKind.WEEKLY, day=MONDAY,
                             department=world.department, enqueue=False)  # fmt: skip
    assert run.status == DraftRunStatus.QUEUED
    with contribution("test.batch", lines):
        run = drafting.run(run.pk, chunk=2)
    assert run.status == DraftRunStatus.DONE and run.total == run.done == 7
    assert run.started_at is not None and run.finished_at is not None
    reports = Report.objects.filter(kind="weekly", period_start=MONDAY, is_team_report=False)
    assert reports.count() == 7
    assert "巡检核心交换机" in reports.get(person=world.person).done
    assert reports.get(person=world.person).reviewer == world.lead
    for p in extra:
        assert f"工单 {p.name}" in reports.get(person=p).done
    submitted.refresh_from_db()
    assert submitted.done == "已交" and submitted.version == 1
    mine.refresh_from_db()
    assert mine.done.startswith("组长自己写的")
    # again: nothing new, nothing lost
    run2 = drafting.start_run(None, kind=ReportKind.WEEKLY, day=MONDAY,
                              department=world.department, enqueue=False)  # fmt: skip
    assert run2.pk != run.pk
    drafting.run(run2.pk)
    assert reports.count() == 7


def test_one_run_at_a_time_for_the_same_reports(world: TeamWorld) -> None:
    a = drafting.start_run(None, kind="weekly", day=MONDAY, enqueue=False)
    b = drafting.start_run(None, kind="weekly", day=MONDAY + dt.timedelta(days=3), enqueue=False)
    assert a.pk == b.pk
    with pytest.raises(ValidationError):
        drafting.start_run(None, kind="daily", day=MONDAY, enqueue=False)


def test_who_may_start_a_run(world: TeamWorld) -> None:
    assert drafting.may_start_for(world.lead_user)
    assert not drafting.may_start_for(world.user)
    with pytest.raises(PermissionDenied):
        drafting.start_run(world.user, kind="weekly", day=MONDAY, enqueue=False)


def test_queries_do_not_grow_with_people(world: TeamWorld) -> None:
    """A chunk costs the same number of queries for 3 people as for 30 (no N+1), apart from
    one audit record (and its savepoint) per report created."""
    period = services.period_of("weekly", MONDAY)
    few = [PersonFactory.create(department=world.department, team=world.team) for _ in range(3)]
    many = [PersonFactory.create(department=world.department, team=world.team) for _ in range(30)]
    for p in [*few, *many]:
        make_log(p, MONDAY, ["巡检"])
    with CaptureQueriesContext(connection) as q3:
        drafting.draft_people([p.pk for p in few], period, working_days=5)
    with CaptureQueriesContext(connection) as q30:
        drafting.draft_people([p.pk for p in many], period, working_days=5)

    def non_audit(ctx: CaptureQueriesContext) -> int:
        return sum(
            1
            for x in ctx.captured_queries
            if x["sql"].startswith(("SELECT", "INSERT", "UPDATE")) and "core_audit" not in x["sql"]
        )

    assert non_audit(q30) <= non_audit(q3)  # the first call also fills caches


def test_failed_run_is_recorded(world: TeamWorld) -> None:
    run = drafting.start_run(None, kind="weekly", day=MONDAY, enqueue=False)

    def boom(person_ids, start, end):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    from netdept.worklog import contributions

    original = contributions.collect
    contributions.collect = boom  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            drafting.run(run.pk)
    finally:
        contributions.collect = original  # type: ignore[assignment]
    run.refresh_from_db()
    assert run.status == DraftRunStatus.FAILED and "boom" in run.error


# --- duty checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "due"),
    [
        (aware(MONDAY, 0), aware(MONDAY + dt.timedelta(days=6), 17)),  # Sunday 17:00
        (aware(MONDAY - dt.timedelta(days=1), 5), aware(MONDAY + dt.timedelta(days=6), 5)),
        (aware(MONDAY + dt.timedelta(days=1), 9), aware(MONDAY + dt.timedelta(days=8), 9)),
    ],
)
def test_weekly_report_check(world: TeamWorld, start: dt.datetime, due: dt.datetime) -> None:
    check = checks.get("worklog.weekly_report")
    assert check is not None
    assert not check.records(world.person, start, due, {})
    make_report(world.person, day=MONDAY - dt.timedelta(days=7), status=S.SUBMITTED,
                submitted_at=aware(MONDAY - dt.timedelta(days=1)))  # last week's  # fmt: skip
    draft = make_report(world.person, done="x")
    assert not check.records(world.person, start, due, {})
    draft.status = S.SUBMITTED
    draft.submitted_at = due + dt.timedelta(hours=1)
    draft.save()
    assert not check.records(world.person, start, due, {})  # later than asked
    draft.submitted_at = due - dt.timedelta(hours=1)
    draft.save()
    found = check.records(world.person, start, due, {})
    assert found == [draft] and check.satisfied(found, {})


def test_monthly_report_check(world: TeamWorld) -> None:
    check = checks.get("worklog.monthly_report")
    assert check is not None
    start, due = aware(dt.date(2026, 11, 1), 0), aware(dt.date(2026, 12, 1), 9)
    r = make_report(world.person, ReportKind.MONTHLY, dt.date(2026, 11, 5), status=S.ACCEPTED,
                    submitted_at=aware(dt.date(2026, 11, 30)))  # fmt: skip
    assert check.records(world.person, start, due, {}) == [r]
    assert check.records(world.other, start, due, {}) == []
