"""Compliance reports and monthly statements: pages, the printable statement, Excel.

Everything is computed by ``netdept.duties.reports`` and ``netdept.duties.services.statements``
on the rows the reader may see (``permissions.restrict`` first, then aggregates): an engineer
reads the statements within their scope, a team lead their team's, the director everybody's.
Penalties and rewards are separate columns everywhere (功过不能相抵).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from netdept.core import audit
from netdept.core.context_processors import add_nav
from netdept.core.export import XLSX_TYPE, safe_cell, sheet_title
from netdept.core.models.audit import AuditAction
from netdept.duties import reports
from netdept.duties.services import statements
from netdept.org.models import Department, DepartmentKind, Person, Team

add_nav(
    "duties",
    gettext_lazy("Compliance reports"),
    "duties:reports",
    "duties.view_occurrence",
    "bi-graph-up",
    80,
)
add_nav(
    "duties",
    gettext_lazy("Monthly statements"),
    "duties:statement",
    "duties.view_penalty",
    "bi-receipt",
    81,
)


#: the longest list of people the statement form offers (choose a team first beyond it)
MAX_PERSON_OPTIONS = 200


# --- input -----------------------------------------------------------------------------------


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        f.widget.attrs.setdefault(
            "class",
            "form-select" if isinstance(f.widget, forms.Select) else "form-control",
        )


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
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = reports.teams_for(user)
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or "this_month"
        data["period"] = kind
        if kind != "custom":
            return data
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not statements.FIRST_YEAR <= day.year <= statements.LAST_YEAR:
                self.add_error(
                    name,
                    _("Enter a date in the years %(first)s to %(last)s.")
                    % {"first": statements.FIRST_YEAR, "last": statements.LAST_YEAR},
                )
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Enter the first day of the period."))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Enter the last day of the period."))
        if start and end:
            if end < start:
                self.add_error("end", _("The last day cannot be before the first day."))
            elif (end - start).days + 1 > reports.MAX_DAYS:
                self.add_error(
                    "end", _("A period can be at most %(days)s days.") % {"days": reports.MAX_DAYS}
                )
        return data

    def get_period(self) -> reports.Period:
        kind = self.cleaned_data["period"]
        today = timezone.localdate()
        if kind == "last_month":
            return reports.Period.month(today.replace(day=1) - datetime.timedelta(days=1))
        if kind == "custom":
            return reports.Period.days(self.cleaned_data["start"], self.cleaned_data["end"])
        return reports.Period.month(today)


class StatementForm(forms.Form):
    """Which statement: a month, and a person or a team (neither: everybody the reader sees)."""

    month = forms.CharField(label=gettext_lazy("Month"), required=False, max_length=7)
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("Everybody"),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = statements.visible_people(user).select_related("team").order_by("employee_no")
        person_field = self.fields["person"]
        team_field = self.fields["team"]
        assert isinstance(person_field, forms.ModelChoiceField)
        assert isinstance(team_field, forms.ModelChoiceField)
        person_field.queryset = people  # what is accepted: anybody the reader may see
        team_field.queryset = Team.objects.filter(
            pk__in=people.exclude(team=None).values("team")
        ).order_by("name")
        self.fields["month"].widget.attrs["type"] = "month"
        person_field.widget.choices = self._person_options(people)
        _styled(self)

    def _person_options(self, people: QuerySet[Person]) -> list[tuple[Any, str]]:
        """What the person list offers: the chosen team's members, or everybody when they are
        few; otherwise the chosen person alone (choose a team first) — a director's list of a
        thousand names would be neither usable on a phone nor quick."""
        raw_team, raw_person = self.data.get("team"), self.data.get("person")
        shown = people
        if raw_team and str(raw_team).isdecimal():
            shown = people.filter(team_id=int(raw_team))
        elif people.count() > MAX_PERSON_OPTIONS:
            chosen = int(raw_person) if raw_person and str(raw_person).isdecimal() else None
            shown = people.filter(pk=chosen) if chosen else people.none()
        options: list[tuple[Any, str]] = [("", str(_("Everybody")))]
        for pk, name, number in shown.values_list("pk", "name", "employee_no")[:MAX_PERSON_OPTIONS]:
            options.append((pk, f"{name} ({number})"))
        return options

    def clean_month(self) -> datetime.date:
        raw = self.cleaned_data.get("month") or ""
        if not raw:
            return timezone.localdate().replace(day=1)
        month = statements.parse_month(raw)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-11."))
        return month


def default_statement_query(request: HttpRequest) -> dict[str, str]:
    """With nothing asked: the reader's own statement of this month (when they have one)."""
    person = getattr(request.user, "person", None)
    query = {"month": timezone.localdate().strftime("%Y-%m")}
    if person is not None and statements.visible_people(request.user).filter(pk=person.pk).exists():
        query["person"] = str(person.pk)
    return query


