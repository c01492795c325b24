"""The REST API of doing duties beyond the generated endpoints.

The generated endpoints of the ``occurrences`` and ``evidence`` Pages (``registry_work``) list
and read them with their filters, and take the machine's actions
(``POST /api/v1/duties/occurrences/{id}/accept/``, ``return_for_changes/``, ``excuse/``). This
module gives occurrences a base that lets the people one concerns read it and act on it with
the pages' rule (its person, its reviewer, the person's team lead; or the view permission
within scope), and adds:

* ``POST /api/v1/duties/occurrences/{id}/submit/`` — the evidence (JSON, or multipart with
  ``files``): ``text``, ``number``, ``checklist`` (the items ticked), ``records`` (ids of the
  duty's kind of record), ``files``, ``expected_version``; evidence of the wrong kind is a 400
  naming the field, a lost race a 409 (``code: conflict``);
* ``GET /api/v1/duties/occurrences/mine/?tab=today|upcoming|history`` — the caller's duties;
* ``GET /api/v1/duties/occurrences/to-review/`` — 待我复核.

Thin: every change is ``services.occurrences``'.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import register_api_base
from netdept.api.transitions import conflict_response
from netdept.approvals.api import ConcernedBase
from netdept.duties.machines import OCCURRENCE_MACHINE
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.models.duties import MAX_EVIDENCE_TEXT
from netdept.duties.services import occurrences
from netdept.duties.views_work import VIEW, involved, mine_querysets


class EvidenceItemSerializer(serializers.ModelSerializer[Evidence]):
    file_url = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id", "kind", "kind_label", "file_name", "file_url", "record_type", "record_id",
            "record_label", "note", "added_by", "created_at",
        ]  # fmt: skip

    def get_file_url(self, obj: Evidence) -> str | None:
        return reverse("duties:evidence_file", args=[obj.pk]) if obj.file else None


class OccurrenceSummarySerializer(serializers.ModelSerializer[Occurrence]):
    duty_name = serializers.CharField(source="duty.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence_kind = serializers.CharField(source="duty.evidence_kind", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Occurrence
        fields = [
            "id", "duty", "duty_name", "person", "person_name", "team", "period_start",
            "due_at", "missed_at", "status", "status_label", "evidence_kind", "submitted_at",
            "done_at", "reviewer", "reviewer_name", "reviewed_at", "review_comment", "text",
            "number", "checklist_done", "by_check", "duty_version", "version", "url",
        ]  # fmt: skip

    def get_reviewer_name(self, obj: Occurrence) -> str:
        return obj.reviewer.name if obj.reviewer_id and obj.reviewer is not None else ""

    def get_url(self, obj: Occurrence) -> str:
        return reverse("duties:occurrence", args=[obj.pk])


class OccurrenceDetailSerializer(OccurrenceSummarySerializer):
    evidence = EvidenceItemSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(OccurrenceSummarySerializer.Meta):
        fields = [*OccurrenceSummarySerializer.Meta.fields, "evidence", "allowed_actions"]

    def get_allowed_actions(self, obj: Occurrence) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return OCCURRENCE_MACHINE.allowed(obj, user) if user is not None else []


class SubmitSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_EVIDENCE_TEXT, default=""
    )
    number = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )
    records = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=occurrences.MAX_RECORDS,
        help_text="Ids of records of the duty's kind of record.",
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=occurrences.MAX_FILES
    )
    expected_version = serializers.IntegerField(required=False, min_value=1)


class OccurrenceAPIBase(ConcernedBase):
    involved = staticmethod(involved)
    view_perm = VIEW
    answer_serializer = OccurrenceSummarySerializer
    detail_serializer = OccurrenceDetailSerializer
    open_actions = ("mine", "to_review")
    list_related = ("duty", "person", "reviewer")
    conflict_possible = True

    def get_serializer_class(self) -> Any:
        if self.action == "submit":
            return SubmitSerializer
        return super().get_serializer_class()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") != "conflict":
            exc = exceptions.ValidationError(django_errors(exc))
        return super().handle_exception(exc)

    @extend_schema(
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitSerializer},
        responses={200: OccurrenceDetailSerializer},
        description="Hand in the occurrence's evidence (only its person may). Without a "
        "reviewer it is done at once (late after its due instant); with one it awaits review.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        occ = self.get_object()
        OCCURRENCE_MACHINE.require("submit", request.user, occ)
        ser = SubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        me = occurrences.person_of(request.user)
        assert me is not None  # the machine lets only the occurrence's person through
        try:
            records = occurrences.records_by_id(occ.duty, data.get("records") or [], request.user)
            occurrences.submit(
                occ,
                by=me,
                text=data.get("text", ""),
                number=data.get("number"),
                checklist=data.get("checklist"),
                files=data.get("files") or [],
                records=records,
                expected_version=data.get("expected_version"),
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", "") == "conflict":
                return conflict_response(exc)
            raise exceptions.ValidationError(django_errors(exc)) from exc
        fresh = self.page.queryset().get(pk=occ.pk)
        return Response(self.answer(fresh))

    @extend_schema(
        parameters=[
            OpenApiParameter("tab", str, enum=["today", "upcoming", "history"], required=False)
        ],
        responses=OccurrenceSummarySerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        """The caller's duties: today (due by tonight, overdue, returned for changes),
        upcoming, or history."""
        tab = request.query_params.get("tab", "today")
        sets = mine_querysets(occurrences.person_of(request.user), timezone.now())
        if tab not in sets:
            raise exceptions.ValidationError(
                {"tab": [_("Choose one of: today, upcoming, history.")]}
            )
        return self._rows(sets[tab].select_related("person"))

    @extend_schema(responses=OccurrenceSummarySerializer(many=True))
    @action(detail=False, methods=["get"], url_path="to-review")
    def to_review(self, request: Request) -> Response:
        """待我复核: the occurrences submitted to the caller, the oldest due first."""
        rows = occurrences.to_review(occurrences.person_of(request.user))
        return self._rows(rows.select_related("reviewer"))

    def _rows(self, qs: models.QuerySet[Occurrence]) -> Response:
        page = self.paginate_queryset(qs)
        data = OccurrenceSummarySerializer(
            page, many=True, context=self.get_serializer_context()
        ).data
        return self.get_paginated_response(data)


register_api_base(Occurrence, OccurrenceAPIBase)

__all__ = ["OccurrenceAPIBase", "OccurrenceDetailSerializer", "OccurrenceSummarySerializer"]
