"""The staff page of one work order — the generic detail view (``OrderView``, a subclass of
``ObjectDetailView`` through its hooks) with the facts, the action buttons and forms of the
state machine (``netdept.workorders.machines``, HTMX) and the tabs registered on ``WorkOrder``
(``netdept.workorders.tabs``: conversation, work records, attachments, SLA timeline, merged
orders) plus history; one tab (``OrderTabView``) and the history (``OrderHistoryView``); the
permission-checked attachment download; the phone desk's "file for a caller" form with its
caller type-ahead.

Thin: every change goes through ``netdept.workorders.services``; the services check the rules
and the permissions, these views parse input and show the answer (field errors, a conflict).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import audit, permissions
from netdept.core import services as core_services
from netdept.core.models.audit import AuditAction
from netdept.core.views.crud import apply_errors
from netdept.core.views.generic import (
    BoundTab,
    HistoryView,
    ObjectDetailView,
    PageView,
    TabView,
    page_tabs,
)
from netdept.core.views.transitions import handle_transition
from netdept.org.models import Person
from netdept.org.search import people_matching
from netdept.workorders import forms as wo_forms
from netdept.workorders import kept_uploads, services, tabs
from netdept.workorders.approval import order_approval, report_approval
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import Attachment, WorkOrder
from netdept.workorders.registry import WORKORDER_PAGE
from netdept.workorders.views_desk import due_info, require_desk

VIEW_INTERNAL = tabs.VIEW_INTERNAL
CHANGE = tabs.CHANGE
INLINE_TYPES = tabs.INLINE_TYPES
action_url = tabs.action_url


# --- who may read the staff page ----------------------------------------------------------------
def require_reader(user: Any) -> None:
    """The staff order page, read-only: ``view_workorder`` and either the right to work on
    orders (engineers, leads, the director) or to read internal notes (the auditor). Requesters
    hold neither and follow their orders on the portal. Which orders: ``get_order`` (404)."""
    core_services.require(user, "view", WorkOrder)
    if tabs.may_read(user):
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
def find_order(qs: QuerySet[WorkOrder], ref: str) -> WorkOrder:
    """The order of ``qs`` by number (or primary key), else 404."""
    q = Q(number=ref)
    if ref.isascii() and ref.isdigit() and len(ref) < 18:  # "²" is a digit, not a number
        q |= Q(pk=int(ref))
    order = qs.filter(q).order_by().first()
    if order is None:
        raise Http404
    return order


def get_order(request: HttpRequest, ref: str) -> WorkOrder:
    """The order by number (or primary key) among those the user can see, else 404."""
    qs = services.visible_orders(request.user).select_related("sla_policy", "merged_into")
    return find_order(qs, ref)


def order_url(order: WorkOrder) -> str:
    return reverse("workorders:order", args=[order.number])


# --- the actions: from the state machine -----------------------------------------------------
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


# --- the order page: the generic detail view, its tabs and history -------------------------------
class OrderMixin(PageView):
    """One order of the user's visible orders, by ``<ref>`` (number or id): 403 (audited) for
    those who may not read the staff page (requesters use the portal), 404 for an order the
    user may not see."""

    def get_queryset(self) -> QuerySet[WorkOrder]:
        require_reader(self.user)
        return services.visible_orders(self.user).select_related("sla_policy", "merged_into")

    def get_object(self) -> WorkOrder:
        return find_order(self.get_queryset(), str(self.kwargs.get("ref", "")))


class OrderView(OrderMixin, ObjectDetailView):
    """The staff page of one order (``workorders:order``): the facts, the machine's buttons,
    and the tabs registered on ``WorkOrder`` (``workorders/tabs.py``) plus history; the open
    tab (``?tab=<key>``, else the conversation) is drawn with the page, the others load by
    htmx from ``workorders:order_tab``."""

    template_name = "workorders/order/order.html"

    def get_queryset(self) -> QuerySet[WorkOrder]:
        return tabs.with_counts(super().get_queryset(), self.user)

    def get_fields(self, obj: Any) -> list[tuple[str, Any]]:
        """None as a list: the template's facts card draws the order's fields in its own
        layout (due times, rating, merged orders)."""
        return []

    #: the order's own sections, drawn with the page (as before they were tabs of the generic
    #: stack); other tabs (history, tabs other apps register) load by htmx when opened
    eager_tabs: frozenset[str] = frozenset(
        {"conversation", "records", "attachments", "sla", "merged"}
    )

    def get_tabs(self, obj: Any) -> list[BoundTab]:
        result: list[BoundTab] = []
        for tab in page_tabs(self.page):
            if not tab.allowed(self.user, obj):
                continue
            if tab.key == "merged" and not getattr(obj, "n_merged", 0):
                continue  # drawn only for an order others were merged into
            badge = tab.badge(self.request, obj) if tab.badge else None
            result.append(OrderTab(tab, tab_url(obj, tab.key), badge))
        asked = self.request.GET.get("tab", "")
        keys = [t.key for t in result]
        active = asked if asked in keys else tabs.DEFAULT_TAB
        for bound in result:
            bound.active = bound.key == active
        self.tabs = result
        return result

    def get_transitions(self, obj: Any) -> list[Any]:
        return tabs.offered(self.user, obj)

    def tab_html(self, tab: BoundTab, order: WorkOrder) -> str:
        result = tab.tab.view(self.request, order)
        html = result.content.decode() if isinstance(result, HttpResponse) else result
        return mark_safe(html)  # noqa: S308 (a rendered template)

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        order: WorkOrder = kwargs["obj"]
        for bound in self.tabs:
            if isinstance(bound, OrderTab) and (bound.active or bound.key in self.eager_tabs):
                bound.html = self.tab_html(bound, order)
        offered = self.get_transitions(order)
        now = timezone.now()
        return {
            "order": order,
            "buttons": [(t.name, t) for t in offered if t.group == ""],
            "inline": [(t.name, t) for t in offered if t.group == "inline"],
            "merged": tabs.merged_orders(order) if getattr(order, "n_merged", 0) else [],
            "response_due": due_info(
                order, order.response_due if not order.responded_at else None, now
            ),
            "resolution_due": due_info(order, order.resolution_due, now),
            "can_desk": permissions.has_perm(self.user, CHANGE),
            # the approvals of the order (none: no query for an order that needs none)
            "approval": order_approval(order),
            "report_approval": report_approval(order),
        }


@dataclass
class OrderTab(BoundTab):
    """A tab of the order page, with its content when drawn with the page."""

    html: str = ""


class OrderTabView(OrderMixin, TabView):
    """One tab of the order page (``workorders:order_tab``, ``<ref>/tab/<key>/``)."""


class OrderHistoryView(OrderMixin, HistoryView):
    """The order's history (``workorders:order_history``): the audit entries, the history
    tab's content (a fragment, also without htmx)."""

    template_name = "core/_history.html"
    partial_template_name = "core/_history.html"


