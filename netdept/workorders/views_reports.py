"""Service reports: figures per team and per person, charts, Excel, the printable monthly report.

Everything is computed by ``netdept.workorders.reports`` on the orders the reader may see
(``permissions.restrict`` first, then aggregates): a team lead sees their team(s) only.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from netdept.core import audit, permissions
from netdept.core import services as core_services
from netdept.core.context_processors import add_nav
from netdept.core.export import XLSX_TYPE, safe_cell, sheet_title
from netdept.core.models.audit import AuditAction
from netdept.org.models import Department, DepartmentKind, Team
from netdept.workorders import reports
from netdept.workorders.models import WorkOrder

add_nav(
    "workorders",
    gettext_lazy("Service reports"),
    "workorders:reports_home",
    "workorders.view_internal_comment",  # staff and auditors; a requester files, not reports
    "bi-graph-up",
    30,
)

MAX_DAYS = 731
#: The years a report may cover (a custom period or a month).
FIRST_YEAR, LAST_YEAR = 2000, 2100
VIEW_PERM = "workorders.view_workorder"


# --- input -----------------------------------------------------------------------------------


def teams_for(user: Any) -> Any:
    """The teams a reader may pick: their own at team scope, every team otherwise."""
    qs = Team.objects.select_related("department").order_by("department__code", "name")
    if permissions.scope_of(user, VIEW_PERM) == permissions.TEAM:
        q = permissions.scope_q(Team, user, permissions.TEAM)
        return qs.filter(q) if q is not None else qs.none()
    return qs


class ReportForm(forms.Form):
    PERIODS = [
        ("this_month", gettext_lazy("This month")),
        ("last_month", gettext_lazy("Last month")),
        ("custom", gettext_lazy("Custom")),
    ]
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_for(user)  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or "this_month"
        data["period"] = kind
        if kind == "custom":
            for name in ("start", "end"):
                day = data.get(name)
                if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                    self.add_error(
                        name,
                        _("Enter a date in the years %(first)s to %(last)s.")
                        % {"first": FIRST_YEAR, "last": LAST_YEAR},
                    )
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day of the period."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day of the period."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The last day cannot be before the first day."))
                elif (end - start).days + 1 > MAX_DAYS:
                    self.add_error(
                        "end", _("A period can be at most %(days)s days.") % {"days": MAX_DAYS}
                    )
        return data

    def get_period(self) -> reports.Period:
        kind = self.cleaned_data["period"]
        if kind == "last_month":
            return reports.Period.last_month()
        if kind == "custom":
            return reports.Period.days(self.cleaned_data["start"], self.cleaned_data["end"])
        return reports.Period.this_month()


def parse_month(value: str | None) -> tuple[int, int] | None:
    """``"2026-11"`` → (2026, 11); None when not a month."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
    except ValueError:
        return None
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return year, month


# --- presentation ----------------------------------------------------------------------------


def duration_text(delta: datetime.timedelta | None) -> str:
    """2 d 3 h · 2 h 10 min · 5 min · — ."""
    if delta is None:
        return "—"
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)s min") % {"minutes": mins}


