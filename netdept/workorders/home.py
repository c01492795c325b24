"""The work orders' home widgets (``netdept.core.home``), each for whom it concerns:

* **my requests** — whoever files orders: what waits for them (a reply the engineer asked for,
  a fix to confirm, a service to rate) and their open orders; staff see it only when they have
  something there;
* **my queue** — an engineer (a member of a team who works on orders): their open orders, the
  ones about to breach and breached, the unassigned ones they may pick up; their queue, most
  urgent first;
* **my team** — a team lead: the team's open orders, unassigned, about to breach, breached, the
  load of each member and the breached orders with who holds them;
* **service this week** — the director (works on every order): the figures of the last seven
  days against the seven before (received, resolved, SLA compliance, satisfaction), a chart of
  each day (SVG drawn on the server: the CSP allows no inline script or style), the breached P1
  and P2 orders with who holds them, and the open work right now.

Counts are the reader's: every query starts from ``services.visible_orders`` (the desk's rows)
and uses the conditions of the one work-order filter set (``filtersets``): each count links to
the desk with the parameters that list exactly the rows counted. Every widget makes a constant
number of queries (aggregates over the open orders, lists with a limit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from netdept.core import permissions
from netdept.core.home import HomeWidget, SetupWarning, register_home_widget, register_setup_check
from netdept.org.models import Person
from netdept.workorders import reports, services
from netdept.workorders.filtersets import (
    breached_q,
    breaching_q,
    open_q,
    person_of,
    team_ids_of,
    unassigned_q,
)
from netdept.workorders.models import (
    OPEN_STATUSES,
    Category,
    Priority,
    SlaPolicy,
    Status,
    WaitingOn,
    WorkOrder,
)
from netdept.workorders.views_desk import next_due
from netdept.workorders.views_portal import STATUS_CSS

ADD = "workorders.add_workorder"
CHANGE = "workorders.change_workorder"
VIEW = "workorders.view_workorder"
#: a closed order still waits for its rating this many days after it was closed
RATE_DAYS = 30
LIST_ROWS = 6
QUEUE_ROWS = 8
BREACHED_ROWS = 8
#: the figures of the director: the last WEEK_DAYS days (today included) against the ones before
WEEK_DAYS = 7
#: the priorities whose breaches the director sees one by one
URGENT = (Priority.P1.value, Priority.P2.value)
PRIORITY_CSS = {1: "text-bg-danger", 2: "text-bg-warning", 3: "text-bg-info", 4: "text-bg-light"}

#: SLA state of a listed order, as the desk's queues define it
BREACHED, BREACHING, ON_TIME = 2, 1, 0


# --- helpers ----------------------------------------------------------------------------------
def desk_url(**params: Any) -> str:
    """The desk listing exactly the rows a count was made of."""
    return f"{reverse('workorders:desk')}?{urlencode(params, doseq=True)}"


def tile(key: str, label: Any, count: int, url: str, icon: str, tone: str = "") -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "count": count,
        "url": url,
        "icon": icon,
        "tone": tone if count else "",
    }


def attention_tiles(c: dict[str, int]) -> list[dict[str, Any]]:
    """Unassigned, about to breach, breached: the tiles of a team's and of the service's open
    work (``c``: their counts)."""
    return [
        tile(
            "unassigned",
            gettext_lazy("Unassigned"),
            c["unassigned"],
            desk_url(queue="unassigned"),
            "bi-inbox",
            "info",
        ),
        tile(
            "breaching",
            gettext_lazy("About to breach"),
            c["breaching"],
            desk_url(queue="breaching"),
            "bi-hourglass-split",
            "warning",
        ),
        tile(
            "breached",
            gettext_lazy("Breached"),
            c["breached"],
            desk_url(queue="breached", is_open="true"),
            "bi-exclamation-triangle",
            "danger",
        ),
    ]


def next_due_expr() -> Case:
    """The due time that matters now: the response while nobody answered, else the resolution."""
    return Case(
        When(responded_at__isnull=True, response_due__isnull=False, then=F("response_due")),
        default=F("resolution_due"),
    )


#: what a listed order shows (the rest of the row is not read)
ROW_FIELDS = (
    "number",
    "title",
    "priority",
    "status",
    "paused_at",
    "responded_at",
    "response_due",
    "resolution_due",
    "assignee__name",
    "team__name",
)


def with_sla_state(qs: QuerySet[WorkOrder], now: dt.datetime) -> QuerySet[Any]:
    """The rows of a list: what it shows, with ``sla_state`` (breached, about to breach, on
    time) and ``due``."""
    qs = qs.select_related(None).select_related("assignee", "team").only(*ROW_FIELDS)
    return qs.annotate(
        sla_state=Case(
            When(breached_q(now), then=Value(BREACHED)),
            When(breaching_q(now), then=Value(BREACHING)),
            default=Value(ON_TIME),
            output_field=IntegerField(),
        ),
        due=next_due_expr(),
    )


def order_rows(orders: list[WorkOrder], now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "order": o,
            "url": reverse("workorders:order", args=[o.number]),
            # a waiting order's clock is paused: its status says it
            "due": None if o.status == Status.WAITING else next_due(o, now),
            "breached": getattr(o, "sla_state", ON_TIME) == BREACHED,
            "breaching": getattr(o, "sla_state", ON_TIME) == BREACHING,
            "priority_css": PRIORITY_CSS.get(o.priority, "text-bg-light"),
        }
        for o in orders
    ]


def _led_team_ids(user: Any) -> list[int]:
    """The active teams ``user``'s person leads (read once per request)."""
    cached = getattr(user, "_nd_led_teams", None)
    if cached is None:
        person = person_of(user)
        cached = (
            sorted(person.led_teams.filter(is_active=True).values_list("pk", flat=True))
            if person is not None
            else []
        )
        user._nd_led_teams = cached
    return list(cached)


