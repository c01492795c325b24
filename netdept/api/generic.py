"""REST endpoints generated from a ``Page``: same filters, permissions and services as the UI."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.importing import add_import_action
from netdept.api.serializers import DateTimeInRange
from netdept.api.transitions import add_transition_actions
from netdept.core import permissions
from netdept.core.registry import Page, page_for
from netdept.core.views.generic_bulk import (
    BulkFailed,
    RowError,
    RowsMissing,
    RowsRefused,
    TooMany,
    bulk_delete,
    bulk_update,
    clean_ids,
    rows_for,
)


def serializer_for(page: Page) -> type[serializers.ModelSerializer[Any]]:
    if page.serializer_class is not None:
        return page.serializer_class
    model = page.model
    read_only = [
        f.name for f in model._meta.concrete_fields if f.name in ("created_at", "updated_at")
    ]
    fields = ["id", *page.fields, *read_only]
    meta = type("Meta", (), {"model": model, "fields": fields, "read_only_fields": read_only})
    attrs: dict[str, Any] = {"Meta": meta}
    return type(f"{model.__name__}Serializer", (PageSerializer,), attrs)


class PageSerializer(serializers.ModelSerializer[Any]):
    """The generated serializers: date-times within the years a local time can be shown."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeInRange,
    }


class PageViewSet(viewsets.ModelViewSet):
    page: Page
    model: type[models.Model]

    def get_queryset(self) -> models.QuerySet[Any]:
        return permissions.restrict(self.page.queryset(), self.request.user, "view")

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer = super().get_serializer(*args, **kwargs)
        user = self.request.user
        fields = getattr(serializer, "fields", {})
        for f in fields.values():
            qs = getattr(f, "queryset", None)
            child = getattr(f, "child_relation", None)
            if child is not None:
                qs = child.queryset
            if qs is not None and page_for(qs.model) is not None:
                restricted = permissions.restrict(qs, user, "view")
                if child is not None:
                    child.queryset = restricted
                else:
                    f.queryset = restricted
        return serializer

    def _data(self, serializer: Any) -> dict[str, Any]:
        return dict(serializer.validated_data)

    def perform_create(self, serializer: Any) -> None:
        try:
            assert self.page.service is not None
            serializer.instance = self.page.service.create(
                self.request.user, self._data(serializer)
            )
        except DjangoValidationError as exc:
            raise ValidationError(django_errors(exc)) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            assert self.page.service is not None
            obj = self.page.model._default_manager.get(pk=serializer.instance.pk)
            serializer.instance = self.page.service.update(
                self.request.user, obj, self._data(serializer)
            )
        except DjangoValidationError as exc:
            raise ValidationError(django_errors(exc)) from exc

    def perform_destroy(self, instance: Any) -> None:
        try:
            assert self.page.service is not None
            self.page.service.delete(self.request.user, instance)
        except DjangoValidationError as exc:
            raise ValidationError(django_errors(exc)) from exc

    @property
    def refuses_create(self) -> bool:
        """POST is open for the bulk actions (or a machine's) only: the collection's create
        answers 405 to everyone, before any permission is asked."""
        return not self.page.can_add

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.refuses_create:
            raise MethodNotAllowed(request.method or "POST")
        return super().create(request, *args, **kwargs)


# --- bulk update and bulk delete -------------------------------------------------------------
MAX_ID = 2**63 - 1  # the largest id a database column holds


class BulkIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False
    )


class BulkUpdateSerializer(BulkIdsSerializer):
    fields = serializers.DictField(allow_empty=False)  # type: ignore[assignment]


BulkResultSerializer = inline_serializer(
    "BulkResult",
    {
        "count": serializers.IntegerField(),
        "ids": serializers.ListField(child=serializers.IntegerField()),
    },
)
BulkErrorSerializer = inline_serializer(
    "BulkError",
    {
        "detail": serializers.CharField(required=False),
        "errors": serializers.ListField(
            required=False,
            child=inline_serializer(
                "BulkRowError",
                {
                    "id": serializers.IntegerField(),
                    "row": serializers.CharField(),
                    "field": serializers.CharField(allow_null=True),
                    "messages": serializers.ListField(child=serializers.CharField()),
                },
            ),
        ),
    },
)  # or, for a bad request, {"<parameter>": ["message", …]}


