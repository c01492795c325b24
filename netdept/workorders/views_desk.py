"""The engineer's desk: queues, filters, sorting, capped pagination, bulk assign, saved filters
and export of the filtered list.

Thin: parse input, ask ``services`` (which owns every state change and the visibility rules),
render. Built for a million orders: no COUNT(*) beyond a cap, filters on indexed columns,
one query for the rows (everything shown is select_related).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from netdept.core import audit
from netdept.core import services as core_services
from netdept.core.export import response as export_response
from netdept.core.models.audit import AuditAction
from netdept.workorders import services
from netdept.workorders.forms import BulkAssignForm, DeskFilterSet, SavedFilterForm, slim_choices
from netdept.workorders.models import OPEN_STATUSES, SavedFilter, WorkOrder

DESK_PERM = "workorders.change_workorder"
PER_PAGE = 25
COUNT_CAP = 1000
EXPORT_LIMIT = 100_000
MAX_PAGE = 4000  # deeper than this, narrow the filter (OFFSET grows linear)
#: "about to breach": the resolution is due within this many minutes (or the SLA job has
#: already sent a warning, which it does at the policy's warn share — 75 % by default)
BREACHING_WINDOW_MINUTES = 120
WARN_PERCENT = 75

QUEUES: list[tuple[str, Any, str]] = [
    ("mine", gettext_lazy("My orders"), "bi-person"),
    ("team", gettext_lazy("My team's orders"), "bi-people"),
    ("unassigned", gettext_lazy("Unassigned"), "bi-inbox"),
    ("breaching", gettext_lazy("About to breach"), "bi-hourglass-split"),
    ("breached", gettext_lazy("Breached"), "bi-exclamation-triangle"),
    ("all", gettext_lazy("All I can see"), "bi-list-ul"),
]
QUEUE_KEYS = {q[0] for q in QUEUES}

SORTS = {"number", "priority", "status", "created_at", "resolution_due"}
#: the desk's columns: (sort key or "", label)
HEADERS: list[tuple[str, Any]] = [
    ("number", gettext_lazy("number")),
    ("", gettext_lazy("title")),
    ("priority", gettext_lazy("priority")),
    ("status", gettext_lazy("status")),
    ("", gettext_lazy("team / assignee")),
    ("", gettext_lazy("requester")),
    ("resolution_due", gettext_lazy("resolution due")),
    ("created_at", gettext_lazy("created")),
]
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
    "resolution_due",
    "paused_at",
    "category__name",
    "team__name",
    "assignee__name",
    "requester__name",
    "requester_department__name",
)

#: not part of a filter (saved filters and export keep the rest)
NON_FILTER_PARAMS = {"page", "format", "partial"}


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


def due_info(order: WorkOrder, at: datetime.datetime | None, now: datetime.datetime) -> Due:
    """ "in 2 h 10 min" / "overdue by 3 h 5 min" for a due time of ``order``."""
    if at is None:
        return Due(None, "", "", False)
    if order.status not in OPEN_STATUSES:
        return Due(at, "", "text-body-secondary", False)
    if order.paused_at is not None:
        return Due(at, _("paused"), "text-body-secondary", False)
    if at <= now:
        text = _("overdue by %(time)s") % {"time": duration_text(now - at)}
        return Due(at, text, "text-danger fw-semibold", True)
    text = _("in %(time)s") % {"time": duration_text(at - now)}
    soon = at - now <= datetime.timedelta(minutes=BREACHING_WINDOW_MINUTES)
    return Due(at, text, "text-warning-emphasis" if soon else "", False)


def require_desk(user: Any) -> None:
    """Staff of the department only: requesters use the portal."""
    core_services.require(user, "change", WorkOrder)


def person_of(user: Any) -> Any:
    return getattr(user, "person", None) if hasattr(user, "person") else None


def team_ids_of(user: Any) -> set[int]:
    """The teams of the user: their own and the ones they lead."""
    person = person_of(user)
    if person is None:
        return set()
    ids = {person.team_id} if person.team_id else set()
    ids.update(person.led_teams.values_list("pk", flat=True))
    return ids


def queue_filter(qs: QuerySet[WorkOrder], queue: str, user: Any) -> QuerySet[WorkOrder]:
    now = timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    if queue == "mine":
        person = person_of(user)
        return qs.filter(assignee=person) if person is not None else qs.none()
    if queue == "team":
        teams = team_ids_of(user)
        return qs.filter(team__in=teams) if teams else qs.none()
    if queue == "unassigned":
        return qs.filter(open_q, team__isnull=False, assignee__isnull=True)
    if queue == "breaching":
        soon = now + datetime.timedelta(minutes=BREACHING_WINDOW_MINUTES)
        return qs.filter(
            open_q,
            Q(resolution_due__lte=soon) | Q(escalation_percent__gte=WARN_PERCENT),
            paused_at__isnull=True,
            resolution_breached=False,
            resolution_due__gt=now,
        )
    if queue == "breached":
        return qs.filter(
            open_q,
            Q(resolution_breached=True)
            | Q(response_breached=True)
            | Q(paused_at__isnull=True, resolution_due__lte=now),
        )
    return qs


@dataclass
class DeskList:
    queue: str
    filterset: DeskFilterSet
    qs: QuerySet[WorkOrder]
    sort: str


def desk_list(request: HttpRequest) -> DeskList:
    """The orders of the desk for the request's queue, filters and sort."""
    user = request.user
    queue = request.GET.get("queue", "mine")
    if queue not in QUEUE_KEYS:
        queue = "mine"
    qs = queue_filter(services.visible_orders(user), queue, user)
    data = request.GET.copy()
    for name in ("queue", "sort", *NON_FILTER_PARAMS):
        data.pop(name, None)
    fs = DeskFilterSet(data or None, queryset=qs, request=request)
    slim_choices(fs.form)
    if fs.is_bound and fs.is_valid():
        qs = fs.qs
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    tie = "-pk" if sort.startswith("-") else "pk"
    return DeskList(queue, fs, qs.order_by(sort, tie), sort)


