"""Who may see and work on an order: staff within their scope, the requester's side."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from netdept.core import permissions
from netdept.core.services import require
from netdept.workorders.models import Comment, WorkOrder
from netdept.workorders.rules import is_requester_side as is_requester_side
from netdept.workorders.services.common import VIEW_INTERNAL, _deny


def is_staff(user: Any, order: WorkOrder) -> bool:
    """May ``user`` work on ``order`` (``workorders.change_workorder`` within their scope)?"""
    if user is None:
        return True  # the system
    return permissions.has_perm(user, "workorders.change_workorder", order)


def _require_staff(actor: Any, order: WorkOrder) -> None:
    require(actor, "change", order)


def _require_requester(actor: Any, order: WorkOrder, *, or_staff: bool = False) -> None:
    if actor is None or is_requester_side(actor, order):
        return
    if or_staff and is_staff(actor, order):
        return
    raise _deny(actor, order, "workorders.requester")


def can_view(user: Any, order: WorkOrder) -> bool:
    return visible_orders(user).filter(pk=order.pk).exists()


def visible_orders(user: Any) -> models.QuerySet[WorkOrder]:
    """The orders ``user`` may see (scope of ``view_workorder``, plus the ones they filed for
    themselves), with what lists show."""
    base = WorkOrder.objects.select_related(
        "category", "team", "assignee", "requester", "requester_department"
    )
    scope = permissions.scope_of(user, "workorders.view_workorder")
    if scope is None:
        return base.none()
    q = permissions.scope_q(WorkOrder, user, scope)
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    # The requester's own orders by the person's id: a condition on this table that an index
    # serves (an OR across a join to org_person would force a full scan at a million rows).
    own = Q(requester_id=person.pk) if person is not None else None
    if q is None:
        return base.filter(own) if own is not None else base.none()
    if q == Q() or own is None:
        return base if q == Q() else base.filter(q)
    return base.filter(q | own)


def visible_comments(user: Any, order: WorkOrder) -> models.QuerySet[Comment]:
    """The comments of ``order`` that ``user`` may read (internal notes need the permission)."""
    qs = order.comments.select_related("author", "author__person")
    if not permissions.has_perm(user, VIEW_INTERNAL):
        qs = qs.filter(internal=False)
    return qs
