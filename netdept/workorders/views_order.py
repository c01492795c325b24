"""The staff page of one work order: facts, action forms (HTMX), conversation, work records,
attachments, SLA timeline and history; the permission-checked attachment download; the phone
desk's "file for a caller" form.

Thin: every change goes through ``netdept.workorders.services``; the services check the rules
and the permissions, these views parse input and show the answer (field errors, a conflict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import audit, permissions
from netdept.core import services as core_services
from netdept.core.history import entries as history_entries
from netdept.core.models.audit import AuditAction
from netdept.core.views.crud import apply_errors
from netdept.workorders import forms as wo_forms
from netdept.workorders import services
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


# --- the actions ------------------------------------------------------------------------------
Data = dict[str, Any]


def _v(d: Data) -> Data:
    return {"expected_version": d.get("expected_version")}


def _version(order: WorkOrder) -> Data:
    return {"expected_version": order.version}


UPDATED = gettext_lazy("%(number)s was updated.")


@dataclass(frozen=True)
class Action:
    label: Any
    icon: str
    style: str
    form: type[forms.Form]
    run: Callable[[Any, WorkOrder, Data], Any]
    initial: Callable[[WorkOrder], Data] = _version
    done: Any = UPDATED


def _merge(user: Any, order: WorkOrder, d: Data) -> Any:
    number = d["into"].strip()
    target = services.visible_orders(user).filter(number=number).first()
    if target is None:
        raise ValidationError(
            {"into": [_("There is no work order %(number)s you can see.") % {"number": number}]}
        )
    return services.merge(user, order, into=target, **_v(d))


ACTIONS: dict[str, Action] = {
    "accept": Action(
        gettext_lazy("Accept"),
        "bi-check2-circle",
        "primary",
        wo_forms.AcceptForm,
        lambda u, o, d: services.accept(u, o, **_v(d)),
        _version,
        gettext_lazy("%(number)s was accepted."),
    ),
    "assign": Action(
        gettext_lazy("Assign"),
        "bi-person-check",
        "outline-primary",
        wo_forms.AssignForm,
        lambda u, o, d: services.assign(
            u, o, team=d.get("team"), assignee=d.get("assignee"), reason=d["reason"], **_v(d)
        ),
        lambda o: {"team": o.team_id, "assignee": o.assignee_id, **_version(o)},
        gettext_lazy("%(number)s was assigned."),
    ),
    "transfer": Action(
        gettext_lazy("Transfer"),
        "bi-arrow-left-right",
        "outline-primary",
        wo_forms.TransferForm,
        lambda u, o, d: services.transfer(u, o, team=d["team"], reason=d["reason"], **_v(d)),
        done=gettext_lazy("%(number)s was transferred."),
    ),
    "start": Action(
        gettext_lazy("Start work"),
        "bi-play-fill",
        "primary",
        wo_forms.NoFieldsForm,
        lambda u, o, d: services.start(u, o, **_v(d)),
    ),
    "wait": Action(
        gettext_lazy("Wait"),
        "bi-pause-fill",
        "outline-secondary",
        wo_forms.WaitForm,
        lambda u, o, d: services.wait(u, o, on=d["on"], reason=d["reason"], **_v(d)),
        done=gettext_lazy("%(number)s is waiting; the SLA clock is paused."),
    ),
    "resume": Action(
        gettext_lazy("Resume"),
        "bi-play",
        "primary",
        wo_forms.NoFieldsForm,
        lambda u, o, d: services.resume(u, o, **_v(d)),
    ),
    "resolve": Action(
        gettext_lazy("Resolve"),
        "bi-check2-all",
        "success",
        wo_forms.ResolveForm,
        lambda u, o, d: services.resolve(
            u, o, solution=d["solution"], registration_no=d["registration_no"], **_v(d)
        ),
        done=gettext_lazy("%(number)s was resolved."),
    ),
    "confirm": Action(
        gettext_lazy("Confirm the fix"),
        "bi-hand-thumbs-up",
        "success",
        wo_forms.NoFieldsForm,
        lambda u, o, d: services.confirm(u, o, **_v(d)),
    ),
    "rate": Action(
        gettext_lazy("Rate"),
        "bi-star",
        "outline-success",
        wo_forms.RateForm,
        lambda u, o, d: services.rate(u, o, rating=d["rating"], comment=d["comment"], **_v(d)),
    ),
    "close": Action(
        gettext_lazy("Close"),
        "bi-lock",
        "outline-secondary",
        wo_forms.CloseForm,
        lambda u, o, d: services.close(u, o, reason=d["reason"], **_v(d)),
        done=gettext_lazy("%(number)s was closed."),
    ),
    "reopen": Action(
        gettext_lazy("Reopen"),
        "bi-arrow-counterclockwise",
        "outline-warning",
        wo_forms.ReopenForm,
        lambda u, o, d: services.reopen(u, o, reason=d["reason"], **_v(d)),
        done=gettext_lazy("%(number)s was reopened."),
    ),
    "merge": Action(
        gettext_lazy("Merge"),
        "bi-intersect",
        "outline-secondary",
        wo_forms.MergeForm,
        _merge,
        done=gettext_lazy("%(number)s was merged."),
    ),
    "priority": Action(
        gettext_lazy("Priority"),
        "bi-sort-numeric-down",
        "outline-secondary",
        wo_forms.PriorityForm,
        lambda u, o, d: services.set_priority(
            u,
            o,
            impact=d["impact"],
            urgency=d["urgency"],
            priority=d.get("priority"),
            reason=d["reason"],
            **_v(d),
        ),
        lambda o: {"impact": o.impact, "urgency": o.urgency, **_version(o)},
    ),
    "major": Action(
        gettext_lazy("Major incident"),
        "bi-lightning",
        "outline-danger",
        wo_forms.MajorForm,
        lambda u, o, d: services.set_major(
            u, o, is_major=d["is_major"], report=d["report"], **_v(d)
        ),
        lambda o: {"is_major": True, "report": o.major_report, **_version(o)},
    ),
    "comment": Action(
        gettext_lazy("Comment"),
        "bi-chat-left-text",
        "outline-primary",
        wo_forms.CommentForm,
        lambda u, o, d: services.comment(u, o, body=d["body"], internal=False),
        done=gettext_lazy("The comment was added to %(number)s."),
    ),
    "note": Action(
        gettext_lazy("Internal note"),
        "bi-journal-lock",
        "outline-secondary",
        wo_forms.NoteForm,
        lambda u, o, d: services.comment(u, o, body=d["body"], internal=True),
        done=gettext_lazy("The internal note was added to %(number)s."),
    ),
    "record": Action(
        gettext_lazy("Work record"),
        "bi-tools",
        "outline-secondary",
        wo_forms.RecordForm,
        lambda u, o, d: services.add_work_record(
            u, o, description=d["description"], minutes=d["minutes"]
        ),
        done=gettext_lazy("The work record was added to %(number)s."),
    ),
    "attach": Action(
        gettext_lazy("Attach a file"),
        "bi-paperclip",
        "outline-secondary",
        wo_forms.AttachForm,
        lambda u, o, d: services.add_attachment(u, o, d["file"]),
        done=gettext_lazy("The file was attached to %(number)s."),
    ),
}


def _respond_done(request: HttpRequest, url: str) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx:
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = url
        return resp
    return HttpResponseRedirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def action_view(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    require_desk(request.user)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    order = get_order(request, ref)
    conflict = ""
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                spec.run(request.user, order, form.cleaned_data)
            except services.Conflict as exc:
                conflict = " ".join(exc.messages)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, str(spec.done) % {"number": order.number})
                return _respond_done(request, order_url(order))
    else:
        form = spec.form(initial=spec.initial(order))
    htmx = getattr(request, "htmx", None)
    status = 200
    if request.method == "POST" and not htmx:
        status = 409 if conflict else 422
    ctx = {
        "order": order,
        "form": form,
        "action": action,
        "spec": spec,
        "conflict": conflict,
        "wide": {n for n, f in form.fields.items() if isinstance(f.widget, forms.Textarea)},
        "post_url": reverse("workorders:action", args=[order.number, action]),
        "order_url": order_url(order),
    }
    template = "workorders/order/_action_form.html" if htmx else "workorders/order/action.html"
    return render(request, template, ctx, status=status)


# --- the order page ---------------------------------------------------------------------------
BUTTON_ORDER = [
    "accept",
    "start",
    "resume",
    "wait",
    "resolve",
    "assign",
    "transfer",
    "priority",
    "major",
    "merge",
    "close",
    "reopen",
    "confirm",
    "rate",
]
#: actions shown in the conversation area rather than as header buttons
INLINE_ACTIONS = ["comment", "note", "record", "attach"]


@login_required
@require_safe
def order_view(request: HttpRequest, ref: str) -> HttpResponse:
    require_reader(request.user)
    order = get_order(request, ref)
    user = request.user
    can_desk = permissions.has_perm(user, CHANGE)
    # The action forms here are the desk's (``require_desk``): a reader without the change
    # right (the auditor) gets none, even where the requester's side would allow a comment.
    allowed = services.allowed_actions(user, order) if can_desk else set()
    see_internal = permissions.has_perm(user, VIEW_INTERNAL)
    comments = services.visible_comments(user, order)
    now = timezone.now()
    ctx = {
        "order": order,
        "buttons": [(a, ACTIONS[a]) for a in BUTTON_ORDER if a in allowed],
        "inline": [(a, ACTIONS[a]) for a in INLINE_ACTIONS if a in allowed],
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
    try:
        from netdept.workorders import sla
    except ImportError:  # the SLA engine is not installed yet
        return []
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