# --- presentation ----------------------------------------------------------------------------


def yuan(value: Decimal | None) -> str:
    """¥1,234.50; "—" for none (a penalty without money)."""
    return "—" if value is None else f"¥{value:,.2f}"


def percent_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def row_for(f: reports.Figures) -> dict[str, Any]:
    """One table row, display-ready: fines and rewards in their own cells."""
    return {
        "key": f.key,
        "name": f.name,
        "team_name": f.team_name,
        "employee_no": f.employee_no,
        "due": f.due,
        "on_time": f.on_time,
        "late": f.late,
        "missed": f.missed,
        "excused": f.excused,
        "open": f.open,
        "compliance_rate": percent_text(f.compliance_rate),
        "violations": f.violations,
        "penalties": f.penalties,
        "fines": yuan(f.fines),
        "fines_open": yuan(f.fines_open) if f.fines_open else "",
        "rewards": f.rewards,
        "reward_amount": yuan(f.reward_amount),
    }


def chart_data(report: reports.Report) -> dict[str, Any]:
    """What ``reports.js`` draws; labels translated here so the script holds no text.
    Fines and rewards are two series, never one."""
    return {
        "daily": {
            "dates": [d["date"].isoformat() for d in report.days],
            "on_time": [d["on_time"] for d in report.days],
            "late": [d["late"] for d in report.days],
            "missed": [d["missed"] for d in report.days],
            "open": [d["open"] for d in report.days],
            "labels": {
                "on_time": _("Done on time"),
                "late": _("Done late"),
                "missed": _("Missed"),
                "open": _("Still open"),
            },
        },
        "compliance": {
            "teams": [t.name or _("No team") for t in report.teams],
            "rates": [_pct(t.compliance_rate) for t in report.teams],
            "label": _("Compliance rate (%)"),
        },
        "ledgers": {
            "teams": [t.name or _("No team") for t in report.teams],
            "fines": [float(t.fines) for t in report.teams],
            "rewards": [float(t.reward_amount) for t in report.teams],
            "labels": {"fines": _("Fines in effect (¥)"), "rewards": _("Rewards (¥)")},
        },
    }


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _organisation() -> tuple[str, str]:
    root = Department.objects.filter(parent__isnull=True).order_by("code").first()
    network = Department.objects.filter(kind=DepartmentKind.NETWORK).order_by("code").first()
    return (root.name if root else "", network.name if network and network != root else "")


def _require_reports(request: HttpRequest) -> None:
    if not reports.may_report(request.user):
        audit.record(
            AuditAction.DENIED,
            None,
            actor=request.user,
            extra={"permission": "duties.view_occurrence"},
            object_type_label="duties.report",
            object_repr="",
        )
        raise PermissionDenied


def _require_statements(request: HttpRequest) -> None:
    if not statements.may_read(request.user):
        audit.record(
            AuditAction.DENIED,
            None,
            actor=request.user,
            extra={"permission": statements.VIEW_PENALTY},
            object_type_label="duties.statement",
            object_repr="",
        )
        raise PermissionDenied


# --- compliance report -----------------------------------------------------------------------


