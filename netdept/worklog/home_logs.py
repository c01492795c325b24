"""The home page's "今日日志" widget: the signed-in person's log of today — not started, a draft
with its entries, submitted, returned for changes, accepted — and how many logs await their
review. It shows when a log is expected today (a working day, not on leave), when one exists,
or when logs await review; a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from netdept.core import permissions
from netdept.core.home import HomeWidget, register_home_widget
from netdept.worklog.models.logs import DailyLog, LogEntry, LogStatus
from netdept.worklog.services import logs

S = LogStatus


def concerned(user: Any) -> bool:
    """A person of the org chart who writes daily logs (not the auditor, the 三员 accounts or
    a requester of another department)."""
    return (
        permissions.scope_of(user, "worklog.change_dailylog") is not None
        and logs.person_of(user) is not None
    )


def today_context(request: HttpRequest) -> dict[str, Any] | None:
    me = logs.person_of(request.user)
    if me is None:
        return None
    sched = logs.schedule()
    day = logs.today(sched=sched)
    log = DailyLog.objects.filter(person=me, day=day).first()
    to_review = logs.to_review(me).order_by().count()
    expected = log is None and logs.is_expected(me, day, sched)
    if log is None and not expected and not to_review:
        return None
    entries = LogEntry.objects.filter(log=log, dismissed=False).count() if log else 0
    tone: dict[str, str] = {S.RETURNED: "warning", S.ACCEPTED: "success", S.SUBMITTED: "info"}
    tiles = [
        {
            "key": "log_today",
            "label": log.get_status_display() if log else gettext_lazy("not started"),
            "count": entries,
            "url": reverse("worklog:log_today"),
            "icon": "bi-journal-text",
            "tone": tone.get(log.status, "") if log else "danger",
            "hint": gettext_lazy("entries"),
        }
    ]
    if to_review:
        tiles.append(
            {
                "key": "logs_to_review",
                "label": gettext_lazy("Logs to review"),
                "count": to_review,
                "url": reverse("worklog:team_logs"),
                "icon": "bi-clipboard-check",
                "tone": "",
            }
        )
    return {"tiles": tiles, "log": log, "entries": entries, "day": day}


register_home_widget(
    HomeWidget(
        "worklog_log_today",
        gettext_lazy("Today's daily log"),
        "worklog/logs/home/today.html",
        today_context,
        applies=concerned,
        order=5,
        icon="bi-journal-text",
        size="half",
    )
)
