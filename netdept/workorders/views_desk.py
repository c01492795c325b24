"""The engineer's desk: the generic list of work orders (``netdept.core.views.generic``)
through its hooks — queues as tabs (presets of the one work-order filter set, the API list's)
with capped counts, the desk's columns and due times (the response's until an order is
accepted, then the resolution's), sorting, the generic paginator (capped count, keyset cursors
for deep pages), bulk assign as the list's bulk action, saved filters — and the generic export
of exactly the desk's rows.

The keys (``static/workorders/desk.js``, listed in ``KEYS`` for the ``?`` help): j/k move, a
accepts the current order through the order's own ``accept`` action (with the version the row
showed), s assigns through the bulk assignment; after a key's action the table is drawn alone
(``_table.html`` with its messages and, out of band, the tabs and their new counts).

Thin: parse input, ask ``services`` (which owns every state change and the visibility rules),
render. Built for a million orders: no COUNT(*) beyond a cap, filters on indexed columns,
one query for the rows (everything shown is select_related).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from netdept.core import permissions
from netdept.core import services as core_services
from netdept.core.paginate import EmptyPage, Paginator, Window, make_cursor, parse_positive
from netdept.core.registry import page_for
from netdept.core.views.generic import BulkAction, ExportView, FilteredMixin, ObjectListView
from netdept.workorders import services
from netdept.workorders.filtersets import (
    BREACHING_WINDOW_MINUTES,
    QUEUE_COUNT_CAP,
    QUEUE_KEYS,
    QUEUES,
    WorkOrderFilterSet,
    queue_counts,
    slim_choices,
)
from netdept.workorders.forms import BulkAssignForm, SavedFilterForm
from netdept.workorders.models import OPEN_STATUSES, SavedFilter, WorkOrder
from netdept.workorders.registry import WORKORDER_PAGE

DESK_PERM = "workorders.change_workorder"
PER_PAGE = 25
COUNT_CAP = 1000
OFFSET_PAGES = 10  # pages 1..10 by number (OFFSET); the next ones by keyset cursor
EXPORT_LIMIT = 100_000
MAX_PAGE = 4000  # a page *number* deeper than this is not read (OFFSET grows linear): cursors are
#: the queue shown when none (or an unknown one) is asked for
DEFAULT_QUEUE = "mine"
#: the filter set's fields the desk's filter form does not show (the queue is the tabs)
HIDDEN_FILTERS = {"queue"}

SORTS = {"number", "priority", "status", "created_at", "resolution_due"}
#: the desk's columns: (sort key or "", label)
HEADERS: list[tuple[str, Any]] = [
    ("number", gettext_lazy("number")),
    ("", gettext_lazy("title")),
    ("priority", gettext_lazy("priority")),
    ("status", gettext_lazy("status")),
    ("", gettext_lazy("team / assignee")),
    ("", gettext_lazy("requester")),
    ("resolution_due", gettext_lazy("due")),
    ("created_at", gettext_lazy("created")),
]
#: what a column's header says when pointed at
HEADER_TITLES: dict[str, Any] = {
    "resolution_due": gettext_lazy(
        "The response due time of an order not accepted yet, else the resolution due time; "
        "sorted by the resolution due time"
    ),
}
DEFAULT_SORT = "-created_at"

#: what a row of the desk shows (the rest of an order is not read for the list)
ROW_FIELDS = (
    "number",
    "title",
    "kind",
    "priority",
    "status",
    "is_major",
    "created_at",
    "response_due",
    "responded_at",
    "resolution_due",
    "paused_at",
    "version",
    "category__name",
    "team__name",
    "assignee__name",
    "requester__name",
    "requester_department__name",
)

#: not part of a filter (saved filters and export keep the rest)
NON_FILTER_PARAMS = {"page", "after", "before", "format", "partial"}


def duration_text(delta: datetime.timedelta) -> str:
    """2 d 3 h · 2 h 10 min · 5 min."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)s min") % {"minutes": mins}


@dataclass
class Due:
    at: datetime.datetime | None
    text: str
    css: str
    overdue: bool
    #: which target: "response" (not answered yet) or "resolution"
    target: str = "resolution"

    @property
    def label(self) -> str:
        return _("response") if self.target == "response" else _("resolution")


def due_info(
    order: WorkOrder,
    at: datetime.datetime | None,
    now: datetime.datetime,
    target: str = "resolution",
) -> Due:
    """ "in 2 h 10 min" / "overdue by 3 h 5 min" for a due time of ``order``."""
    if at is None:
        return Due(None, "", "", False, target)
    if order.status not in OPEN_STATUSES:
        return Due(at, "", "text-body-secondary", False, target)
    if order.paused_at is not None:
        return Due(at, _("paused"), "text-body-secondary", False, target)
    if at <= now:
        text = _("overdue by %(time)s") % {"time": duration_text(now - at)}
        return Due(at, text, "text-danger fw-semibold", True, target)
    text = _("in %(time)s") % {"time": duration_text(at - now)}
    soon = at - now <= datetime.timedelta(minutes=BREACHING_WINDOW_MINUTES)
    return Due(at, text, "text-warning-emphasis" if soon else "", False, target)