@dataclass
class CappedPage:
    """One page of rows and a count that stops at ``cap`` (a million rows are never counted)."""

    rows: list[WorkOrder]
    number: int
    per_page: int
    count: int
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        if self.capped:
            return None
        return max(1, -(-self.count // self.per_page))


def capped_page(
    qs: QuerySet[WorkOrder], number: Any, per_page: int = PER_PAGE, cap: int | None = None
) -> CappedPage:
    cap = COUNT_CAP if cap is None else cap
    try:
        n = max(1, min(int(number), MAX_PAGE))
    except (TypeError, ValueError):
        n = 1
    offset = (n - 1) * per_page
    if offset + per_page <= cap:
        # The page lies inside the counted window: one query reads the ordered ids up to the
        # cap (which is the count), a second the page's rows by primary key — instead of
        # running the filter twice (the rows, then a capped count).
        ids = list(qs.values_list("pk", flat=True)[: cap + 1])
        page_ids = ids[offset : offset + per_page]
        found = {o.pk: o for o in qs.order_by().filter(pk__in=page_ids)} if page_ids else {}
        rows = [found[pk] for pk in page_ids if pk in found]
        count = len(ids)
        return CappedPage(
            rows, n, per_page, min(count, cap), count > cap, count > offset + per_page
        )
    rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if n == 1 and not has_next:
        # the whole list is on this page: no count query
        return CappedPage(rows, n, per_page, len(rows), False, False)
    count = qs.order_by().values("pk")[: cap + 1].count()
    capped = count > cap
    return CappedPage(rows, n, per_page, min(count, cap), capped, has_next)


def filter_query(request: HttpRequest) -> QueryDict:
    """The request's query without paging (what a saved filter stores)."""
    query = request.GET.copy()
    for name in NON_FILTER_PARAMS:
        query.pop(name, None)
    return query


def saved_filters(user: Any) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")


# --- views ------------------------------------------------------------------------------------
@login_required
@require_safe
def desk_view(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    desk = desk_list(request)
    page = capped_page(desk.qs.only(*ROW_FIELDS), request.GET.get("page"))
    query = filter_query(request)
    base = query.copy()
    base.pop("sort", None)
    queue_links = []
    for key, label, icon in QUEUES:
        q = base.copy()
        q["queue"] = key
        queue_links.append((key, label, icon, q.urlencode()))
    now = timezone.now()
    rows = [(o, due_info(o, o.resolution_due, now)) for o in page.rows]
    no_sort = query.copy()
    no_sort.pop("sort", None)
    headers = []
    for key, label in HEADERS:
        if not key:
            headers.append((label, "", ""))
            continue
        q = no_sort.copy()
        q["sort"] = f"-{key}" if desk.sort == key else key
        arrow = "up" if desk.sort == key else "down" if desk.sort == f"-{key}" else ""
        headers.append((label, f"?{q.urlencode()}", arrow))
    ctx = {
        "desk": desk,
        "filterset": desk.filterset,
        "page_obj": page,
        "rows": rows,
        "queue": desk.queue,
        "queues": queue_links,
        "sort": desk.sort,
        "headers": headers,
        "query": query.urlencode(),
        "saved_filters": saved_filters(request.user),
        "bulk_form": slim_choices(BulkAssignForm()),
        "next": request.get_full_path(),
    }
    htmx = getattr(request, "htmx", None)
    template = (
        "workorders/desk/_table.html"
        if htmx and htmx.target == "desk-table" and not htmx.boosted
        else "workorders/desk/desk.html"
    )
    return render(request, template, ctx)


@login_required
@require_safe
def export_view(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    desk = desk_list(request)
    columns = [
        ("number", _("number")),
        ("title", _("title")),
        ("status", _("status")),
        ("priority", _("priority")),
        ("kind", _("kind")),
        ("category", _("category")),
        ("team", _("team")),
        ("assignee", _("assignee")),
        ("requester", _("requester")),
        ("requester_department", _("requester's department")),
        ("is_major", _("major incident")),
        ("created_at", _("created")),
        ("response_due", _("response due")),
        ("resolution_due", _("resolution due")),
        ("resolved_at", _("resolved at")),
    ]
    objs = list(desk.qs[:EXPORT_LIMIT])

    def value(o: WorkOrder, name: str) -> Any:
        if name in ("status", "priority", "kind"):
            return getattr(o, f"get_{name}_display")()
        v = getattr(o, name)
        if isinstance(v, datetime.datetime):
            return timezone.localtime(v).replace(tzinfo=None)
        if isinstance(v, bool):
            return _("Yes") if v else _("No")
        return "" if v is None else str(v) if not isinstance(v, int | str) else v

    rows = ([value(o, name) for name, _label in columns] for o in objs)
    params = {
        k.replace("\x00", "")[:50]: v.replace("\x00", "")[:200]
        for k, v in list(request.GET.items())[:30]
        if k != "format" and isinstance(v, str)
    }
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label="workorders.workorder",
        object_repr=str(WorkOrder._meta.verbose_name_plural),
        extra={"format": fmt, "rows": len(objs), "filters": params, "queue": desk.queue},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        f"workorders-{stamp}",
        fmt,
        f"{WorkOrder._meta.verbose_name_plural}-{stamp}",
        [str(label) for _name, label in columns],
        rows,
    )


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
