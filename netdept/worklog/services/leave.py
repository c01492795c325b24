"""Leave (请假): requests on the working calendar, approved through the approvals engine.

* ``submit_leave`` — a person asks (or a lead records a request taken in person or by phone):
  the period is counted in working days on the default working calendar (half days: a day
  partly covered counts 0.5 up to half its working hours, else 1); refused when it ends before
  it starts, covers no working day, is longer than the type allows, or overlaps another
  pending or approved leave of the person — nothing is saved then. It goes to the approvals
  engine (kind ``worklog.leave``: the type's rule, else the default rule of the kind).
* The approver records the **channel** it came by (``record_channel``, or ``decide`` from the
  leave's page). Approved by a channel the type does not accept (the marketing pack: only in
  person or by phone) the leave becomes ``invalid``, with the reason: the days it covers are
  absence for attendance (``services.attendance``).
* Approved (``leave_decided``): the person's approvals go to the named delegate (an approvals
  ``Delegation`` for the period), or to their superior (the absence provider, ``absence``);
  their duties due on the leave's days are not materialised and open ones are excused.
* ``cancel_leave`` — pending: the approval is withdrawn; approved: the leave ends (the
  delegation with it).

``on_leave_days`` and ``leave_days`` answer other parts (daily logs, reports, duties).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import services as approvals
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    Delegation,
    RequestStatus,
)
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, register_service, service_for
from netdept.duties import absence as duty_absence
from netdept.duties.services.violations import leads
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.worklog.models.leave import Channel, LeaveRequest, LeaveStatus, LeaveType

LEAVE_KIND: Final = "worklog.leave"
ONE_DAY: Final = dt.timedelta(days=1)
HALF: Final = Decimal("0.5")
#: the statuses that hold the person's days (another request may not overlap them)
HOLDING: Final = (LeaveStatus.PENDING, LeaveStatus.APPROVED)
MAX_REASON: Final = 1000
#: the longest period one request may span (calendar days)
MAX_SPAN_DAYS: Final = 366


def schedule() -> WorkSchedule:
    """The schedule leave is counted on: the default working calendar."""
    return WorkSchedule(default_calendar())


# --- counting -------------------------------------------------------------------------------
def _start_of(day: dt.date, sched: WorkSchedule) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=sched.tz)


def day_shares(
    starts_at: dt.datetime, ends_at: dt.datetime, sched: WorkSchedule
) -> dict[dt.date, Decimal]:
    """The working days ``starts_at``…``ends_at`` touches and how much of each it takes:
    0.5 when it covers at most half the day's working hours, else 1."""
    out: dict[dt.date, Decimal] = {}
    if ends_at <= starts_at:
        return out
    first, last = sched.local_date(starts_at), sched.local_date(ends_at)
    sched.load(first, last)
    day = first
    while day <= last:
        spans, total = sched.spans(day)
        if total > dt.timedelta(0):
            covered = sum(
                (max(dt.timedelta(0), min(e, ends_at) - max(s, starts_at)) for s, e in spans),
                dt.timedelta(0),
            )
            if covered > dt.timedelta(0):
                out[day] = HALF if covered * 2 <= total else Decimal(1)
        day += ONE_DAY
    return out


def away_days_of(starts_at: dt.datetime, ends_at: dt.datetime, sched: WorkSchedule) -> set[dt.date]:
    """The days a leave keeps its person away: the working days it touches, and the days off
    it covers whole (a weekend inside a week's leave)."""
    days = set(day_shares(starts_at, ends_at, sched))
    day = sched.local_date(starts_at)
    last = sched.local_date(ends_at)
    while day <= last:
        if day not in days and (
            starts_at <= _start_of(day, sched) and ends_at >= _start_of(day + ONE_DAY, sched)
        ):
            days.add(day)
        day += ONE_DAY
    return days


