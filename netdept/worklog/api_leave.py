"""The REST API of leave and attendance beyond the generated endpoints.

The generated endpoints of the ``leave`` Page (``registry_leave``) list and read leave with
its filters and export, and take the machine's actions (``POST
/api/v1/worklog/leave-requests/{id}/approve/`` with the channel, ``reject/``, ``cancel/``);
those of attendance rules, records and imports are generated too. This module adds:

* ``POST /api/v1/worklog/leave-requests/ask/`` — ask for leave (a lead: for a person they
  lead, with the channel): 201 with the request, 400 naming the field (ends before it
  starts, covers no working day, overlaps another leave…), 403 for somebody else's leave;
* ``POST /api/v1/worklog/attendance-imports/preview/`` — a clock file (multipart: ``file``,
  ``source``, ``department``): 201 with the import and its judged rows, or with ``status``
  ``refused`` and every bad row in ``errors``; nothing else is written;
* ``POST /api/v1/worklog/attendance-imports/{id}/confirm/`` — import it, all or nothing.

Thin: every change is ``services.leave``' or ``services.attendance``'.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import PageViewSet, register_api_base
from netdept.org.models import Department, Person
from netdept.worklog.models.leave import (
    AttendanceImport,
    Channel,
    ImportSource,
    LeaveRequest,
    LeaveType,
)
from netdept.worklog.services import attendance as att
from netdept.worklog.services import leave as svc


class AskSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(is_active=True), required=False, allow_null=True
    )
    leave_type = serializers.PrimaryKeyRelatedField(
        queryset=LeaveType.objects.filter(is_active=True)
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=svc.MAX_REASON)
    delegate = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(is_active=True), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.ChoiceField(choices=ImportSource.choices)  # type: ignore[assignment]
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())


LINE_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "row": serializers.IntegerField(),
    "person": serializers.IntegerField(),
    "person_name": serializers.CharField(),
    "day": serializers.DateField(),
    "clock_in": serializers.DateTimeField(allow_null=True),
    "clock_out": serializers.DateTimeField(allow_null=True),
    "status": serializers.CharField(),
    "status_label": serializers.CharField(),
    "late_minutes": serializers.IntegerField(),
    "violation_by_rule": serializers.BooleanField(),
}


def _me(request: Request) -> Person:
    me = svc.person_of(request.user)
    if me is None:
        raise exceptions.PermissionDenied()
    return me


def _valid(serializer_cls: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    s = serializer_cls(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class _ServiceRowsBase(PageViewSet):
    """Rows written by the services: POST to the list is 405 (not a 403 asking for an add
    permission that would not help); the own actions (``own_posts``) POST."""

    own_posts: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.own_posts and "post" not in self.http_method_names:
            self.http_method_names = [*self.http_method_names, "post"]

    def check_permissions(self, request: Request) -> None:
        if getattr(self, "action", None) == "create" and not self.page.can_add:
            raise exceptions.MethodNotAllowed(request.method or "POST")
        super().check_permissions(request)


class LeaveRequestAPIBase(_ServiceRowsBase):
    own_posts = ("ask",)

    @extend_schema(request=AskSerializer, responses={201: None})
    @action(detail=False, methods=["post"])
    def ask(self, request: Request) -> Response:
        """Ask for leave (or, a lead, record a request taken in person or by phone)."""
        data = _valid(AskSerializer, request)
        me = _me(request)
        try:
            leave = svc.submit_leave(
                by=me,
                person=data.get("person") or me,
                leave_type=data["leave_type"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                delegate=data.get("delegate"),
                channel=data.get("channel") or Channel.SYSTEM,
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        fresh = self.page.queryset().get(pk=leave.pk)
        body = self.get_serializer(fresh).data
        return Response(body, status=status.HTTP_201_CREATED)


def _line(ln: att.Line) -> dict[str, Any]:
    return {
        "row": ln.row.line,
        "person": ln.person.pk,
        "person_name": ln.person.name,
        "day": ln.row.day,
        "clock_in": ln.clock_in,
        "clock_out": ln.clock_out,
        "status": ln.verdict.status,
        "status_label": ln.verdict.label,
        "late_minutes": ln.verdict.late_minutes,
        "violation_by_rule": ln.verdict.penalty_rule_id is not None,
    }


class AttendanceImportAPIBase(_ServiceRowsBase):
    own_posts = ("preview", "confirm")
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _answer(self, imp: AttendanceImport, lines: list[att.Line]) -> dict[str, Any]:
        fresh = self.page.queryset().get(pk=imp.pk)
        body = dict(self.get_serializer(fresh).data)
        body["lines"] = [_line(ln) for ln in lines[:1000]]
        body["errors"] = fresh.errors
        return body

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: inline_serializer(
                "AttendancePreview",
                {"lines": inline_serializer("AttendanceLine", LINE_FIELDS, many=True)},
            )
        },
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Upload a clock file: what it holds and what each day becomes; nothing written."""
        data = _valid(UploadSerializer, request)
        upload = data["file"]
        try:
            imp, lines = att.preview_import(
                request.user,
                upload=upload,
                file_name=upload.name,
                source=data["source"],
                department=data["department"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(self._answer(imp, lines), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Import the previewed file, all or nothing (400 with every bad row otherwise)."""
        imp = self.get_object()
        try:
            imp = att.confirm_import(request.user, imp)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        body = self._answer(imp, [])
        code = status.HTTP_200_OK if imp.status == "imported" else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)


register_api_base(LeaveRequest, LeaveRequestAPIBase)
register_api_base(AttendanceImport, AttendanceImportAPIBase)
