"""The home page's "今日职责" widget: what waits for the signed-in person now — due today,
overdue, returned for changes — and how many duties await their review.

It concerns whoever has a person on the org chart and shows only when something waits: three
count tiles and the five most urgent rows (a constant number of queries, on the indexes
``person, status, due_at``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from netdept.core.home import HomeWidget, register_home_widget
from netdept.duties.models import Occurrence, OccurrenceStatus
from netdept.duties.services import occurrences
from netdept.duties.views_work import OPEN, end_of_today, rows_of

S = OccurrenceStatus
ROWS = 5


def has_person(user: Any) -> bool:
    return occurrences.person_of(user) is not None


def today_context(request: HttpRequest) -> dict[str, Any] | None:
    person = occurrences.person_of(request.user)
    if person is None:
        return None
    now = timezone.now()
    tonight = end_of_today(now)
    waiting = Occurrence.objects.filter(person=person).filter(
        Q(status__in=OPEN, due_at__lt=tonight) | Q(status=S.RETURNED)
    )
    counts = waiting.order_by().aggregate(
        today=Count("pk", filter=Q(status=S.PENDING, due_at__gte=now)),
        overdue=Count("pk", filter=Q(status__in=(S.PENDING, S.OVERDUE), due_at__lt=now)),
        returned=Count("pk", filter=Q(status=S.RETURNED)),
    )
    to_review = occurrences.to_review(person).order_by().count()
    total = counts["today"] + counts["overdue"] + counts["returned"]
    if not total and not to_review:
        return None
    rows = rows_of(list(waiting.select_related("duty").order_by("due_at", "pk")[:ROWS]), now)
    mine = reverse("duties:mine")
    tiles = [
        {
            "key": "duties_today",
            "label": gettext_lazy("Due today"),
            "count": counts["today"],
            "url": mine,
            "icon": "bi-calendar-day",
            "tone": "",
        },
        {
            "key": "duties_overdue",
            "label": gettext_lazy("Overdue"),
            "count": counts["overdue"],
            "url": mine,
            "icon": "bi-alarm",
            "tone": "danger" if counts["overdue"] else "",
        },
        {
            "key": "duties_returned",
            "label": gettext_lazy("Returned for changes"),
            "count": counts["returned"],
            "url": mine,
            "icon": "bi-arrow-return-left",
            "tone": "warning" if counts["returned"] else "",
        },
    ]
    if to_review:
        tiles.append(
            {
                "key": "duties_to_review",
                "label": gettext_lazy("Duties to review"),
                "count": to_review,
                "url": reverse("duties:review_queue"),
                "icon": "bi-clipboard-check",
                "tone": "",
            }
        )
    return {"tiles": tiles, "rows": rows, "more": max(0, total - len(rows))}


register_home_widget(
    HomeWidget(
        "duties_today",
        gettext_lazy("Today's duties"),
        "duties/work/home/today.html",
        today_context,
        applies=has_person,
        order=4,
        icon="bi-list-check",
        size="half",
    )
)
