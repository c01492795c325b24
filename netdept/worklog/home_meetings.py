"""The home page's "我的会议" widget: the signed-in person's next meetings (scheduled, from now
on, five at most) and the minutes waiting for them as chair. Two bounded queries; shown only
when there is something to show."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from netdept.core import permissions
from netdept.core.home import HomeWidget, register_home_widget
from netdept.worklog.services import meetings

ROWS = 5


def has_person(user: Any) -> bool:
    """A person of the org chart who takes part in meetings (not the auditor, the 三员
    accounts or requesters)."""
    return (
        permissions.scope_of(user, "worklog.change_meeting") is not None
        and meetings.person_of(user) is not None
    )


def next_meetings_context(request: HttpRequest) -> dict[str, Any] | None:
    person = meetings.person_of(request.user)
    if person is None:
        return None
    now = timezone.now()
    rows = meetings.upcoming(person, now, ROWS)
    to_approve = meetings.awaiting_chair(person).order_by().count()
    if not rows and not to_approve:
        return None
    today = timezone.localdate()
    return {
        "rows": [
            {
                "meeting": a.meeting,
                "url": reverse("worklog:meetings_detail", args=[a.meeting_id]),
                "today": timezone.localtime(a.meeting.starts_at).date() == today,
                "now": a.meeting.starts_at <= now,
            }
            for a in rows
        ],
        "to_approve": to_approve,
        "approve_url": reverse("worklog:meetings_list") + f"?status=submitted&chair={person.pk}",
        "list_url": reverse("worklog:meetings_list"),
    }


register_home_widget(
    HomeWidget(
        "worklog_meetings",
        gettext_lazy("My next meetings"),
        "worklog/meetings/home/next.html",
        next_meetings_context,
        applies=has_person,
        order=12,
        icon="bi-people",
        size="half",
    )
)
