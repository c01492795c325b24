"""The requester portal (报修 / 我的工单): staff of other departments file orders from a phone,
follow their own and their department's orders, comment, add photos, confirm the fix, rate it
and reopen it.

Thin: parse the input, call ``netdept.workorders.services``, render. Every order is looked up
through ``services.visible_orders`` so that another department's order answers 404, never 403
(its existence is not revealed). Internal notes are never shown here.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from netdept.core import permissions
from netdept.org.models import Department
from netdept.workorders import kept_uploads, services
from netdept.workorders.approval import order_approval
from netdept.workorders.forms import caller_defaults
from netdept.workorders.forms_portal import (
    MAX_FILES,
    AttachForm,
    CommentForm,
    ConfirmForm,
    OrderForm,
    RateForm,
    ReopenForm,
    ResubmitForm,
    WithdrawForm,
)
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import Attachment, Comment, Status, WorkOrder

PER_PAGE = 20
FILE_KEYS = {"attachments", "attachment", "file", "files", "upload", "uploads"}
# Served inline (shown in the page); anything else downloads.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


# --- helpers ---------------------------------------------------------------------------------
def _person(user: Any) -> Any:
    return getattr(user, "person", None) if hasattr(user, "person") else None


def _require_add(user: Any) -> None:
    if not permissions.has_perm(user, "workorders.add_workorder"):
        raise PermissionDenied("workorders.add_workorder")


def _apply_errors(form: BaseForm, exc: ValidationError, file_field: str | None = None) -> None:
    """Put a service's refusal under the field it concerns (attachments under the file input)."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            if name in form.fields:
                form.add_error(name, errs)
            elif file_field and name in FILE_KEYS:
                form.add_error(file_field, errs)
            else:
                form.add_error(None, errs)
    else:
        form.add_error(None, exc)


def _portal_orders(user: Any) -> models.QuerySet[WorkOrder]:
    """Orders of the portal: the user's own and their department's, among those they may see."""
    person = _person(user)
    mine = Q(requester__user=user) | Q(created_by=user)
    if person is not None and person.department_id:
        mine |= Q(requester_department__in=Department.subtree_ids(person.department_id))
    return services.visible_orders(user).filter(mine)


def _get_order(request: HttpRequest, number: str) -> WorkOrder:
    qs = services.visible_orders(request.user).select_related(
        "category", "team", "assignee", "requester", "requester_department"
    )
    return get_object_or_404(qs, number=number)


def due_in_words(order: WorkOrder, now: Any = None) -> dict[str, Any] | None:
    """The SLA due time as people say it: "due in 3 hours", "overdue by 20 minutes"."""
    now = now or timezone.now()
    if order.status == Status.CLOSED:
        return None
    if order.status == Status.RESOLVED:
        return None
    if order.status == Status.PENDING_APPROVAL:
        return {
            "text": _("Awaiting approval before work starts"),
            "css": "text-body-secondary",
            "at": None,
            "icon": "bi-hourglass-split",
        }
    if order.status == Status.WAITING or order.paused_at:
        if order.waiting_on == "requester":
            text = _("Paused: waiting for your reply")
        else:
            text = _("Paused: waiting for a vendor")
        return {"text": text, "css": "text-body-secondary", "at": None, "icon": "bi-pause-circle"}
    due: datetime | None
    if order.responded_at is None and order.response_due:
        due, what = order.response_due, "response"
    else:
        due, what = order.resolution_due, "resolution"
    if due is None:
        return None
    if due >= now:
        span = timeuntil(due, now, depth=1)
        if what == "response":
            text = _("To be taken within %(span)s") % {"span": span}
        else:
            text = _("To be solved within %(span)s") % {"span": span}
        soon = due - now < timedelta(hours=1)
        css = "text-warning-emphasis" if soon else "text-body-secondary"
        return {"text": text, "css": css, "at": due, "icon": "bi-clock"}
    span = timeuntil(now, due, depth=1)
    if what == "response":
        text = _("Response overdue by %(span)s") % {"span": span}
    else:
        text = _("Overdue by %(span)s") % {"span": span}
    return {"text": text, "css": "text-danger", "at": due, "icon": "bi-exclamation-triangle"}


STATUS_CSS: dict[str, str] = {
    Status.PENDING_APPROVAL: "text-bg-warning",
    Status.NEW: "text-bg-primary",
    Status.ACCEPTED: "text-bg-info",
    Status.IN_PROGRESS: "text-bg-info",
    Status.WAITING: "text-bg-warning",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
}


