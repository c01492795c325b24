"""``/api/v1/workorders/orders/``: list, read and file work orders, and every action on them.

Thin: each endpoint parses its input and calls ``netdept.workorders.services`` — the same rules,
permissions and audit as the pages. An order the caller cannot see answers 404 (list,
read and actions alike); a refused transition 400 naming the reason; a lost race 409. The
actions on an order are generated from its state machine (``netdept.workorders.machines``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
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
from netdept.api.transitions import add_machine_actions
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import require
from netdept.workorders import services, sla
from netdept.workorders.api import serializers as s
from netdept.workorders.filtersets import WorkOrderFilterSet
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import (
    Attachment,
    WorkOrder,
    WorkRecord,
)


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

    # --- transitions: generated from the machine (add_machine_actions below) -----------------
    def transition_response(self, order: WorkOrder) -> Response:
        """The answer of every generated action: the order as the caller now sees it."""
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
        """The machine's ``comment`` (``note`` with ``internal``), answering the comment (201):
        an explicit override of the generated action."""
        return self._comment(self.get_object())

    def _comment(self, order: WorkOrder) -> Response:
        """A comment (or, with ``internal``, a note): the machine's ``comment``/``note``."""
        data = _parse(s.CommentInSerializer, self.request.data)
        name = "note" if data.get("internal") else "comment"
        WORKORDER_MACHINE.require(name, self.request.user, order)
        note = WORKORDER_MACHINE.execute(name, self.request.user, order, {"body": data["body"]})
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
            WORKORDER_MACHINE.require("record", request.user, order)
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
            WORKORDER_MACHINE.require("attach", request.user, order)
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


#: accept, assign, … reopen, comment, note, record, attach: one POST action each, from the one
#: declaration (``netdept.workorders.machines``), with the request body of the schema.
add_machine_actions(WorkOrderViewSet, WORKORDER_MACHINE, s.WorkOrderSerializer)
