"""Read-only API of the audit trail, for auditors (and their tools)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from netdept.core import audit, display, history, permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.views.audit import AuditFilterSet


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    """The record as written (what is hashed), and how people read it: the actor's person's
    name, the action's and the object type's labels in the reader's language."""

    actor_display = serializers.SerializerMethodField()
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    object_type_display = serializers.SerializerMethodField()

    class Meta:
        model = AuditRecord
        fields = [
            "seq",
            "ts",
            "actor",
            "actor_name",
            "actor_display",
            "ip",
            "action",
            "action_display",
            "object_type",
            "object_type_display",
            "object_id",
            "object_repr",
            "changes",
            "extra",
            "prev_hash",
            "hash",
        ]

    def get_actor_display(self, obj: AuditRecord) -> str:
        names = self.context.get("actor_names")
        if names is None:  # one record (retrieve): ask for it alone
            names = display.actor_names([obj.actor_id])
        return history.actor_text(obj, names)[0]

    def get_object_type_display(self, obj: AuditRecord) -> str:
        return display.object_type_label(obj.object_type) if obj.object_type else ""


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail. Nobody can change it through NetDept; auditors can read it."""

    model = AuditRecord
    queryset = AuditRecord.objects.none()
    serializer_class = AuditRecordSerializer
    filterset_class = AuditFilterSet
    ordering_fields = ["seq", "ts"]
    lookup_field = "seq"

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else []
        # The people's names of a whole page in one query, not one per record.
        self._actor_names = display.actor_names(r.actor_id for r in rows)
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = dict(super().get_serializer_context())
        names = getattr(self, "_actor_names", None)
        if names is not None:
            ctx["actor_names"] = names
        return ctx

    def get_queryset(self) -> Any:
        return permissions.restrict(AuditRecord.objects.all(), self.request.user, "view")

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().list(request, *args, **kwargs)
        audit.record(
            AuditAction.EXPORT,
            None,
            actor=request.user,
            object_type_label="core.auditrecord",
            object_repr="api",
            extra={
                "rows": len(response.data.get("results", [])),
                "query": {  # PostgreSQL refuses NUL in text
                    k.replace("\x00", ""): [v.replace("\x00", "") for v in vs]
                    for k, vs in request.query_params.lists()
                },
            },
        )
        return response
