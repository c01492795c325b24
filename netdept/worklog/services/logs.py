"""Daily logs (工作日志): one per person per day, drafted from the day's records, edited by the
person, submitted, reviewed by their lead.

Every change here: one transaction on the locked log, the business rule checked (only the
person writes their log, and only while it is a draft or returned; only the reviewer, whoever
stands above the person, or the director reviews it — never the person), an audit record with
before → after, and the people concerned notified once the transaction commits.

Drafting (``open_log`` the first time, ``redraft`` on demand) asks every registered
contribution (``netdept.worklog.contributions``) for the person's lines of the day and adds
each as an entry once: the entry remembers its source and record (a unique constraint), so
drafting again adds only what is new and never touches what the person edited; a drafted
entry the person removed is kept hidden (``dismissed``) so that it does not come back.

Status flow (``machines_logs.LOG_MACHINE`` routes the buttons and API actions here):

    draft / returned --submit--> submitted --accept--> accepted
                                 submitted --return (a reason)--> returned
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from netdept.approvals.resolve import superior, superiors
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.notify import notify
from netdept.org.models import Person, Team
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.org.people import person_or_refuse
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog import (
    contributions,
    notifications_logs,  # noqa: F401  (declares the event kinds)
)
from netdept.worklog.models.logs import (
    MAX_ENTRY_MINUTES,
    MAX_ENTRY_TEXT,
    MAX_TEXT,
    DailyLog,
    EntryState,
    LogEntry,
    LogStatus,
)
from netdept.worklog.services import leave as leave_service

S = LogStatus
#: the person may edit and submit from these statuses
WRITABLE: Final = (S.DRAFT, S.RETURNED)
MAX_COMMENT: Final = 1000
#: entries one log may hold (drafted and written)
MAX_ENTRIES: Final = 200
#: how far back a person may open a log they never had
MAX_DAYS_BACK: Final = 62
#: permission of whoever may review any log (held at scope "all": the director)
SUPERVISE: Final = "worklog.change_dailylog"
VIEW: Final = "worklog.view_dailylog"


class Conflict(ValidationError):
    """Someone changed the log since the page was drawn: reload and try again."""


# --- the calendar ------------------------------------------------------------------------------
def schedule() -> WorkSchedule:
    """The working calendar that decides which days expect a log (the default calendar)."""
    return WorkSchedule(default_calendar())


def today(now: dt.datetime | None = None, sched: WorkSchedule | None = None) -> dt.date:
    """Today on the calendar's clock (Asia/Shanghai unless the calendar says otherwise)."""
    sched = sched or schedule()
    return (now or timezone.now()).astimezone(sched.tz).date()


def day_bounds(day: dt.date, sched: WorkSchedule | None = None) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of ``day`` on the calendar's clock, aware."""
    sched = sched or schedule()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=sched.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=sched.tz)
    return start, end


def expected_days(
    person_ids: Sequence[int], first: dt.date, last: dt.date, sched: WorkSchedule | None = None
) -> dict[int, list[dt.date]]:
    """The days of ``first``…``last`` (inclusive) on which each person owes a log: the working
    days of the calendar, less their approved leave."""
    sched = sched or schedule()
    days: list[dt.date] = []
    d = first
    while d <= last:
        if sched.is_working_day(d):
            days.append(d)
        d += dt.timedelta(days=1)
    away = leave_service.on_leave_days(list(person_ids), first, last) if days else {}
    return {p: [d for d in days if d not in away.get(p, set())] for p in person_ids}


def is_expected(person: Person, day: dt.date, sched: WorkSchedule | None = None) -> bool:
    """Does ``person`` owe a log of ``day`` (a working day, not on leave)?"""
    return day in expected_days([person.pk], day, day, sched).get(person.pk, [])


# --- who ---------------------------------------------------------------------------------------


def _user_of(person: Person | None) -> Any:
    return person.user if person is not None and person.user_id else None


