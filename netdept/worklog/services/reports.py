"""Weekly and monthly reports (周报 / 月报): drafting one, writing it, submitting it, the
lead's review, and a team lead's roll-up of the team's reports.

Status flow (``machines_reports.REPORT_MACHINE`` routes the buttons and API actions here):

    draft / returned --submit--> submitted (a reviewer) | accepted (the policy asks no review)
    submitted --accept--> accepted
    submitted --return_for_changes--> returned (the person edits and submits again)

A period closes ``WorklogPolicy.close_after_days`` working days after it ends (the working
calendar decides): a report of a closed period is refused, naming the day it closed. An
accepted report is final. Every change: one transaction on the locked row, an audit record,
the people concerned notified once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.notify import notify
from netdept.org.models import Person, Team
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.org.people import person_or_refuse
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog import (
    contributions,
    drafting,
    notifications_reports,  # noqa: F401  (declares the event kinds)
)
from netdept.worklog.models import DailyLog, LogStatus, Report, ReportKind, WorklogPolicy

S = LogStatus
#: the person writes and submits from these statuses
EDITABLE: Final = (S.DRAFT, S.RETURNED)
MAX_COMMENT: Final = 1000
#: the fields the person writes
WRITTEN: Final = ("done", "in_progress", "problems", "next_plan")
#: reads or reviews every report (the director, at scope "all")
SUPERVISE: Final = "worklog.change_report"


class Conflict(ValidationError):
    """Someone changed the report since the page was drawn: reload and try again."""


# --- periods -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end(self) -> dt.datetime:
        after = self.last + dt.timedelta(days=1)
        return dt.datetime.combine(after, dt.time.min, tzinfo=timezone.get_current_timezone())

    def previous(self) -> ReportPeriod:
        return period_of(self.kind, self.first - dt.timedelta(days=1))

    def next(self) -> ReportPeriod:
        return period_of(self.kind, self.last + dt.timedelta(days=1))

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def period_of(kind: str, day: dt.date) -> ReportPeriod:
    """The week (Monday–Sunday) or the calendar month holding ``day``."""
    if kind == ReportKind.WEEKLY:
        first = day - dt.timedelta(days=day.weekday())
        return ReportPeriod(kind, first, first + dt.timedelta(days=6))
    if kind == ReportKind.MONTHLY:
        first = day.replace(day=1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return ReportPeriod(kind, first, after - dt.timedelta(days=1))
    raise ValidationError({"kind": [_("Choose a weekly or a monthly report.")]})


def today() -> dt.date:
    return timezone.localdate()


# --- policy, deadline, reviewer --------------------------------------------------------------
def policy_for(person: Person) -> WorklogPolicy | None:
    """The department's active policy, else the site's default (no department)."""
    found = None
    if person.department_id:
        found = WorklogPolicy.objects.filter(
            department_id=person.department_id, is_active=True
        ).first()
    if found is None:
        found = (
            WorklogPolicy.objects.filter(department__isnull=True, is_active=True)
            .order_by("pk")
            .first()
        )
    return found


def closes_on(report: Report, policy: WorklogPolicy | None = None) -> dt.date | None:
    """The last day a report of this period is accepted (None: never closes)."""
    policy = policy if policy is not None else policy_for(report.person)
    days = policy.close_after_days if policy is not None else 5
    if days == 0:
        return None
    return WorkSchedule(default_calendar()).add_working_days(report.period_end, days)


def check_open(report: Report, on: dt.date | None = None) -> None:
    last = closes_on(report)
    if last is not None and (on or today()) > last:
        raise ValidationError(
            _(
                "This period closed on %(date)s: a report for %(first)s–%(last)s is no longer "
                "accepted."
            )
            % {
                "date": formats.date_format(last, "Y-m-d"),
                "first": formats.date_format(report.period_start, "Y-m-d"),
                "last": formats.date_format(report.period_end, "Y-m-d"),
            },
            code="closed",
        )


def reviewer_for(person: Person) -> Person | None:
    """The person's team lead; a lead's own report (and anyone without a team lead) goes one
    level up the org chart."""
    from netdept.approvals.resolve import superior

    team = person.team
    if team is not None and team.lead_id and team.lead_id != person.pk:
        lead = team.lead
        if lead is not None and lead.is_active:
            return lead
    return superior(person)


# --- who -----------------------------------------------------------------------------------


def may_write(user: Any, report: Report) -> bool:
    me = person_of(user)
    return me is not None and me.pk == report.person_id


def may_review(user: Any, report: Report) -> bool:
    """The report's reviewer, whoever leads the person's team or stands above them, or the
    director — never the person whose report it is."""
    from netdept.approvals.resolve import superiors

    me = person_of(user)
    if me is None or me.pk == report.person_id:
        return False
    if report.reviewer_id == me.pk:
        return True
    person = report.person
    if person.team_id and person.team is not None and person.team.lead_id == me.pk:
        return True
    if any(p.pk == me.pk for p in superiors(person, 5)):
        return True
    return permissions.scope_of(user, SUPERVISE) == "all"


def _user_of(person: Person | None) -> Any:
    return getattr(person, "user", None) if person is not None else None


# --- drafting one report -------------------------------------------------------------------
def report_url(report: Report) -> str:
    return reverse("worklog:report_write", args=[report.pk])


def _working_days(period: ReportPeriod) -> int:
    schedule = WorkSchedule(default_calendar())
    return sum(1 for d in period.dates() if schedule.is_working_day(d))


def leave_days_of(person_ids: list[int], period: ReportPeriod) -> dict[int, float]:
    """Working days of approved leave per person in the period (half days 0.5)."""
    from netdept.worklog.services.leave import leave_days_by_person

    days = leave_days_by_person(person_ids, period.first, period.last)
    return {pid: float(value) for pid, value in days.items()}


def draft_for(
    person: Person, period: ReportPeriod, *, working_days: int | None = None
) -> drafting.Draft:
    """The draft of one person's period (read only)."""
    logs = list(
        DailyLog.objects.filter(person=person, day__gte=period.first, day__lte=period.last)
        .prefetch_related("entries")
        .order_by("day")
    )
    lines = contributions.collect([person.pk], period.start, period.end).get(person.pk, [])
    prev = period.previous()
    carried = (
        Report.objects.filter(
            kind=period.kind, person=person, period_start=prev.first, is_team_report=False
        )
        .values_list("next_plan", flat=True)
        .first()
    )
    return drafting.compose(
        logs=logs,
        lines=lines,
        carried_plan=carried or "",
        working_days=_working_days(period) if working_days is None else working_days,
        leave_days=leave_days_of([person.pk], period).get(person.pk, 0),
    )


