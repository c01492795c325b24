"""The API of the regulations register beyond the generated endpoints of its Pages (which
give the lists, the rows, the edits and the version machine's actions: ``submit/``,
``publish/``, ``reviewed/``, ``ask_again/``):

- ``POST /api/v1/duties/regulationversions/import_preview/`` ``{"text"}`` — the articles the
  text splits into (nothing saved);
- ``POST /api/v1/duties/regulationversions/import/`` ``{"regulation", "label", "text",
  "effective_date", "keep_preamble"}`` — a new draft version holding them (201);
- ``GET /api/v1/duties/readconfirmations/mine/`` — the caller's confirmations still awaited;
- ``POST /api/v1/duties/regulationversions/{id}/confirm_read/`` — the caller confirms reading
  it (阅读确认). Both open to any signed-in person of the org chart: a person confirms
  for themselves, and only a version that applies to them.

Bad input: 400 with a JSON body naming the field, nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import MAX_ID, PageViewSet, register_api_base
from netdept.core import permissions
from netdept.duties import importer
from netdept.duties.models import ReadConfirmation, Regulation, RegulationVersion
from netdept.duties.models.regulations import MAX_SOURCE_TEXT
from netdept.duties.services import regulations as services


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_SOURCE_TEXT, trim_whitespace=False)


class ImportSerializer(TextSerializer):
    regulation = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    # an article's or a version's label, not the serializer field's own ``label``
    label = serializers.CharField(max_length=40)  # type: ignore[assignment]
    effective_date = serializers.DateField(required=False, allow_null=True)
    keep_preamble = serializers.BooleanField(required=False, default=False)


class ArticleOutSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the article's label (data)
    chapter = serializers.CharField()
    text = serializers.CharField()
    line = serializers.IntegerField()
    position = serializers.IntegerField()


PreviewSerializer = inline_serializer(
    "RegulationImportPreview",
    {
        "title": serializers.CharField(),
        "preamble": serializers.CharField(),
        "warnings": serializers.ListField(child=serializers.CharField()),
        "articles": ArticleOutSerializer(many=True),
    },
)


def _preview(parsed: importer.ParseResult) -> dict[str, Any]:
    return {
        "title": parsed.title,
        "preamble": parsed.preamble,
        "warnings": list(parsed.warnings),
        "articles": [
            {"label": a.label, "chapter": a.chapter, "text": a.text, "line": a.line,
             "position": a.position}
            for a in parsed.articles
        ],
    }  # fmt: skip


def _split(text: str) -> importer.ParseResult:
    try:
        return importer.split_text(text)
    except DjangoValidationError as exc:
        errors = django_errors(exc)
        raise exceptions.ValidationError({"text": errors.get("source_text", errors)}) from exc


class ConfirmationOutSerializer(serializers.ModelSerializer[ReadConfirmation]):
    regulation = serializers.CharField(source="version.regulation.title")
    version_label = serializers.CharField(source="version.label")

    class Meta:
        model = ReadConfirmation
        fields = ["id", "version", "regulation", "version_label", "requested_at", "confirmed_at"]


class VersionAPIBase(PageViewSet):
    @extend_schema(request=TextSerializer, responses={200: PreviewSerializer})
    @action(detail=False, methods=["post"])
    def import_preview(self, request: Request) -> Response:
        """Split a regulation's text into articles, as the import page's preview (nothing is
        saved)."""
        services.require(request.user, "add", RegulationVersion)
        ser = TextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(_preview(_split(ser.validated_data["text"])))

    @extend_schema(request=ImportSerializer, responses={201: PreviewSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_text(self, request: Request) -> Response:
        """A new draft version of a regulation holding the text's articles."""
        services.require(request.user, "add", RegulationVersion)
        ser = ImportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        regulation = (
            permissions.restrict(Regulation.objects.all(), request.user, "view")
            .filter(pk=data["regulation"])
            .first()
        )
        if regulation is None:
            raise exceptions.ValidationError({"regulation": ["No such regulation."]})
        parsed = _split(data["text"])
        try:
            version = services.create_version_from_import(
                request.user,
                regulation=regulation,
                label=data["label"],
                parsed=parsed,
                source_text=data["text"],
                effective_date=data.get("effective_date"),
                keep_preamble=data["keep_preamble"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        body = _preview(parsed)
        body["id"] = version.pk
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ConfirmationOutSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        url_path="confirm_read",
    )
    def confirm_read(self, request: Request, pk: str | None = None) -> Response:
        """The caller confirms having read this version (阅读确认): any signed-in person it
        applies to, for themselves."""
        try:
            version = RegulationVersion.objects.filter(pk=int(pk or "")).first()
        except ValueError:
            version = None
        if version is None:
            raise exceptions.NotFound()
        try:
            row = services.confirm_read(request.user, version)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        return Response(ConfirmationOutSerializer(row).data)


class ConfirmationAPIBase(PageViewSet):
    @extend_schema(responses=ConfirmationOutSerializer(many=True))
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def mine(self, request: Request) -> Response:
        """The caller's read confirmations still awaited."""
        person = services.person_of(request.user)
        rows = list(services.awaiting(person)[:200]) if person is not None else []
        return Response(ConfirmationOutSerializer(rows, many=True).data)


register_api_base(RegulationVersion, VersionAPIBase)
register_api_base(ReadConfirmation, ConfirmationAPIBase)
