"""Meetings (会议): scheduling from a type's recurrence on the working calendar, invitations,
attendance, minutes approved by the chair, action items that become tasks, and commendations
recorded at a monthly review into the rewards ledger.

Every change here runs in one transaction and writes its audit record; the machine
(``machines_meetings``), the pages, the API and the scheduling job call these functions.
A meeting's life::

    scheduled ──hold──▶ held ──submit_minutes──▶ submitted ──approve──▶ closed
        │                 ▲                          │
        └─cancel─▶ cancelled   └──────return_minutes──┘

Minutes submitted by the chair, or of a type whose minutes need no approval, close at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals.resolve import director
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService
from netdept.duties import recurrence
from netdept.duties.models import Reward, RewardRule, RewardSource
from netdept.duties.services import rewards
from netdept.notify import notify
from netdept.org.models import Department, DepartmentKind, Person
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog import notifications_meetings  # noqa: F401  (declares the event kinds)
from netdept.worklog.models import (
    Attendance,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MeetingType,
    Task,
)
from netdept.worklog.services import tasks as task_services

logger = logging.getLogger(__name__)

S = MeetingStatus
#: days ahead the scheduling job creates a type's meetings
HORIZON_DAYS: Final = 14
MAX_COMMENT: Final = 1000
#: the states in which the meeting's record can still change
LIVE: Final = frozenset({S.SCHEDULED, S.HELD, S.MINUTES_SUBMITTED})
#: the states in which attendance may be marked
MARKABLE: Final = (S.SCHEDULED, S.HELD, S.MINUTES_SUBMITTED)
#: the states in which action items and commendations may be recorded
RECORDING: Final = (S.HELD, S.MINUTES_SUBMITTED)
COMMENDING: Final = (S.HELD, S.MINUTES_SUBMITTED, S.CLOSED)
#: attended (for the daily log and the reports)
ATTENDED: Final = (Attendance.PRESENT, Attendance.LATE)


class Conflict(ValidationError):
    """Someone changed the meeting since the page was drawn: reload and try again."""


# --- who ---------------------------------------------------------------------------------------


def is_chair(user: Any, meeting: Meeting) -> bool:
    person = person_of(user)
    return person is not None and person.pk == meeting.chair_id


def may_run(user: Any, meeting: Meeting) -> bool:
    """Who runs the meeting's record (attendance, minutes, action items): its chair, its
    minutes taker, or whoever may change the meeting (within their scope)."""
    if user is None:
        return True
    person = person_of(user)
    if person is not None and person.pk in (meeting.chair_id, meeting.minutes_by_id):
        return True
    return permissions.has_perm(user, "worklog.change_meeting", meeting)


def _deny(meeting: Meeting, user: Any, what: str) -> PermissionDenied:
    audit.record(AuditAction.DENIED, meeting, actor=user, extra={"permission": what})
    return PermissionDenied(what)


def _require_run(user: Any, meeting: Meeting) -> None:
    """Refuse (audited, outside the change's transaction) who does not run the meeting."""
    if not may_run(user, meeting):
        raise _deny(meeting, user, "worklog.run_meeting")


def _require_chair(user: Any, meeting: Meeting) -> None:
    if user is not None and not is_chair(user, meeting):
        raise _deny(meeting, user, "worklog.chair_meeting")


def _refuse(meeting: Meeting) -> ValidationError:
    return ValidationError(
        {"status": [_("This meeting is %(status)s.") % {"status": meeting.get_status_display()}]},
        code="state",
    )


def _locked(meeting: Meeting, expected_version: int | None) -> Meeting:
    fresh = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("meeting_type", "chair", "department", "team")
        .get(pk=meeting.pk)
    )
    if expected_version is not None and expected_version != fresh.version:
        raise Conflict(
            _("Someone changed this meeting in the meantime; reload the page and try again."),
            code="conflict",
        )
    return fresh


def _save(meeting: Meeting, before: dict[str, Any], actor: Any, **extra: Any) -> Meeting:
    meeting.version += 1
    meeting.full_clean()
    meeting.save()
    changes = audit.diff(before, audit.snapshot(meeting))
    audit.record(AuditAction.UPDATE, meeting, actor=actor, changes=changes, extra=extra or None)
    return meeting


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("Keep it to %(limit)s characters.") % {"limit": limit}]})
    return text