def awaits_response(order: WorkOrder) -> bool:
    """Open and not answered yet (not accepted): its next target is the response, as the SLA
    engine counts it (``filtersets.breached_q``)."""
    return (
        order.status in OPEN_STATUSES
        and order.responded_at is None
        and order.response_due is not None
    )


def next_due(order: WorkOrder, now: datetime.datetime) -> Due:
    """The deadline the desk shows: the response's for an order not accepted yet, else the
    resolution's."""
    if awaits_response(order):
        return due_info(order, order.response_due, now, "response")
    return due_info(order, order.resolution_due, now, "resolution")


def require_desk(user: Any) -> None:
    """Staff of the department only: requesters use the portal."""
    core_services.require(user, "change", WorkOrder)


def visible_choices(form: forms.Form, user: Any) -> forms.Form:
    """Narrow each choice list of related rows (teams, people…) to the rows ``user`` may see,
    as the filter set does, and load only what a ``<select>`` shows."""
    for field in form.fields.values():
        qs = getattr(field, "queryset", None)
        if isinstance(field, forms.ModelChoiceField) and qs is not None:
            if page_for(qs.model) is not None:
                qs = permissions.restrict(qs, user, "view")
            field.queryset = qs
    return slim_choices(form)


def filter_query(request: HttpRequest) -> QueryDict:
    """The request's query without paging (what a saved filter stores)."""
    query = request.GET.copy()
    for name in NON_FILTER_PARAMS:
        query.pop(name, None)
    return query


def saved_filters(user: Any) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")