def resolve_reviewer(person: Person, team: Team | None = None) -> Person | None:
    """Who reviews ``person``'s log: the lead of their team; a lead's own log (or a person
    without a team) goes one level up the org chart. Never the person themselves."""
    team = team or (person.team if person.team_id else None)
    lead = team.lead if team is not None and team.lead_id else None
    if lead is not None and lead.pk != person.pk and lead.is_active:
        return lead
    return superior(person)


def is_above(me: Person | None, person: Person) -> bool:
    """``me`` leads the person's team or stands above them on the org chart (up to five
    levels: the manager, the department's head, the director)."""
    if me is None or me.pk == person.pk:
        return False
    if person.team_id and person.team is not None and person.team.lead_id == me.pk:
        return True
    return any(p.pk == me.pk for p in superiors(person, 5))


def supervises_all(user: Any) -> bool:
    return user is not None and permissions.scope_of(user, SUPERVISE) == "all"


def may_write(user: Any, log: DailyLog) -> bool:
    me = person_of(user)
    return me is not None and me.pk == log.person_id


def may_review(user: Any, log: DailyLog) -> bool:
    """The log's reviewer, whoever stands above its person, or the director — never the
    person whose log it is."""
    me = person_of(user)
    if me is not None and me.pk == log.person_id:
        return False
    if me is not None and log.reviewer_id == me.pk:
        return True
    return is_above(me, log.person) or supervises_all(user)


def involved(user: Any) -> models.Q:
    """The logs ``user`` is concerned by without any permission: their own, those they review,
    those of the team they lead."""
    me = person_of(user)
    if me is None:
        return models.Q(pk__in=[])
    return models.Q(person=me) | models.Q(reviewer=me) | models.Q(person__team__lead=me)


# --- helpers -----------------------------------------------------------------------------------
def log_url(log: DailyLog) -> str:
    return reverse("worklog:log", args=[log.pk])


def _refuse(log: DailyLog, text: Any) -> ValidationError:
    return ValidationError(
        {"status": [str(text) % {"status": log.get_status_display()}]}, code="state"
    )


def _deny(obj: models.Model, user: Any, what: str) -> None:
    audit.record(AuditAction.DENIED, obj, actor=user, extra={"permission": what})


def _locked(log: DailyLog, expected_version: int | None = None) -> DailyLog:
    fresh = (
        DailyLog.objects.select_for_update(of=("self",))
        .select_related("person", "person__team", "team", "reviewer")
        .get(pk=log.pk)
    )
    if expected_version is not None and expected_version != fresh.version:
        raise Conflict(
            _("Someone changed this log in the meantime; reload the page and try again."),
            code="conflict",
        )
    return fresh


def _save_log(log: DailyLog, before: dict[str, Any], user: Any) -> None:
    log.version += 1
    log.full_clean(exclude=["person", "team", "reviewer"], validate_unique=False)
    log.save()
    changes = audit.diff(before, audit.snapshot(log))
    if changes:
        audit.record(AuditAction.UPDATE, log, actor=user, changes=changes)


def _total_minutes(log: DailyLog) -> int:
    total = (
        LogEntry.objects.filter(log=log, dismissed=False)
        .order_by()
        .aggregate(t=Sum("minutes"))["t"]
    )
    return int(total or 0)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationError(
            {
                field: [
                    _("Write at most %(limit)s characters (now %(count)s).")
                    % {"limit": limit, "count": len(text)}
                ]
            }
        )
    if "\x00" in text:
        raise ValidationError({field: [_("The text holds a character that is not allowed.")]})
    return text


def _minutes(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValidationError({"minutes": [_("Enter a whole number of minutes.")]})
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"minutes": [_("Enter a whole number of minutes.")]}) from exc
    if not 0 <= minutes <= MAX_ENTRY_MINUTES:
        raise ValidationError(
            {"minutes": [_("Enter between 0 and %(max)s minutes.") % {"max": MAX_ENTRY_MINUTES}]}
        )
    return minutes


def _state(value: Any) -> str:
    state = str(value or EntryState.DONE)
    if state not in EntryState.values:
        raise ValidationError(
            {"state": [_("Choose one of: %(states)s.") % {"states": ", ".join(EntryState.values)}]}
        )
    return state


