"""The REST API of reports beyond the generated endpoints.

The generated endpoints of the ``reports`` Page list and read reports with their filters and
take the machine's actions (``POST /api/v1/worklog/reports/{id}/submit/``, ``accept/``,
``return_for_changes/``). The people a report concerns (its person, its reviewer, the
person's team lead) read it without the view permission. This module adds:

* ``POST /api/v1/worklog/reports/mine/`` — ``kind`` (weekly / monthly), ``day`` (optional):
  the caller's report of the period, drafted when first asked;
* ``POST /api/v1/worklog/reports/{id}/write/`` — ``done``, ``in_progress``, ``problems``,
  ``next_plan``, ``expected_version``; ``submit: true`` submits it as well;
* ``POST /api/v1/worklog/reports/{id}/redraft/`` — draft again (what was written is kept);
* ``GET /api/v1/worklog/reports/to-review/`` — 待我审阅;
* ``POST /api/v1/worklog/reports/draft-all/`` — ``kind``, ``day``: draft everyone's reports in
  the background; poll ``GET /api/v1/worklog/draftruns/{id}/`` for ``done`` / ``total``.

A closed period, an accepted report, a field too long: 400 naming the field; a lost race 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import register_api_base
from netdept.api.transitions import conflict_response
from netdept.approvals.api import ConcernedBase
from netdept.core import permissions
from netdept.worklog.machines_reports import REPORT_MACHINE
from netdept.worklog.models import Report, ReportKind
from netdept.worklog.models.logs import MAX_TEXT
from netdept.worklog.services import drafting as drafting_services
from netdept.worklog.services import reports as services
from netdept.worklog.views_reports import VIEW, involved


class ReportSerializer(serializers.ModelSerializer[Report]):
    person_name = serializers.CharField(source="person.name", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "kind", "kind_label", "person", "person_name", "team", "is_team_report",
            "period_start", "period_end", "status", "status_label", "done", "in_progress",
            "problems", "next_plan", "carried_plan", "figures", "drafted_at", "submitted_at",
            "reviewer", "reviewer_name", "reviewed_at", "review_comment", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reviewer_name(self, obj: Report) -> str:
        return obj.reviewer.name if obj.reviewer_id and obj.reviewer is not None else ""


class ReportDetailSerializer(ReportSerializer):
    allowed_actions = serializers.SerializerMethodField()
    closes_on = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "allowed_actions", "closes_on"]
        read_only_fields = fields

    def get_allowed_actions(self, obj: Report) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return REPORT_MACHINE.allowed(obj, user) if user is not None else []

    def get_closes_on(self, obj: Report) -> str | None:
        day = services.closes_on(obj)
        return day.isoformat() if day else None


class ReportOpenSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    day = serializers.DateField(required=False)


def _text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class ReportWriteSerializer(serializers.Serializer[Any]):
    done = _text()
    in_progress = _text()
    problems = _text()
    next_plan = _text()
    submit = serializers.BooleanField(required=False, default=False)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class DraftRunStartSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    day = serializers.DateField(required=False)


class ReportAPIBase(ConcernedBase):
    involved = staticmethod(involved)
    view_perm = VIEW
    answer_serializer = ReportSerializer
    detail_serializer = ReportDetailSerializer
    open_actions = ("mine", "to_review", "draft_all")
    list_related = ("person", "reviewer")
    conflict_possible = True

    def get_serializer_class(self) -> Any:
        if self.action == "mine":
            return ReportOpenSerializer
        if self.action == "write":
            return ReportWriteSerializer
        if self.action == "draft_all":
            return DraftRunStartSerializer
        return super().get_serializer_class()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            if getattr(exc, "code", "") == "conflict":
                return conflict_response(exc)
            exc = exceptions.ValidationError(django_errors(exc))
        return super().handle_exception(exc)

    def _me(self, request: Request) -> Any:
        me = services.person_of(request.user)
        if me is None:
            raise exceptions.PermissionDenied(
                "Your account is not linked to a person of the organisation."
            )
        return me

    @extend_schema(request=ReportOpenSerializer, responses={200: ReportDetailSerializer})
    @action(detail=False, methods=["post"])
    def mine(self, request: Request) -> Response:
        """The caller's weekly or monthly report of the period holding ``day`` (today by
        default), drafted when first asked."""
        ser = ReportOpenSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        day = ser.validated_data.get("day") or timezone.localdate()
        report = services.open_report(
            self._me(request), ser.validated_data["kind"], day, by=request.user
        )
        return self.transition_response(report)

    @extend_schema(request=ReportWriteSerializer, responses={200: ReportDetailSerializer})
    @action(detail=True, methods=["post"])
    def write(self, request: Request, pk: str | None = None) -> Response:
        """Save what the person wrote; ``submit: true`` submits it as well."""
        report = self.get_object()
        ser = ReportWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = {k: v for k, v in ser.validated_data.items() if k in services.WRITTEN}
        version = ser.validated_data.get("expected_version")
        if ser.validated_data.get("submit"):
            report = services.submit(request.user, report, data, expected_version=version)
        else:
            report = services.write(request.user, report, data, expected_version=version)
        return self.transition_response(report)

    @extend_schema(request=None, responses={200: ReportDetailSerializer})
    @action(detail=True, methods=["post"])
    def redraft(self, request: Request, pk: str | None = None) -> Response:
        """Draft again from the period's records; what the person wrote is kept."""
        report = services.redraft(request.user, self.get_object())
        return self.transition_response(report)

    @extend_schema(request=None, responses=ReportSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="to-review")
    def to_review(self, request: Request) -> Response:
        """待我审阅: the reports submitted to the caller, the oldest period first."""
        rows = services.awaiting_review(services.person_of(request.user))
        page = self.paginate_queryset(rows)
        data = ReportSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(request=DraftRunStartSerializer, responses={202: None})
    @action(detail=False, methods=["post"], url_path="draft-all")
    def draft_all(self, request: Request) -> Response:
        """Draft everyone's reports of the period in the background (one run at a time for
        the same reports); poll the run for its progress."""
        ser = DraftRunStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        me = services.person_of(request.user)
        department = None
        if permissions.scope_of(request.user, drafting_services.START_PERMISSION) != "all":
            department = me.department if me is not None else None
        try:
            run = drafting_services.start_run(
                request.user,
                kind=ser.validated_data["kind"],
                day=ser.validated_data.get("day") or timezone.localdate(),
                department=department,
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        return Response(
            {"id": run.pk, "status": run.status, "total": run.total, "done": run.done},
            status=status.HTTP_202_ACCEPTED,
        )


register_api_base(Report, ReportAPIBase)
