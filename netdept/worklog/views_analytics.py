"""The working rhythm's report (工作节奏统计): per person and team for a period — daily logs
submitted and on time, reports, tasks done, meeting attendance, leave days — with ECharts
charts and the Excel export. The period form is the duties reports' (``ReportForm``: this
month, last month, custom dates, a team), and so are its script for the custom dates and its
figure cards; the charts are drawn by ``worklog/analytics.js`` from the page's JSON."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.duties.views_reports import ReportForm
from netdept.worklog import analytics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _percent_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def chart_data(f: analytics.Figures) -> dict[str, Any]:
    """What ``analytics.js`` draws (labels translated here: the script holds no text)."""
    teams = [t.name or _("No team") for t in f.teams]
    return {
        "charts": [
            {
                "id": "wa-chart-logs",
                "categories": teams,
                "percent": True,
                "series": [
                    {"name": _("Daily logs on time (%)"), "color": "#1c7ed6",
                     "data": [_pct(t.on_time_rate) for t in f.teams]},
                ],
            },
            {
                "id": "wa-chart-meetings",
                "categories": teams,
                "stacked": True,
                "series": [
                    {"name": _("present"), "color": "#2f9e44",
                     "data": [t.present for t in f.teams]},
                    {"name": _("late"), "color": "#f08c00", "data": [t.late for t in f.teams]},
                    {"name": _("absent"), "color": "#c92a2a", "data": [t.absent for t in f.teams]},
                    {"name": _("excused (on leave)"), "color": "#adb5bd",
                     "data": [t.excused for t in f.teams]},
                ],
            },
            {
                "id": "wa-chart-work",
                "categories": teams,
                "series": [
                    {"name": _("Reports submitted"), "color": "#5f3dc4",
                     "data": [t.reports for t in f.teams]},
                    {"name": _("Tasks done"), "color": "#0c8599",
                     "data": [t.tasks_done for t in f.teams]},
                    {"name": _("Leave days"), "color": "#868e96",
                     "data": [t.leave_days for t in f.teams]},
                ],
            },
        ]
    }  # fmt: skip


def row_for(r: analytics.Row) -> dict[str, Any]:
    return {
        "key": r.key, "name": r.name, "team": r.team_name, "employee_no": r.employee_no,
        "logs_expected": r.logs_expected, "logs_submitted": r.logs_submitted,
        "logs_on_time": r.logs_on_time, "on_time_rate": _percent_text(r.on_time_rate),
        "reports": r.reports, "tasks_done": r.tasks_done, "present": r.present, "late": r.late,
        "absent": r.absent, "excused": r.excused,
        "attendance_rate": _percent_text(r.attendance_rate), "leave_days": r.leave_days,
    }  # fmt: skip


def _context(request: HttpRequest) -> tuple[ReportForm, analytics.Figures | None]:
    form = ReportForm(request.GET or {"period": "this_month"}, user=request.user)
    if not form.is_valid():
        return form, None
    return form, analytics.build(request.user, form.get_period(), form.cleaned_data.get("team"))


@login_required
@require_safe
def analytics_view(request: HttpRequest) -> HttpResponse:
    analytics.require(request.user)
    form, figures = _context(request)
    ctx: dict[str, Any] = {"form": form, "figures": figures}
    if figures is not None:
        ctx.update(
            total=row_for(figures.total),
            teams=[row_for(t) for t in figures.teams],
            people=[row_for(p) for p in figures.people],
            charts=chart_data(figures),
            export_query=request.GET.urlencode(),
        )
    return render(request, "worklog/reports/analytics.html", ctx, status=200 if figures else 400)


def heads() -> list[str]:
    return [
        _("Daily logs expected"), _("Daily logs submitted"), _("Daily logs on time"),
        _("On-time rate"), _("Reports submitted"), _("Tasks done"), _("present"), _("late"),
        _("absent"), _("excused (on leave)"), _("Attendance rate"), _("Leave days"),
    ]  # fmt: skip


def cells(r: analytics.Row) -> list[Any]:
    return [
        r.logs_expected, r.logs_submitted, r.logs_on_time,
        "" if r.on_time_rate is None else round(r.on_time_rate, 4), r.reports, r.tasks_done,
        r.present, r.late, r.absent, r.excused,
        "" if r.attendance_rate is None else round(r.attendance_rate, 4), r.leave_days,
    ]  # fmt: skip


def workbook(f: analytics.Figures) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    people = wb.active
    assert people is not None
    people.title = str(_("People"))[:31]
    people.append([_("Team"), _("Name"), _("Employee number"), *heads()])
    for p in f.people:
        people.append([p.team_name, p.name, p.employee_no, *cells(p)])
    teams = wb.create_sheet(str(_("Teams"))[:31])
    teams.append([_("Team"), *heads()])
    for t in f.teams:
        teams.append([t.name or _("No team"), *cells(t)])
    teams.append([_("Total"), *cells(f.total)])
    for ws, rate_cols in ((people, ("G", "N")), (teams, ("E", "L"))):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col in rate_cols:
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if cell.column_letter == col and cell.value != "":
                        cell.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@login_required
@require_safe
def analytics_export(request: HttpRequest) -> HttpResponse:
    analytics.require(request.user)
    form, figures = _context(request)
    if figures is None:
        return render(request, "worklog/reports/analytics.html", {"form": form}, status=400)
    audit.record(
        AuditAction.EXPORT, None, actor=request.user, object_type_label="worklog.analytics",
        object_repr="", extra={"format": "xlsx", "first": str(figures.period.first),
                               "last": str(figures.period.last)},
    )  # fmt: skip
    response = HttpResponse(workbook(figures), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="worklog-{figures.period.first:%Y%m%d}-'
        f'{figures.period.last:%Y%m%d}.xlsx"'
    )
    return response