# --- opening and drafting ----------------------------------------------------------------------
def open_log(
    person: Person, day: dt.date | None = None, *, now: dt.datetime | None = None
) -> DailyLog:
    """The person's log of ``day`` (today by default), drafted from the day's records when it
    is created. Idempotent: two concurrent opens give the same log, drafted once."""
    now = now or timezone.now()
    sched = schedule()
    today_ = today(now, sched)
    day = day or today_
    if day > today_:
        raise ValidationError({"day": [_("A log is written on the day or after it, not ahead.")]})
    if day < today_ - dt.timedelta(days=MAX_DAYS_BACK):
        raise ValidationError({"day": [_("That day is too long ago to open a log for it now.")]})
    if not person.is_active:
        raise ValidationError({"person": [_("%(name)s has left.") % {"name": person.name}]})
    found = DailyLog.objects.filter(person=person, day=day).first()
    if found is not None:
        return found
    user = _user_of(person)
    try:
        with transaction.atomic():
            log = DailyLog(
                person=person,
                team=person.team if person.team_id else None,
                day=day,
                status=S.DRAFT,
            )
            log.full_clean(exclude=["person", "team"], validate_unique=False)
            log.save()
            audit.record(
                AuditAction.CREATE,
                log,
                actor=user,
                changes={k: [None, v] for k, v in audit.snapshot(log).items()},
            )
            _draft_into(log, user, now, sched)
    except IntegrityError:
        # another request opened it at the same instant: theirs is the log
        return DailyLog.objects.get(person=person, day=day)
    return DailyLog.objects.get(pk=log.pk)


def redraft(
    log: DailyLog,
    *,
    by: Person,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Ask the contributions again: add what is new since the last drafting (the person's
    edits and removals stay). Returns how many entries were added."""
    now = now or timezone.now()
    user = _user_of(by)
    if by is None or by.pk != log.person_id:
        _deny(log, user, "worklog.redraft")
        raise PermissionDenied(_("Only %(name)s can write this log.") % {"name": log.person})
    with transaction.atomic():
        log_ = _locked(log, expected_version)
        if log_.status not in WRITABLE:
            raise _refuse(log_, _("This log is %(status)s: it can no longer be changed."))
        return _draft_into(log_, user, now, schedule())


def _draft_into(log: DailyLog, user: Any, now: dt.datetime, sched: WorkSchedule) -> int:
    """Add the day's contributed lines not yet in ``log`` (inside the caller's transaction, the
    log locked or new)."""
    start, end = day_bounds(log.day, sched)
    lines = contributions.collect([log.person_id], start, end).get(log.person_id, [])
    existing = LogEntry.objects.filter(log=log).exclude(source="")
    known_records = set(existing.exclude(record_id="").values_list("source", "record_type_id",
                                                                   "record_id"))  # fmt: skip
    known_texts = set(existing.filter(record_id="").values_list("source", "text"))
    position = int(LogEntry.objects.filter(log=log).aggregate(m=Max("position"))["m"] or 0)
    count = LogEntry.objects.filter(log=log).count()
    new: list[LogEntry] = []
    for code, line in lines:
        if count + len(new) >= MAX_ENTRIES:
            break
        text = str(line.text or "").strip().replace("\x00", "")[:MAX_ENTRY_TEXT]
        if not text:
            continue
        ct_id: int | None = None
        rid = ""
        if line.record is not None and line.record.pk is not None:
            ct_id = ContentType.objects.get_for_model(line.record).pk
            rid = str(line.record.pk)[:64]
            key: tuple[Any, ...] = (code, ct_id, rid)
            if key in known_records:
                continue
            known_records.add(key)
        else:
            if (code, text) in known_texts:
                continue
            known_texts.add((code, text))
        position += 1
        new.append(
            LogEntry(
                log=log,
                source=code[:60],
                record_type_id=ct_id,
                record_id=rid,
                text=text,
                minutes=max(0, min(int(line.minutes or 0), MAX_ENTRY_MINUTES)),
                state=line.state if line.state in EntryState.values else EntryState.DONE,
                at=line.at,
                position=min(position, 32767),
            )
        )
    before = audit.snapshot(log)
    for entry in new:
        entry.save()
    if new:
        audit.record_many(AuditAction.CREATE, new, actor=user, extra={"drafted": True})
    log.drafted_at = now
    log.minutes = _total_minutes(log)
    _save_log(log, before, user)
    return len(new)


# --- writing -----------------------------------------------------------------------------------
def _check_writer(log: DailyLog, by: Person | None) -> None:
    """Only the log's person writes it; a refusal is audited (outside any transaction that
    would roll the record back)."""
    if by is None or by.pk != log.person_id:
        _deny(log, _user_of(by), "worklog.write")
        raise PermissionDenied(_("Only %(name)s can write this log.") % {"name": log.person})


def _writable(log: DailyLog, by: Person | None, expected_version: int | None) -> DailyLog:
    """The log locked for its person's edit (inside a transaction), or refused."""
    _check_writer(log, by)
    log_ = _locked(log, expected_version)
    if log_.status not in WRITABLE:
        raise _refuse(log_, _("This log is %(status)s: it can no longer be changed."))
    return log_


