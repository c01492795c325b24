"""The generated pages and API of daily logs and their entries, and the navigation of writing
them (我的日志, the team's logs).

Logs are written through ``services.logs`` only (drafted when opened, edited on the log's
page, submitted and reviewed by the machine's buttons): the generated pages and endpoints
list, filter, export and read them. A log's page is the phone page of ``views_logs`` (it takes
the generic detail path ``logs/<pk>/``); the generic list is the lead's list of logs with its
filters (day, status, person, team).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, register
from netdept.worklog.machines_logs import LOG_MACHINE
from netdept.worklog.models.logs import DailyLog, LogEntry

register(
    Page(
        model=DailyLog,
        nav_group="worklog",
        nav_order=12,
        icon="bi-journal-text",
        slug="logs",
        api_name="logs",
        fields=[],
        columns=[
            "day", "person", "team", "status", "minutes", "summary", "problems", "plan",
            "submitted_at", "reviewer", "reviewed_at", "review_comment", "drafted_at",
        ],
        default_columns=["day", "person", "team", "status", "minutes", "submitted_at",
                         "reviewer"],
        detail_fields=[
            "day", "person", "team", "status", "minutes", "summary", "problems", "plan",
            "drafted_at", "submitted_at", "reviewer", "reviewed_at", "review_comment",
        ],
        filters=["day", "status", "person", "team", "reviewer", "submitted_at"],
        search=["person__name", "summary", "problems", "plan"],
        select_related=["person", "team", "reviewer"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=LOG_MACHINE,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

register(
    Page(
        model=LogEntry,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=14,
        icon="bi-list-ul",
        slug="log-entries",
        api_name="log-entries",
        fields=[],
        columns=["log", "text", "minutes", "state", "source", "record_type", "record_id", "at",
                 "dismissed"],
        default_columns=["log", "text", "minutes", "state", "source"],
        filters=["log", "state", "source", "dismissed", "record_type"],
        search=["text", "log__person__name"],
        select_related=["log", "log__person", "record_type"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

add_nav(
    "worklog",
    _("My daily log"),
    "worklog:log_today",
    "worklog.view_dailylog",
    "bi-pencil-square",
    10,
)
add_nav(
    "worklog", _("Team daily logs"), "worklog:team_logs", "worklog.view_dailylog", "bi-people", 11
)
