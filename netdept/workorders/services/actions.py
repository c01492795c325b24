"""What the UI may offer: the actions a user may take on an order now."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from netdept.workorders.models import OPEN_STATUSES, Status, WorkOrder
from netdept.workorders.services.transitions import reopen_deadline
from netdept.workorders.services.visibility import is_requester_side, is_staff


def allowed_actions(user: Any, order: WorkOrder) -> set[str]:
    """The actions ``user`` may take on ``order`` now (the UI shows these buttons)."""
    staff = is_staff(user, order)
    requester = is_requester_side(user, order)
    status = order.status
    acts: set[str] = set()
    if staff:
        if status == Status.NEW:
            acts.add("accept")
        if status == Status.ACCEPTED:
            acts.add("start")
        if status in OPEN_STATUSES:
            acts |= {"assign", "transfer", "priority"}
        if status in (Status.ACCEPTED, Status.IN_PROGRESS):
            acts.add("wait")
        if status == Status.WAITING:
            acts.add("resume")
        if status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING):
            acts.add("resolve")
        if status != Status.CLOSED:
            acts |= {"close", "merge", "major", "record"}
        acts |= {"comment", "note"}
    if requester:
        acts.add("comment")
        if status == Status.RESOLVED:
            acts.add("confirm")
        if status in (Status.RESOLVED, Status.CLOSED):
            acts.add("rate")
    if status != Status.CLOSED and (staff or requester):
        acts.add("attach")
    if (staff or requester) and status in (Status.RESOLVED, Status.CLOSED):
        deadline = reopen_deadline(order)
        if (
            not order.merged_into_id
            and deadline is not None
            and timezone.localdate(timezone.now()) <= deadline
        ):
            acts.add("reopen")
    if order.is_major:
        acts.discard("merge")
    return acts
