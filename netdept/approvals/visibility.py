"""Who an approval concerns, and how its people are named — shared by the pages
(``views``) and the API (``api``, ``serializers``): one rule of visibility for both doors.

A decision or request is open to the people it concerns (the approver holding it, the person
it is held for, the requester, the submitting account, and for a request any of its
approvers) and to holders of the view permission within their scope; anyone else gets 403
(audited) without the permission at all, 404 with it — no oracle of what exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from netdept.approvals.machines import APPROVER, REQUESTER
from netdept.approvals.models import ApprovalDecision
from netdept.core import permissions
from netdept.core import services as core_services
from netdept.org.people import person_of as person_of  # one answer for every module

VIEW_DECISION = "approvals.view_approvaldecision"
VIEW_REQUEST = "approvals.view_approvalrequest"


def involved_in_decisions(user: Any) -> Q:
    """The decisions ``user`` is concerned by without any permission."""
    q = Q(request__submitted_by=user.pk)
    person = person_of(user)
    if person is not None:
        q |= Q(approver=person) | Q(on_behalf_of=person) | Q(request__requester=person)
    return q


def involved_in_requests(user: Any) -> Q:
    """The requests ``user`` is concerned by without any permission: theirs, and those they
    approve (or are approved for them by a delegate)."""
    q = Q(submitted_by=user.pk)
    person = person_of(user)
    if person is not None:
        mine = ApprovalDecision.objects.filter(Q(approver=person) | Q(on_behalf_of=person))
        q |= Q(requester=person) | Q(pk__in=mine.values("request_id"))
    return q


def find_visible(qs: QuerySet[Any], user: Any, pk: int, involved: Q, perm: str) -> Any:
    """The row ``pk`` of ``qs`` if ``user`` is concerned by it or may view it within their
    scope; else 403 (audited) without the permission at all, 404 with it."""
    row = qs.filter(involved, pk=pk).first()
    if row is not None:
        return row
    if permissions.scope_of(user, perm) is None:
        core_services.require(user, "view", qs.model)  # raises, and records the denial
    row = permissions.restrict(qs, user, "view").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def holder_name(d: ApprovalDecision) -> str:
    """The holder's name: 王建国, or 李强 代 王建国 when a delegate holds it."""
    if d.on_behalf_of_id and d.on_behalf_of is not None:
        return _("%(delegate)s for %(person)s") % {
            "delegate": d.approver.name,
            "person": d.on_behalf_of.name,
        }
    return d.approver.name


def decider_name(d: ApprovalDecision) -> str:
    """Who decided: the holder, or the person it was held for (back early), else the
    account."""
    if d.decided_by_id is None:
        return ""
    if d.decided_by_id == d.approver.user_id:
        return holder_name(d)
    if d.on_behalf_of is not None and d.decided_by_id == d.on_behalf_of.user_id:
        return d.on_behalf_of.name
    user = d.decided_by
    return str(user.get_username()) if user is not None else ""


def refusal_text(exc: PermissionDenied) -> str:
    """The engine's reason; the machine's refusal names only the kind of actor."""
    text = " ".join(str(a) for a in exc.args)
    if not text or text == APPROVER.name:
        return _("This approval is not yours to decide.")
    if text == REQUESTER.name:
        return _("Only the requester may withdraw the request.")
    return text