@login_required
@require_safe
def compliance(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    form = ReportForm(request.GET or {"period": "this_month"}, user=request.user)
    context: dict[str, Any] = {"form": form, "report": None}
    if form.is_valid():
        report = reports.build(request.user, form.get_period(), team=form.cleaned_data.get("team"))
        context.update(
            report=report,
            total=row_for(report.total),
            teams=[row_for(t) for t in report.teams],
            people=[row_for(p) for p in report.people],
            charts=chart_data(report),
            export_query=request.GET.urlencode(),
        )
    status = 200 if form.is_valid() else 400
    return render(request, "duties/reports/compliance.html", context, status=status)


@login_required
@require_safe
def compliance_export(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    form = ReportForm(request.GET or {"period": "this_month"}, user=request.user)
    if not form.is_valid():
        return render(
            request, "duties/reports/compliance.html", {"form": form, "report": None}, status=400
        )
    period = form.get_period()
    team = form.cleaned_data.get("team")
    report = reports.build(request.user, period, team=team)
    body = compliance_workbook(report)
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label="duties.report",
        object_repr=_("Compliance report"),
        extra={
            "format": "xlsx",
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "team": team.pk if team else None,
            "rows": len(report.people),
        },
    )
    name = f"duty-compliance-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    return _xlsx(body, name)


def _xlsx(body: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(body, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# --- statements ------------------------------------------------------------------------------


def _statement_context(request: HttpRequest) -> tuple[StatementForm, dict[str, Any]]:
    """The form and what the statement pages show; 404 for a person or team not visible
    (the form's choices are the visible ones: an id outside them is a 400 naming the field)."""
    data = request.GET if request.GET else default_statement_query(request)
    form = StatementForm(data, user=request.user)
    context: dict[str, Any] = {"form": form, "person_statement": None, "team_statement": None}
    if not form.is_valid():
        return form, context
    month: datetime.date = form.cleaned_data["month"]
    person: Person | None = form.cleaned_data.get("person")
    team: Team | None = form.cleaned_data.get("team")
    context["month"] = month
    context["query"] = _query(month, person, team)
    if person is not None:  # among the form's choices: within the reader's scope
        context["person_statement"] = statements.person_statement(person, month, user=request.user)
    else:
        context["team_statement"] = statements.team_statement(request.user, month, team=team)
    return form, context


def _query(month: datetime.date, person: Person | None, team: Team | None) -> str:
    parts = [f"month={month:%Y-%m}"]
    if person is not None:
        parts.append(f"person={person.pk}")
    if team is not None:
        parts.append(f"team={team.pk}")
    return "&".join(parts)


@login_required
@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    _require_statements(request)
    form, context = _statement_context(request)
    status = 200 if form.is_valid() else 400
    return render(request, "duties/reports/statement.html", context, status=status)


@login_required
@require_safe
def statement_print(request: HttpRequest) -> HttpResponse:
    _require_statements(request)
    form, context = _statement_context(request)
    if not form.is_valid():
        return render(request, "duties/reports/statement.html", context, status=400)
    organisation, department = _organisation()
    context.update(organisation=organisation, department=department, generated_at=timezone.now())
    return render(request, "duties/reports/statement_print.html", context)


@login_required
@require_safe
def statement_export(request: HttpRequest) -> HttpResponse:
    """The payroll workbook (绩效工资) of the month: one row per person, fines and rewards in
    separate columns, and a sheet of each ledger's lines."""
    _require_statements(request)
    form, context = _statement_context(request)
    if not form.is_valid():
        return render(request, "duties/reports/statement.html", context, status=400)
    month: datetime.date = context["month"]
    single: statements.PersonStatement | None = context["person_statement"]
    team_st = statements.as_team(single) if single is not None else context["team_statement"]
    body = payroll_workbook(team_st)
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label="duties.statement",
        object_repr=_("Monthly statement"),
        extra={
            "format": "xlsx",
            "month": f"{month:%Y-%m}",
            "person": single.person.pk if single else None,
            "team": team_st.team.pk if team_st.team else None,
            "rows": len(team_st.rows),
        },
    )
    return _xlsx(body, f"payroll-duties-{month:%Y%m}.xlsx")


# --- Excel -----------------------------------------------------------------------------------


def _money_cell(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def _rate_cell(share: float | None) -> float | str:
    return "" if share is None else round(share, 4)


def _widths(ws: Any, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _money_format(ws: Any, columns: list[int]) -> None:
    for col in columns:
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            for cell in row:
                cell.number_format = "#,##0.00"


def _figure_heads() -> list[str]:
    return [
        _("Duties due"),
        _("Done on time"),
        _("Done late"),
        _("Missed"),
        _("Excused"),
        _("Still open"),
        _("Compliance rate"),
        _("Violations"),
        _("Penalties"),
        _("Fines in effect (¥)"),
        _("Fines not yet final (¥)"),
        _("Rewards"),
        _("Rewards (¥)"),
    ]


def _figure_cells(f: reports.Figures) -> list[Any]:
    return [
        f.due,
        f.on_time,
        f.late,
        f.missed,
        f.excused,
        f.open,
        _rate_cell(f.compliance_rate),
        f.violations,
        f.penalties,
        f.fines,
        f.fines_open,
        f.rewards,
        f.reward_amount,
    ]


def compliance_workbook(report: reports.Report) -> bytes:
    """Four sheets: summary, teams, people, daily. Fines and rewards in separate columns."""
    heads = _figure_heads()
    money_cols = [heads.index(_("Fines in effect (¥)")), heads.index(_("Fines not yet final (¥)")),
                  heads.index(_("Rewards (¥)"))]  # fmt: skip
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(_("Summary"))
    ws.append(
        [_("Period"), f"{report.period.first.isoformat()} – {report.period.last.isoformat()}"]
    )
    for head, value in zip(heads, _figure_cells(report.total), strict=True):
        ws.append([head, value])
    _widths(ws, [28, 24])

    ws = wb.create_sheet(sheet_title(_("Teams")))
    ws.append([_("Team"), *heads])
    for t in report.teams:
        ws.append([safe_cell(t.name or _("No team")), *_figure_cells(t)])
    _money_format(ws, [c + 2 for c in money_cols])
    _widths(ws, [20] + [12] * len(heads))

    ws = wb.create_sheet(sheet_title(_("People")))
    ws.append([_("Employee number"), _("Full name"), _("Team"), *heads])
    for p in report.people:
        ws.append([safe_cell(p.employee_no), safe_cell(p.name), safe_cell(p.team_name),
                   *_figure_cells(p)])  # fmt: skip
    _money_format(ws, [c + 4 for c in money_cols])
    _widths(ws, [12, 12, 16] + [12] * len(heads))

    ws = wb.create_sheet(sheet_title(_("Daily")))
    ws.append([_("Date"), _("Done on time"), _("Done late"), _("Missed"), _("Still open")])
    for d in report.days:
        ws.append([d["date"], d["on_time"], d["late"], d["missed"], d["open"]])
    for row in ws.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _widths(ws, [12, 12, 12, 12, 12])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def payroll_workbook(st: statements.TeamStatement) -> bytes:
    """For payroll (绩效工资): one row per person with the fines and the rewards of the month in
    separate columns (no column combines them), then a sheet of each ledger's lines."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(_("Payroll"))
    heads = [
        _("Month"),
        _("Employee number"),
        _("Full name"),
        _("Department"),
        _("Team"),
        _("Penalties in effect"),
        _("Fines in effect (¥)"),
        _("Pay cut (%)"),
        _("Other sanctions"),
        _("Penalties not yet final"),
        _("Fines not yet final (¥)"),
        _("Rewards"),
        _("Rewards (¥)"),
    ]
    ws.append(heads)
    month = f"{st.month:%Y-%m}"
    people: dict[int, Person] = {}
    for row in st.rows:
        p, t = row.person, row.totals
        people[p.pk] = p
        ws.append(
            [
                month,
                safe_cell(p.employee_no),
                safe_cell(p.name),
                safe_cell(p.department.name),
                safe_cell(p.team.name if p.team else ""),
                t.penalties,
                t.fines,
                "" if t.pay_cut is None else t.pay_cut,
                t.other_sanctions,
                t.open_penalties,
                t.fines_open,
                t.rewards,
                t.reward_amount,
            ]
        )
    t = st.totals
    ws.append(
        [_("Total"), "", "", "", "", t.penalties, t.fines, "" if t.pay_cut is None else t.pay_cut,
         t.other_sanctions, t.open_penalties, t.fines_open, t.rewards, t.reward_amount]
    )  # fmt: skip
    _money_format(ws, [7, 11, 13])
    _widths(ws, [9, 12, 10, 14, 14, 10, 14, 10, 10, 10, 14, 8, 12])

    ws = wb.create_sheet(sheet_title(_("Penalties")))
    ws.append([_("Employee number"), _("Full name"), _("Occurred at"), _("What"), _("Penalty rule"),
               _("Offence"), _("Sanction"), _("Amount (¥)"), _("Pay cut (%)"), _("Status"),
               _("In the totals")])  # fmt: skip
    for pk, line in st.penalty_lines:
        person = people.get(pk)
        ws.append(
            [
                safe_cell(person.employee_no if person else ""),
                safe_cell(person.name if person else ""),
                timezone.localtime(line.occurred_at).strftime("%Y-%m-%d %H:%M"),
                safe_cell(line.what),
                safe_cell(line.rule),
                line.offence_no,
                safe_cell(line.sanction_label),
                _money_cell(line.amount),
                "" if line.percent is None else line.percent,
                safe_cell(line.status_label),
                _("yes") if line.counts else _("no"),
            ]
        )
    _money_format(ws, [8])
    _widths(ws, [12, 10, 17, 36, 24, 8, 16, 12, 10, 12, 10])

    ws = wb.create_sheet(sheet_title(_("Rewards")))
    ws.append([_("Employee number"), _("Full name"), _("Awarded on"), _("Kind"), _("Reason"),
               _("Reward rule"), _("Amount (¥)"), _("Status"), _("In the totals")])  # fmt: skip
    for pk, rline in st.reward_lines:
        person = people.get(pk)
        ws.append(
            [
                safe_cell(person.employee_no if person else ""),
                safe_cell(person.name if person else ""),
                rline.awarded_on,
                safe_cell(rline.kind_label),
                safe_cell(rline.reason),
                safe_cell(rline.rule),
                _money_cell(rline.amount),
                safe_cell(rline.status_label),
                _("yes") if rline.counts else _("no"),
            ]
        )
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _money_format(ws, [7])
    _widths(ws, [12, 10, 12, 12, 36, 24, 12, 12, 10])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