def save(
    log: DailyLog,
    *,
    by: Person,
    summary: Any = None,
    problems: Any = None,
    plan: Any = None,
    expected_version: int | None = None,
) -> DailyLog:
    """The person writes the summary, the problems met and the plan for the next day (a field
    left None keeps its value)."""
    values: dict[str, str] = {}
    for name, value in (("summary", summary), ("problems", problems), ("plan", plan)):
        if value is not None:
            values[name] = _text(value, name, MAX_TEXT)
    _check_writer(log, by)
    with transaction.atomic():
        log_ = _writable(log, by, expected_version)
        before = audit.snapshot(log_)
        for name, value in values.items():
            setattr(log_, name, value)
        _save_log(log_, before, _user_of(by))
    return log_


def add_entry(
    log: DailyLog,
    *,
    by: Person,
    text: Any,
    minutes: Any = 0,
    state: Any = EntryState.DONE,
    expected_version: int | None = None,
) -> LogEntry:
    """A line written by hand."""
    clean = _text(text, "text", MAX_ENTRY_TEXT, required=True)
    mins = _minutes(minutes)
    st = _state(state)
    user = _user_of(by)
    _check_writer(log, by)
    with transaction.atomic():
        log_ = _writable(log, by, expected_version)
        if LogEntry.objects.filter(log=log_).count() >= MAX_ENTRIES:
            raise ValidationError(
                {"text": [_("A log holds at most %(max)s entries.") % {"max": MAX_ENTRIES}]}
            )
        last = LogEntry.objects.filter(log=log_).aggregate(m=Max("position"))["m"] or 0
        entry = LogEntry(
            log=log_, text=clean, minutes=mins, state=st, position=min(last + 1, 32767)
        )
        entry.full_clean(exclude=["log", "record_type"])
        entry.save()
        audit.record(
            AuditAction.CREATE,
            entry,
            actor=user,
            changes={k: [None, v] for k, v in audit.snapshot(entry).items()},
        )
        before = audit.snapshot(log_)
        log_.minutes = _total_minutes(log_)
        _save_log(log_, before, user)
    return entry


def _entry_of(entry: LogEntry, log: DailyLog) -> LogEntry:
    fresh = LogEntry.objects.select_for_update().filter(pk=entry.pk, log=log).first()
    if fresh is None:
        raise ValidationError({"entry": [_("This entry is no longer in the log.")]})
    return fresh