def _locked(report: Report, expected_version: int | None = None) -> Report:
    fresh = (
        Report.objects.select_for_update(of=("self",))
        .select_related("person", "person__team", "reviewer", "team")
        .get(pk=report.pk)
    )
    if expected_version is not None and expected_version != fresh.version:
        raise Conflict(
            _("Someone changed this report in the meantime; reload the page and try again."),
            code="conflict",
        )
    return fresh


def open_report(person: Person, kind: str, day: dt.date | None = None, *, by: Any = None) -> Report:
    """The person's report of the period holding ``day`` (today by default), drafted when it
    is first opened (safe to call again: one report per person and period)."""
    period = period_of(kind, day or today())
    return _open(
        person, period, team=person.team, is_team=False, by=by,
        draft=lambda: draft_for(person, period),
    )  # fmt: skip


def _open(
    person: Person,
    period: ReportPeriod,
    *,
    team: Team | None,
    is_team: bool,
    by: Any,
    draft: Callable[[], drafting.Draft],
) -> Report:
    """The report of ``person`` for ``period``, created from ``draft()`` when there is none
    (a concurrent first opening gets the same row)."""
    key = {"kind": period.kind, "person": person, "period_start": period.first,
           "is_team_report": is_team}  # fmt: skip
    found = Report.objects.filter(**key).first()
    if found is not None:
        return found
    report = Report(**key, team=team, period_end=period.last, reviewer=reviewer_for(person))
    drafting.apply(report, draft())
    try:
        with transaction.atomic():
            report.full_clean()
            report.save()
            audit.record(AuditAction.CREATE, report, actor=by, changes=_created(report))
    except IntegrityError:  # drafted by another request meanwhile
        return Report.objects.get(**key)
    return report


def _created(report: Report) -> dict[str, Any]:
    return {k: [None, v] for k, v in audit.snapshot(report).items()}


