"""My tasks (我的任务, phone-first) and the task board (任务看板: to do / in progress / done).

Both read the tasks the user may see (``permissions.restrict``), never more; the buttons are
the task machine's transitions (``machines_tasks``), offered only to who may take them and run
by the generic transition page (``tasks/<pk>/do/<name>/``). The list with filters and export
is the generic list of the ``tasks`` Page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from netdept.core import permissions, services
from netdept.core.views.transitions import url_maker
from netdept.org.models import Team
from netdept.worklog.machines_tasks import TASK_MACHINE
from netdept.worklog.models import OPEN_TASK_STATUSES, Task, TaskStatus
from netdept.worklog.services.tasks import person_of

S = TaskStatus
#: cards one board column shows (the rest: the list)
COLUMN_CAP: Final = 60
#: done tasks stay on the board this many days
DONE_DAYS: Final = 14
MINE_CAP: Final = 200

STATUS_CSS: dict[str, str] = {
    S.TODO: "text-bg-secondary",
    S.DOING: "text-bg-primary",
    S.DONE: "text-bg-success",
    S.CANCELLED: "text-bg-light",
}
QUICK: Final = ("start", "complete", "evaluate")


@dataclass
class Card:
    task: Task
    url: str
    overdue: bool
    due_soon: bool
    status_css: str
    actions: list[dict[str, Any]]


def _base(user: Any) -> QuerySet[Task]:
    qs = Task.objects.select_related("owner", "team", "goal", "project", "meeting", "owner__team")
    return permissions.restrict(qs, user, "view")


def cards_of(tasks: list[Task], user: Any, today: dt.date) -> list[Card]:
    page_url = url_maker(_page())
    out: list[Card] = []
    for t in tasks:
        actions = []
        for b in TASK_MACHINE.available(t, user, page_url):
            if b.name not in QUICK:
                continue
            form = TASK_MACHINE.form_for(b.name, t) if not b.transition.fields else None
            if form is not None:
                form.auto_id = f"id_{b.name}_{t.pk}_%s"
            actions.append({"name": b.name, "label": b.transition.label, "url": b.url,
                            "icon": b.transition.icon, "form": form})  # fmt: skip
        open_ = t.status in OPEN_TASK_STATUSES
        out.append(
            Card(
                task=t,
                url=reverse("worklog:tasks_detail", args=[t.pk]),
                overdue=open_ and t.due_on < today,
                due_soon=open_ and today <= t.due_on <= today + dt.timedelta(days=2),
                status_css=STATUS_CSS.get(t.status, "text-bg-light"),
                actions=actions,
            )
        )
    return out


def _page() -> Any:
    from netdept.core.registry import page_for

    return page_for(Task)


@login_required
@require_safe
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    """我的任务: my open tasks (the soonest due first), or the done ones (the latest first)."""
    services.require(request.user, "view", Task)
    me = person_of(request.user)
    today = timezone.localdate()
    tab = request.GET.get("tab", "open")
    if tab not in ("open", "done", "assigned"):
        tab = "open"
    qs = _base(request.user)
    if me is None:
        qs = qs.none()
    elif tab == "open":
        qs = qs.filter(owner=me, status__in=OPEN_TASK_STATUSES).order_by("due_on", "pk")
    elif tab == "done":
        qs = qs.filter(owner=me, status__in=[S.DONE, S.CANCELLED]).order_by("-done_at", "-pk")
    else:  # assigned by me to others, still open or not yet evaluated
        qs = (
            qs.filter(assigned_by=me)
            .exclude(owner=me)
            .filter(Q(status__in=OPEN_TASK_STATUSES) | Q(status=S.DONE, score__isnull=True))
            .order_by("due_on", "pk")
        )
    rows = list(qs[: MINE_CAP + 1])
    base = reverse("worklog:my_tasks")
    labels = {"open": _("Not done yet"), "done": _("Finished"), "assigned": _("Assigned by me")}
    return render(
        request,
        "worklog/tasks/mine.html",
        {
            "tab": tab,
            "tabs": [(k, labels[k], f"{base}?tab={k}") for k in ("open", "done", "assigned")],
            "cards": cards_of(rows[:MINE_CAP], request.user, today),
            "more": len(rows) > MINE_CAP,
            "has_person": me is not None,
            "list_url": reverse("worklog:tasks_list") + (f"?owner={me.pk}" if me else ""),
            "can_add": permissions.has_perm(request.user, "worklog.add_task"),
            "show_owner": tab == "assigned",
        },
    )


def _int(raw: str | None) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


@login_required
@require_safe
def task_board_view(request: HttpRequest) -> HttpResponse:
    """任务看板: to do, in progress, done (the last two weeks) of a team, a goal or an owner."""
    services.require(request.user, "view", Task)
    today = timezone.localdate()
    me = person_of(request.user)
    qs = _base(request.user)
    teams = permissions.restrict(Team.objects.filter(is_active=True), request.user, "view")
    team_id = _int(request.GET.get("team"))
    if "team" not in request.GET and me is not None and me.team_id:
        team_id = me.team_id
    if team_id:
        qs = qs.filter(team_id=team_id)
    goal_id = _int(request.GET.get("goal"))
    if goal_id:
        qs = qs.filter(goal_id=goal_id)
    owner_id = _int(request.GET.get("owner"))
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    since = timezone.now() - dt.timedelta(days=DONE_DAYS)
    columns = []
    for status, label, query, order in (
        (S.TODO, _("To do"), Q(status=S.TODO), ("due_on", "pk")),
        (S.DOING, pgettext("task board", "In progress"), Q(status=S.DOING), ("due_on", "pk")),
        (S.DONE, _("Done"), Q(status=S.DONE, done_at__gte=since), ("-done_at", "-pk")),
    ):
        rows = list(qs.filter(query).order_by(*order)[: COLUMN_CAP + 1])
        columns.append(
            {
                "status": status,
                "label": label,
                "cards": cards_of(rows[:COLUMN_CAP], request.user, today),
                "more": len(rows) > COLUMN_CAP,
                "count": len(rows[:COLUMN_CAP]),
            }
        )
    list_url = reverse("worklog:tasks_list") + (f"?team={team_id}" if team_id else "")
    return render(
        request,
        "worklog/tasks/board.html",
        {
            "columns": columns,
            "teams": list(teams.order_by("name")[:200]),
            "team_id": team_id,
            "list_url": list_url,
            "can_add": permissions.has_perm(request.user, "worklog.add_task"),
            "done_days": DONE_DAYS,
        },
    )
