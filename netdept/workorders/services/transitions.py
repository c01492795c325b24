"""The life of an order: accept, start, wait, resume, resolve, confirm, rate, close, reopen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core.machines import field_limit
from netdept.notify import notify
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders import sla
from netdept.workorders.models import MAX_REASON, OPEN_STATUSES, Kind, Status, WaitingOn, WorkOrder
from netdept.workorders.services import approval
from netdept.workorders.services.common import _text, person_of, reopen_days, reopen_deadline
from netdept.workorders.services.engine import _data, _to_handlers, _to_requester, _transition
from netdept.workorders.services.visibility import _require_requester, _require_staff


def accept(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """New → accepted (受理): the actor becomes the assignee if there is none; the response
    clock stops. Of two concurrent accepts one gets ``Conflict`` naming who accepted."""
    person = person_of(actor)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.ACCEPTED
        if o.assignee_id is None and person is not None:
            o.assignee = person
            if o.team_id is None and person.team_id:
                o.team_id = person.team_id
        sla.on_respond(o, now)
        o.responded_at = o.responded_at or now

    def after(o: WorkOrder) -> None:
        notify("workorders.accepted", obj=o, recipients=_to_requester(o), data=_data(o))

    return _transition(
        actor,
        order,
        "accept",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def start(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """Accepted → in progress."""
    person = person_of(actor)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.IN_PROGRESS
        if o.assignee_id is None and person is not None:
            o.assignee = person

    return _transition(
        actor,
        order,
        "start",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        expected_version=expected_version,
    )


def wait(
    actor: Any, order: WorkOrder, *, on: str, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """Pause the SLA clock while the order waits on the requester or a vendor."""
    if on not in WaitingOn.values:
        raise ValidationError({"on": [_("Choose a valid value.")]})
    reason = _text(reason, "reason", limit=MAX_REASON)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.status = Status.WAITING
        o.waiting_on = on
        sla.on_pause(o, now, reason)

    def after(o: WorkOrder) -> None:
        if on == WaitingOn.REQUESTER:
            notify(
                "workorders.commented",
                obj=o,
                recipients=_to_requester(o),
                data=_data(o, body=reason, author=str(person_of(actor) or "")),
            )

    return _transition(
        actor,
        order,
        "wait",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"on": on, "reason": reason},
        expected_version=expected_version,
    )


def _resume(o: WorkOrder, now: dt.datetime) -> None:
    o.status = Status.IN_PROGRESS
    o.waiting_on = ""
    sla.on_resume(o, now)


def resume(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """Waiting → in progress; the SLA clock runs again."""
    return _transition(
        actor,
        order,
        "resume",
        check=lambda o: _require_staff(actor, o),
        apply=_resume,
        expected_version=expected_version,
    )


def resolve(
    actor: Any,
    order: WorkOrder,
    *,
    solution: str,
    registration_no: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Record the solution and stop the clock. A major incident needs its report to the
    leaders first, approved by the director (``approval.report_refusal``); a lead needs the
    registration number 客服部 gave."""
    solution = _text(solution, "solution", limit=field_limit(WorkOrder, "solution"))
    registration_no = _text(
        registration_no,
        "registration_no",
        required=False,
        limit=field_limit(WorkOrder, "registration_no"),
    )

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        refusal = approval.report_refusal(o, "resolve")
        if refusal:
            raise ValidationError({"major_report": [refusal]})
        if registration_no:
            o.registration_no = registration_no
        if o.kind == Kind.LEAD and not o.registration_no:
            raise ValidationError(
                {
                    "registration_no": [
                        _(
                            "A lead is resolved by handing it to the customer service "
                            "department: enter their registration number."
                        )
                    ]
                }
            )
        o.status = Status.RESOLVED
        o.solution = solution
        o.waiting_on = ""
        if o.assignee_id is None and person_of(actor) is not None:
            o.assignee = person_of(actor)
        sla.on_resolve(o, now)  # counts as the response too; ends a pause
        o.responded_at = o.responded_at or now
        o.resolved_at = o.resolved_at or now

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.resolved",
            obj=o,
            recipients=_to_requester(o),
            data=_data(o, solution=solution),
        )

    return _transition(
        actor,
        order,
        "resolve",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        expected_version=expected_version,
    )


def _close(o: WorkOrder, now: dt.datetime) -> None:
    refusal = approval.report_refusal(o, "close")
    if refusal:
        raise ValidationError({"major_report": [refusal]})
    sla.on_close(o, now)  # stops the clock of an order closed without being resolved
    o.status = Status.CLOSED
    o.waiting_on = ""
    o.closed_at = o.closed_at or now


def confirm(actor: Any, order: WorkOrder, *, expected_version: int | None = None) -> WorkOrder:
    """The requester confirms the fix: resolved → closed."""
    return _transition(
        actor,
        order,
        "confirm",
        check=lambda o: _require_requester(actor, o),
        apply=_close,
        expected_version=expected_version,
    )


def rate(
    actor: Any,
    order: WorkOrder,
    *,
    rating: int,
    comment: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """1–5 stars and a comment, by the requester's side, once the order is resolved."""
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5 or isinstance(rating, bool):
        raise ValidationError({"rating": [_("Give 1 to 5 stars.")]})
    text = _text(comment, "comment", required=False, limit=field_limit(WorkOrder, "rating_comment"))

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        o.rating, o.rating_comment, o.rated_at = stars, text, now

    return _transition(
        actor,
        order,
        "rate",
        check=lambda o: _require_requester(actor, o),
        apply=apply,
        expected_version=expected_version,
    )


def close(
    actor: Any,
    order: WorkOrder,
    *,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Staff (or the auto-close job) close a resolved order; an open order can be closed too
    (cancelled, a duplicate…) but only with a reason."""
    reason = _text(reason, "reason", required=False, limit=MAX_REASON)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.status in OPEN_STATUSES and not reason:
            raise ValidationError(
                {"reason": [_("Give a reason to close an order that is not resolved.")]}
            )
        _close(o, now)

    return _transition(
        actor,
        order,
        "close",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        extra={"reason": reason} if reason else None,
        expected_version=expected_version,
        now=now,
    )


def reopen(
    actor: Any, order: WorkOrder, *, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """Reopen a resolved or closed order within N working days of its resolution."""
    reason = _text(reason, "reason", limit=MAX_REASON)

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.merged_into_id:
            raise ValidationError(
                {"status": [_("This order was merged into another; reopen that one.")]}
            )
        deadline = reopen_deadline(o)
        schedule = WorkSchedule(default_calendar())
        if deadline is None or schedule.local_date(now) > deadline:
            raise ValidationError(
                {
                    "status": [
                        _(
                            "An order can be reopened only within %(days)d working days "
                            "of its resolution."
                        )
                        % {"days": reopen_days()}
                    ]
                }
            )
        sla.on_reopen(o, now)
        o.status = Status.IN_PROGRESS if o.assignee_id else Status.NEW
        o.resolved_at = None
        o.closed_at = None
        o.reopen_count += 1

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.reopened",
            obj=o,
            recipients=_to_handlers(o),
            data=_data(o, reason=reason),
            severity="warning",
        )

    return _transition(
        actor,
        order,
        "reopen",
        check=lambda o: _require_requester(actor, o, or_staff=True),
        apply=apply,
        after=after,
        extra={"reason": reason},
        expected_version=expected_version,
    )
