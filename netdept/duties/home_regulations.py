"""The home page's "待阅读的制度" widget: the regulations a person has still to confirm reading
(two queries: a count and five rows; shown only when something awaits), and the navigation
entry of the import page (for those who may add versions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from netdept.core.context_processors import add_nav
from netdept.core.home import HomeWidget, register_home_widget
from netdept.duties.services import regulations as services

ROWS = 5


def has_person(user: Any) -> bool:
    return services.person_of(user) is not None


def awaiting_context(request: HttpRequest) -> dict[str, Any] | None:
    person = services.person_of(request.user)
    if person is None:
        return None
    pending = services.awaiting(person)
    count = pending.order_by().count()
    if not count:
        return None
    rows = [
        {"row": r, "url": reverse("duties:regulations_read", args=[r.version_id])}
        for r in pending[:ROWS]
    ]
    return {"count": count, "rows": rows, "more": max(0, count - len(rows))}


register_home_widget(
    HomeWidget(
        "duties_read_confirmations",
        gettext_lazy("Regulations to read"),
        "duties/regulations/home/awaiting.html",
        awaiting_context,
        applies=has_person,
        order=8,
        icon="bi-journal-check",
        size="half",
    )
)
add_nav(
    "duties",
    gettext_lazy("Import a regulation"),
    "duties:regulations_import",
    "duties.add_regulationversion",
    "bi-upload",
    65,
)