def tab_url(order: WorkOrder, key: str) -> str:
    return reverse("workorders:order_tab", args=[order.number, key])


def _page_view(cls: type[PageView]) -> Any:
    return login_required(cls.as_view(page=WORKORDER_PAGE))


order_view = _page_view(OrderView)
tab_view = _page_view(OrderTabView)
history_view = _page_view(OrderHistoryView)


def sla_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    return tabs.sla_timeline(order)


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
CALLER_HITS = 8  # type-ahead hits shown
MAX_CALLER_QUERY = 100  # longer input is no name, phone or employee number


def caller_hits(query: str, user: Any) -> tuple[list[Person], str]:
    """The type-ahead's hits for ``query`` among the people ``user`` may see (the search of
    ``netdept.org.search``: name, phone, employee number), and a hint when there are none."""
    # control characters (a NUL is refused by PostgreSQL) are no part of a name or a number
    q = " ".join("".join(ch for ch in str(query) if ch >= " ").split())
    if not q:
        return [], _("Type a name, phone or employee number.")
    if len(q) > MAX_CALLER_QUERY:
        return [], _("Too long: type part of a name, a phone or an employee number.")
    hits = list(people_matching(q, user, limit=CALLER_HITS + 1, among=caller_pool(user)))
    if len(hits) > CALLER_HITS:
        return hits[:CALLER_HITS], _("More people match: type more of the name or number.")
    return hits, "" if hits else _("No one matches “%(query)s”.") % {"query": q}


