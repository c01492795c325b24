"""Read-only API of the audit trail, for auditors (and their tools)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.views.audit import AuditFilterSet


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    class Meta:
        model = AuditRecord
        fields = [
            "seq",
            "ts",
            "actor",
            "actor_name",
            "ip",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "extra",
            "prev_hash",
            "hash",
        ]


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail. Nobody can change it through NetDept; auditors can read it."""

    model = AuditRecord
    queryset = AuditRecord.objects.none()
    serializer_class = AuditRecordSerializer
    filterset_class = AuditFilterSet
    ordering_fields = ["seq", "ts"]
    lookup_field = "seq"

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