# --- my requests ------------------------------------------------------------------------------
def files_orders(user: Any) -> bool:
    return permissions.has_perm(user, ADD) and person_of(user) is not None


def waiting_for_requester_q(now: dt.datetime) -> Q:
    """What the requester is to do: reply, confirm the fix, rate the service."""
    return (
        Q(status=Status.WAITING, waiting_on=WaitingOn.REQUESTER)
        | Q(status=Status.RESOLVED)
        | rate_q(now)
    )


def rate_q(now: dt.datetime) -> Q:
    """Closed (by the requester or on its own) lately, not merged away, not rated yet."""
    return Q(
        status=Status.CLOSED,
        rating__isnull=True,
        merged_into__isnull=True,
        resolved_at__isnull=False,
        closed_at__gte=now - dt.timedelta(days=RATE_DAYS),
    )


def requests_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    person = person_of(user)
    if person is None:
        return None
    now = timezone.now()
    mine = services.visible_orders(user).filter(requester_id=person.pk)
    # under way for the requester: being worked on, or waiting for its approval
    under_way = open_q() | Q(status=Status.PENDING_APPROVAL)
    counts = mine.order_by().aggregate(
        open=Count("pk", filter=under_way),
        reply=Count("pk", filter=Q(status=Status.WAITING, waiting_on=WaitingOn.REQUESTER)),
        confirm=Count("pk", filter=Q(status=Status.RESOLVED)),
        rate=Count("pk", filter=rate_q(now)),
    )
    waiting_total = counts["reply"] + counts["confirm"] + counts["rate"]
    staff = permissions.has_perm(user, CHANGE)
    if staff and not (counts["open"] or waiting_total):
        return None  # staff file orders now and then: nothing of theirs is under way
    waiting = list(
        mine.filter(waiting_for_requester_q(now)).order_by("-updated_at", "-pk")[:LIST_ROWS]
    )
    waiting_pks = {o.pk for o in waiting}
    open_orders = [
        o
        for o in mine.filter(under_way).order_by("-created_at", "-pk")[: LIST_ROWS + len(waiting)]
        if o.pk not in waiting_pks
    ][:LIST_ROWS]

    def todo(o: WorkOrder) -> tuple[str, str, str]:
        if o.status == Status.WAITING:
            return _("Reply"), "bi-reply", "reply"
        if o.status == Status.RESOLVED:
            return _("Confirm the fix"), "bi-hand-thumbs-up", "confirm"
        return _("Rate"), "bi-star", "rate"

    def row(o: WorkOrder) -> dict[str, Any]:
        label, icon, what = todo(o)
        return {
            "order": o,
            "url": reverse("workorders:portal_detail", args=[o.number]),
            "status_css": STATUS_CSS.get(o.status, "text-bg-light"),
            "todo": label,
            "todo_icon": icon,
            "todo_key": what,
        }

    portal = reverse("workorders:portal_home")
    return {
        "counts": counts,
        "waiting_total": waiting_total,
        "waiting": [row(o) for o in waiting],
        "open_orders": [row(o) for o in open_orders],
        "more_open": max(0, counts["open"] - len(open_orders) - _open_among(waiting)),
        "new_url": reverse("workorders:portal_new"),
        "portal_url": f"{portal}?{urlencode({'who': 'mine', 'state': 'open'})}",
    }