def _check_fields(data: Mapping[str, Any]) -> dict[str, str]:
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    field_limit = Report._meta.get_field("done").max_length or 10000
    for name in WRITTEN:
        if name not in data:
            continue
        value = data[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Enter text.")]
            continue
        if "\x00" in value:
            errors[name] = [_("Null characters are not allowed.")]
            continue
        if len(value) > field_limit:
            errors[name] = [_("Write at most %(limit)s characters.") % {"limit": field_limit}]
            continue
        clean[name] = value.strip()
    if errors:
        raise ValidationError(errors)
    return clean


def _change(
    user: Any,
    report: Report,
    expected_version: int | None,
    refused: str,
    change: Callable[[Report], None],
) -> Report:
    """One change by the report's person to a report still being written: on the locked
    row, audited with before → after."""
    if not may_write(user, report):
        _deny(report, user, "worklog.write_report")
        raise PermissionDenied(refused)
    with transaction.atomic():
        r = _locked(report, expected_version)
        if r.status not in EDITABLE:
            raise _refuse(r, _("This report is %(status)s: it can no longer be changed."))
        before = audit.snapshot(r)
        change(r)
        _finish(r, before, user)
    return r


def _draft_again(r: Report) -> None:
    period = period_of(r.kind, r.period_start)
    if r.is_team_report and r.team is not None:
        drafting.apply(r, team_draft(r.team, period))
    else:
        drafting.apply(r, draft_for(r.person, period))


def redraft(user: Any, report: Report, *, expected_version: int | None = None) -> Report:
    """Draft again from the period's records; what the person wrote is kept."""
    refused = _("Only the person whose report it is may draft it again.")
    return _change(user, report, expected_version, refused, _draft_again)


def write(
    user: Any, report: Report, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Report:
    """Save what the person wrote (done, in progress, problems, next period's plan)."""
    clean = _check_fields(data)

    def fill(r: Report) -> None:
        for name, value in clean.items():
            setattr(r, name, value)

    refused = _("Only the person whose report it is may write it.")
    return _change(user, report, expected_version, refused, fill)


def submit(
    user: Any,
    report: Report,
    data: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Submit (with what was written on the same page): to the reviewer, or accepted at once
    when the policy asks no review. Refused for a closed period and for an accepted report."""
    on = timezone.localtime(now).date() if now is not None else today()
    now = now or timezone.now()
    clean = _check_fields(data or {})
    if not may_write(user, report):
        _deny(report, user, "worklog.submit_report")
        raise PermissionDenied(_("Only the person whose report it is may submit it."))
    with transaction.atomic():
        r = _locked(report, expected_version)
        if r.status not in EDITABLE:
            raise _refuse(r, _("This report is %(status)s: there is nothing to submit."))
        check_open(r, on)
        before = audit.snapshot(r)
        for name, value in clean.items():
            setattr(r, name, value)
        if not any(getattr(r, n).strip() for n in ("done", "in_progress", "next_plan")):
            raise ValidationError({"done": [_("Write what was done before submitting.")]})
        policy = policy_for(r.person)
        r.submitted_at = now
        r.review_comment = ""
        r.reviewed_at = None
        if policy is not None and not policy.review_reports:
            r.status = S.ACCEPTED
            r.reviewer = None
        else:
            r.reviewer = r.reviewer if r.reviewer_id else reviewer_for(r.person)
            r.status = S.SUBMITTED if r.reviewer_id else S.ACCEPTED
        _finish(r, before, user)
        if r.status == S.SUBMITTED and r.reviewer is not None:
            _notify_on_commit("worklog.report_submitted", r, [r.reviewer])
    return r


def review(
    user: Any,
    report: Report,
    *,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Accept, or return for changes (a comment is required)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": [_("Write at most %(limit)s characters.") % {"limit": MAX_COMMENT}]}
        )
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what to change: a comment is required.")]})
    if not may_review(user, report):
        _deny(report, user, "worklog.review_report")
        raise PermissionDenied(_("You are not the reviewer of this report."))
    by = person_or_refuse(user)
    with transaction.atomic():
        r = _locked(report, expected_version)
        if r.status != S.SUBMITTED:
            raise _refuse(r, _("This report is %(status)s: it awaits no review."))
        before = audit.snapshot(r)
        r.reviewer = by
        r.reviewed_at = now
        r.review_comment = comment
        r.status = S.ACCEPTED if accept else S.RETURNED
        _finish(r, before, user)
        _notify_on_commit(
            "worklog.report_reviewed",
            r,
            [r.person],
            outcome=pgettext_lazy("log status", "accepted")
            if accept
            else gettext_lazy("returned for changes"),
            comment=comment,
            by=by.name,
        )
    return r


# --- the machine's handlers: handler(user, report, **cleaned) -------------------------------
def submit_action(user: Any, report: Report, *, expected_version: int | None = None) -> Report:
    return submit(user, report, expected_version=expected_version)


def accept_action(
    user: Any, report: Report, *, comment: str = "", expected_version: int | None = None
) -> Report:
    return review(user, report, accept=True, comment=comment, expected_version=expected_version)


def return_action(
    user: Any, report: Report, *, comment: str = "", expected_version: int | None = None
) -> Report:
    return review(user, report, accept=False, comment=comment, expected_version=expected_version)


# --- the team's report -----------------------------------------------------------------------
def members_reports(team: Team, period: ReportPeriod) -> list[Report]:
    return list(
        Report.objects.filter(
            kind=period.kind,
            period_start=period.first,
            is_team_report=False,
            person__team=team,
            person__is_active=True,
        )
        .select_related("person")
        .order_by("person__name", "pk")
    )


def team_draft(team: Team, period: ReportPeriod) -> drafting.Draft:
    prev = period.previous()
    carried = (
        Report.objects.filter(
            kind=period.kind, team=team, period_start=prev.first, is_team_report=True
        )
        .values_list("next_plan", flat=True)
        .first()
    )
    reports = [r for r in members_reports(team, period) if r.person_id != team.lead_id]
    own = (
        Report.objects.filter(
            kind=period.kind,
            person_id=team.lead_id or 0,
            period_start=period.first,
            is_team_report=False,
        )
        .select_related("person")
        .first()
    )
    return drafting.roll_up([*([own] if own is not None else []), *reports], carried or "")


def open_team_report(user: Any, team: Team, kind: str, day: dt.date | None = None) -> Report:
    """The team lead's roll-up of the team's reports for the period holding ``day``."""
    me = person_of(user)
    if me is None or team.lead_id != me.pk:
        _deny(None, user, "worklog.team_report")
        raise PermissionDenied(_("Only the team's lead writes the team's report."))
    period = period_of(kind, day or today())
    return _open(
        me, period, team=team, is_team=True, by=user, draft=lambda: team_draft(team, period)
    )


# --- helpers -------------------------------------------------------------------------------
def _finish(r: Report, before: dict[str, Any], user: Any) -> None:
    r.version += 1
    r.full_clean()
    r.save()
    changes = audit.diff(before, audit.snapshot(r))
    if changes:
        audit.record(AuditAction.UPDATE, r, actor=user, changes=changes)


def _deny(report: Report | None, user: Any, what: str) -> None:
    audit.record(
        AuditAction.DENIED,
        report,
        actor=user,
        extra={"permission": what},
        object_type_label=None if report is not None else "worklog.report",
        object_repr="" if report is None else None,
    )


def _refuse(r: Report, text: str) -> ValidationError:
    return ValidationError(text % {"status": r.get_status_display()}, code="state")


def _notify_on_commit(kind: str, r: Report, recipients: list[Person], **data: Any) -> None:
    payload = {
        "person": r.person.name,
        "kind": r.get_kind_display(),
        "period": f"{r.period_start:%Y-%m-%d}–{r.period_end:%Y-%m-%d}",
        "report_id": r.pk,
        "status": r.status,
        **data,
    }
    link = report_url(r)

    def send() -> None:
        notify(kind, obj=r, recipients=recipients, data=payload, link=link)

    transaction.on_commit(send)


def awaiting_review(person: Person | None) -> Any:
    """待我审阅: the reports submitted to ``person``, the oldest period first."""
    if person is None:
        return Report.objects.none()
    return (
        Report.objects.filter(reviewer=person, status=S.SUBMITTED)
        .exclude(person=person)
        .select_related("person", "team")
        .order_by("period_start", "person__name")
    )
