"""Serializers of the work-order API: what an order looks like, and the input of each action.

The input serializers only parse; every rule is checked by ``netdept.workorders.services``
(the same functions the pages call), whose field errors come back under the same names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from netdept.api.serializers import DateTimeInRange
from netdept.core.machines import model_serializer_field
from netdept.org.models import Person
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import (
    Attachment,
    Category,
    Comment,
    Kind,
    Level,
    Source,
    WorkOrder,
    WorkRecord,
)

STAFF_ONLY_FIELDS = ("major_report", "priority_reason", "created_by")
#: formats date-times as the API's fields do (ISO 8601 in the active time zone)
DATETIME = serializers.DateTimeField()
#: formats the estimated cost as the model's field does ("8000.00")
COST = serializers.DecimalField(max_digits=12, decimal_places=2)


class WorkOrderSerializer(serializers.ModelSerializer[WorkOrder]):
    category_name = serializers.CharField(source="category.name", read_only=True, default="")
    team_name = serializers.CharField(source="team.name", read_only=True, default="")
    assignee_name = serializers.CharField(source="assignee.name", read_only=True, default="")
    requester_name = serializers.CharField(source="requester.name", read_only=True, default="")
    requester_department_name = serializers.CharField(
        source="requester_department.name", read_only=True, default=""
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    waiting_on = serializers.CharField(read_only=True)  # (one enum: the wait action's "on")

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "category",
            "category_name",
            "title",
            "description",
            "estimated_cost",
            "source",
            "requester",
            "requester_name",
            "requester_department",
            "requester_department_name",
            "contact",
            "location",
            "device",
            "registration_no",
            "impact",
            "urgency",
            "priority",
            "priority_reason",
            "is_major",
            "major_report",
            "solution",
            "status",
            "status_display",
            "waiting_on",
            "team",
            "team_name",
            "assignee",
            "assignee_name",
            "sla_policy",
            "response_target_minutes",
            "resolution_target_minutes",
            "response_due",
            "resolution_due",
            "responded_at",
            "resolved_at",
            "closed_at",
            "paused_at",
            "response_breached",
            "resolution_breached",
            "escalation_percent",
            "rating",
            "rating_comment",
            "rated_at",
            "reopen_count",
            "merged_into",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: WorkOrder) -> dict[str, Any]:
        data = self.represent(instance)
        if not self.context.get("staff", False):
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
        actions = self.context.get("actions")
        if actions is not None:
            data["allowed_actions"] = sorted(actions)
        return data

    def represent(self, o: WorkOrder) -> dict[str, Any]:
        """The fields of ``Meta.fields``, read straight from the order: the same values as
        DRF's generic field-by-field representation (a test compares the two for orders with
        every field set and with none), at a fraction of its cost — a list of 100 orders
        spent most of its time resolving 50 field sources per row."""
        when = DATETIME.to_representation

        def dt(value: Any) -> Any:
            return None if value is None else when(value)

        def name(related: Any) -> str:
            return "" if related is None else related.name

        return {
            "id": o.pk,
            "number": o.number,
            "kind": o.kind,
            "kind_display": o.get_kind_display(),
            "category": o.category_id,
            "category_name": name(o.category),
            "title": o.title,
            "description": o.description,
            "estimated_cost": COST.to_representation(o.estimated_cost)
            if o.estimated_cost is not None
            else None,
            "source": o.source,
            "requester": o.requester_id,
            "requester_name": name(o.requester),
            "requester_department": o.requester_department_id,
            "requester_department_name": name(o.requester_department),
            "contact": o.contact,
            "location": o.location,
            "device": o.device,
            "registration_no": o.registration_no,
            "impact": o.impact,
            "urgency": o.urgency,
            "priority": o.priority,
            "priority_reason": o.priority_reason,
            "is_major": o.is_major,
            "major_report": o.major_report,
            "solution": o.solution,
            "status": o.status,
            "status_display": o.get_status_display(),
            "waiting_on": o.waiting_on,
            "team": o.team_id,
            "team_name": name(o.team),
            "assignee": o.assignee_id,
            "assignee_name": name(o.assignee),
            "sla_policy": o.sla_policy_id,
            "response_target_minutes": o.response_target_minutes,
            "resolution_target_minutes": o.resolution_target_minutes,
            "response_due": dt(o.response_due),
            "resolution_due": dt(o.resolution_due),
            "responded_at": dt(o.responded_at),
            "resolved_at": dt(o.resolved_at),
            "closed_at": dt(o.closed_at),
            "paused_at": dt(o.paused_at),
            "response_breached": o.response_breached,
            "resolution_breached": o.resolution_breached,
            "escalation_percent": o.escalation_percent,
            "rating": o.rating,
            "rating_comment": o.rating_comment,
            "rated_at": dt(o.rated_at),
            "reopen_count": o.reopen_count,
            "merged_into": o.merged_into_id,
            "created_by": o.created_by_id,
            "version": o.version,
            "created_at": dt(o.created_at),
            "updated_at": dt(o.updated_at),
        }


class OpenSerializer(serializers.Serializer):
    """A new order (multipart with ``attachments`` files, or JSON without them)."""

    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.FAULT)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    # The limits of the text fields are the model's (one source): same limits, same messages
    # as the portal's and the desk's forms and the service.
    title = model_serializer_field(WorkOrder, "title")
    description = model_serializer_field(WorkOrder, "description", required=False)
    location = model_serializer_field(WorkOrder, "location", required=False)
    device = model_serializer_field(WorkOrder, "device", required=False)
    contact = model_serializer_field(WorkOrder, "contact", required=False)
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    # A declared field named like the Field.source attribute of the DRF stubs: the API's key is
    # "source", so the name stays and the stubs' attribute type is overridden on purpose.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, required=False
    )
    registration_no = model_serializer_field(WorkOrder, "registration_no", required=False)
    # Required by the service for a purchase category (its message names this field).
    estimated_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        label=_("estimated cost (¥)"),
    )
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("The service desk files the order for this person (a caller)."),
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True
    )


class CommentInSerializer(WORKORDER_MACHINE.serializer_for("comment")):  # type: ignore[misc]
    """The machine's ``comment`` (``note`` with ``internal``): the body's limits are the
    model's."""

    internal = serializers.BooleanField(required=False, default=False)


