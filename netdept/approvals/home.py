"""The home page's "待我审批" widget and the navigation entry of the inbox.

The widget concerns whoever has a person on the org chart (``applies``: the user's person
link, no query beyond it) and shows only when something awaits them: how many, how many are
past their time limit, and the five most urgent (three queries: a count on the inbox index, the
overdue count, five rows).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from netdept.approvals import links, services
from netdept.approvals.views_inbox import inbox_rows
from netdept.approvals.visibility import person_of
from netdept.core.context_processors import add_nav
from netdept.core.home import HomeWidget, register_home_widget

ROWS = 5


def has_person(user: Any) -> bool:
    return person_of(user) is not None


def inbox_context(request: HttpRequest) -> dict[str, Any] | None:
    person = person_of(request.user)
    if person is None:
        return None
    now = timezone.now()
    pending = services.pending_for(person)
    count = pending.order_by().count()
    if not count:
        return None
    overdue = pending.filter(due_at__lt=now).order_by().count()
    rows = inbox_rows(list(pending[:ROWS]), now)
    return {
        "count": count,
        "overdue": overdue,
        "rows": rows,
        "more": max(0, count - len(rows)),
        "inbox_url": links.inbox_url(),
        "tiles": [
            {
                "key": "approvals_pending",
                "label": gettext_lazy("Awaiting my approval"),
                "count": count,
                "url": links.inbox_url(),
                "icon": "bi-inbox",
                "tone": "",
            },
            {
                "key": "approvals_overdue",
                "label": gettext_lazy("Past the time limit"),
                "count": overdue,
                "url": links.inbox_url() + "?overdue=true",
                "icon": "bi-alarm",
                "tone": "danger" if overdue else "",
            },
        ],
    }


register_home_widget(
    HomeWidget(
        "approvals_inbox",
        gettext_lazy("Awaiting my approval"),
        "approvals/home/inbox.html",
        inbox_context,
        applies=has_person,
        order=5,
        icon="bi-check2-square",
        size="half",
    )
)
add_nav("approvals", gettext_lazy("Awaiting my approval"), "approvals:inbox", "", "bi-inbox", 10)
add_nav("approvals", gettext_lazy("My approval requests"), "approvals:mine", "", "bi-send", 12)