def percent_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def hours(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def row_for(fig: reports.Figures) -> dict[str, Any]:
    """One table row, display-ready."""
    return {
        "key": fig.key,
        "name": fig.name,
        "team_name": fig.team_name,
        "received": fig.received,
        "resolved": fig.resolved,
        "response_avg": duration_text(fig.response_avg),
        "response_median": duration_text(fig.response_median),
        "resolution_avg": duration_text(fig.resolution_avg),
        "resolution_median": duration_text(fig.resolution_median),
        "response_compliance": percent_text(fig.response_compliance),
        "resolution_compliance": percent_text(fig.resolution_compliance),
        "sla_compliance": percent_text(fig.sla_compliance),
        "reopen_rate": percent_text(fig.reopen_rate),
        "rated": fig.rated,
        "rating_avg": "—" if fig.rating_avg is None else f"{fig.rating_avg:.2f}",
        "ratings": [fig.ratings[r] for r in reports.RATINGS],
    }


def chart_data(report: reports.Report) -> dict[str, Any]:
    """What ``reports.js`` draws; labels are translated here so the script holds no text."""
    return {
        "daily": {
            "dates": [d["date"].isoformat() for d in report.days],
            "received": [d["received"] for d in report.days],
            "resolved": [d["resolved"] for d in report.days],
            "labels": {"received": _("Received"), "resolved": _("Resolved")},
        },
        "sla": {
            "teams": [t.name or _("No team") for t in report.teams],
            "response": [_pct(t.response_compliance) for t in report.teams],
            "resolution": [_pct(t.resolution_compliance) for t in report.teams],
            "labels": {
                "response": _("Response compliance (%)"),
                "resolution": _("Resolution compliance (%)"),
            },
        },
        "satisfaction": {
            "stars": [_("%(n)s stars") % {"n": r} for r in reports.RATINGS],
            "counts": [report.total.ratings[r] for r in reports.RATINGS],
            "label": _("Ratings"),
        },
    }


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _require(request: HttpRequest) -> None:
    """Reports are the department's own figures: staff and auditors (who read internal notes),
    not the requesters who hold a view of their own orders only."""
    core_services.require(request.user, "view", WorkOrder)
    if not permissions.has_perm(request.user, "workorders.view_internal_comment"):
        raise PermissionDenied


# --- views -----------------------------------------------------------------------------------


@login_required
@require_safe
def reports_home(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = ReportForm(request.GET or {"period": "this_month"}, user=request.user)
    context: dict[str, Any] = {"form": form, "report": None}
    if form.is_valid():
        period = form.get_period()
        report = reports.build(request.user, period, team=form.cleaned_data.get("team"))
        context.update(
            report=report,
            total=row_for(report.total),
            teams=[row_for(t) for t in report.teams],
            people=[row_for(p) for p in report.people],
            charts=chart_data(report),
            stars=reports.RATINGS,
            export_query=request.GET.urlencode(),
        )
    status = 200 if form.is_valid() else 400
    return render(request, "workorders/reports/home.html", context, status=status)


@login_required
@require_safe
def reports_export(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = ReportForm(request.GET or {"period": "this_month"}, user=request.user)
    if not form.is_valid():
        return render(
            request, "workorders/reports/home.html", {"form": form, "report": None}, status=400
        )
    period = form.get_period()
    team = form.cleaned_data.get("team")
    report = reports.build(request.user, period, team=team)
    body = workbook(report)
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label="workorders.report",
        object_repr=_("Service report"),
        extra={
            "format": "xlsx",
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "team": team.pk if team else None,
            "rows": len(report.teams) + len(report.people),
        },
    )
    resp = HttpResponse(body, content_type=XLSX_TYPE)
    name = f"service-report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
@require_safe
def reports_monthly(request: HttpRequest) -> HttpResponse:
    _require(request)
    error = ""
    raw = request.GET.get("month")
    if raw:
        parsed = parse_month(raw)
        if parsed is None:
            error = _("Enter a month as YYYY-MM, for example 2026-11.")
            parsed = _default_month()
    else:
        parsed = _default_month()
    year, month = parsed
    period = reports.Period.month(year, month)
    previous = period.previous_month()
    qs = reports.visible(request.user)
    now = timezone.now()
    report = reports.build(request.user, period, now=now)
    before = reports.summary(qs, previous, now)
    root = Department.objects.filter(parent__isnull=True).order_by("code").first()
    network = Department.objects.filter(kind=DepartmentKind.NETWORK).order_by("code").first()
    context = {
        "error": error,
        "month": f"{year:04d}-{month:02d}",
        "year": year,
        "month_number": month,
        "period": period,
        "report": report,
        "total": row_for(report.total),
        "previous": row_for(before),
        "teams": [row_for(t) for t in report.teams],
        "people": [row_for(p) for p in report.people if p.key is not None],
        "stars": reports.RATINGS,
        "majors": reports.major_incidents(qs, period),
        "organisation": root.name if root else "",
        "department": network.name if network and network != root else "",
        "generated_at": now,
    }
    return render(request, "workorders/reports/monthly.html", context, status=400 if error else 200)


def _default_month() -> tuple[int, int]:
    """Last month: the report the director prints at the start of a month."""
    first = reports.Period.last_month().first
    return first.year, first.month


# --- Excel -----------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    """A cell of the workbook: control characters shown, formulas quoted (``core.export``)."""
    return safe_cell(value)


def _share(value: float | None) -> Any:
    return "" if value is None else round(value, 4)


FIGURE_HEADERS = [
    gettext_lazy("Received"),
    gettext_lazy("Resolved"),
    gettext_lazy("First response, average (h)"),
    gettext_lazy("First response, median (h)"),
    gettext_lazy("Resolution, average (h)"),
    gettext_lazy("Resolution, median (h)"),
    gettext_lazy("Response compliance"),
    gettext_lazy("Resolution compliance"),
    gettext_lazy("SLA compliance"),
    gettext_lazy("Reopen rate"),
    gettext_lazy("Ratings"),
    gettext_lazy("Average rating"),
]


def _figure_cells(fig: reports.Figures) -> list[Any]:
    return [
        fig.received,
        fig.resolved,
        hours(fig.response_avg),
        hours(fig.response_median),
        hours(fig.resolution_avg),
        hours(fig.resolution_median),
        _share(fig.response_compliance),
        _share(fig.resolution_compliance),
        _share(fig.sla_compliance),
        _share(fig.reopen_rate),
        fig.rated,
        None if fig.rating_avg is None else round(fig.rating_avg, 2),
        *(fig.ratings[r] for r in reports.RATINGS),
    ]


def workbook(report: reports.Report) -> bytes:
    """Four sheets: summary, teams, people, daily."""
    stars = [_("%(n)s stars") % {"n": r} for r in reports.RATINGS]
    heads = [str(h) for h in FIGURE_HEADERS] + stars
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Summary"))
    ws.append(
        [_("Period"), f"{report.period.first.isoformat()} – {report.period.last.isoformat()}"]
    )
    for head, value in zip(heads, _figure_cells(report.total), strict=True):
        ws.append([head, _safe(value)])
    _widths(ws, [32, 24])

    ws = wb.create_sheet(sheet_title(_("Teams")))
    ws.append([_("Team"), *heads])
    for t in report.teams:
        ws.append([_safe(t.name or _("No team")), *(_safe(v) for v in _figure_cells(t))])
    _widths(ws, [20] + [14] * len(heads))

    ws = wb.create_sheet(sheet_title(_("People")))
    ws.append([_("Assignee"), _("Team"), *heads])
    for p in report.people:
        ws.append(
            [
                _safe(p.name or _("Nobody yet")),
                _safe(p.team_name),
                *(_safe(v) for v in _figure_cells(p)),
            ]
        )
    _widths(ws, [16, 16] + [14] * len(heads))

    ws = wb.create_sheet(sheet_title(_("Daily")))
    ws.append([_("Date"), _("Received"), _("Resolved")])
    for d in report.days:
        ws.append([d["date"], d["received"], d["resolved"]])
    for row in ws.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _widths(ws, [12, 10, 10])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _widths(ws: Any, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
