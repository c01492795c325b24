"""Small rules of work orders that the state machine and the services share: who is on the
requester's side, how long an order may be reopened. Imports no service (the machine,
``netdept.workorders.machines``, is imported by the services' engine)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from netdept.core import permissions
from netdept.org.people import person_of as person_of  # one answer for every module
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders.models import WorkOrder


def setting(name: str, default: int) -> int:
    return int(settings.NETDEPT.get(name, default))


def reopen_days() -> int:
    return setting("WORKORDER_REOPEN_DAYS", 5)


def is_requester_side(user: Any, order: WorkOrder) -> bool:
    """The order's requester, or a person of the requester's department who can see it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if order.requester_id and order.requester is not None and order.requester.user_id == user.pk:
        return True
    person = person_of(user)
    return bool(
        person is not None
        and order.requester_department_id
        and person.department_id == order.requester_department_id
        and permissions.has_perm(user, "workorders.view_workorder", order)
    )


def is_own_order(user: Any, order: WorkOrder) -> bool:
    """The order's requester, or whoever filed it for them: who answers for its approval
    (submits it again after a return, or withdraws it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if order.created_by_id == user.pk:
        return True
    return bool(
        order.requester_id and order.requester is not None and order.requester.user_id == user.pk
    )


def awaits_changes(order: WorkOrder) -> bool:
    """Was the order's approval returned for changes (its requester may submit it again)?"""
    from netdept.workorders.services import approval  # the services import this module

    request = approval.request_of(order)
    return request is not None and request.status == approval.RequestStatus.RETURNED


def reopen_deadline(order: WorkOrder) -> dt.date | None:
    """The last (local) day on which ``order`` may be reopened."""
    if order.resolved_at is None:
        return None
    schedule = WorkSchedule(default_calendar())
    return schedule.add_working_days(schedule.local_date(order.resolved_at), reopen_days())


def may_reopen(order: WorkOrder) -> bool:
    """Is ``order`` within its reopening window (and not merged away)?"""
    deadline = reopen_deadline(order)
    return bool(
        not order.merged_into_id
        and deadline is not None
        and timezone.localdate(timezone.now()) <= deadline
    )