def change_entry(
    entry: LogEntry,
    *,
    by: Person,
    text: Any = None,
    minutes: Any = None,
    state: Any = None,
    expected_version: int | None = None,
) -> LogEntry:
    """The person edits a line (drafted or their own): its text, time spent or state."""
    clean = None if text is None else _text(text, "text", MAX_ENTRY_TEXT, required=True)
    mins = None if minutes is None else _minutes(minutes)
    st = None if state is None else _state(state)
    user = _user_of(by)
    _check_writer(entry.log, by)
    with transaction.atomic():
        log_ = _writable(entry.log, by, expected_version)
        entry_ = _entry_of(entry, log_)
        if entry_.dismissed:
            raise ValidationError({"entry": [_("This entry is no longer in the log.")]})
        before = audit.snapshot(entry_)
        if clean is not None:
            entry_.text = clean
        if mins is not None:
            entry_.minutes = mins
        if st is not None:
            entry_.state = st
        entry_.full_clean(exclude=["log", "record_type"], validate_unique=False)
        entry_.save()
        changes = audit.diff(before, audit.snapshot(entry_))
        if changes:
            audit.record(AuditAction.UPDATE, entry_, actor=user, changes=changes)
        before_log = audit.snapshot(log_)
        log_.minutes = _total_minutes(log_)
        _save_log(log_, before_log, user)
    return entry_


def remove_entry(entry: LogEntry, *, by: Person, expected_version: int | None = None) -> None:
    """The person removes a line: one written by hand is deleted; a drafted one is kept hidden
    so that drafting again does not bring it back."""
    user = _user_of(by)
    _check_writer(entry.log, by)
    with transaction.atomic():
        log_ = _writable(entry.log, by, expected_version)
        entry_ = _entry_of(entry, log_)
        if entry_.source:
            if not entry_.dismissed:
                before = audit.snapshot(entry_)
                entry_.dismissed = True
                entry_.save(update_fields=["dismissed", "updated_at"])
                audit.record(
                    AuditAction.UPDATE, entry_, actor=user,
                    changes=audit.diff(before, audit.snapshot(entry_)),
                )  # fmt: skip
        else:
            before = audit.snapshot(entry_)
            audit.record(
                AuditAction.DELETE,
                entry_,
                actor=user,
                changes={k: [v, None] for k, v in before.items()},
            )
            entry_.delete()
        before_log = audit.snapshot(log_)
        log_.minutes = _total_minutes(log_)
        _save_log(log_, before_log, user)