def _approved(
    person_ids: Iterable[int], start: dt.date, end: dt.date, sched: WorkSchedule
) -> list[LeaveRequest]:
    return list(
        LeaveRequest.objects.filter(
            person_id__in=list(person_ids),
            status=LeaveStatus.APPROVED,
            starts_at__lt=_start_of(end + ONE_DAY, sched),
            ends_at__gt=_start_of(start, sched),
        ).only("pk", "person_id", "starts_at", "ends_at")
    )


def on_leave_days(
    person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, set[dt.date]]:
    """The days (``start``…``end``, local dates, both included) each person is on approved
    leave: working days the leave touches (even half), and days off it covers whole. People
    on no leave are left out. One query for any number of people."""
    ids = {int(i) for i in person_ids}
    if not ids or end < start:
        return {}
    sched = schedule()
    out: dict[int, set[dt.date]] = defaultdict(set)
    for leave in _approved(ids, start, end, sched):
        days = away_days_of(leave.starts_at, leave.ends_at, sched)
        out[leave.person_id].update(d for d in days if start <= d <= end)
    return {pid: days for pid, days in out.items() if days}


def leave_days_by_person(
    person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    """Working days of approved leave per person within ``start``…``end`` (half days count
    0.5). One query for any number of people; people on no leave are left out."""
    ids = {int(i) for i in person_ids}
    if not ids or end < start:
        return {}
    sched = schedule()
    out: dict[int, Decimal] = defaultdict(Decimal)
    for leave in _approved(ids, start, end, sched):
        for day, share in day_shares(leave.starts_at, leave.ends_at, sched).items():
            if start <= day <= end:
                out[leave.person_id] += share
    return {pid: n for pid, n in out.items() if n}


def leave_days(person: Person | int, start: dt.date, end: dt.date) -> Decimal:
    """Working days ``person`` is on approved leave within ``start``…``end`` (included)."""
    pid = person if isinstance(person, int) else person.pk
    return leave_days_by_person({pid}, start, end).get(pid, Decimal(0))


def is_on_leave(person: Person, at: dt.datetime) -> bool:
    """Whether ``person`` is on approved leave at ``at`` (the approvals absence provider)."""
    return LeaveRequest.objects.filter(
        person_id=person.pk, status=LeaveStatus.APPROVED, starts_at__lte=at, ends_at__gt=at
    ).exists()


# --- who may ---------------------------------------------------------------------------------


def user_of(person: Person | None) -> Any:
    return getattr(person, "user", None) if person is not None else None


def pending_decision(by: Person | None, leave: LeaveRequest) -> ApprovalDecision | None:
    """``by``'s pending decision on ``leave``'s approval (as approver or delegate)."""
    if by is None or leave.approval_id is None:
        return None
    return (
        ApprovalDecision.objects.filter(
            request_id=leave.approval_id, approver_id=by.pk, status=DecisionStatus.PENDING
        )
        .select_related("request", "step")
        .first()
    )


def may_record_channel(by: Person | None, leave: LeaveRequest) -> bool:
    """The approver now deciding, or a lead of the person, while the request is pending."""
    if by is None or leave.status != LeaveStatus.PENDING or by.pk == leave.person_id:
        return False
    return pending_decision(by, leave) is not None or leads(by, leave.person)


def may_cancel(by: Person | None, leave: LeaveRequest) -> bool:
    if by is None or leave.status not in HOLDING:
        return False
    return by.pk == leave.person_id or (
        leave.status == LeaveStatus.APPROVED and leads(by, leave.person)
    )


# --- submit ----------------------------------------------------------------------------------
def _aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("Give a date and time.")})
    if timezone.is_naive(value):
        raise ValidationError({field: _("Give the time with its time zone.")})
    return value


