"""REST endpoints of the inbox: each user sees and marks only their own messages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.notify import render, services
from netdept.notify.models import InboxMessage


class InboxMessageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    kind = serializers.CharField(source="notification.kind", read_only=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = InboxMessage
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "url",
            "severity",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_url(self, obj: InboxMessage) -> str:
        return render.absolute(obj.link)

    def get_is_read(self, obj: InboxMessage) -> bool:
        return obj.read_at is not None


class CountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(required=False)
    marked = serializers.IntegerField(required=False)


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's inbox. ``?unread=true`` lists unread messages only."""

    serializer_class = InboxMessageSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = InboxMessage.objects.none()

    def get_queryset(self) -> Any:
        user: Any = self.request.user
        qs = InboxMessage.objects.filter(user=user).select_related("notification")
        unread = self.request.query_params.get("unread", "").lower()
        if unread in ("true", "1", "yes"):
            qs = qs.filter(read_at__isnull=True)
        elif unread in ("false", "0", "no"):
            qs = qs.filter(read_at__isnull=False)
        return qs.order_by("-created_at", "-id")

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        msg = self.get_object()
        marked = services.mark_read(request.user, [msg.pk])
        return Response({"marked": marked, "unread": services.unread_count(request.user)})

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = services.mark_all_read(request.user)
        return Response({"marked": marked, "unread": 0})

    @extend_schema(responses=CountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": services.unread_count(request.user)})
