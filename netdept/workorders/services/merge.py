"""Merging a duplicate into another order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from netdept.notify import notify
from netdept.workorders import sla
from netdept.workorders.models import Comment, Status, WorkOrder
from netdept.workorders.services.engine import _data, _to_requester, _transition
from netdept.workorders.services.visibility import _require_staff, visible_orders


def merge(
    actor: Any, order: WorkOrder, *, into: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    """Close ``order`` as a duplicate of ``into``."""
    if into is None:
        raise ValidationError({"into": [_("This field is required.")]})
    if into.pk == order.pk:
        raise ValidationError({"into": [_("An order cannot be merged into itself.")]})
    target = WorkOrder.objects.filter(pk=into.pk).first()
    if target is None:
        raise ValidationError({"into": [_("Choose a valid order.")]})
    _require_staff(actor, target)
    if target.status == Status.CLOSED or target.merged_into_id:
        raise ValidationError(
            {"into": [_("%(number)s is closed; choose an open order.") % {"number": target.number}]}
        )

    def apply(o: WorkOrder, now: dt.datetime) -> None:
        if o.is_major:
            raise ValidationError({"status": [_("A major incident cannot be merged away.")]})
        o.merged_into = target
        sla.on_close(o, now)
        o.status = Status.CLOSED
        o.waiting_on = ""
        o.closed_at = o.closed_at or now
        Comment.objects.create(
            order=o,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            body=_("Merged into %(number)s.") % {"number": target.number},
        )

    def after(o: WorkOrder) -> None:
        notify(
            "workorders.commented",
            obj=o,
            recipients=_to_requester(o),
            data=_data(o, body=_("Merged into %(number)s.") % {"number": target.number}, author=""),
        )

    return _transition(
        actor,
        order,
        "merge",
        check=lambda o: _require_staff(actor, o),
        apply=apply,
        after=after,
        extra={"into": target.number, "into_id": target.pk},
        expected_version=expected_version,
    )


def merge_into(
    actor: Any, order: WorkOrder, *, into: str | int, expected_version: int | None = None
) -> WorkOrder:
    """The ``merge`` transition: ``into`` is the number (or the id) of an order the actor can
    see; any other answers alike (no existence oracle)."""
    ref = str(into).strip()
    q = Q(number=ref)
    if ref.isascii() and ref.isdigit() and len(ref) < 18:
        q |= Q(pk=int(ref))
    target = visible_orders(actor).filter(q).order_by().first() if ref else None
    if target is None:
        raise ValidationError(
            {"into": [_("There is no work order %(number)s you can see.") % {"number": ref}]}
        )
    return merge(actor, order, into=target, expected_version=expected_version)
