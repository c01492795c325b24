"""The staff page of one work order: facts, action forms (HTMX, from the state machine
``netdept.workorders.machines``), conversation, work records,
attachments, SLA timeline and history; the permission-checked attachment download; the phone
desk's "file for a caller" form.

Thin: every change goes through ``netdept.workorders.services``; the services check the rules
and the permissions, these views parse input and show the answer (field errors, a conflict).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import audit, permissions
from netdept.core import services as core_services
from netdept.core.history import entries as history_entries
from netdept.core.models.audit import AuditAction
from netdept.core.views.crud import apply_errors
from netdept.core.views.transitions import handle_transition
from netdept.workorders import forms as wo_forms
from netdept.workorders import services, sla
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import Attachment, WorkOrder
from netdept.workorders.views_desk import due_info, require_desk

VIEW_INTERNAL = "workorders.view_internal_comment"
CHANGE = "workorders.change_workorder"
#: images a browser may show inline (never SVG: it can carry scripts)
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


# --- who may read the staff page ----------------------------------------------------------------
def require_reader(user: Any) -> None:
    """The staff order page, read-only: ``view_workorder`` and either the right to work on
    orders (engineers, leads, the director) or to read internal notes (the auditor). Requesters
    hold neither and follow their orders on the portal. Which orders: ``get_order`` (404)."""
    core_services.require(user, "view", WorkOrder)
    if permissions.has_perm(user, CHANGE) or permissions.has_perm(user, VIEW_INTERNAL):
        return
    audit.record(
        AuditAction.DENIED,
        None,
        actor=user,
        extra={"permission": CHANGE, "or": VIEW_INTERNAL},
        object_type_label=audit.object_type(WorkOrder),
        object_repr="",
    )
    raise PermissionDenied(CHANGE)


# --- lookups ----------------------------------------------------------------------------------
def get_order(request: HttpRequest, ref: str) -> WorkOrder:
    """The order by number (or primary key) among those the user can see, else 404."""
    qs = services.visible_orders(request.user)
    q = Q(number=ref)
    if ref.isascii() and ref.isdigit() and len(ref) < 18:  # "²" is a digit, not a number
        q |= Q(pk=int(ref))
    order = qs.select_related("sla_policy", "merged_into").filter(q).order_by().first()
    if order is None:
        raise Http404
    return order


def order_url(order: WorkOrder) -> str:
    return reverse("workorders:order", args=[order.number])


# --- the actions: from the state machine -----------------------------------------------------
def action_url(order: WorkOrder, name: str) -> str:
    return reverse("workorders:action", args=[order.number, name])


@login_required
@require_http_methods(["GET", "POST"])
def action_view(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """The form of one transition of the machine (GET) and its run (POST): the generic
    transition view (``netdept.core.views.transitions``) with the order page's templates."""
    require_desk(request.user)
    if action not in WORKORDER_MACHINE:
        raise Http404
    order = get_order(request, ref)
    return handle_transition(
        request,
        WORKORDER_MACHINE,
        order,
        action,
        post_url=action_url(order, action),
        back_url=order_url(order),
        partial_template="workorders/order/_action_form.html",
        full_template="workorders/order/action.html",
        context={
            "order": order,
            "action": action,
            "spec": WORKORDER_MACHINE[action],
            "order_url": order_url(order),
        },
    )


# --- the order page ---------------------------------------------------------------------------
@login_required
@require_safe
def order_view(request: HttpRequest, ref: str) -> HttpResponse:
    require_reader(request.user)
    order = get_order(request, ref)
    user = request.user
    can_desk = permissions.has_perm(user, CHANGE)
    # The action forms here are the desk's (``require_desk``): a reader without the change
    # right (the auditor) gets none, even where the requester's side would allow a comment.
    offered = WORKORDER_MACHINE.available(order, user, action_url) if can_desk else []
    see_internal = permissions.has_perm(user, VIEW_INTERNAL)
    comments = services.visible_comments(user, order)
    now = timezone.now()
    ctx = {
        "order": order,
        "transitions": offered,
        "buttons": [(t.name, t) for t in offered if t.group == ""],
        "inline": [(t.name, t) for t in offered if t.group == "inline"],
        "comments": list(comments),
        "records": list(order.records.select_related("person")),
        "attachments": list(order.attachments.select_related("uploaded_by")),
        # by id: the merged_into index serves it (ordering by date, SQLite walks the whole
        # date index instead)
        "merged": list(order.merged.only("pk", "number", "title").order_by("pk")),
        "timeline": sla_timeline(order),
        "see_internal": see_internal,
        "response_due": due_info(
            order, order.response_due if not order.responded_at else None, now
        ),
        "resolution_due": due_info(order, order.resolution_due, now),
        "can_history": permissions.has_perm(user, "core.view_history"),
        "can_desk": can_desk,
        "inline_types": INLINE_TYPES,
    }
    return render(request, "workorders/order/order.html", ctx)


def sla_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    timeline = getattr(sla, "timeline", None)
    return list(timeline(order)) if timeline else []


@login_required
@require_safe
def history_view(request: HttpRequest, ref: str) -> HttpResponse:
    require_reader(request.user)
    order = get_order(request, ref)
    if not permissions.has_perm(request.user, "core.view_history"):
        audit.record(
            AuditAction.DENIED, order, actor=request.user, extra={"permission": "core.view_history"}
        )
        raise PermissionDenied("core.view_history")
    records = audit.history(order).select_related("actor", "actor__person")[:200]
    entries = history_entries(WorkOrder, records)
    return render(request, "core/_history.html", {"obj": order, "entries": entries})


# --- attachments ------------------------------------------------------------------------------
@login_required
@require_safe
def attachment_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """A file of an order, to those who may see the order and its attachments; else 404."""
    user = request.user
    if not permissions.has_perm(user, "workorders.view_attachment"):
        raise Http404
    att = (
        Attachment.objects.filter(
            token=token, order__in=services.visible_orders(user).order_by().values("pk")
        )
        .select_related("order")
        .first()
    )
    if att is None:
        raise Http404
    inline = request.GET.get("inline") == "1" and att.content_type in INLINE_TYPES
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    resp = FileResponse(
        handle,
        as_attachment=not inline,
        filename=att.name,
        content_type=att.content_type if inline else "application/octet-stream",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp["Cache-Control"] = "private, max-age=300"
    return resp


# --- the phone desk ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """The service desk files an order for a caller."""
    require_desk(request.user)
    form = wo_forms.OnBehalfForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.open_order(
                request.user,
                form.order_data(),
                attachments=form.cleaned_data["attachments"],
                on_behalf_of=form.cleaned_data["requester"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                exc.error_dict["attachments"] = exc.error_dict.pop("file")
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(number)s was filed.") % {"number": order.number})
            return HttpResponseRedirect(order_url(order))
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "workorders/order/new.html", {"form": form}, status=status)