def _open_among(orders: list[WorkOrder]) -> int:
    return sum(1 for o in orders if o.status in OPEN_STATUSES)


# --- my queue (engineer) ----------------------------------------------------------------------
def works_orders(user: Any) -> bool:
    """A member of a team who works on orders."""
    if not permissions.has_perm(user, CHANGE):
        return False
    person = person_of(user)
    return person is not None and person.team_id is not None


def queue_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    person = person_of(user)
    if person is None:
        return None
    pid = person.pk
    now = timezone.now()
    open_orders = services.visible_orders(user).filter(open_q())
    mine = Q(assignee_id=pid)
    c = open_orders.order_by().aggregate(
        mine=Count("pk", filter=mine),
        breaching=Count("pk", filter=mine & breaching_q(now)),
        breached=Count("pk", filter=mine & breached_q(now)),
        unassigned=Count("pk", filter=unassigned_q()),
    )
    if not c["mine"] and _led_team_ids(user):
        return None  # a team lead holding nothing themselves: the team widget says it all
    rows = list(
        with_sla_state(open_orders.filter(mine), now).order_by(
            "-sla_state", F("due").asc(nulls_last=True), "-priority", "pk"
        )[:QUEUE_ROWS]
    )
    tiles = [
        tile(
            "mine",
            gettext_lazy("My open orders"),
            c["mine"],
            desk_url(queue="mine", is_open="true"),
            "bi-person",
        ),
        tile(
            "breaching",
            gettext_lazy("About to breach"),
            c["breaching"],
            desk_url(queue="breaching", assignee=pid),
            "bi-hourglass-split",
            "warning",
        ),
        tile(
            "breached",
            gettext_lazy("Breached"),
            c["breached"],
            desk_url(queue="breached", assignee=pid, is_open="true"),
            "bi-exclamation-triangle",
            "danger",
        ),
        tile(
            "unassigned",
            gettext_lazy("Unassigned"),
            c["unassigned"],
            desk_url(queue="unassigned"),
            "bi-inbox",
            "info",
        ),
    ]
    return {
        "tiles": tiles,
        "rows": order_rows(rows, now),
        "more": max(0, c["mine"] - len(rows)),
        "desk_url": desk_url(queue="mine", is_open="true"),
    }


# --- my team (team lead) ------------------------------------------------------------------------
def leads_a_team(user: Any) -> bool:
    return permissions.has_perm(user, VIEW) and bool(_led_team_ids(user))


def team_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    teams = sorted(team_ids_of(user))  # the desk's "my team's orders": own team and led ones
    if not teams:
        return None
    now = timezone.now()
    visible_open = services.visible_orders(user).filter(open_q())
    in_team = Q(team_id__in=teams)
    c = visible_open.order_by().aggregate(
        open=Count("pk", filter=in_team),
        unassigned=Count("pk", filter=unassigned_q()),
        breaching=Count("pk", filter=breaching_q(now)),
        breached=Count("pk", filter=breached_q(now)),
    )
    team_open = visible_open.filter(in_team).order_by()
    load: dict[Any, dict[str, Any]] = {
        row["assignee_id"]: dict(row)
        for row in team_open.values("assignee_id", "assignee__name").annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(status=Status.WAITING)),
            breaching=Count("pk", filter=breaching_q(now)),
            breached=Count("pk", filter=breached_q(now)),
        )
    }
    members = list(
        Person.objects.filter(team_id__in=teams, is_active=True)
        .only("pk", "name")
        .order_by("name", "pk")
    )
    people = []
    for member in members:
        row: dict[str, Any] = load.pop(member.pk, {})
        people.append(_load_row(member.pk, member.name, row))
    for pid, held in load.items():  # held by someone outside the team, or by nobody
        people.append(_load_row(pid, held["assignee__name"] or "", held))
    people.sort(key=lambda p: (p["pid"] is None, -p["breached"], -p["open"], p["name"]))
    breached = list(
        with_sla_state(visible_open.filter(breached_q(now)), now).order_by(
            "priority", F("due").asc(nulls_last=True), "pk"
        )[:BREACHED_ROWS]
    )
    tiles = [
        tile(
            "team_open",
            gettext_lazy("Open in my team"),
            c["open"],
            desk_url(queue="team", is_open="true"),
            "bi-people",
        ),
        *attention_tiles(c),
    ]
    return {
        "tiles": tiles,
        "people": people,
        "breached": order_rows(breached, now),
        "more_breached": max(0, c["breached"] - len(breached)),
        "breached_url": desk_url(queue="breached", is_open="true"),
    }


