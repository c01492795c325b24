"""Drafting the reports of many people at once (a background run with its progress).

``start_run`` records a ``DraftRun`` and queues ``tasks_reports.draft_reports`` once the
transaction commits; ``run`` (the task's body) drafts the period's report of every active
person of the run's department (everyone without one) in chunks: per chunk one query for
the people, one for their daily logs and one for the entries, the contributions' batched
``collect``, one for last period's plans and one for the reports already there, then one
bulk insert and one bulk update — and the run's progress is written after each chunk, so
the page that polls it moves. A report already submitted is left as it is; a draft is
re-drafted keeping what its person wrote. Safe to run again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.org.models import Department, Person
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog import contributions, drafting
from netdept.worklog.models import (
    DailyLog,
    DraftRun,
    DraftRunStatus,
    LogEntry,
    Report,
    ReportKind,
)
from netdept.worklog.services import reports as report_services

logger = logging.getLogger(__name__)

CHUNK: Final = 250
#: who may start a run (a team lead or the director: they write reports of others)
START_PERMISSION: Final = "worklog.add_draftrun"


def may_start_for(user: Any) -> bool:
    """The system, whoever holds the permission beyond their team (a department head, the
    director), or a team lead (they follow their team's reports)."""
    from netdept.org.models import Team

    if user is None:
        return True
    if permissions.scope_of(user, START_PERMISSION) in ("all", "department"):
        return True
    me = report_services.person_of(user)
    return (
        me is not None
        and permissions.has_perm(user, START_PERMISSION)
        and Team.objects.filter(lead=me, is_active=True).exists()
    )


def start_run(
    user: Any,
    *,
    kind: str,
    day: dt.date,
    department: Department | None = None,
    enqueue: bool = True,
) -> DraftRun:
    """Record a run and queue it (after commit)."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Choose a weekly or a monthly report.")]})
    if not may_start_for(user):
        audit.record(
            AuditAction.DENIED,
            None,
            actor=user,
            extra={"permission": START_PERMISSION},
            object_type_label="worklog.draftrun",
            object_repr="",
        )
        raise PermissionDenied(_("You may not draft the reports of others."))
    period = report_services.period_of(kind, day)
    with transaction.atomic():
        active = DraftRun.objects.filter(
            kind=kind,
            period_start=period.first,
            department=department,
            status__in=(DraftRunStatus.QUEUED, DraftRunStatus.RUNNING),
        ).first()
        if active is not None:
            return active  # one run at a time for the same reports
        run = DraftRun.objects.create(
            kind=kind,
            period_start=period.first,
            period_end=period.last,
            department=department,
            started_by=report_services.person_of(user),
        )
        audit.record(
            AuditAction.CREATE,
            run,
            actor=user,
            changes={k: [None, v] for k, v in audit.snapshot(run).items()},
        )
        if enqueue:
            from netdept.worklog.tasks_reports import draft_reports

            transaction.on_commit(lambda: draft_reports.enqueue(run.pk))
    return run


def people_of(run: DraftRun) -> list[int]:
    qs = Person.objects.filter(is_active=True)
    if run.department_id:
        qs = qs.filter(department_id=run.department_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def run(run_id: int, *, chunk: int = CHUNK) -> DraftRun:
    """Draft every report of the run (the task's body)."""
    the_run = DraftRun.objects.get(pk=run_id)
    if the_run.status == DraftRunStatus.DONE:
        return the_run
    ids = people_of(the_run)
    DraftRun.objects.filter(pk=run_id).update(
        status=DraftRunStatus.RUNNING, total=len(ids), done=0, started_at=timezone.now(), error=""
    )
    period = report_services.period_of(the_run.kind, the_run.period_start)
    schedule = WorkSchedule(default_calendar())
    working_days = sum(1 for d in period.dates() if schedule.is_working_day(d))
    done = 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for i in range(0, len(ids), chunk):
                part = ids[i : i + chunk]
                draft_people(part, period, working_days=working_days)
                done += len(part)
                DraftRun.objects.filter(pk=run_id).update(done=done)
    except Exception as exc:  # recorded on the run, shown on its page; re-raised for the log
        DraftRun.objects.filter(pk=run_id).update(
            status=DraftRunStatus.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    DraftRun.objects.filter(pk=run_id).update(
        status=DraftRunStatus.DONE, finished_at=timezone.now()
    )
    the_run.refresh_from_db()
    return the_run


def draft_people(
    person_ids: Sequence[int], period: report_services.ReportPeriod, *, working_days: int
) -> tuple[int, int]:
    """Draft the period's reports of ``person_ids`` (one chunk): (created, re-drafted)."""
    people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids).select_related("team")}
    logs: dict[int, list[DailyLog]] = {pid: [] for pid in person_ids}
    for log in (
        DailyLog.objects.filter(
            person_id__in=person_ids, day__gte=period.first, day__lte=period.last
        )
        .prefetch_related(Prefetch("entries", queryset=LogEntry.objects.order_by("position", "pk")))
        .order_by("day")
    ):
        logs[log.person_id].append(log)
    lines = contributions.collect(list(person_ids), period.start, period.end)
    prev = period.previous()
    carried = dict(
        Report.objects.filter(
            kind=period.kind,
            person_id__in=person_ids,
            period_start=prev.first,
            is_team_report=False,
        ).values_list("person_id", "next_plan")
    )
    existing = {
        r.person_id: r
        for r in Report.objects.filter(
            kind=period.kind,
            person_id__in=person_ids,
            period_start=period.first,
            is_team_report=False,
        )
    }
    leave = report_services.leave_days_of(list(person_ids), period)
    new: list[Report] = []
    changed: list[Report] = []
    for pid in person_ids:
        person = people.get(pid)
        if person is None:
            continue
        draft = drafting.compose(
            logs=logs.get(pid, []),
            lines=lines.get(pid, []),
            carried_plan=carried.get(pid, "") or "",
            working_days=working_days,
            leave_days=leave.get(pid, 0),
        )
        report = existing.get(pid)
        if report is None:
            report = Report(
                kind=period.kind,
                person=person,
                team=person.team,
                period_start=period.first,
                period_end=period.last,
                reviewer=_reviewer(person),
            )
            drafting.apply(report, draft)
            new.append(report)
        elif report.status in report_services.EDITABLE:
            drafting.apply(report, draft)
            report.version += 1
            changed.append(report)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Report.objects.bulk_create(new)
        except IntegrityError:  # someone opened one of these reports meanwhile: one by one
            new = [r for r in new if _create_one(r)]
        if changed:
            Report.objects.bulk_update(
                changed,
                ["done", "in_progress", "problems", "carried_plan", "next_plan", "figures",
                 "drafted_at", "version"],
            )  # fmt: skip
        for r in new:
            audit.record(AuditAction.CREATE, r, changes={"drafted": [None, True]})
    return len(new), len(changed)


def _create_one(report: Report) -> bool:
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        return False
    return True


def _reviewer(person: Person) -> Person | None:
    team = person.team
    if team is not None and team.lead_id and team.lead_id != person.pk:
        return Person(pk=team.lead_id)  # the id is what is saved
    return report_services.reviewer_for(person)