# --- submit and review -------------------------------------------------------------------------
def submit(
    log: DailyLog,
    *,
    by: Person,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> DailyLog:
    """The person hands in the log: it needs a summary or at least one entry. It goes to the
    reviewer (their team lead, else their superior); with nobody above them it is accepted."""
    now = now or timezone.now()
    user = _user_of(by)
    _check_writer(log, by)
    with transaction.atomic():
        log_ = _writable(log, by, expected_version)
        has_entries = LogEntry.objects.filter(log=log_, dismissed=False).exists()
        if not has_entries and not log_.summary.strip():
            raise ValidationError(
                {"summary": [_("Write what you did today, or keep at least one entry.")]}
            )
        before = audit.snapshot(log_)
        reviewer = resolve_reviewer(log_.person, log_.team)
        log_.reviewer = reviewer
        log_.submitted_at = now
        log_.reviewed_at = None
        log_.review_comment = ""
        log_.minutes = _total_minutes(log_)
        log_.status = S.SUBMITTED if reviewer is not None else S.ACCEPTED
        _save_log(log_, before, user)
        if reviewer is not None:
            _notify_on_commit("worklog.log_submitted", log_, [reviewer], outcome="", comment="",
                              by="")  # fmt: skip
    return log_


def review(
    log: DailyLog,
    *,
    by: Person,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> DailyLog:
    """The lead accepts the log or returns it with a reason (the person edits and submits
    again)."""
    now = now or timezone.now()
    comment = _text(comment, "comment", MAX_COMMENT)
    user = _user_of(by)
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what to change: a reason is required.")]})
    if by is None or user is None or not may_review(user, log):
        _deny(log, user, "worklog.review")
        raise PermissionDenied(_("You are not the reviewer of this log."))
    with transaction.atomic():
        log_ = _locked(log, expected_version)
        if log_.status != S.SUBMITTED:
            raise _refuse(log_, _("This log is %(status)s: it awaits no review."))
        before = audit.snapshot(log_)
        log_.reviewer = by
        log_.reviewed_at = now
        log_.review_comment = comment
        log_.status = S.ACCEPTED if accept else S.RETURNED
        _save_log(log_, before, user)
        _notify_on_commit(
            "worklog.log_reviewed",
            log_,
            [log_.person],
            outcome=(
                pgettext_lazy("log status", "accepted")
                if accept
                else gettext_lazy("returned for changes")
            ),
            comment=comment,
            by=by.name,
        )
    return log_


def _notify_on_commit(kind: str, log: DailyLog, recipients: list[Person], **data: Any) -> None:
    payload = {
        "person": log.person.name,
        "day": log.day,
        "log_id": log.pk,
        "status": log.status,
        **data,
    }
    link = log_url(log)

    def send() -> None:
        notify(kind, obj=log, recipients=recipients, data=payload, link=link)

    transaction.on_commit(send)


# --- the machine's handlers: handler(user, log, **cleaned) -------------------------------------


def submit_action(user: Any, log: DailyLog, *, expected_version: int | None = None) -> DailyLog:
    return submit(log, by=person_or_refuse(user), expected_version=expected_version)


def accept_action(
    user: Any, log: DailyLog, *, comment: str = "", expected_version: int | None = None
) -> DailyLog:
    return review(log, by=person_or_refuse(user), accept=True, comment=comment,
                  expected_version=expected_version)  # fmt: skip


def return_action(
    user: Any, log: DailyLog, *, comment: str = "", expected_version: int | None = None
) -> DailyLog:
    return review(log, by=person_or_refuse(user), accept=False, comment=comment,
                  expected_version=expected_version)  # fmt: skip


# --- lists -------------------------------------------------------------------------------------
def to_review(person: Person | None) -> models.QuerySet[DailyLog]:
    """Logs submitted to ``person``, the oldest day first."""
    if person is None:
        return DailyLog.objects.none()
    return (
        DailyLog.objects.filter(reviewer=person, status=S.SUBMITTED)
        .exclude(person=person)
        .select_related("person", "team")
        .order_by("day", "person__name", "pk")
    )


@dataclass
class TeamRow:
    person: Person
    log: DailyLog | None
    expected: bool  # a working day, not on leave

    @property
    def missing(self) -> bool:
        return self.expected and (self.log is None or self.log.status in WRITABLE)


def team_people(me: Person, user: Any) -> list[Person]:
    """Whose logs ``me`` follows: the members of the teams they lead; with the view permission
    on logs at scope team / department / all, the people of that scope."""
    qs = Person.objects.filter(is_active=True).select_related("team")
    scope = permissions.scope_of(user, VIEW)
    led = models.Q(team__lead=me)
    if scope == "all":
        cond = models.Q()
    elif scope == "department" and me.department_id:
        cond = led | models.Q(department_id=me.department_id)
    elif scope == "team" and me.team_id:
        cond = led | models.Q(team_id=me.team_id)
    else:
        cond = led
    return list(qs.filter(cond).exclude(pk=me.pk).order_by("team__name", "name", "pk")[:500])


def team_day(people: Iterable[Person], day: dt.date) -> list[TeamRow]:
    """Each person's log of ``day`` (or none yet) and whether one is expected of them."""
    people = list(people)
    ids = [p.pk for p in people]
    logs = {
        log.person_id: log
        for log in DailyLog.objects.filter(person_id__in=ids, day=day).select_related("reviewer")
    }
    expected = expected_days(ids, day, day)
    return [TeamRow(p, logs.get(p.pk), day in expected.get(p.pk, [])) for p in people]


__all__ = [
    "Conflict", "TeamRow", "add_entry", "change_entry", "day_bounds", "expected_days",
    "involved", "is_expected", "may_review", "may_write", "open_log", "redraft", "remove_entry",
    "resolve_reviewer", "review", "save", "schedule", "submit", "team_day", "team_people",
    "to_review", "today",
]  # fmt: skip
