"""``GET /api/v1/worklog/analytics/`` — the working rhythm's figures per person and team for
a period, with the page's parameters (the duties reports' period form): ``period``
(this_month / last_month / custom), ``start`` and ``end`` (YYYY-MM-DD, custom), ``team`` (an
id). A bad parameter is a 400 naming it; without the permission a 403 (audited)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.duties.views_reports import ReportForm
from netdept.worklog import analytics

FIELDS = (
    "logs_expected", "logs_submitted", "logs_on_time", "reports", "tasks_done", "present",
    "late", "absent", "excused", "leave_days",
)  # fmt: skip


def row_json(r: analytics.Row, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        **{name: getattr(r, name) for name in FIELDS},
        "on_time_rate": None if r.on_time_rate is None else round(r.on_time_rate, 4),
        "attendance_rate": None if r.attendance_rate is None else round(r.attendance_rate, 4),
    }


class AnalyticsViewSet(viewsets.ViewSet):
    """Daily logs on time, reports, tasks done, meeting attendance and leave days."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=["this_month", "last_month", "custom"]),
            OpenApiParameter("start", str, description="YYYY-MM-DD (custom)"),
            OpenApiParameter("end", str, description="YYYY-MM-DD (custom)"),
            OpenApiParameter("team", int, description="a team's id"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request: Request) -> Response:
        analytics.require(request.user)  # a 403 (audited) without the permission
        form = ReportForm(request.query_params or {"period": "this_month"}, user=request.user)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            raise exceptions.ValidationError(errors)
        f = analytics.build(request.user, form.get_period(), form.cleaned_data.get("team"))
        return Response(
            {
                "start": f.period.first.isoformat(),
                "end": f.period.last.isoformat(),
                "working_days": f.working_days,
                "total": row_json(f.total),
                "teams": [row_json(t, id=t.key, name=t.name) for t in f.teams],
                "people": [
                    row_json(p, id=p.key, name=p.name, employee_no=p.employee_no, team=p.team_key)
                    for p in f.people
                ],
            }
        )


ROUTES: tuple[tuple[str, type[viewsets.ViewSet], str], ...] = (
    ("worklog/analytics", AnalyticsViewSet, "worklog-analytics"),
)