def _refusal(exc: Exception) -> Response:
    if isinstance(exc, RowsMissing):
        return Response(
            {
                "detail": _(
                    "Some of the ids do not exist or are not visible to you; nothing was changed."
                ),
                "ids": exc.pks,
            },
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, RowsRefused):
        return Response(
            {
                "detail": _("You may not change some of these rows; nothing was changed."),
                "ids": [o.pk for o in exc.objs],
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    assert isinstance(exc, TooMany)
    raise ValidationError({"ids": [_("At most %(cap)s rows at a time.") % {"cap": exc.cap}]})


def _failed(errors: list[RowError]) -> Response:
    return Response(
        {"detail": _("No row was changed."), "errors": [e.as_json() for e in errors]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _ids(data: Any) -> list[int]:
    ser = BulkIdsSerializer(data=data)
    ser.is_valid(raise_exception=True)
    try:
        return clean_ids(ser.validated_data["ids"])
    except ValueError as exc:
        raise ValidationError({"ids": [_("Enter whole numbers from 1.")]}) from exc


class BulkUpdateMixin:
    page: Page
    request: Request

    @extend_schema(
        request=BulkUpdateSerializer,
        responses={200: BulkResultSerializer, 400: BulkErrorSerializer},
        description="Change the same fields of many rows, all or nothing: every row goes "
        "through the service; if one fails nothing is saved and the answer names each "
        "failing row and field.",
    )
    @action(
        detail=False, methods=["post"], url_path="bulk-update", permission_classes=[IsAuthenticated]
    )
    def bulk_update(self, request: Request) -> Response:
        ids = _ids(request.data)
        ser = BulkUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        changes: dict[str, Any] = ser.validated_data["fields"]
        allowed = set(self.page.bulk_fields or [])
        wrong = [n for n in changes if n not in allowed]
        if wrong:
            raise ValidationError(
                {n: [_("This field cannot be changed in bulk.")] for n in wrong[:20]}
            )
        try:
            objs = rows_for(self.page, request.user, ids, "change")
        except (RowsMissing, RowsRefused, TooMany) as exc:
            return _refusal(exc)
        errors: list[RowError] = []
        validated: dict[Any, dict[str, Any]] = {}
        serializer_class = self.get_serializer_class()  # type: ignore[attr-defined]
        for obj in objs:
            one = serializer_class(obj, data=changes, partial=True, context={"request": request})
            self._restrict(one)
            if one.is_valid():
                validated[obj.pk] = dict(one.validated_data)
                continue
            for name, msgs in one.errors.items():
                flat = [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                errors.append(RowError(obj.pk, str(obj), name, name, flat))
        if errors:
            return _failed(errors)
        try:
            bulk_update(self.page, request.user, objs, lambda obj: validated[obj.pk])
        except BulkFailed as exc:
            return _failed(exc.errors)
        except RowsRefused as exc:
            return _refusal(exc)
        return Response({"count": len(objs), "ids": [o.pk for o in objs]})

    def _restrict(self, serializer: Any) -> None:
        user = self.request.user
        for f in getattr(serializer, "fields", {}).values():
            qs = getattr(f, "queryset", None)
            if qs is not None and page_for(qs.model) is not None:
                f.queryset = permissions.restrict(qs, user, "view")


class BulkDeleteMixin:
    page: Page

    @extend_schema(
        request=BulkIdsSerializer,
        responses={200: BulkResultSerializer, 400: BulkErrorSerializer},
        description="Delete many rows, all or nothing (through the service, each audited).",
    )
    @action(
        detail=False, methods=["post"], url_path="bulk-delete", permission_classes=[IsAuthenticated]
    )
    def bulk_delete(self, request: Request) -> Response:
        ids = _ids(request.data)
        try:
            objs = rows_for(self.page, request.user, ids, "delete")
        except (RowsMissing, RowsRefused, TooMany) as exc:
            return _refusal(exc)
        try:
            bulk_delete(self.page, request.user, objs)
        except BulkFailed as exc:
            return _failed(exc.errors)
        except RowsRefused as exc:
            return _refusal(exc)
        return Response({"count": len(ids), "ids": ids})


#: The base of a Page's generated viewset when an app gives one (a subclass of ``PageViewSet``,
#: registered in the app's ``ready()`` with ``register_api_base``): who may read a row beyond the
#: permission scope (an approver their approval), its answer, more actions. The generated
#: filters, ordering, bulk, import and machine actions are added on top, as for any Page.
API_BASES: dict[str, type[PageViewSet]] = {}


def register_api_base(model: type[models.Model], base: type[PageViewSet]) -> None:
    API_BASES[model._meta.label_lower] = base


def viewset_for(page: Page) -> type[PageViewSet]:
    methods = ["get", "head", "options"]
    bulk_edit = page.can_change and bool(page.bulk_fields)
    if page.can_add or bulk_edit or page.can_delete:
        methods.append("post")
    if page.can_change:
        methods += ["put", "patch"]
    if page.can_delete:
        methods.append("delete")
    ordering_fields = [
        c for c in page.columns if c in {f.name for f in page.model._meta.concrete_fields}
    ]
    attrs: dict[str, Any] = {
        "page": page,
        "model": page.model,
        "queryset": page.model._default_manager.none(),
        "serializer_class": serializer_for(page),
        "filterset_class": page.filterset_class,
        "ordering_fields": ordering_fields,
        "http_method_names": methods,
    }
    bases: tuple[type, ...] = (API_BASES.get(page.label, PageViewSet),)
    if page.can_delete:
        bases = (BulkDeleteMixin, *bases)
    if bulk_edit:
        bases = (BulkUpdateMixin, *bases)
    cls = type(f"{page.model.__name__}ViewSet", bases, attrs)
    cls = add_import_action(cls, page)  # POST …/import/ when the page is importable (I)
    result: type[PageViewSet] = add_transition_actions(cls, page)  # POST …/{id}/<name>/ (M)
    return result
