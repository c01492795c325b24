"""REST endpoints generated from a ``Page``: same filters, permissions and services as the UI."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from netdept.api.errors import django_errors
from netdept.api.serializers import DateTimeInRange
from netdept.core import permissions
from netdept.core.registry import Page


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
        from netdept.core.registry import page_for

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


def viewset_for(page: Page) -> type[PageViewSet]:
    methods = ["get", "head", "options"]
    if page.can_add:
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
    return type(f"{page.model.__name__}ViewSet", (PageViewSet,), attrs)
