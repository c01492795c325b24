"""The generated pages and API of reports, drafting runs and the rhythm's policy, and the
navigation of writing reports (my weekly report, my monthly report, the team's reports).

Reports are written on their own page (``views_reports``) and change through
``services.reports`` only: the generated pages are the list (filters, export), the detail
(with the machine's buttons: submit, accept, return for changes) and the API; no generic add,
edit or delete. Drafting runs are started from the team's page and written by the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, register
from netdept.core.services import ModelService
from netdept.worklog.machines_reports import REPORT_MACHINE
from netdept.worklog.models import DraftRun, Report, WorklogPolicy
from netdept.worklog.services import reports as report_services


class PolicyService(ModelService[WorklogPolicy]):
    """At most one site default (a policy without a department)."""

    model = WorklogPolicy

    def before_save(
        self, actor: Any, obj: WorklogPolicy, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.department_id is None:
            others = WorklogPolicy.objects.filter(department__isnull=True)
            if obj.pk:
                others = others.exclude(pk=obj.pk)
            if others.exists():
                raise ValidationError(
                    {"department": [_("There is already a default policy: choose a department.")]}
                )


def report_detail(request: HttpRequest, obj: Report) -> dict[str, Any]:
    return {
        "detail_template": "worklog/reports/detail.html",
        "write_url": reverse("worklog:report_write", args=[obj.pk]),
        "print_url": reverse("worklog:report_print", args=[obj.pk]),
        "word_url": reverse("worklog:report_word", args=[obj.pk]),
        "may_write": report_services.may_write(request.user, obj)
        and obj.status in report_services.EDITABLE,
        "closes_on": report_services.closes_on(obj),
    }


register(
    Page(
        model=Report,
        nav_group="worklog",
        nav_order=40,
        icon="bi-file-earmark-text",
        slug="reports",
        api_name="reports",
        fields=[],
        columns=[
            "kind", "person", "team", "is_team_report", "period_start", "period_end", "status",
            "submitted_at", "reviewer", "reviewed_at", "review_comment", "drafted_at",
        ],
        default_columns=["kind", "person", "period_start", "status", "submitted_at", "reviewer"],
        detail_fields=[
            "kind", "person", "team", "is_team_report", "period_start", "period_end", "status",
            "done", "in_progress", "problems", "next_plan", "carried_plan", "submitted_at",
            "reviewer", "reviewed_at", "review_comment", "drafted_at",
        ],
        filters=[
            "kind", "status", "person", "team", "is_team_report", "period_start", "reviewer",
        ],
        search=["person__name", "done", "in_progress", "problems", "next_plan"],
        select_related=["person", "team", "reviewer"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=REPORT_MACHINE,
        extra_detail=report_detail,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

register(
    Page(
        model=DraftRun,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=48,
        icon="bi-hourglass-split",
        slug="draftruns",
        api_name="draftruns",
        fields=[],
        columns=[
            "kind", "period_start", "period_end", "department", "started_by", "status", "total",
            "done", "started_at", "finished_at", "error",
        ],
        default_columns=["kind", "period_start", "department", "status", "total", "done"],
        filters=["kind", "status", "department", "period_start"],
        search=["error"],
        select_related=["department", "started_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,
    )
)  # fmt: skip

register(
    Page(
        model=WorklogPolicy,
        nav_group="worklog",
        nav_order=90,
        icon="bi-sliders",
        slug="policies",
        api_name="policies",
        fields=[
            "name", "department", "close_after_days", "review_reports",
            "task_overdue_penalty_rule", "articles", "pack", "is_active",
        ],
        columns=["name", "department", "close_after_days", "review_reports", "pack",
                 "is_active"],
        filters=["department", "review_reports", "is_active", "pack"],
        search=["name", "pack"],
        select_related=["department", "task_overdue_penalty_rule"],
        prefetch_related=["articles"],
        service=PolicyService(),
        importable=False,
    )
)  # fmt: skip

add_nav(
    "worklog",
    gettext_lazy("My weekly report"),
    "worklog:report_mine_weekly",
    "",
    "bi-calendar-week",
    20,
)
add_nav(
    "worklog",
    gettext_lazy("My monthly report"),
    "worklog:report_mine_monthly",
    "",
    "bi-calendar-month",
    21,
)
add_nav(
    "worklog",
    gettext_lazy("Team reports"),
    "worklog:report_team",
    "worklog.view_report",
    "bi-people",
    22,
)