def _load_row(pid: int | None, name: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "pid": pid,
        "name": name,
        "open": row.get("open", 0),
        "waiting": row.get("waiting", 0),
        "breaching": row.get("breaching", 0),
        "breached": row.get("breached", 0),
        "url": desk_url(queue="team", assignee=pid, is_open="true") if pid else "",
    }


# --- service this week (director) ---------------------------------------------------------------
def runs_the_service(user: Any) -> bool:
    """Works on every order (the director): the figures of the whole service are theirs."""
    return permissions.scope_of(user, CHANGE) == permissions.ALL


def _share(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def _delta(now: float | int | None, before: float | int | None) -> dict[str, Any] | None:
    """The change against the week before: its sign and its text."""
    if now is None or before is None:
        return None
    diff = now - before
    if isinstance(diff, float):
        diff = round(diff, 1)
    if not diff:
        return {"sign": 0, "text": "±0"}
    return {"sign": 1 if diff > 0 else -1, "text": f"{diff:+g}"}


def service_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    week = reports.Period.days(today - dt.timedelta(days=WEEK_DAYS - 1), today)
    before = reports.Period.days(
        week.first - dt.timedelta(days=WEEK_DAYS), week.first - dt.timedelta(days=1)
    )
    visible = reports.visible(user)
    fig = reports.summary(visible, week, now)
    prev = reports.summary(visible, before, now)
    days = reports.daily(visible, week)
    sla, sla_prev = _share(fig.sla_compliance), _share(prev.sla_compliance)
    rating = round(fig.rating_avg, 1) if fig.rating_avg is not None else None
    rating_prev = round(prev.rating_avg, 1) if prev.rating_avg is not None else None
    figures = [
        {
            "key": "received",
            "label": gettext_lazy("Received"),
            "value": fig.received,
            "unit": "",
            "delta": _delta(fig.received, prev.received),
            "good": 0,
        },
        {
            "key": "resolved",
            "label": gettext_lazy("Resolved"),
            "value": fig.resolved,
            "unit": "",
            "delta": _delta(fig.resolved, prev.resolved),
            "good": 1,
        },
        {
            "key": "sla",
            "label": gettext_lazy("SLA compliance"),
            "value": sla,
            "unit": "%",
            "delta": _delta(sla, sla_prev),
            "good": 1,
            "hint": _("%(met)s of %(total)s resolved on time")
            % {"met": fig.sla_met, "total": fig.sla_total},
        },
        {
            "key": "satisfaction",
            "label": gettext_lazy("Satisfaction"),
            "value": rating,
            "unit": "★",
            "delta": _delta(rating, rating_prev),
            "good": 1,
            "hint": ngettext("%(count)s rating", "%(count)s ratings", fig.rated)
            % {"count": fig.rated},
        },
    ]
    visible_open = services.visible_orders(user).filter(open_q())
    c = visible_open.order_by().aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=unassigned_q()),
        breaching=Count("pk", filter=breaching_q(now)),
        breached=Count("pk", filter=breached_q(now)),
        urgent=Count("pk", filter=breached_q(now) & Q(priority__in=URGENT)),
    )
    urgent = list(
        with_sla_state(visible_open.filter(breached_q(now), priority__in=URGENT), now).order_by(
            "priority", F("due").asc(nulls_last=True), "pk"
        )[:BREACHED_ROWS]
    )
    tiles = [
        tile(
            "open",
            gettext_lazy("Open orders"),
            c["open"],
            desk_url(queue="all", is_open="true"),
            "bi-list-ul",
        ),
        *attention_tiles(c),
    ]
    report_url = (
        reverse("workorders:reports_home")
        + "?"
        + urlencode(
            {"period": "custom", "start": week.first.isoformat(), "end": week.last.isoformat()}
        )
    )
    return {
        "figures": figures,
        "period": week,
        "chart": day_chart(days),
        "tiles": tiles,
        "urgent": order_rows(urgent, now),
        "more_urgent": max(0, c["urgent"] - len(urgent)),
        "urgent_url": desk_url(queue="breached", is_open="true", priority=list(URGENT)),
        "report_url": report_url,
    }


#: the chart's drawing area (SVG user units)
CHART_W, CHART_H = 640, 220
CHART_LEFT, CHART_BOTTOM, CHART_TOP = 34, 28, 12