def meeting_url(meeting: Meeting) -> str:
    try:
        return reverse("worklog:meetings_detail", args=[meeting.pk])
    except NoReverseMatch:  # the pages are not wired (a bare service test)
        return ""


def _tell(
    kind: str, meeting: Meeting, recipients: Iterable[Person | None], *, by: Any, comment: str = ""
) -> None:
    """Notify ``recipients`` (not the one acting) once the change is committed."""
    actor = by.pk if isinstance(by, Person) else None
    people = [p for p in recipients if p is not None and p.pk != actor]
    if not people:
        return
    data = {
        "meeting": meeting.title,
        "starts": f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}",
        "location": meeting.location,
        "by": by.name if isinstance(by, Person) else "",
        "comment": comment,
        "meeting_id": meeting.pk,
        "status": meeting.status,
    }
    link = meeting_url(meeting)
    transaction.on_commit(
        lambda: notify(kind, obj=meeting, recipients=people, data=data, link=link)
    )


# --- who attends, who chairs -------------------------------------------------------------------
def chair_for(mtype: MeetingType) -> Person | None:
    """The type's chair, else its team's lead, its committee's chair, the director."""
    for person in (
        mtype.chair,
        mtype.team.lead if mtype.team_id and mtype.team else None,
        mtype.committee.chair if mtype.committee_id and mtype.committee else None,
    ):
        if person is not None and person.is_active:
            return person
    return director()


def department_for(mtype: MeetingType, chair: Person | None) -> Department | None:
    """The department a type's meetings belong to."""
    if mtype.department_id:
        return mtype.department
    if mtype.team_id and mtype.team is not None:
        return mtype.team.department
    if chair is not None:
        return chair.department
    return (
        Department.objects.filter(kind=DepartmentKind.NETWORK, is_active=True)
        .order_by("parent_id", "code")
        .first()
    )


def invitees_for(mtype: MeetingType) -> list[Person]:
    """Who a type's meetings invite: its team's members, its committee's members, else the
    people of its department (active people only)."""
    people = Person.objects.filter(is_active=True)
    if mtype.team_id:
        qs = people.filter(team_id=mtype.team_id)
    elif mtype.committee_id:
        qs = people.filter(committees=mtype.committee_id)
    elif mtype.department_id:
        qs = people.filter(department_id=mtype.department_id)
    else:
        return []
    return list(qs.order_by("employee_no", "pk").distinct())


