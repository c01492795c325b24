"""The home page's "我的任务" widget: the signed-in person's open tasks — overdue, due within
three days, in progress — and the done tasks they must evaluate (assigned by them or of the
people they lead, not yet scored).

It concerns whoever has a person on the org chart and shows only when something waits: count
tiles and the five soonest open tasks (a constant number of queries, on the index
``owner, status, due_on``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from netdept.core import permissions
from netdept.core.home import HomeWidget, register_home_widget
from netdept.worklog.models import OPEN_TASK_STATUSES, Task, TaskStatus
from netdept.worklog.services import tasks

S = TaskStatus
ROWS = 5
SOON_DAYS = 3


def has_person(user: Any) -> bool:
    """A person of the org chart who works on tasks (not the auditor, the 三员 accounts or
    requesters)."""
    return (
        permissions.scope_of(user, "worklog.change_task") is not None
        and tasks.person_of(user) is not None
    )


def to_evaluate(person: Any) -> Any:
    """Done tasks not yet scored that ``person`` assigned, or of the team they lead."""
    return (
        Task.objects.filter(status=S.DONE, score__isnull=True)
        .filter(Q(assigned_by=person) | Q(owner__team__lead=person))
        .exclude(owner=person)
    )


def context(request: HttpRequest) -> dict[str, Any] | None:
    person = tasks.person_of(request.user)
    if person is None:
        return None
    today = timezone.localdate()
    soon = today + dt.timedelta(days=SOON_DAYS)
    mine = Task.objects.filter(owner=person, status__in=OPEN_TASK_STATUSES)
    counts = mine.order_by().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
    )
    evaluate = to_evaluate(person).order_by().count()
    if not counts["open"] and not evaluate:
        return None
    rows = [
        {
            "task": t,
            "overdue": t.due_on < today,
            "url": reverse("worklog:tasks_detail", args=[t.pk]),
        }
        for t in mine.order_by("due_on", "pk")[:ROWS]
    ]
    url = reverse("worklog:my_tasks")
    tiles = [
        {"key": "tasks_open", "label": gettext_lazy("Open tasks"), "count": counts["open"],
         "url": url, "icon": "bi-check2-square", "tone": ""},
        {"key": "tasks_overdue", "label": gettext_lazy("Overdue"), "count": counts["overdue"],
         "url": url, "icon": "bi-alarm", "tone": "danger" if counts["overdue"] else ""},
        {"key": "tasks_soon", "label": gettext_lazy("Due within 3 days"), "count": counts["soon"],
         "url": url, "icon": "bi-hourglass-split", "tone": "warning" if counts["soon"] else ""},
    ]  # fmt: skip
    if evaluate:
        tiles.append(
            {"key": "tasks_to_evaluate", "label": gettext_lazy("Tasks to evaluate"),
             "count": evaluate, "url": f"{url}?tab=assigned", "icon": "bi-star", "tone": ""}
        )  # fmt: skip
    return {"tiles": tiles, "rows": rows, "more": max(0, counts["open"] - len(rows))}


register_home_widget(
    HomeWidget(
        "worklog_tasks",
        gettext_lazy("My tasks"),
        "worklog/tasks/home/mine.html",
        context,
        applies=has_person,
        order=6,
        icon="bi-check2-square",
        size="half",
    )
)