def caller_pool(user: Any) -> QuerySet[Person]:
    """The people the type-ahead and the caller's card show to ``user`` (the desk, checked by
    the view): every active person, as the form accepts (``forms.callers``) — the service desk
    takes calls from the whole organisation, whatever the scope of the desk user's roles."""
    return wo_forms.callers()


def find_caller(raw: Any, user: Any) -> Person | None:
    """The caller ``raw`` (a person's id) if ``user`` may see them, else None."""
    ref = str(raw or "")
    if not (ref.isascii() and ref.isdigit() and len(ref) < 18):
        return None
    return caller_pool(user).filter(pk=int(ref)).first()


def caller_context(person: Person | None, user: Any) -> dict[str, Any]:
    """The caller's card: who they are, how to reach them, what they filed before."""
    if person is None:
        return {"caller": None}
    return {
        "caller": person,
        "caller_defaults": wo_forms.caller_defaults(person, user),
        "caller_orders": wo_forms.recent_orders(person, user),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """The phone desk: the service desk files an order for a caller, chosen with a type-ahead
    (name, phone or employee number) that fills in their phone and location and shows their
    recent orders. Without htmx the same URL answers ``?q=`` (the hits in the page) and
    ``?requester=<id>`` (the caller chosen); with htmx it answers them as fragments."""
    user: Any = request.user
    require_desk(user)
    htmx = bool(getattr(request, "htmx", False))
    query = request.GET.get("q", "")
    if request.method != "POST" and htmx and "q" in request.GET:
        hits, hint = caller_hits(query, user)
        return render(
            request, "workorders/order/_callers.html", {"hits": hits, "hint": hint, "q": query}
        )
    if request.method != "POST" and htmx and "requester" in request.GET:
        card = caller_context(find_caller(request.GET["requester"], user), user)
        return render(request, "workorders/order/_caller.html", card)

    kept: list[kept_uploads.KeptFile] = []
    if request.method == "POST":
        form = wo_forms.OnBehalfForm(request.POST, request.FILES, user=user)
        kept = kept_uploads.from_request(request)
        query = request.POST.get("q", "")
        if form.is_valid():
            try:
                with kept_uploads.opened(kept) as earlier:
                    order = services.open_order(
                        user,
                        form.order_data(),
                        attachments=[*earlier, *form.cleaned_data["attachments"]],
                        on_behalf_of=form.cleaned_data["requester"],
                    )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                    exc.error_dict["attachments"] = exc.error_dict.pop("file")
                apply_errors(form, exc)
            else:
                kept_uploads.discard(kept)
                messages.success(request, _("%(number)s was filed.") % {"number": order.number})
                return HttpResponseRedirect(order_url(order))
        kept += kept_uploads.keep(user, request.FILES.getlist("attachments"))
        caller = find_caller(form["requester"].value(), user)
        card = caller_context(caller, user)
    else:
        caller = find_caller(request.GET.get("requester"), user)
        card = caller_context(caller, user)
        initial: dict[str, Any] = {}
        if caller is not None:
            initial = {"requester": caller.pk, **card["caller_defaults"]}
        form = wo_forms.OnBehalfForm(initial=initial, user=user)
    ctx: dict[str, Any] = {
        "form": form,
        "kept": kept,
        "q": query if caller is None else caller.name,
        **card,
    }
    if caller is None and query:
        ctx["hits"], ctx["hint"] = caller_hits(query, user)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "workorders/order/new.html", ctx, status=status)