def _invite(meeting: Meeting, people: Iterable[Person]) -> int:
    """Add ``people`` (and the chair) as invited; those already there are kept as they are."""
    wanted = {p.pk for p in people if p.is_active}
    wanted.add(meeting.chair_id)
    have = set(MeetingAttendee.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    rows = [MeetingAttendee(meeting=meeting, person_id=pk) for pk in sorted(wanted - have)]
    MeetingAttendee.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- configuration: types, meetings, attendees (the generic pages) ----------------------------
@dataclass
class _Times:
    """A type's recurrence shaped as ``duties.recurrence`` reads it."""

    rrule: str
    starts_on: dt.date
    ends_on: dt.date | None
    due_time: dt.time
    shift: str


def _times(mtype: MeetingType) -> _Times:
    starts = timezone.localtime(mtype.created_at).date() if mtype.created_at else None
    return _Times(
        rrule=mtype.rrule,
        starts_on=starts or timezone.localdate(),
        ends_on=None,
        due_time=mtype.start_time or dt.time(9, 0),
        shift=mtype.shift,
    )


class MeetingTypeService(ModelService[MeetingType]):
    """A recurrence is one RRULE of days (validated and normalised) with its time of day."""

    model = MeetingType

    def before_save(
        self, actor: Any, obj: MeetingType, data: Mapping[str, Any], creating: bool
    ) -> None:
        obj.rrule = (obj.rrule or "").strip()
        if not obj.rrule:
            return
        if obj.start_time is None:
            raise ValidationError(
                {"start_time": [_("A recurring meeting needs the time it starts.")]}
            )
        obj.rrule = recurrence.validate(obj.rrule, _times(obj).starts_on, None)


class MeetingService(ModelService[Meeting]):
    """A meeting scheduled by hand: its type's place, agenda and attendees are filled in; a
    meeting whose minutes are approved, or that was cancelled, is not edited any more."""

    model = Meeting

    def before_save(
        self, actor: Any, obj: Meeting, data: Mapping[str, Any], creating: bool
    ) -> None:
        if not creating and obj.status not in (S.SCHEDULED, S.HELD):
            raise _refuse(obj)
        # stored in UTC: the audit trail shows the same instant the same way, whatever the form
        obj.starts_at = obj.starts_at and obj.starts_at.astimezone(dt.UTC)
        obj.ends_at = obj.ends_at and obj.ends_at.astimezone(dt.UTC)
        if obj.starts_at and obj.ends_at and obj.ends_at <= obj.starts_at:
            raise ValidationError({"ends_at": [_("The meeting must end after it starts.")]})
        team = obj.team if obj.team_id else None
        if team is not None and obj.department_id and team.department_id != obj.department_id:
            raise ValidationError({"team": [_("This team belongs to another department.")]})
        mtype = obj.meeting_type
        if creating and mtype is not None:
            obj.location = obj.location or mtype.location
            obj.agenda = obj.agenda or mtype.agenda_template
            if not obj.team_id and mtype.team_id:
                obj.team_id = mtype.team_id
        if not creating:
            obj.version += 1

    def after_save(self, actor: Any, obj: Meeting, data: Mapping[str, Any], creating: bool) -> None:
        if creating:
            _invite(obj, invitees_for(obj.meeting_type) if obj.meeting_type else [])

    def before_delete(self, actor: Any, obj: Meeting) -> None:
        if obj.status not in (S.SCHEDULED, S.CANCELLED):
            raise ValidationError(
                {"status": [_("A meeting that was held stays on record; cancel it instead.")]}
            )


class AttendeeService(ModelService[MeetingAttendee]):
    """Attendees are added and removed while the meeting's record is open."""

    model = MeetingAttendee

    def before_save(
        self, actor: Any, obj: MeetingAttendee, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.meeting_id and obj.meeting.status not in LIVE:
            raise ValidationError(
                {"meeting": [_("The minutes of this meeting are closed: attendance is final.")]}
            )
        if creating and obj.person_id and not obj.person.is_active:
            raise ValidationError({"person": [_("This person has left.")]})
        if obj.attendance == Attendance.INVITED:
            obj.note = obj.note.strip()

    def before_delete(self, actor: Any, obj: MeetingAttendee) -> None:
        if obj.meeting.status not in LIVE:
            raise ValidationError(
                {"meeting": [_("The minutes of this meeting are closed: attendance is final.")]}
            )
        if obj.person_id == obj.meeting.chair_id:
            raise ValidationError({"person": [_("The chair attends the meeting.")]})


TYPES = MeetingTypeService()
MEETINGS = MeetingService()
ATTENDEES = AttendeeService()


# --- scheduling --------------------------------------------------------------------------------
def work_schedule() -> WorkSchedule:
    return WorkSchedule(default_calendar())


def starts_in(mtype: MeetingType, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """The start instants of ``mtype``'s meetings whose day lies in ``first``…``last``, on
    the working calendar (a non-working day as the type's ``shift`` says)."""
    if not mtype.rrule or mtype.start_time is None:
        return []
    schedule = work_schedule()
    return recurrence.due_instants(_times(mtype), first, last, schedule)


def schedule(mtype: MeetingType, starts_at: dt.datetime) -> Meeting | None:
    """The meeting of ``mtype`` at ``starts_at`` with its attendees (the system schedules it;
    audited). Idempotent: an existing (or cancelled) meeting at that instant is answered as
    None. A type without a chair or a department is skipped (logged)."""
    chair = chair_for(mtype)
    department = department_for(mtype, chair)
    if chair is None or department is None:
        logger.warning("Meeting type %s: no chair or department, nothing scheduled.", mtype.code)
        return None
    meeting = Meeting(
        meeting_type=mtype,
        title=mtype.name,
        department=department,
        team_id=mtype.team_id,
        chair=chair,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=mtype.duration_minutes),
        location=mtype.location,
        agenda=mtype.agenda_template,
    )
    try:
        with transaction.atomic():
            meeting.full_clean(validate_unique=False, validate_constraints=False)
            meeting.save()
            _invite(meeting, invitees_for(mtype))
            audit.record(
                AuditAction.CREATE,
                meeting,
                actor=None,
                changes={k: [None, v] for k, v in audit.snapshot(meeting).items()},
                extra={"scheduled_by": "recurrence"},
            )
    except IntegrityError:
        return None  # scheduled already (by another run)
    return meeting


def schedule_ahead(now: dt.datetime | None = None, days: int = HORIZON_DAYS) -> int:
    """Schedule every active recurring type's meetings from today to ``days`` ahead; the
    meetings already there are left as they are (safe to run again, and twice at once)."""
    today = timezone.localtime(now or timezone.now()).date()
    last = today + dt.timedelta(days=days)
    created = 0
    types = MeetingType.objects.filter(is_active=True).exclude(rrule="")
    for mtype in types.select_related("chair", "team", "team__lead", "committee__chair"):
        starts = [s for s in starts_in(mtype, today, last) if now is None or s > now]
        if not starts:
            continue
        have = set(
            Meeting.objects.filter(meeting_type=mtype, starts_at__in=starts).values_list(
                "starts_at", flat=True
            )
        )
        for at in starts:
            if at not in have and schedule(mtype, at) is not None:
                created += 1
    return created


# --- the meeting's life ------------------------------------------------------------------------
def hold(user: Any, meeting: Meeting, *, expected_version: int | None = None) -> Meeting:
    """The meeting took place: its minutes are to be written."""
    _require_run(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.status != S.SCHEDULED:
            raise _refuse(m)
        before = audit.snapshot(m)
        m.status = S.HELD
        return _save(m, before, user)


def cancel(
    user: Any, meeting: Meeting, *, reason: str = "", expected_version: int | None = None
) -> Meeting:
    text = _text(reason, "reason", 500, required=True)
    _require_run(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.status != S.SCHEDULED:
            raise _refuse(m)
        before = audit.snapshot(m)
        m.status = S.CANCELLED
        m.cancel_reason = text
        _save(m, before, user)
        attendees = Person.objects.filter(
            pk__in=MeetingAttendee.objects.filter(meeting=m).values("person_id"), is_active=True
        )
        _tell("worklog.meeting_cancelled", m, attendees, by=person_of(user), comment=text)
        return m


def mark_attendance(
    user: Any,
    meeting: Meeting,
    marks: Mapping[int, tuple[str, str]],
    *,
    expected_version: int | None = None,
) -> Meeting:
    """Mark attendance: ``marks`` maps a person's id to (attendance, note). Every person must
    be an attendee and every value a known attendance; nothing is saved otherwise."""
    _require_run(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.status not in MARKABLE:
            raise _refuse(m)
        rows = {
            a.person_id: a for a in MeetingAttendee.objects.filter(meeting=m).select_for_update()
        }
        errors: list[str] = []
        for pk, (value, note) in marks.items():
            if pk not in rows:
                errors.append(_("Person %(id)s is not invited to this meeting.") % {"id": pk})
            elif value not in Attendance.values:
                errors.append(_("“%(value)s” is not an attendance.") % {"value": value})
            elif len(str(note or "")) > 500:
                errors.append(_("Keep the note to %(limit)s characters.") % {"limit": 500})
        if errors:
            raise ValidationError({"attendance": errors})
        changed: dict[str, list[str]] = {}
        for pk, (value, note) in sorted(marks.items()):
            row = rows[pk]
            note = str(note or "").strip()
            if row.attendance == value and row.note == note:
                continue
            changed[str(row.person)] = [row.attendance, value]
            row.attendance = value
            row.note = note
            row.save(update_fields=["attendance", "note", "updated_at"])
        if changed:
            m.version += 1
            m.save(update_fields=["version", "updated_at"])
            audit.record(AuditAction.UPDATE, m, actor=user, changes={"attendance": [None, changed]})
        return m


def submit_minutes(
    user: Any,
    meeting: Meeting,
    *,
    minutes: str = "",
    decisions: str = "",
    expected_version: int | None = None,
) -> Meeting:
    """Hand in the minutes: the chair approves them (or they close at once when the chair
    hands them in or the type needs no approval). Attendance must be marked first."""
    limit_minutes = Meeting._meta.get_field("minutes").max_length or 50000
    limit_decisions = Meeting._meta.get_field("decisions").max_length or 10000
    text = _text(minutes, "minutes", limit_minutes, required=True)
    decided = _text(decisions, "decisions", limit_decisions)
    _require_run(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.status != S.HELD:
            raise _refuse(m)
        unmarked = list(
            MeetingAttendee.objects.filter(meeting=m, attendance=Attendance.INVITED)
            .order_by("person__name")
            .values_list("person__name", flat=True)[:10]
        )
        if unmarked:
            raise ValidationError(
                {"attendance": [_("Mark the attendance of %(names)s first.")
                                % {"names": "、".join(unmarked)}]}
            )  # fmt: skip
        before = audit.snapshot(m)
        by = person_of(user)
        now = timezone.now()
        m.minutes, m.decisions = text, decided
        m.minutes_by = by or m.minutes_by
        m.minutes_submitted_at = now
        m.review_comment = ""
        needs_chair = m.meeting_type is None or m.meeting_type.minutes_approval
        if not needs_chair or (by is not None and by.pk == m.chair_id):
            m.status = S.CLOSED
            m.minutes_approved_at = now
        else:
            m.status = S.MINUTES_SUBMITTED
            _tell("worklog.minutes_submitted", m, [m.chair], by=by)
        return _save(m, before, user)


def _chair_decides(user: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    m = _locked(meeting, expected_version)
    if m.status != S.MINUTES_SUBMITTED:
        raise _refuse(m)
    return m


def approve_minutes(
    user: Any, meeting: Meeting, *, comment: str = "", expected_version: int | None = None
) -> Meeting:
    text = _text(comment, "comment", MAX_COMMENT)
    _require_chair(user, meeting)
    with transaction.atomic():
        m = _chair_decides(user, meeting, expected_version)
        before = audit.snapshot(m)
        m.status = S.CLOSED
        m.minutes_approved_at = timezone.now()
        m.review_comment = text
        return _save(m, before, user)


def return_minutes(
    user: Any, meeting: Meeting, *, comment: str = "", expected_version: int | None = None
) -> Meeting:
    text = _text(comment, "comment", MAX_COMMENT, required=True)
    _require_chair(user, meeting)
    with transaction.atomic():
        m = _chair_decides(user, meeting, expected_version)
        before = audit.snapshot(m)
        m.status = S.HELD
        m.review_comment = text
        _tell("worklog.minutes_returned", m, [m.minutes_by], by=person_of(user), comment=text)
        return _save(m, before, user)


# --- action items and commendations -----------------------------------------------------------
def add_action_item(
    user: Any,
    meeting: Meeting,
    *,
    title: str,
    owner: Person,
    due_on: dt.date,
    description: str = "",
    expected_version: int | None = None,
) -> Task:
    """An action item of the meeting: a task for ``owner`` due on ``due_on``
    (``Task.meeting`` links it), created through the task service."""
    if not isinstance(owner, Person) or not owner.is_active:
        raise ValidationError({"owner": [_("Choose an active person.")]})
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": [_("Enter a date.")]})
    _require_run(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.status not in RECORDING:
            raise _refuse(m)
        if due_on < timezone.localtime(m.starts_at).date():
            raise ValidationError({"due_on": [_("The due date comes before the meeting.")]})
        by = person_of(user) or m.chair
        task = task_services.create_task(
            by=by, title=title, owner=owner, due_on=due_on, description=description, meeting=m
        )
        audit.record(
            AuditAction.UPDATE, m, actor=user,
            changes={"action_items": [None, f"{task.title} · {owner.name} · {due_on:%Y-%m-%d}"]},
        )  # fmt: skip
        return task


def commend(
    user: Any,
    meeting: Meeting,
    *,
    person: Person,
    reason: str,
    rule: RewardRule | None = None,
    expected_version: int | None = None,
) -> Reward:
    """A commendation decided at the meeting (a monthly review), recorded by its chair into the
    rewards ledger (never netted against penalties). The person must have attended."""
    text = _text(reason, "reason", rewards.MAX_REASON - 210, required=True)
    _require_chair(user, meeting)
    with transaction.atomic():
        m = _locked(meeting, expected_version)
        if m.meeting_type is None or not m.meeting_type.records_commendations:
            raise ValidationError(
                {"person": [_("Commendations are not recorded at this kind of meeting.")]}
            )
        if m.status not in COMMENDING:
            raise _refuse(m)
        if (
            not isinstance(person, Person)
            or not MeetingAttendee.objects.filter(
                meeting=m, person=person, attendance__in=ATTENDED
            ).exists()
        ):
            raise ValidationError({"person": [_("Choose a person who attended the meeting.")]})
        day = timezone.localtime(m.starts_at).date()
        reward = rewards.grant(
            person,
            reason=_("%(meeting)s (%(day)s): %(reason)s")
            % {"meeting": m.title[:180], "day": day.isoformat(), "reason": text},
            rule=rule,
            awarded_on=day,
            by=m.chair if user is not None else None,
            source=RewardSource.MONTHLY_REVIEW,
        )
        audit.record(
            AuditAction.UPDATE, m, actor=user,
            changes={"commendations": [None, f"{person.name}: {text[:200]}"]},
        )  # fmt: skip
        return reward


# --- reading -----------------------------------------------------------------------------------
def attended(
    person_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> models.QuerySet[MeetingAttendee]:
    """The attendances of these people at meetings held in ``[start, end)``."""
    return MeetingAttendee.objects.filter(
        person_id__in=list(person_ids),
        attendance__in=ATTENDED,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
        meeting__status__in=(S.HELD, S.MINUTES_SUBMITTED, S.CLOSED),
    )


def upcoming(person: Person, now: dt.datetime, limit: int = 5) -> list[MeetingAttendee]:
    """``person``'s next meetings (scheduled, from now on), soonest first."""
    return list(
        MeetingAttendee.objects.filter(
            person=person, meeting__status=S.SCHEDULED, meeting__ends_at__gt=now
        )
        .select_related("meeting", "meeting__meeting_type")
        .order_by("meeting__starts_at", "meeting_id")[:limit]
    )


def awaiting_chair(person: Person) -> models.QuerySet[Meeting]:
    """Minutes waiting for ``person`` (the chair) to approve."""
    return Meeting.objects.filter(chair=person, status=S.MINUTES_SUBMITTED)


# --- the machine's handlers --------------------------------------------------------------------
def hold_action(user: Any, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    return hold(user, meeting, expected_version=expected_version)


def cancel_action(
    user: Any, meeting: Meeting, reason: str = "", expected_version: int | None = None
) -> Meeting:
    return cancel(user, meeting, reason=reason, expected_version=expected_version)


def submit_action(
    user: Any,
    meeting: Meeting,
    minutes: str = "",
    decisions: str = "",
    expected_version: int | None = None,
) -> Meeting:
    return submit_minutes(
        user, meeting, minutes=minutes, decisions=decisions, expected_version=expected_version
    )


def approve_action(
    user: Any, meeting: Meeting, comment: str = "", expected_version: int | None = None
) -> Meeting:
    return approve_minutes(user, meeting, comment=comment, expected_version=expected_version)


def return_action(
    user: Any, meeting: Meeting, comment: str = "", expected_version: int | None = None
) -> Meeting:
    return return_minutes(user, meeting, comment=comment, expected_version=expected_version)


def action_item_action(
    user: Any,
    meeting: Meeting,
    title: str = "",
    owner: Person | None = None,
    due_on: dt.date | None = None,
    description: str = "",
    expected_version: int | None = None,
) -> Task:
    if owner is None:
        raise ValidationError({"owner": [_("This field is required.")]})
    if due_on is None:
        raise ValidationError({"due_on": [_("This field is required.")]})
    return add_action_item(
        user, meeting, title=title, owner=owner, due_on=due_on, description=description,
        expected_version=expected_version,
    )  # fmt: skip


def commend_action(
    user: Any,
    meeting: Meeting,
    person: Person | None = None,
    reason: str = "",
    rule: RewardRule | None = None,
    expected_version: int | None = None,
) -> Reward:
    if person is None:
        raise ValidationError({"person": [_("This field is required.")]})
    return commend(
        user, meeting, person=person, reason=reason, rule=rule, expected_version=expected_version
    )
