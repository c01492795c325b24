"""The pages of writing and reviewing reports, phone first (390 px, one column):

- 我的周报 / 我的月报 (``worklog:report_mine_weekly`` / ``_monthly``): the period's report,
  drafted when first opened, then its writing page;
- writing a report (``worklog:report_write``): done / in progress / problems / next period's
  plan, last period's plan beside them, the figures; save, draft again (keeps what was
  written), submit — the reviewer's comment shown when it was returned;
- the print page (A4) and the same page as a Word document (``.doc``);
- the team's reports (``worklog:report_team``): who has written and submitted the period's
  report, 待我审阅, the team lead's roll-up, drafting everyone's reports in the background
  (the page polls the run's progress), the Excel export of the period.

Who may open a report: its person, its reviewer, whoever stands above the person, and
whoever holds the view permission within their scope; anyone else 403 (audited) without the
permission, 404 with it. Thin: every change is ``services.reports``'.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from netdept.approvals.visibility import find_visible
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.org.models import Person, Team
from netdept.worklog.forms_reports import PeriodForm, ReportWriteForm
from netdept.worklog.models import DraftRun, LogStatus, Report, ReportKind
from netdept.worklog.services import drafting as drafting_services
from netdept.worklog.services import reports as services

VIEW = "worklog.view_report"
S = LogStatus
STATUS_CSS: dict[str, str] = {
    S.DRAFT: "text-bg-secondary",
    S.SUBMITTED: "text-bg-primary",
    S.RETURNED: "text-bg-warning",
    S.ACCEPTED: "text-bg-success",
}


def _deny(user: Any, obj: Any, perm: str) -> None:
    audit.record(
        AuditAction.DENIED,
        obj,
        actor=user,
        extra={"permission": perm},
        object_type_label=None if obj is not None else "worklog.report",
        object_repr="" if obj is None else None,
    )


def involved(user: Any) -> Q:
    """The reports ``user`` is concerned by without any permission: their own, those they
    review, those of the team they lead."""
    me = services.person_of(user)
    if me is None:
        return Q(pk__in=[])
    return Q(person=me) | Q(reviewer=me) | Q(person__team__lead=me)


def visible_report(request: HttpRequest, pk: int) -> Report:
    """The report if the user may read it; 403 (audited) without any right, else 404."""
    qs = Report.objects.select_related("person", "person__team", "team", "reviewer")
    report: Report = find_visible(qs, request.user, pk, involved(request.user), VIEW)
    return report


def _me(request: HttpRequest) -> Person:
    me = services.person_of(request.user)
    if me is None:
        raise PermissionDenied(_("Your account is not linked to a person of the organisation."))
    return me


# --- my report -------------------------------------------------------------------------------
@login_required
@require_safe
def mine_weekly(request: HttpRequest) -> HttpResponse:
    return _mine(request, ReportKind.WEEKLY)


@login_required
@require_safe
def mine_monthly(request: HttpRequest) -> HttpResponse:
    return _mine(request, ReportKind.MONTHLY)


def parse_day(value: str) -> dt.date:
    """A day from a query (YYYY-MM-DD); today when absent or not a day."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return timezone.localdate()


