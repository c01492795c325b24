"""The tabs of the work-order page (``views_order.OrderView``, the generic detail view),
registered on ``WorkOrder`` like any app's tabs (``netdept.core.tabs``): conversation, work
records, attachments, SLA timeline, merged orders; history is the generic stack's built-in tab.

Each tab's content comes from its ``view(request, order)`` alone: the page draws the open tab
with it, and ``<ref>/tab/<key>/`` (``workorders:order_tab``, ``views_order.OrderTabView``)
answers it for htmx. Who may read a tab: ``may_read`` (the staff page's readers) — checked when
the page draws the tab and again in the tab view. The counts on the tabs are read with the
order itself (``COUNTS``: one query for the page, not one per tab).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.core.tabs import Tab, register_tab
from netdept.workorders import services, sla
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import Attachment, Comment, WorkOrder, WorkRecord

VIEW = "workorders.view_workorder"
VIEW_INTERNAL = "workorders.view_internal_comment"
CHANGE = "workorders.change_workorder"
#: images a browser may show inline (never SVG: it can carry scripts)
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


# --- who may read ------------------------------------------------------------------------------
def may_read(user: Any, obj: Any = None) -> bool:
    """The staff order page: ``view_workorder`` and either the right to work on orders
    (engineers, leads, the director) or to read internal notes (the auditor). Requesters hold
    neither and follow their orders on the portal."""
    return permissions.has_perm(user, VIEW) and (
        permissions.has_perm(user, CHANGE) or permissions.has_perm(user, VIEW_INTERNAL)
    )


# --- the order's counts, read with it ------------------------------------------------------------
def _count(model: type[models.Model], link: str, **filters: Any) -> Coalesce:
    rows = (
        model._default_manager.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def with_counts(qs: models.QuerySet[WorkOrder], user: Any) -> models.QuerySet[WorkOrder]:
    """Orders annotated with what the tabs count (comments the user may read, work records,
    attachments, orders merged into it)."""
    comments = {} if permissions.has_perm(user, VIEW_INTERNAL) else {"internal": False}
    return qs.annotate(
        n_comments=_count(Comment, "order", **comments),
        n_records=_count(WorkRecord, "order"),
        n_attachments=_count(Attachment, "order"),
        n_merged=_count(WorkOrder, "merged_into"),
    )


def _counted(name: str, fallback: Callable[[HttpRequest, WorkOrder], int]) -> Any:
    def badge(request: HttpRequest, order: WorkOrder) -> int:
        value = getattr(order, name, None)
        return int(value) if value is not None else fallback(request, order)

    return badge


# --- the actions offered ---------------------------------------------------------------------
def action_url(order: WorkOrder, name: str) -> str:
    return reverse("workorders:action", args=[order.number, name])


def offered(user: Any, order: WorkOrder) -> list[Any]:
    """The machine's transitions for the order page's buttons and forms (once per request:
    kept on the order). They are the desk's: a reader without the change right (the auditor)
    gets none, even where the requester's side would allow a comment."""
    cached: list[Any] | None = getattr(order, "_wo_offered", None)
    if cached is None:
        can_desk = permissions.has_perm(user, CHANGE)
        cached = WORKORDER_MACHINE.available(order, user, action_url) if can_desk else []
        order._wo_offered = cached  # type: ignore[attr-defined]
    return cached


# --- the tabs' contents --------------------------------------------------------------------------
def _render(request: HttpRequest, template: str, ctx: dict[str, Any]) -> str:
    return render_to_string(template, ctx, request=request)


def conversation(request: HttpRequest, order: WorkOrder) -> str:
    inline = [(t.name, t) for t in offered(request.user, order) if t.group == "inline"]
    comments = list(services.visible_comments(request.user, order))
    return _render(
        request,
        "workorders/order/_tab_conversation.html",
        {"order": order, "comments": comments, "inline": inline},
    )


def records(request: HttpRequest, order: WorkOrder) -> str:
    rows = list(order.records.select_related("person"))
    return _render(request, "workorders/order/_tab_records.html", {"records": rows})


def attachments(request: HttpRequest, order: WorkOrder) -> str:
    files = list(order.attachments.select_related("uploaded_by"))
    return _render(
        request,
        "workorders/order/_tab_attachments.html",
        {"attachments": files, "inline_types": INLINE_TYPES},
    )


def sla_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    timeline = getattr(sla, "timeline", None)
    return list(timeline(order)) if timeline else []


def timeline(request: HttpRequest, order: WorkOrder) -> str:
    return _render(
        request,
        "workorders/order/_tab_sla.html",
        {"order": order, "timeline": sla_timeline(order)},
    )


def merged_orders(order: WorkOrder) -> list[WorkOrder]:
    # by id: the merged_into index serves it (ordering by date, SQLite walks the whole date
    # index instead)
    return list(order.merged.only("pk", "number", "title", "status").order_by("pk"))


def merged(request: HttpRequest, order: WorkOrder) -> str:
    return _render(request, "workorders/order/_tab_merged.html", {"merged": merged_orders(order)})


TABS = [
    Tab(
        key="conversation",
        label=_("Conversation"),
        view=conversation,
        permission=may_read,
        order=10,
        badge=_counted(
            "n_comments",
            lambda request, order: services.visible_comments(request.user, order).count(),
        ),
    ),
    Tab(
        key="records",
        label=_("Work records"),
        view=records,
        permission=may_read,
        order=20,
        badge=_counted("n_records", lambda request, order: order.records.count()),
    ),
    Tab(
        key="attachments",
        label=_("Attachments"),
        view=attachments,
        permission=may_read,
        order=30,
        badge=_counted("n_attachments", lambda request, order: order.attachments.count()),
    ),
    Tab(key="sla", label=_("SLA timeline"), view=timeline, permission=may_read, order=40),
    Tab(
        key="merged",
        label=_("Merged orders"),
        view=merged,
        permission=may_read,
        order=50,
        badge=_counted("n_merged", lambda request, order: order.merged.count()),
    ),
]

#: the tab drawn when none is asked for
DEFAULT_TAB = "conversation"

for _tab in TABS:
    register_tab(WorkOrder, _tab)