class CommentSerializer(serializers.ModelSerializer[Comment]):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "author_name", "body", "internal", "created_at"]
        read_only_fields = fields

    def get_author_name(self, obj: Comment) -> str:
        user = obj.author
        if user is None:
            return ""
        person = getattr(user, "person", None) if hasattr(user, "person") else None
        return person.name if person is not None else user.get_username()


class WorkRecordInSerializer(WORKORDER_MACHINE.serializer_for("record")):  # type: ignore[misc]
    """The machine's ``record``, and when the work was done."""

    performed_at = DateTimeInRange(required=False, allow_null=True)


class WorkRecordSerializer(serializers.ModelSerializer[WorkRecord]):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = WorkRecord
        fields = ["id", "person", "person_name", "description", "minutes", "performed_at"]
        read_only_fields = fields


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField()


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, obj: Attachment) -> str:
        try:
            return reverse("workorders:attachment", args=[obj.token])
        except NoReverseMatch:
            return ""


class SlaEventSerializer(serializers.Serializer):
    ts = serializers.DateTimeField()
    type = serializers.CharField()
    # A declared field named like the Field.label attribute of the DRF stubs (API key "label").
    label = serializers.CharField()  # type: ignore[assignment]
    text = serializers.CharField()
    detail = serializers.JSONField()


class WorkOrderSchema(OpenApiSerializerExtension):
    """What the schema says of an order: the staff-only fields are absent for the requester
    side, and the answer of one order lists the actions the caller may take now."""

    target_class = WorkOrderSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["required"] = [f for f in schema.get("required", []) if f not in STAFF_ONLY_FIELDS]
        schema["properties"]["allowed_actions"] = {
            "type": "array",
            "items": {"type": "string"},
            "readOnly": True,
            "description": "The actions the caller may take on the order now (one order only).",
        }
        return schema