def _detail_context(request: HttpRequest, order: WorkOrder, **forms: Any) -> dict[str, Any]:
    actions = services.allowed_actions(request.user, order)
    comments = (
        Comment.objects.filter(order=order, internal=False)
        .select_related("author", "author__person")
        .order_by("created_at", "id")
    )
    attachments = list(Attachment.objects.filter(order=order).order_by("created_at", "id"))
    for a in attachments:
        a.is_image = a.content_type.startswith("image/")  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {
        "order": order,
        "status_css": STATUS_CSS.get(order.status, "text-bg-light"),
        "due": due_in_words(order),
        "actions": actions,
        "comments": comments,
        "attachments": attachments,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "attach_form": forms.get("attach_form") or AttachForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "rate_form": forms.get("rate_form") or RateForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "approval": order_approval(order),
        "resubmit_form": forms.get("resubmit_form")
        or ResubmitForm(initial=WORKORDER_MACHINE.initial("resubmit", order)),
        "withdraw_form": forms.get("withdraw_form")
        or WithdrawForm(initial=WORKORDER_MACHINE.initial("withdraw", order)),
        "open_panel": forms.get("open_panel", ""),
        "stars": range(1, 6),
        "stars_desc": [5, 4, 3, 2, 1],
        "reopen_until": services.reopen_deadline(order) if "reopen" in actions else None,
    }
    return ctx


def _render_detail(request: HttpRequest, order: WorkOrder, status: int = 200, **forms: Any):
    return render(
        request,
        "workorders/portal/detail.html",
        _detail_context(request, order, **forms),
        status=status,
    )


def _back(order: WorkOrder) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workorders:portal_detail", args=[order.number]))


