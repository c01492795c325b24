"""``/api/v1/workorders/orders/``: list, read and file work orders, and every action on them.

Thin: each endpoint parses its input and calls ``netdept.workorders.services`` — the same rules,
permissions and audit as the pages. An order the caller cannot see answers 404 (list,
read and actions alike); a refused transition 400 naming the reason; a lost race 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.parsers import BoundedJSONParser
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import require
from netdept.workorders import services, sla
from netdept.workorders.api import serializers as s
from netdept.workorders.forms import search_orders
from netdept.workorders.models import (
    Attachment,
    Kind,
    Priority,
    Status,
    WorkOrder,
    WorkRecord,
)


class IdFilter(django_filters.Filter):
    """The id of a related row, matched as a number and never looked up: the answer is the
    caller's visible orders that carry it, so an id that does not exist and one of a row the
    caller may not see answer alike (no existence oracle), and no choice list of every
    person or department is ever rendered (the browsable API shows a number box)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class WorkOrderFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    team = IdFilter(field_name="team_id", label=gettext_lazy("team (id)"))
    assignee = IdFilter(field_name="assignee_id", label=gettext_lazy("assignee (id)"))
    category = IdFilter(field_name="category_id", label=gettext_lazy("category (id)"))
    requester_department = IdFilter(
        field_name="requester_department_id", label=gettext_lazy("requester department (id)")
    )
    is_major = django_filters.BooleanFilter()
    breached = django_filters.BooleanFilter(
        method="filter_breached", label=gettext_lazy("SLA breached")
    )
    q = django_filters.CharFilter(method=search_orders, label=gettext_lazy("Search"))
    # Two filters (not one range filter): an error names the parameter that was sent.
    created_after = django_filters.DateFilter(
        method="filter_created", label=gettext_lazy("created on or after")
    )
    created_before = django_filters.DateFilter(
        method="filter_created", label=gettext_lazy("created on or before")
    )

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_created(
        self, queryset: QuerySet[WorkOrder], name: str, value: dt.date | None
    ) -> QuerySet[WorkOrder]:
        """Whole days in the site's time zone, as an indexed range on ``created_at``."""
        if value is None:
            return queryset
        if name == "created_after":
            return queryset.filter(created_at__gte=_day_start(value))
        return queryset.filter(created_at__lt=_day_start(value) + dt.timedelta(days=1))

    def filter_breached(
        self, queryset: QuerySet[WorkOrder], name: str, value: bool | None
    ) -> QuerySet[WorkOrder]:
        if value is None:
            return queryset
        breached = Q(response_breached=True) | Q(resolution_breached=True)
        return queryset.filter(breached) if value else queryset.exclude(breached)


