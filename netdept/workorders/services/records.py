"""Comments, internal notes and work records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit
from netdept.core.machines import field_limit
from netdept.core.models.audit import AuditAction
from netdept.notify import notify
from netdept.workorders.models import Comment, Status, WaitingOn, WorkOrder, WorkRecord
from netdept.workorders.services.common import _deny, _refuse, _text, person_of
from netdept.workorders.services.engine import (
    _copy_into,
    _data,
    _to_handlers,
    _to_requester,
    _transition,
)
from netdept.workorders.services.transitions import _resume
from netdept.workorders.services.visibility import (
    _require_requester,
    _require_staff,
    is_requester_side,
    is_staff,
)


def comment(actor: Any, order: WorkOrder, *, body: str, internal: bool = False) -> Comment:
    """A public comment (staff or the requester's side) or an internal note (staff only). A
    comment of the requester's side on an order waiting on them restarts the clock."""
    body = _text(body, "body", limit=field_limit(Comment, "body"))
    with transaction.atomic():
        fresh = WorkOrder.objects.select_related("requester", "team", "assignee").get(pk=order.pk)
        staff = actor is None or is_staff(actor, fresh)
        if internal and not staff:
            raise _deny(actor, fresh, "workorders.change_workorder")
        if not internal and not staff:
            _require_requester(actor, fresh)
        note = Comment.objects.create(
            order=fresh,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            body=body,
            internal=bool(internal),
        )
        audit.record(
            AuditAction.CREATE,
            note,
            actor=actor,
            changes={k: [None, v] for k, v in audit.snapshot(note).items()},
        )
        if not internal:
            from_requester = (
                actor is not None
                and is_requester_side(actor, fresh)
                and not (fresh.assignee is not None and fresh.assignee.user_id == actor.pk)
            )
            data = _data(fresh, body=body[:500], author=str(person_of(actor) or ""))
            recipients = _to_handlers(fresh) if from_requester else _to_requester(fresh)
            if recipients:
                notify("workorders.commented", obj=fresh, recipients=recipients, data=data)
            if (
                from_requester
                and fresh.status == Status.WAITING
                and fresh.waiting_on == WaitingOn.REQUESTER
            ):
                _transition(
                    actor,
                    fresh,
                    "resume",
                    apply=_resume,
                    extra={"auto": "requester replied"},
                )
    _copy_into(order, fresh)
    return note


def add_work_record(
    actor: Any,
    order: WorkOrder,
    *,
    description: str,
    minutes: int,
    performed_at: dt.datetime | None = None,
) -> WorkRecord:
    """What was done and how long it took."""
    description = _text(description, "description", limit=field_limit(WorkRecord, "description"))
    try:
        mins = int(minutes)
    except (TypeError, ValueError):
        mins = -1
    if isinstance(minutes, bool) or not 1 <= mins <= 24 * 60:
        raise ValidationError({"minutes": [_("Enter the minutes spent (1 to 1440).")]})
    now = timezone.now()
    performed_at = performed_at or now
    if timezone.is_naive(performed_at):
        raise ValidationError({"performed_at": [_("Enter a time with its time zone.")]})
    if performed_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"performed_at": [_("The time cannot be in the future.")]})
    person = person_of(actor)
    if person is None:
        raise ValidationError(
            {"person": [_("Your account is not linked to a person; a work record needs one.")]}
        )
    with transaction.atomic():
        fresh = WorkOrder.objects.get(pk=order.pk)
        _require_staff(actor, fresh)
        if fresh.status == Status.CLOSED:
            raise _refuse(fresh, _("Work cannot be recorded on an order that is %(status)s."))
        rec = WorkRecord.objects.create(
            order=fresh,
            person=person,
            description=description,
            minutes=mins,
            performed_at=performed_at,
        )
        audit.record(
            AuditAction.CREATE,
            rec,
            actor=actor,
            changes={k: [None, v] for k, v in audit.snapshot(rec).items()},
        )
    return rec


def note(actor: Any, order: WorkOrder, *, body: str) -> Comment:
    """An internal note (staff only): the ``note`` transition."""
    return comment(actor, order, body=body, internal=True)