# --- pages -----------------------------------------------------------------------------------
@login_required
@require_safe
def portal_home(request: HttpRequest) -> HttpResponse:
    """我的工单: cards at phone width, the newest first, with a big 提交工单 button."""
    user: Any = request.user
    if not permissions.has_any(user, ["workorders.add_workorder", "workorders.view_workorder"]):
        raise PermissionDenied("workorders.view_workorder")
    who = request.GET.get("who", "all")
    state = request.GET.get("state", "open")
    qs = _portal_orders(user)
    if who == "mine":
        qs = qs.filter(Q(requester__user=user) | Q(created_by=user))
    else:
        who = "all"
    if state == "done":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    elif state == "open":
        qs = qs.exclude(status=Status.CLOSED)
    else:
        state = "any"
    last_comment = Comment.objects.filter(order=OuterRef("pk"), internal=False).order_by(
        "-created_at", "-id"
    )
    qs = (
        qs.select_related("team", "category", "requester")
        .annotate(
            last_comment=Subquery(last_comment.values("body")[:1]),
            last_comment_at=Subquery(last_comment.values("created_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    try:
        page_no = int(request.GET.get("page", "1"))
    except ValueError:
        page_no = 1
    page = Paginator(qs, PER_PAGE).get_page(page_no)
    now = timezone.now()
    rows = [
        {
            "order": order,
            "due": due_in_words(order, now),
            "status_css": STATUS_CSS.get(order.status, "text-bg-light"),
        }
        for order in page.object_list
    ]
    return render(
        request,
        "workorders/portal/home.html",
        {
            "page_obj": page,
            "rows": rows,
            "who": who,
            "state": state,
            "can_add": permissions.has_perm(user, "workorders.add_workorder"),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_new(request: HttpRequest) -> HttpResponse:
    """报修 / 提交工单."""
    user: Any = request.user
    _require_add(user)
    person = _person(user)
    kept: list[kept_uploads.KeptFile] = []
    if request.method == "POST":
        form = OrderForm(request.POST, request.FILES)
        # Files kept from an earlier attempt that came back with errors (see kept_uploads).
        kept = kept_uploads.from_request(request)
        if form.is_valid():
            files = form.cleaned_data["attachments"]
            if len(kept) + len(files) > MAX_FILES:
                form.add_error(
                    "attachments",
                    ValidationError(
                        _("Attach at most %(max)d files at a time.") % {"max": MAX_FILES},
                        code="too_many",
                    ),
                )
            else:
                try:
                    with kept_uploads.opened(kept) as earlier:
                        order = services.open_order(
                            user, form.service_data(), attachments=[*earlier, *files]
                        )
                except ValidationError as exc:
                    _apply_errors(form, exc, file_field="attachments")
                else:
                    kept_uploads.discard(kept)
                    messages.success(
                        request,
                        _("Work order %(number)s has been filed. We will take it soon.")
                        % {"number": order.number},
                    )
                    return _back(order)
        # The form comes back with errors: keep this attempt's acceptable files too, so that
        # a photo survives (a browser forgets the files of a file input).
        kept += kept_uploads.keep(
            user, request.FILES.getlist("attachments"), limit=max(0, MAX_FILES - len(kept))
        )
        status = 422
    else:
        initial: dict[str, Any] = {}
        if person is not None:
            # the person's phone and usual place (else their department's)
            initial.update(caller_defaults(person, user))
        kind = request.GET.get("kind")
        if kind in {"fault", "service", "consultation"}:
            initial["kind"] = kind
        form = OrderForm(initial=initial)
        status = 200
    return render(
        request, "workorders/portal/new.html", {"form": form, "kept": kept}, status=status
    )


@login_required
@require_safe
def portal_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _get_order(request, number)
    return _render_detail(request, order)


def _act(
    request: HttpRequest,
    number: str,
    form_class: type[BaseForm],
    form_name: str,
    do: Any,
    done: str,
    *,
    files: bool = False,
    file_field: str | None = None,
) -> HttpResponse:
    """Validate ``form_class``, run ``do(order, cleaned_data)``; on refusal show the page again
    with the reason under the form."""
    order = _get_order(request, number)
    form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    if form.is_valid():
        try:
            do(order, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc, file_field=file_field)
        else:
            messages.success(request, done)
            return _back(order)
        order.refresh_from_db()
    return _render_detail(request, order, status=422, **{form_name: form, "open_panel": form_name})


@login_required
@require_POST
def portal_comment(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        CommentForm,
        "comment_form",
        lambda order, d: WORKORDER_MACHINE.take("comment", request.user, order, d),
        _("Your comment has been added."),
    )


@login_required
@require_POST
def portal_attach(request: HttpRequest, number: str) -> HttpResponse:
    def do(order: WorkOrder, d: dict[str, Any]) -> None:
        # All or nothing: one refused file keeps the others out as well.
        with transaction.atomic():
            for upload in d["attachments"]:
                services.add_attachment(request.user, order, upload)

    return _act(
        request,
        number,
        AttachForm,
        "attach_form",
        do,
        _("The files have been added."),
        files=True,
        file_field="attachments",
    )


@login_required
@require_POST
def portal_confirm(request: HttpRequest, number: str) -> HttpResponse:
    def do(order: WorkOrder, d: dict[str, Any]) -> None:
        # Confirm and rate together, or neither.
        with transaction.atomic():
            order = WORKORDER_MACHINE.take("confirm", request.user, order, {})
            if d.get("rating") is not None:
                WORKORDER_MACHINE.take("rate", request.user, order, d)

    return _act(
        request,
        number,
        ConfirmForm,
        "confirm_form",
        do,
        _("Thank you: the work order is closed."),
    )


@login_required
@require_POST
def portal_rate(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        RateForm,
        "rate_form",
        lambda order, d: WORKORDER_MACHINE.take("rate", request.user, order, d),
        _("Thank you for your rating."),
    )


@login_required
@require_POST
def portal_reopen(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        ReopenForm,
        "reopen_form",
        lambda order, d: WORKORDER_MACHINE.take("reopen", request.user, order, d),
        _("The work order has been reopened."),
    )


@login_required
@require_POST
def portal_resubmit(request: HttpRequest, number: str) -> HttpResponse:
    """Returned for changes: the description and the cost corrected, submitted again."""
    return _act(
        request,
        number,
        ResubmitForm,
        "resubmit_form",
        lambda order, d: WORKORDER_MACHINE.take("resubmit", request.user, order, d),
        _("The work order has been submitted for approval again."),
    )


@login_required
@require_POST
def portal_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        WithdrawForm,
        "withdraw_form",
        lambda order, d: WORKORDER_MACHINE.take("withdraw", request.user, order, d),
        _("The work order has been withdrawn and closed."),
    )


@login_required
@require_safe
def portal_attachment(request: HttpRequest, token: str) -> HttpResponseBase:
    """An attachment, only to those who may see its order (404 to everybody else)."""
    if not permissions.has_perm(request.user, "workorders.view_attachment"):
        raise Http404
    attachment = get_object_or_404(
        Attachment.objects.select_related("order"),
        token=token,
        order__in=services.visible_orders(request.user).order_by().values("pk"),
    )
    try:
        fh = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = attachment.content_type or (
        mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    )
    inline = content_type in INLINE_TYPES and request.GET.get("download") != "1"
    response = FileResponse(
        fh, as_attachment=not inline, filename=attachment.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