def _day_start(day: dt.date) -> dt.datetime:
    # Clamped: the first and last days of the calendar have no neighbours in UTC.
    day = min(max(day, dt.date(1900, 1, 1)), dt.date(9000, 1, 1))
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class WorkOrderPermission(BasePermission):
    """Listing and reading need the view permission, filing the add permission (at any
    scope: the queryset and the services do the rest)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        perm = (
            "workorders.add_workorder" if view.action == "create" else ("workorders.view_workorder")
        )
        if permissions.has_perm(request.user, perm):
            return True
        audit.record(
            AuditAction.DENIED,
            None,
            actor=request.user,
            object_type_label="workorders.workorder",
            object_repr="",
            extra={"permission": perm, "method": request.method, "path": request.path[:500]},
        )
        return False


#: The lists of an order's comments, records, attachments and SLA events: the whole list as a
#: JSON array (as the schema says), neither paginated nor filtered like the list of orders.
NESTED_LIST: dict[str, Any] = {"pagination_class": None, "filter_backends": []}

#: Transitions only the staff working on the order may make.
STAFF_ACTIONS = {
    services.accept,
    services.assign,
    services.transfer,
    services.start,
    services.wait,
    services.resume,
    services.resolve,
    services.close,
    services.set_priority,
    services.set_major,
}


def _parse(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


@extend_schema(tags=["workorders"])
class WorkOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.WorkOrderSerializer
    permission_classes = [WorkOrderPermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = WorkOrderFilterSet
    ordering_fields = ["created_at", "priority", "resolution_due", "number", "status"]
    ordering = ["-created_at", "-id"]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"
    queryset = WorkOrder.objects.none()
    conflict_possible = True  # the schema documents the 409 of a lost race

    def get_queryset(self) -> QuerySet[WorkOrder]:
        return services.visible_orders(self.request.user)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The filters narrow the list; one order (and its actions) is found by id alone."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = dict(super().get_serializer_context())
        ctx["staff"] = permissions.has_perm(self.request.user, "workorders.change_workorder")
        return ctx

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.Conflict):
            return Response(
                {"detail": " ".join(exc.messages), "code": "conflict"},
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)

    def _order(self, order: WorkOrder, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        order = services.visible_orders(user).filter(pk=order.pk).first() or order
        ctx = {
            **self.get_serializer_context(),
            "staff": services.is_staff(user, order),
            "actions": services.allowed_actions(user, order),
        }
        return Response(s.WorkOrderSerializer(order, context=ctx).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._order(self.get_object())

    @extend_schema(request=s.OpenSerializer, responses={201: s.WorkOrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = request.data
        if hasattr(body, "get") and body.get("on_behalf_of") not in (None, ""):
            # Only the service desk files for someone else: anyone else is refused before the
            # person's id is looked up (an unknown and an existing id answer alike).
            require(request.user, "change", WorkOrder)
        data = _parse(s.OpenSerializer, request.data)
        uploads = data.pop("attachments", [])
        on_behalf_of = data.pop("on_behalf_of", None)
        order = services.open_order(
            request.user, data, attachments=uploads, on_behalf_of=on_behalf_of
        )
        return self._order(order, status.HTTP_201_CREATED)

    # --- transitions ------------------------------------------------------------------------
    def _transition(self, serializer_class: type[Any], call: Any) -> Response:
        order = self.get_object()
        if call in STAFF_ACTIONS:
            # Refused before the input is read: a team or person id in it is never looked up
            # for someone who may not take the action (no existence oracle).
            require(self.request.user, "change", order)
        data = _parse(serializer_class, self.request.data)
        call(self.request.user, order, **data)
        return self._order(order)

    @extend_schema(request=s.VersionSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._transition(s.VersionSerializer, services.accept)

    @extend_schema(request=s.AssignSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        return self._transition(s.AssignSerializer, services.assign)

    @extend_schema(request=s.TransferSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        return self._transition(s.TransferSerializer, services.transfer)

    @extend_schema(request=s.VersionSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._transition(s.VersionSerializer, services.start)

    @extend_schema(request=s.WaitSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request: Request, pk: str) -> Response:
        return self._transition(s.WaitSerializer, services.wait)

    @extend_schema(request=s.VersionSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        return self._transition(s.VersionSerializer, services.resume)

    @extend_schema(request=s.ResolveSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        return self._transition(s.ResolveSerializer, services.resolve)

    @extend_schema(request=s.VersionSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return self._transition(s.VersionSerializer, services.confirm)

    @extend_schema(request=s.RateSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        return self._transition(s.RateSerializer, services.rate)

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._transition(s.ReasonSerializer, services.close)

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._transition(s.ReasonSerializer, services.reopen)

    @extend_schema(request=s.PrioritySerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def priority(self, request: Request, pk: str) -> Response:
        return self._transition(s.PrioritySerializer, services.set_priority)

    @extend_schema(request=s.MajorSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def major(self, request: Request, pk: str) -> Response:
        return self._transition(s.MajorSerializer, services.set_major)

    @extend_schema(request=s.MergeSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        require(request.user, "change", order)
        data = _parse(s.MergeSerializer, request.data)
        into = services.visible_orders(request.user).filter(pk=data.pop("into")).first()
        if into is None:
            raise ValidationError({"into": [_("Choose a valid order.")]})
        services.merge(request.user, order, into=into, **data)
        return self._order(order)

    # --- comments, records, attachments, SLA ------------------------------------------------
    @extend_schema(
        methods=["POST"], request=s.CommentInSerializer, responses={201: s.CommentSerializer}
    )
    @extend_schema(methods=["GET"], responses=s.CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], **NESTED_LIST)
    def comments(self, request: Request, pk: str) -> Response:
        """Public comments; internal notes too for those allowed to see them."""
        order = self.get_object()
        if request.method == "POST":
            return self._comment(order)
        rows = services.visible_comments(request.user, order)
        return Response(s.CommentSerializer(rows, many=True).data)

    @extend_schema(request=s.CommentInSerializer, responses={201: s.CommentSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str) -> Response:
        return self._comment(self.get_object())

    def _comment(self, order: WorkOrder) -> Response:
        data = _parse(s.CommentInSerializer, self.request.data)
        note = services.comment(self.request.user, order, **data)
        return Response(s.CommentSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["POST"], request=s.WorkRecordInSerializer, responses={201: s.WorkRecordSerializer}
    )
    @extend_schema(methods=["GET"], responses=s.WorkRecordSerializer(many=True))
    @action(detail=True, methods=["get", "post"], **NESTED_LIST)
    def records(self, request: Request, pk: str) -> Response:
        """Work records: what was done and the time spent."""
        order = self.get_object()
        if request.method == "POST":
            require(request.user, "change", order)
            data = _parse(s.WorkRecordInSerializer, request.data)
            rec = services.add_work_record(request.user, order, **data)
            return Response(s.WorkRecordSerializer(rec).data, status=status.HTTP_201_CREATED)
        rows = permissions.restrict(
            WorkRecord.objects.filter(order=order).select_related("person"), request.user
        )
        return Response(s.WorkRecordSerializer(rows, many=True).data)

    @extend_schema(
        methods=["POST"], request=s.AttachmentInSerializer, responses={201: s.AttachmentSerializer}
    )
    @extend_schema(methods=["GET"], responses=s.AttachmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], **NESTED_LIST)
    def attachments(self, request: Request, pk: str) -> Response:
        """Photos and files (multipart ``file``); checked for size and real type."""
        order = self.get_object()
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            att = services.add_attachment(request.user, order, upload)
            return Response(s.AttachmentSerializer(att).data, status=status.HTTP_201_CREATED)
        rows = Attachment.objects.filter(order=order)
        return Response(s.AttachmentSerializer(rows, many=True).data)

    @extend_schema(responses=s.SlaEventSerializer(many=True))
    @action(detail=True, methods=["get"], **NESTED_LIST)
    def sla(self, request: Request, pk: str) -> Response:
        """The SLA timeline: every timer event of the order."""
        order = self.get_object()
        return Response(s.SlaEventSerializer(sla.timeline(order), many=True).data)