# --- the desk on the generic stack -------------------------------------------------------------
class DeskFilterMixin(FilteredMixin):
    """The desk's rows (list and export alike): the visible orders, the work-order filter set
    with the queue always set (``mine`` unless a known one is asked), the desk's sorts."""

    page = WORKORDER_PAGE
    queue: str = DEFAULT_QUEUE

    def get_queryset(self) -> QuerySet[WorkOrder]:
        require_desk(self.user)
        return services.visible_orders(self.user)

    def filter_queryset(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        data = self.request.GET.copy()
        for name in ("sort", *NON_FILTER_PARAMS):
            data.pop(name, None)
        queue = data.get("queue", "")
        self.queue = queue if queue in QUEUE_KEYS else DEFAULT_QUEUE
        data.setlist("queue", [self.queue])
        self.filterset = WorkOrderFilterSet(data, queryset=qs, request=self.request)
        slim_choices(self.filterset.form)
        # An invalid value shows its error on its field; the other filters (and the queue) apply.
        rows: QuerySet[Any] = self.filterset.qs
        return rows

    def sort_queryset(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        sort = self.request.GET.get("sort", DEFAULT_SORT)
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        self.sort = sort
        return qs.order_by(sort, "-pk" if sort.startswith("-") else "pk")


class DeskView(DeskFilterMixin, ObjectListView):
    """The engineer's desk: the generic list of work orders with the desk's queues (tabs),
    columns, due times, bulk assign, saved filters; keyset pages beyond the first ones."""

    template_name = "workorders/desk/desk.html"
    partial_template_name = "workorders/desk/_table.html"
    pager_params = ("page", "after", "before", *NON_FILTER_PARAMS)

    @property
    def is_partial(self) -> bool:
        """The table alone (htmx, e.g. after a key accepted an order): it then carries the
        messages and, out of band, the queue tabs with their new counts."""
        htmx = getattr(self.request, "htmx", None)
        return bool(htmx and htmx.target == "desk-table" and not htmx.boosted)

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name if self.is_partial else self.template_name]

    def get_columns(self) -> list[str]:
        return []  # the desk draws its own columns (HEADERS) and rows (due times)

    def get_per_page(self) -> int:
        return PER_PAGE

    def get_paginator(self, qs: QuerySet[Any]) -> Paginator:
        return Paginator(
            qs.only(*ROW_FIELDS), self.get_per_page(), cap=COUNT_CAP, offset_pages=OFFSET_PAGES
        )

    def paginate(self, qs: QuerySet[Any]) -> Window:
        """A cursor (``after``/``before``: keyset, as cheap deep as on page 1) or a page number
        (up to ``MAX_PAGE``). A deep page number is found by its first row's sort values (one
        narrow index read) and then read by keyset, never by an OFFSET over whole rows. A bad
        cursor gives page 1, a page past the end the last page."""
        get = self.request.GET
        if get.get("after") or get.get("before"):
            return super().paginate(qs)
        paginator = self.get_paginator(qs)
        number = min(parse_positive(get.get("page"), 1, 10**9), MAX_PAGE)
        try:
            within_count = number * paginator.per_page <= COUNT_CAP  # read with the count
            if number <= OFFSET_PAGES or within_count or paginator.keys is None:
                return paginator.page(page=number)
            cursor = seek_cursor(paginator, number)
            if cursor is not None:
                return paginator.page(after=cursor)
        except EmptyPage:
            pass
        return paginator.page(page=min(paginator.num_pages, MAX_PAGE))

    def get_bulk_actions(self) -> list[BulkAction]:
        url = reverse("workorders:bulk_assign")
        return [BulkAction("assign", _("Assign selected"), url, "bi-person-check")]

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        window: Window = kwargs["window"]
        request = self.request
        query = filter_query(request)
        base = query.copy()
        base.pop("sort", None)
        now = self.filterset.now
        counts = queue_counts(self.rows_without_queue(), self.user, now)
        queue_links = []
        for key, label, icon in QUEUES:
            q = base.copy()
            q["queue"] = key
            queue_links.append(QueueTab(key, label, icon, q.urlencode(), counts[key]))
        headers = []
        for key, label in HEADERS:
            if not key:
                headers.append((label, "", "", ""))
                continue
            q = base.copy()
            q["sort"] = f"-{key}" if self.sort == key else key
            arrow = "up" if self.sort == key else "down" if self.sort == f"-{key}" else ""
            headers.append((label, f"?{q.urlencode()}", arrow, HEADER_TITLES.get(key, "")))
        fields = [f for f in self.filterset.form if f.name not in HIDDEN_FILTERS]
        bulk_form = visible_choices(BulkAssignForm(), self.user)
        active = sum(1 for f in fields if f.value() not in (None, "", []))
        return {
            "rows": [(o, next_due(o, now)) for o in window.rows],
            "queue": self.queue,
            "queues": queue_links,
            "queue_count_cap": QUEUE_COUNT_CAP,
            "headers": headers,
            "query": query.urlencode(),
            "saved_filters": saved_filters(self.user),
            "bulk_form": bulk_form,  # its choices: what the user may see (drawn via "assign")
            "assign": assign_choices(bulk_form),
            "filter_fields": fields,
            "active_filters": active,
            # at phone width the filters fold away, unless some are set or wrong
            "filters_open": bool(active or self.filterset.form.errors),
            "next": request.get_full_path(),
            "partial": self.is_partial,
            "keys": KEYS,
        }

    def rows_without_queue(self) -> QuerySet[WorkOrder]:
        """The visible orders with every filter of the request but the queue (what each tab
        counts): the filter set's own filters, applied as ``filterset.qs`` applies them."""
        fs = self.filterset
        qs = services.visible_orders(self.user)
        for name, value in fs.form.cleaned_data.items():
            if name != "queue":
                qs = fs.filters[name].filter(qs, value)
        return qs


@dataclass
class QueueTab:
    key: str
    label: Any
    icon: str
    query: str
    count: int

    @property
    def capped(self) -> bool:
        return self.count > QUEUE_COUNT_CAP

    @property
    def count_text(self) -> str:
        return f"{QUEUE_COUNT_CAP}+" if self.capped else str(self.count)


@dataclass
class AssignChoices:
    """The teams and the staff (by team) the desk offers to assign to: the rows the user may
    see, read once for the bulk bar and the assign dialog."""

    teams: list[tuple[int, str]]
    groups: list[tuple[str, list[tuple[int, str]]]]


def assign_choices(form: forms.Form) -> AssignChoices:
    """From the bulk-assign form whose choices ``visible_choices`` narrowed."""
    team_qs = form.fields["team"].queryset  # type: ignore[attr-defined]
    people_qs = form.fields["assignee"].queryset  # type: ignore[attr-defined]
    teams = list(team_qs.values_list("pk", "name"))
    by_team: dict[int | None, list[tuple[int, str]]] = {}
    for pk, name, team_id in people_qs.order_by("name", "pk").values_list("pk", "name", "team_id"):
        by_team.setdefault(team_id, []).append((pk, name))
    groups = [(name, by_team.pop(pk)) for pk, name in teams if pk in by_team]
    rest = [p for people in by_team.values() for p in people]
    if rest:
        groups.append((_("Other teams"), sorted(rest, key=lambda p: p[1])))
    return AssignChoices(teams, groups)


#: the desk's keys, as the help dialog lists them (``desk.js`` implements them): (group, [(keys,
#: what it does)])
KEYS: list[tuple[Any, list[tuple[list[Any], Any]]]] = [
    (
        gettext_lazy("Move and open"),
        [
            (["j", "↓"], gettext_lazy("Next order")),
            (["k", "↑"], gettext_lazy("Previous order")),
            ([pgettext_lazy("keyboard key", "Enter"), "o"], gettext_lazy("Open the order")),
            (["n", "p"], gettext_lazy("Next / previous page")),
            ([f"1–{len(QUEUES)}"], gettext_lazy("Show a queue (in the order of the tabs)")),
            (["/"], gettext_lazy("Search the orders")),
            (["r"], gettext_lazy("Reload the list")),
        ],
    ),
    (
        gettext_lazy("Select"),
        [
            (["x"], gettext_lazy("Tick or untick the current order")),
            (["*"], gettext_lazy("Tick or untick every order of the page")),
            ([pgettext_lazy("keyboard key", "Esc")], gettext_lazy("Untick all, leave the row")),
        ],
    ),
    (
        gettext_lazy("Act"),
        [
            (["a"], gettext_lazy("Accept the current order")),
            (["s"], gettext_lazy("Assign the ticked orders (or the current one)")),
            (["c"], gettext_lazy("File an order for a caller")),
            (["?"], gettext_lazy("Show these keys")),
        ],
    ),
]


def seek_cursor(paginator: Paginator, number: int) -> str | None:
    """The cursor of page ``number`` (the sort values of the last row before it), read as
    those values alone; None past the last row."""
    keys = paginator.keys or []
    offset = (number - 1) * paginator.per_page - 1
    found = list(paginator.queryset.values_list(*[k.path for k in keys])[offset : offset + 1])
    if not found:
        return None
    return make_cursor(paginator.model, keys, list(found[0]), number)


#: the desk's export: its columns, as the desk's filters and sort choose the rows
EXPORT_COLUMNS = [
    "number",
    "title",
    "status",
    "priority",
    "kind",
    "category",
    "team",
    "assignee",
    "requester",
    "requester_department",
    "is_major",
    "created_at",
    "response_due",
    "resolution_due",
    "resolved_at",
]


class DeskExportView(DeskFilterMixin, ExportView):
    """The generic export of exactly the desk's rows (queue, filters, sort)."""

    limit = EXPORT_LIMIT

    def get_export_columns(self) -> list[str]:
        return list(EXPORT_COLUMNS)

    def get_export_row(self, obj: Any, columns: list[str]) -> list[Any]:
        return [export_value(obj, name) for name in columns]


def export_value(o: WorkOrder, name: str) -> Any:
    if name in ("status", "priority", "kind"):
        return getattr(o, f"get_{name}_display")()
    v = getattr(o, name)
    if isinstance(v, datetime.datetime):
        return timezone.localtime(v).replace(tzinfo=None)
    if isinstance(v, bool):
        return _("Yes") if v else _("No")
    return "" if v is None else str(v) if not isinstance(v, int | str) else v


desk_view = login_required(DeskView.as_view())
export_view = login_required(DeskExportView.as_view())


def _back(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse("workorders:desk")


@login_required
@require_POST
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    form = BulkAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return HttpResponseRedirect(_back(request))
    orders = list(services.visible_orders(request.user).filter(pk__in=form.cleaned_data["ids"]))
    if not orders:
        messages.error(request, _("Select at least one work order."))
        return HttpResponseRedirect(_back(request))
    try:
        n = services.bulk_assign(
            request.user,
            orders,
            team=form.cleaned_data.get("team"),
            assignee=form.cleaned_data.get("assignee"),
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("%(count)s work orders were assigned.") % {"count": n})
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def save_filter_view(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {e}" if label else str(e))
        return HttpResponseRedirect(_back(request))
    query = QueryDict(form.cleaned_data["query"].lstrip("?"), mutable=True)
    for name in NON_FILTER_PARAMS:
        query.pop(name, None)
    name = form.cleaned_data["name"].strip()
    user: Any = request.user
    existing = SavedFilter.objects.filter(user=user, name=name).first()
    service = core_services.service_for(SavedFilter)
    try:
        # Saved filters are personal settings: anyone at the desk keeps their own.
        if existing is not None:
            service.update(request.user, existing, {"query": query.urlencode()}, check=False)
        else:
            service.create(
                request.user,
                {"user": request.user, "name": name, "query": query.urlencode()},
                check=False,
            )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("The filter %(name)s was saved.") % {"name": name})
    return HttpResponseRedirect(f"{reverse('workorders:desk')}?{query.urlencode()}")


@login_required
@require_POST
def delete_filter_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_desk(request.user)
    user: Any = request.user
    saved = SavedFilter.objects.filter(user=user, pk=pk).first()
    if saved is None:
        raise Http404
    core_services.service_for(SavedFilter).delete(request.user, saved, check=False)
    messages.success(request, _("The filter %(name)s was deleted.") % {"name": saved.name})
    return HttpResponseRedirect(_back(request))