def _mine(request: HttpRequest, kind: str) -> HttpResponse:
    me = _me(request)
    day = parse_day(request.GET.get("day", ""))
    report = services.open_report(me, kind, day, by=request.user)
    return HttpResponseRedirect(reverse("worklog:report_write", args=[report.pk]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def write(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_report(request, pk)
    if not services.may_write(request.user, report):
        return HttpResponseRedirect(reverse("worklog:reports_detail", args=[report.pk]))
    editable = report.status in services.EDITABLE
    form = ReportWriteForm(
        initial={
            "done": report.done,
            "in_progress": report.in_progress,
            "problems": report.problems,
            "next_plan": report.next_plan,
            "expected_version": report.version,
        }
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = ReportWriteForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.WRITTEN}
            version = form.cleaned_data.get("expected_version")
            try:
                if action == "submit":
                    services.submit(request.user, report, data, expected_version=version)
                    messages.success(request, _("Submitted."))
                elif action == "redraft":
                    report = services.write(request.user, report, data, expected_version=version)
                    services.redraft(request.user, report)
                    messages.success(request, _("Drafted again; what you wrote is kept."))
                else:
                    services.write(request.user, report, data, expected_version=version)
                    messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("worklog:report_write", args=[report.pk]))
            except ValidationError as exc:
                _apply_errors(form, exc)
        status = 422
    return render(
        request,
        "worklog/reports/write.html",
        {
            "report": report,
            "form": form,
            "editable": editable,
            "status_css": STATUS_CSS.get(report.status, "text-bg-secondary"),
            "closes_on": services.closes_on(report),
            "figures": _figures(report),
            "detail_url": reverse("worklog:reports_detail", args=[report.pk]),
        },
        status=status,
    )


def _apply_errors(form: ReportWriteForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _figures(report: Report) -> list[tuple[str, Any]]:
    f = report.figures or {}
    out: list[tuple[str, Any]] = []
    for key, label in (
        ("working_days", _("working days")),
        ("logs_submitted", _("daily logs submitted")),
        ("leave_days", _("days on leave")),
        ("done", _("items done")),
        ("in_progress", _("in progress")),
        ("problems", _("problems")),
    ):
        if key in f:
            out.append((label, f[key]))
    minutes = f.get("minutes")
    if isinstance(minutes, int) and minutes:
        out.append((_("hours recorded"), round(minutes / 60, 1)))
    return out


def _field_label(name: str) -> Any:
    field: Any = Report._meta.get_field(name)
    return field.verbose_name


# --- print and Word ----------------------------------------------------------------------------
def _print_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "figures": _figures(report),
        "printed_at": timezone.localtime(),
        "sections": [
            (_field_label(n), getattr(report, n))
            for n in ("carried_plan", "done", "in_progress", "problems", "next_plan")
        ],
    }


@login_required
@require_safe
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_report(request, pk)
    return render(request, "worklog/reports/print.html", _print_context(request, report))


def _word_css() -> str:
    """The print page's style, inline: Word reads no linked stylesheet (a download is no page
    of ours, so the content security policy does not apply to it)."""
    path = finders.find("worklog/print.css")
    css = Path(str(path)).read_text(encoding="utf-8") if path else ""
    return format_html("<style>{}</style>", mark_safe(css))  # noqa: S308 — our own static file


@login_required
@require_safe
def word_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The print page as a Word document (Word opens HTML saved as ``.doc``)."""
    report = visible_report(request, pk)
    ctx = {**_print_context(request, report), "word": True, "word_css": _word_css()}
    response = render(request, "worklog/reports/print.html", ctx)
    response["Content-Type"] = "application/msword; charset=utf-8"
    name = f"report-{report.person.employee_no}-{report.period_start:%Y%m%d}.doc"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(AuditAction.EXPORT, report, actor=request.user, extra={"format": "doc"})
    return response


# --- the team's reports --------------------------------------------------------------------------
def teams_for(user: Any) -> QuerySet[Team]:
    """The teams whose reports the user follows: every team in their scope when they read
    reports beyond their team (a department head, the director), else those they lead and,
    reading their team's reports, their own team."""
    scope = permissions.scope_of(user, VIEW)
    if scope in ("all", "department"):
        return permissions.restrict(Team.objects.filter(is_active=True), user, "view").order_by(
            "name"
        )
    me = services.person_of(user)
    if me is None:
        return Team.objects.none()
    mine = Q(lead=me) | (Q(pk=me.team_id) if scope == "team" and me.team_id else Q(pk__in=[]))
    return Team.objects.filter(mine, is_active=True).order_by("name")


def _team_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    teams = teams_for(user)
    form = PeriodForm(request.GET or None, teams=teams)
    kind, day, team = ReportKind.WEEKLY.value, timezone.localdate(), None
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        day = form.cleaned_data["day"]
        team = form.cleaned_data.get("team")
    if team is None:
        team = teams.first()
    period = services.period_of(kind, day)
    if not form.is_bound:
        form = PeriodForm(initial={"kind": kind, "day": day, "team": team}, teams=teams)
    rows: list[dict[str, Any]] = []
    team_report = None
    if team is not None:
        members = list(Person.objects.filter(team=team, is_active=True).order_by("name", "pk"))
        reports = {
            r.person_id: r
            for r in permissions.restrict(
                Report.objects.filter(
                    kind=kind,
                    period_start=period.first,
                    is_team_report=False,
                    person_id__in=[p.pk for p in members],
                ),
                user,
                "view",
            )
        }
        for p in members:
            r = reports.get(p.pk)
            rows.append(
                {
                    "person": p,
                    "report": r,
                    "css": STATUS_CSS.get(r.status, "") if r else "",
                }
            )
        team_report = Report.objects.filter(
            kind=kind, team=team, period_start=period.first, is_team_report=True
        ).first()
    me = services.person_of(user)
    run = (
        DraftRun.objects.filter(kind=kind, period_start=period.first)
        .order_by("-created_at")
        .first()
    )
    return {
        "form": form,
        "team": team,
        "teams": teams,
        "kind": kind,
        "period": period,
        "rows": rows,
        "submitted": sum(1 for r in rows if r["report"] and r["report"].submitted_at),
        "team_report": team_report,
        "is_lead": team is not None and me is not None and team.lead_id == me.pk,
        "to_review": list(services.awaiting_review(me)[:50]),
        "run": run,
        "may_start": drafting_services.may_start_for(user),
        "query": request.GET.urlencode(),
    }


@login_required
@require_safe
def team(request: HttpRequest) -> HttpResponse:
    if permissions.scope_of(request.user, VIEW) is None:
        _deny(request.user, None, VIEW)
        raise PermissionDenied(VIEW)
    return render(request, "worklog/reports/team.html", _team_context(request))


@login_required
@require_POST
def team_report(request: HttpRequest) -> HttpResponse:
    teams = teams_for(request.user)
    form = PeriodForm(request.POST, teams=teams)
    if not form.is_valid() or form.cleaned_data.get("team") is None:
        messages.error(request, _("Choose the team and the period."))
        return HttpResponseRedirect(reverse("worklog:report_team"))
    report = services.open_team_report(
        request.user, form.cleaned_data["team"], form.cleaned_data["kind"], form.cleaned_data["day"]
    )
    return HttpResponseRedirect(reverse("worklog:report_write", args=[report.pk]))


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST, teams=Team.objects.none())
    if not form.is_valid():
        messages.error(request, _("Choose the period."))
        return HttpResponseRedirect(reverse("worklog:report_team"))
    if not drafting_services.may_start_for(request.user):
        _deny(request.user, None, drafting_services.START_PERMISSION)
        raise PermissionDenied(drafting_services.START_PERMISSION)
    me = services.person_of(request.user)
    department = None
    if permissions.scope_of(request.user, drafting_services.START_PERMISSION) != "all":
        department = me.department if me is not None else None
    run = drafting_services.start_run(
        request.user, kind=form.cleaned_data["kind"], day=form.cleaned_data["day"],
        department=department,
    )  # fmt: skip
    messages.success(request, _("Drafting started: the page shows its progress."))
    query = f"?kind={run.kind}&day={run.period_start:%Y-%m-%d}"
    return HttpResponseRedirect(reverse("worklog:report_team") + query)


@login_required
@require_safe
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress bar (htmx polls it while the run is queued or running)."""
    me = services.person_of(request.user)
    run = DraftRun.objects.filter(pk=pk, started_by=me).first() if me is not None else None
    if run is None:
        run = permissions.restrict(DraftRun.objects.filter(pk=pk), request.user, "view").first()
    if run is None:
        raise Http404
    return render(request, "worklog/reports/_run.html", {"run": run})


@login_required
@require_safe
def team_export(request: HttpRequest) -> HttpResponse:
    """The team's reports of the period, one row a person, in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    if permissions.scope_of(request.user, VIEW) is None:
        _deny(request.user, None, VIEW)
        raise PermissionDenied(VIEW)
    ctx = _team_context(request)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(_("Reports"))[:31]

    def f(name: str) -> Any:
        return Report._meta.get_field(name)

    heads = [
        _("person"), _("employee number"), _("status"), str(f("submitted_at").verbose_name),
        str(f("done").verbose_name), str(f("in_progress").verbose_name),
        str(f("problems").verbose_name), str(f("next_plan").verbose_name),
        str(f("review_comment").verbose_name),
    ]  # fmt: skip
    ws.append([str(h) for h in heads])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ctx["rows"]:
        r: Report | None = row["report"]
        p: Person = row["person"]
        ws.append(
            [
                p.name, p.employee_no, r.get_status_display() if r else str(_("not drafted")),
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")
                if r and r.submitted_at else "",
                r.done if r else "", r.in_progress if r else "", r.problems if r else "",
                r.next_plan if r else "", r.review_comment if r else "",
            ]
        )  # fmt: skip
    for col, width in zip("ABCDEFGHI", (10, 12, 10, 17, 60, 40, 30, 40, 30), strict=True):
        ws.column_dimensions[col].width = width
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    team_obj = ctx["team"]
    audit.record(
        AuditAction.EXPORT, team_obj, actor=request.user,
        extra={"format": "xlsx", "what": "worklog.report", "period": str(ctx["period"].first)},
    )  # fmt: skip
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="reports-{ctx["kind"]}-{ctx["period"].first:%Y%m%d}.xlsx"'
    )
    return response
