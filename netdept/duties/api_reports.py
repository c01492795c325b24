"""The API of monthly statements and compliance reports, with the pages' permissions.

* ``GET /api/v1/duties/statements/?month=2026-11&person=ID`` — a person's statement: the
  month's penalties and rewards, each ledger with its own total;
  ``?month=2026-11&team=ID`` (or neither) — one row per person of the team (of everybody the
  caller may see), and the totals column by column;
* ``GET /api/v1/duties/compliance/?start=2026-11-01&end=2026-11-30&team=ID&person=ID`` — duties
  due, done on time, late, missed, compliance rate, violations, penalties, fines, rewards: the
  total, per team, per person and per day.

Scopes are those of the pages: the statements of the people within the caller's view of
penalties and of rewards, the figures of the rows the caller may view. Money is a string with
two places (CNY). Penalties and rewards are separate fields: no field nets one against the
other (功过不能相抵). Bad input: 400 naming the field; a person or team outside the caller's
scope: 404.

``ROUTES`` lists the viewsets for ``netdept/api/urls.py``'s router.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.duties import reports
from netdept.duties.services import statements
from netdept.org.models import Person, Team

MAX_ID = 2**63 - 1


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _id(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    assert raw is not None
    if not (raw.isascii() and raw.isdecimal()) or not 0 < int(raw) <= MAX_ID:
        raise exceptions.ValidationError({name: [_("Enter a whole number (an id).")]})
    return int(raw)


def _denied(request: Request, perm: str, label: str) -> exceptions.PermissionDenied:
    audit.record(
        AuditAction.DENIED,
        None,
        actor=request.user,
        extra={"permission": perm},
        object_type_label=label,
        object_repr="",
    )
    return exceptions.PermissionDenied()


def totals_json(t: statements.Totals) -> dict[str, Any]:
    """The two ledgers' totals, side by side."""
    return {
        "penalties": {
            "count": t.penalties,
            "fines": _money(t.fines),
            "pay_cut_percent": _money(t.pay_cut),
            "other_sanctions": t.other_sanctions,
            "not_final_count": t.open_penalties,
            "not_final_fines": _money(t.fines_open),
        },
        "rewards": {"count": t.rewards, "amount": _money(t.reward_amount)},
    }


def figures_json(f: reports.Figures) -> dict[str, Any]:
    rate = f.compliance_rate
    return {
        "due": f.due,
        "on_time": f.on_time,
        "late": f.late,
        "missed": f.missed,
        "excused": f.excused,
        "open": f.open,
        "compliance_rate": None if rate is None else round(rate, 4),
        "violations": f.violations,
        "penalties": f.penalties,
        "fines": _money(f.fines),
        "fines_not_final": _money(f.fines_open),
        "rewards": f.rewards,
        "reward_amount": _money(f.reward_amount),
    }


def _person_json(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "employee_no": p.employee_no,
        "team": p.team_id,
    }


def penalty_json(line: statements.PenaltyLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "occurred_at": line.occurred_at.isoformat(),
        "what": line.what,
        "source": line.source,
        "rule": line.rule,
        "offence_no": line.offence_no,
        "sanction": line.sanction,
        "sanction_label": line.sanction_label,
        "amount": _money(line.amount),
        "pay_cut_percent": _money(line.percent),
        "status": line.status,
        "status_label": line.status_label,
        "in_totals": line.counts,
    }


def reward_json(line: statements.RewardLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "awarded_on": line.awarded_on.isoformat(),
        "kind": line.kind,
        "kind_label": line.kind_label,
        "reason": line.reason,
        "rule": line.rule,
        "source": line.source_label,
        "amount": _money(line.amount),
        "status": line.status,
        "status_label": line.status_label,
        "in_totals": line.counts,
    }


def person_statement_json(st: statements.PersonStatement) -> dict[str, Any]:
    return {
        "month": f"{st.month:%Y-%m}",
        "person": _person_json(st.person),
        "duties": figures_json(st.duties),
        "penalties": [penalty_json(line) for line in st.penalties],
        "rewards": [reward_json(line) for line in st.rewards],
        "totals": totals_json(st.totals),
    }


def team_statement_json(st: statements.TeamStatement) -> dict[str, Any]:
    return {
        "month": f"{st.month:%Y-%m}",
        "team": None if st.team is None else {"id": st.team.pk, "name": st.team.name},
        "rows": [
            {
                "person": _person_json(row.person),
                "duties": figures_json(row.duties),
                "totals": totals_json(row.totals),
            }
            for row in st.rows
        ],
        "totals": totals_json(st.totals),
    }


MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: this month)")
PERSON = OpenApiParameter("person", int, description="a person's id")
TEAM = OpenApiParameter("team", int, description="a team's id")


class StatementViewSet(viewsets.ViewSet):
    """Monthly statements of penalties and rewards (never netted)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[MONTH, PERSON, TEAM], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        if not statements.may_read(request.user):
            raise _denied(request, statements.VIEW_PENALTY, "duties.statement")
        raw = request.query_params.get("month") or ""
        if raw:
            month = statements.parse_month(raw)
            if month is None:
                raise exceptions.ValidationError(
                    {"month": [_("Enter a month as YYYY-MM, for example 2026-11.")]}
                )
        else:
            month = timezone.localdate().replace(day=1)
        person_id, team_id = _id(request, "person"), _id(request, "team")
        visible = statements.visible_people(request.user)
        if person_id is not None:
            person = visible.select_related("team").filter(pk=person_id).first()
            if person is None:
                raise exceptions.NotFound(_("No such person among those you may see."))
            st = statements.person_statement(person, month, user=request.user)
            return Response(person_statement_json(st))
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id, pk__in=visible.values("team")).first()
            if team is None:
                raise exceptions.NotFound(_("No such team among those you may see."))
        return Response(
            team_statement_json(statements.team_statement(request.user, month, team=team))
        )


START = OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default: 1st)")
END = OpenApiParameter("end", OpenApiTypes.DATE, description="last day (default: month end)")


def _date(request: Request, name: str) -> datetime.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if not statements.FIRST_YEAR <= day.year <= statements.LAST_YEAR:
        raise exceptions.ValidationError(
            {
                name: [
                    _("Enter a date in the years %(first)s to %(last)s.")
                    % {"first": statements.FIRST_YEAR, "last": statements.LAST_YEAR}
                ]
            }
        )
    return day


class ComplianceViewSet(viewsets.ViewSet):
    """Duty compliance per person, team and day over a period."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[START, END, TEAM, PERSON], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        if not reports.may_report(request.user):
            raise _denied(request, "duties.view_occurrence", "duties.report")
        today = timezone.localdate()
        start = _date(request, "start") or today.replace(day=1)
        end = _date(request, "end") or (
            reports.next_month(start.replace(day=1)) - datetime.timedelta(days=1)
        )
        if end < start:
            raise exceptions.ValidationError(
                {"end": [_("The last day cannot be before the first day.")]}
            )
        if (end - start).days + 1 > reports.MAX_DAYS:
            raise exceptions.ValidationError(
                {"end": [_("A period can be at most %(days)s days.") % {"days": reports.MAX_DAYS}]}
            )
        team = person = None
        team_id, person_id = _id(request, "team"), _id(request, "person")
        if team_id is not None:
            team = reports.teams_for(request.user).filter(pk=team_id).first()
            if team is None:
                raise exceptions.NotFound(_("No such team among those you may see."))
        if person_id is not None:
            person = Person.objects.filter(pk=person_id).first()
            if person is None:
                raise exceptions.NotFound(_("No such person among those you may see."))
        report = reports.build(
            request.user, reports.Period.days(start, end), team=team, person=person
        )
        if person is not None and not report.people:
            # nothing visible of that person: indistinguishable from someone out of scope
            visible = reports.visible_occurrences(request.user).filter(person=person)
            if not visible.exists():
                raise exceptions.NotFound(_("No such person among those you may see."))

        def row(f: reports.Figures, **extra: Any) -> dict[str, Any]:
            return {**extra, **figures_json(f)}

        return Response(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "total": figures_json(report.total),
                "teams": [row(t, id=t.key, name=t.name) for t in report.teams],
                "people": [
                    row(p, id=p.key, name=p.name, employee_no=p.employee_no, team=p.team_key)
                    for p in report.people
                ],
                "days": [{**d, "date": d["date"].isoformat()} for d in report.days],
            }
        )


#: (prefix, viewset, basename) for the API router (``netdept/api/urls.py``)
ROUTES: tuple[tuple[str, type[viewsets.ViewSet], str], ...] = (
    ("duties/statements", StatementViewSet, "duties-statements"),
    ("duties/compliance", ComplianceViewSet, "duties-compliance"),
)