def _check_period(
    person: Person,
    leave_type: LeaveType,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    sched: WorkSchedule,
    exclude: int | None = None,
) -> Decimal:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The leave must end after it starts.")})
    if ends_at - starts_at > dt.timedelta(days=MAX_SPAN_DAYS):
        raise ValidationError(
            {"ends_at": _("A leave may span at most %(days)s days.") % {"days": MAX_SPAN_DAYS}}
        )
    days = sum(day_shares(starts_at, ends_at, sched).values(), Decimal(0))
    if days <= 0:
        raise ValidationError(
            {"ends_at": _("The period covers no working day: there is nothing to take leave from.")}
        )
    if leave_type.max_days is not None and days > leave_type.max_days:
        raise ValidationError(
            {"ends_at": _("%(type)s allows at most %(max)s working days; this period has "
                          "%(days)s.") % {"type": leave_type.name, "max": leave_type.max_days,
                                          "days": days}}
        )  # fmt: skip
    clash_qs = LeaveRequest.objects.filter(
        person=person, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        clash_qs = clash_qs.exclude(pk=exclude)
    clash = clash_qs.order_by("starts_at").first()
    if clash is not None:
        local = timezone.localtime
        raise ValidationError(
            {"starts_at": _("It overlaps another leave of %(person)s (%(from)s – %(until)s, "
                            "%(status)s).") % {
                "person": person.name,
                "from": local(clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                "until": local(clash.ends_at).strftime("%Y-%m-%d %H:%M"),
                "status": clash.get_status_display()}}
        )  # fmt: skip
    return days


def submit_leave(
    *,
    by: Person,
    leave_type: LeaveType,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    person: Person | None = None,
    delegate: Person | None = None,
    channel: str = Channel.SYSTEM,
) -> LeaveRequest:
    """``by`` asks for leave (``person`` None or themselves), or a lead of ``person`` records
    the request they took (``channel``: how it came). See the module for what is refused."""
    if by is None or not isinstance(by, Person):
        raise PermissionDenied(_("Only a person of the department may ask for leave."))
    person = person or by
    if person.pk != by.pk and not leads(by, person):
        raise PermissionDenied(
            _("Only a lead of %(person)s may record a leave for them.") % {"person": person.name}
        )
    if not isinstance(leave_type, LeaveType) or not leave_type.is_active:
        raise ValidationError({"leave_type": _("Choose a leave type in use.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the leave.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Write at most %(limit)s characters.") % {"limit": MAX_REASON}}
        )
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the request came.")})
    if delegate is not None and (delegate.pk == person.pk or not delegate.is_active):
        raise ValidationError({"delegate": _("Choose another active person as the delegate.")})
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    sched = schedule()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one at a time
        days = _check_period(person, leave_type, starts_at, ends_at, sched)
        leave = LeaveRequest(
            person=person,
            team_id=person.team_id,
            department_id=person.department_id,
            leave_type=leave_type,
            starts_at=starts_at,
            ends_at=ends_at,
            working_days=days,
            reason=reason,
            channel=channel,
            delegate=delegate,
            recorded_by=by if by.pk != person.pk else None,
        )
        leave.full_clean()
        leave.save()
        audit.record(
            AuditAction.CREATE,
            leave,
            actor=user_of(by),
            changes={k: [None, v] for k, v in audit.snapshot(leave).items()},
        )
        request = approvals.submit(
            user_of(by), kind=LEAVE_KIND, obj=leave, rule=leave_type.approval_rule
        )
        leave.approval = request
        leave.save(update_fields=["approval", "updated_at"])
    return leave


# --- the approver --------------------------------------------------------------------------
def record_channel(by: Person, leave: LeaveRequest, channel: str) -> LeaveRequest:
    """The approver (or a lead of the person) records how the request came."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the request came.")})
    with transaction.atomic():
        leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if not may_record_channel(by, leave):
            audit.record(AuditAction.DENIED, leave, actor=user_of(by),
                         extra={"permission": "worklog.record_channel"})  # fmt: skip
            raise PermissionDenied(
                _("Only the approver of a pending leave may record how it was requested.")
            )
        if leave.channel == channel and leave.recorded_by_id == by.pk:
            return leave
        before = audit.snapshot(leave)
        leave.channel = channel
        leave.recorded_by = by
        leave.version += 1
        leave.save(update_fields=["channel", "recorded_by", "version", "updated_at"])
        audit.record(AuditAction.UPDATE, leave, actor=user_of(by),
                     changes=audit.diff(before, audit.snapshot(leave)))  # fmt: skip
    return leave


def decide(
    by: Person, leave: LeaveRequest, action: str, *, channel: str = "", comment: str = ""
) -> LeaveRequest:
    """From the leave's page: record the channel (when given), then approve, reject or return
    through the approvals engine — one transaction."""
    decision = pending_decision(by, leave)
    if decision is None:
        raise PermissionDenied(_("This approval is not yours to decide."))
    if action == approvals.APPROVE and leave.leave_type.valid_channels and not channel:
        raise ValidationError({"channel": _("Record how the request came before approving.")})
    with transaction.atomic():
        if channel:
            record_channel(by, leave, channel)
        approvals.decide(user_of(by), decision, action, comment)
    return LeaveRequest.objects.get(pk=leave.pk)


def channel_refusal(leave: LeaveRequest) -> str:
    """Why the leave's channel is not accepted by its type ("" when it is)."""
    valid = list(leave.leave_type.valid_channels or [])
    if not valid or leave.channel in valid:
        return ""
    accepted = "、".join(str(Channel(c).label) for c in valid if c in Channel.values)
    return _("Requested %(channel)s; %(type)s is valid only when requested %(accepted)s.") % {
        "channel": leave.get_channel_display(),
        "type": leave.leave_type.name,
        "accepted": accepted,
    }


def leave_decided(request: ApprovalRequest) -> None:
    """The approvals engine's outcome (inside its transaction): the leave follows it."""
    leave = (
        LeaveRequest.objects.select_for_update()
        .select_related("leave_type", "person")
        .filter(pk=request.object_id)
        .first()
    )
    if leave is None or leave.status != LeaveStatus.PENDING:
        return
    before = audit.snapshot(leave)
    status = request.status
    if status == RequestStatus.RETURNED:
        return  # the person changes it and resubmits; the days stay held
    if status == RequestStatus.APPROVED:
        refusal = channel_refusal(leave)
        if refusal:
            leave.status, leave.invalid_reason = LeaveStatus.INVALID, refusal[:500]
        else:
            leave.status = LeaveStatus.APPROVED
    elif status == RequestStatus.REJECTED:
        leave.status = LeaveStatus.REJECTED
    elif status == RequestStatus.WITHDRAWN:
        leave.status = LeaveStatus.WITHDRAWN
    else:
        return
    leave.decided_at = request.decided_at or timezone.now()
    leave.version += 1
    leave.save()
    audit.record(AuditAction.UPDATE, leave, changes=audit.diff(before, audit.snapshot(leave)),
                 extra={"worklog": "leave_decided"})  # fmt: skip
    if leave.status == LeaveStatus.APPROVED:
        _start_absence(leave)


def _start_absence(leave: LeaveRequest) -> None:
    """Approved: the delegate (or, none named, the person's own superior) holds the person's
    approvals for the period — an approvals delegation; their duties pause."""
    service_for(Delegation).create(
        None,
        {
            "delegator": leave.person,
            "delegate": leave.delegate,
            "starts_at": leave.starts_at,
            "ends_at": leave.ends_at,
            "reason": str(leave)[:200],
        },
        check=False,
    )
    sched = schedule()
    days = away_days_of(leave.starts_at, leave.ends_at, sched)
    reason = _("On leave: %(leave)s") % {"leave": str(leave)}
    duty_absence.excuse_away(leave.person_id, days, reason, sched)


# --- cancel ----------------------------------------------------------------------------------
def cancel_leave(by: Person, leave: LeaveRequest, reason: str = "") -> LeaveRequest:
    """Pending: withdrawn (with its approval). Approved: cancelled, from now on (the
    delegation ends with it); a leave already over cannot be cancelled."""
    reason = (reason or "").strip()[:MAX_REASON]
    if not may_cancel(by, leave):
        audit.record(AuditAction.DENIED, leave, actor=user_of(by),
                     extra={"permission": "worklog.cancel_leave"})  # fmt: skip
        raise PermissionDenied(_("Only the person, or a lead once approved, may cancel a leave."))
    now = timezone.now()
    with transaction.atomic():
        leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if leave.status == LeaveStatus.PENDING:
            if leave.approval_id is not None and leave.approval is not None:
                approvals.withdraw(user_of(leave.person), leave.approval, reason)
                leave.refresh_from_db()
            if leave.status == LeaveStatus.PENDING:  # no approval to carry it
                _set(by, leave, LeaveStatus.WITHDRAWN, now)
            return leave
        if leave.status != LeaveStatus.APPROVED:
            raise ValidationError(
                {"status": _("This leave is %(status)s: it cannot be cancelled.")
                 % {"status": leave.get_status_display()}}
            )  # fmt: skip
        if leave.ends_at <= now:
            raise ValidationError({"status": _("This leave is over: it cannot be cancelled.")})
        _set(by, leave, LeaveStatus.CANCELLED, now)
        for d in Delegation.objects.filter(
            delegator_id=leave.person_id, is_active=True, starts_at=leave.starts_at,
            ends_at=leave.ends_at, delegate_id=leave.delegate_id,
        ):  # fmt: skip
            service_for(Delegation).update(None, d, {"is_active": False}, check=False)
    return leave


def _set(by: Person, leave: LeaveRequest, status: str, now: dt.datetime) -> None:
    before = audit.snapshot(leave)
    leave.status = status
    leave.decided_at = leave.decided_at or now
    leave.version += 1
    leave.save()
    audit.record(AuditAction.UPDATE, leave, actor=user_of(by),
                 changes=audit.diff(before, audit.snapshot(leave)))  # fmt: skip


# --- configuration -------------------------------------------------------------------------
class LeaveTypeService(ModelService[LeaveType]):
    """Leave types: the valid channels are known channels."""

    model = LeaveType

    def before_save(
        self, actor: Any, obj: LeaveType, data: Mapping[str, Any], creating: bool
    ) -> None:
        channels = obj.valid_channels
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
            raise ValidationError(
                {"valid_channels": _("Valid channels: a list of %(choices)s.")
                 % {"choices": ", ".join(Channel.values)}}
            )  # fmt: skip
        obj.valid_channels = sorted(set(channels), key=Channel.values.index)
        if obj.max_days is not None and obj.max_days <= 0:
            raise ValidationError({"max_days": _("Give a positive number of days, or none.")})


register_service(LeaveType, LeaveTypeService())


# --- the buttons (``registry_leave``'s machine) -------------------------------------------
def _check_version(leave: LeaveRequest, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != leave.version:
        raise ValidationError(
            _("This leave changed since you opened it; reload the page."), code="conflict"
        )


def _actor(user: Any) -> Person:
    by = person_of(user)
    if by is None:
        raise PermissionDenied(_("Only a person of the department may do this."))
    return by


def approve_action(
    user: Any,
    leave: LeaveRequest,
    channel: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> LeaveRequest:
    _check_version(leave, expected_version)
    return decide(_actor(user), leave, approvals.APPROVE, channel=channel, comment=comment)


def reject_action(
    user: Any, leave: LeaveRequest, comment: str = "", expected_version: int | None = None
) -> LeaveRequest:
    _check_version(leave, expected_version)
    return decide(_actor(user), leave, approvals.REJECT, comment=comment)


def cancel_action(
    user: Any, leave: LeaveRequest, reason: str = "", expected_version: int | None = None
) -> LeaveRequest:
    _check_version(leave, expected_version)
    return cancel_leave(_actor(user), leave, reason)