def _nice_max(value: int) -> int:
    """A round top for an axis of four steps: 4, 8, 20, 40, 80, 100, 200, 400…"""
    step = 1
    while step * 4 < value:
        step = next(
            (s for s in (2 * step, int(2.5 * step), 5 * step) if s * 4 >= value and s > step),
            5 * step,
        )
    return step * 4


def day_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of orders received and resolved per day, laid out for an SVG drawn by the
    template (no script: the numbers are in each bar's title and in a table for screen
    readers)."""
    top = _nice_max(max([d["received"] for d in days] + [d["resolved"] for d in days] + [0]))
    plot_w = CHART_W - CHART_LEFT - 8
    plot_h = CHART_H - CHART_BOTTOM - CHART_TOP
    slot = plot_w / max(len(days), 1)
    bar = min(22.0, slot * 0.32)
    base_y = CHART_TOP + plot_h

    def height(n: int) -> float:
        return round(plot_h * n / top, 1)

    bars, labels = [], []
    for i, d in enumerate(days):
        x0 = CHART_LEFT + i * slot + slot / 2
        for offset, key in ((-bar - 1, "received"), (1, "resolved")):
            h = height(d[key])
            bars.append(
                {
                    "x": round(x0 + offset, 1),
                    "y": round(base_y - h, 1),
                    "w": round(bar, 1),
                    "h": h,
                    "key": key,
                    "n": d[key],
                    "date": d["date"],
                }
            )
        labels.append(
            {
                "x": round(x0, 1),
                "text": date_format(d["date"], "m-d"),
                "weekday": date_format(d["date"], "D"),
            }
        )
    grid = [{"y": round(base_y - plot_h * k / 4, 1), "value": int(top * k / 4)} for k in range(5)]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": CHART_LEFT,
        "right": CHART_W - 8,
        "base_y": base_y,
        "label_y": base_y + 18,
        "bars": bars,
        "labels": labels,
        "grid": grid,
        "days": days,
    }


# --- set-up warnings --------------------------------------------------------------------------
def setup_checks(user: Any) -> list[SetupWarning]:
    """Categories and SLA policies: without them nobody can file, and no order has a due time."""
    found: list[SetupWarning] = []
    if permissions.has_perm(user, "workorders.add_category"):
        cats = Category.objects.order_by().aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            no_team=Count("pk", filter=Q(is_active=True, default_team__isnull=True)),
        )
        if not cats["active"]:
            found.append(
                SetupWarning(
                    _("There is no category yet: requesters cannot file a work order."),
                    reverse("workorders:category_add"),
                    _("Add a category"),
                    "danger",
                    key="no-category",
                )
            )
        elif cats["no_team"]:
            found.append(
                SetupWarning(
                    _(
                        "%(count)s categories have no default team: their orders wait for "
                        "someone to dispatch them."
                    )
                    % {"count": cats["no_team"]},
                    reverse("workorders:category_list"),
                    _("Open the categories"),
                    "info",
                    key="category-no-team",
                )
            )
    if permissions.has_perm(user, "workorders.add_slapolicy"):
        covered = set(
            SlaPolicy.objects.filter(is_active=True)
            .order_by()
            .values_list("priority", flat=True)
            .distinct()
        )
        missing = [label for value, label in Priority.choices if value not in covered]
        if missing:
            found.append(
                SetupWarning(
                    _("No active SLA policy for %(priorities)s: these orders get no due time.")
                    % {"priorities": "、".join(str(m) for m in missing)},
                    reverse("workorders:slapolicy_list"),
                    _("Open the SLA policies"),
                    key="sla-missing",
                )
            )
    return found


register_home_widget(
    HomeWidget(
        "workorders_requests",
        gettext_lazy("My requests"),
        "workorders/home/requests.html",
        requests_context,
        applies=files_orders,
        order=10,
        icon="bi-chat-square-text",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "workorders_queue",
        gettext_lazy("My queue"),
        "workorders/home/queue.html",
        queue_context,
        applies=works_orders,
        order=20,
        icon="bi-person-workspace",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "workorders_team",
        gettext_lazy("My team"),
        "workorders/home/team.html",
        team_context,
        applies=leads_a_team,
        order=25,
        icon="bi-people",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "workorders_service",
        gettext_lazy("Service this week"),
        "workorders/home/service.html",
        service_context,
        applies=runs_the_service,
        order=15,
        icon="bi-graph-up-arrow",
        size="full",
    )
)
register_setup_check(setup_checks)
