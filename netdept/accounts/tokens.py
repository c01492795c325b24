"""Personal API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.accounts.authentication import digest, new_secret
from netdept.accounts.models import ApiToken
from netdept.api.serializers import DateTimeInRange
from netdept.core import audit
from netdept.core.models.audit import AuditAction


def create_token(actor: Any, name: str, expires_at: Any = None) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns it with its secret, which is never stored."""
    secret = new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name, prefix=secret[:10], digest=digest(secret), expires_at=expires_at
        )
        audit.record(
            AuditAction.CREATE,
            token,
            actor=actor,
            changes={"name": [None, name], "prefix": [None, token.prefix]},
        )
    return token, secret


def revoke_token(actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                AuditAction.UPDATE,
                token,
                actor=actor,
                changes={"revoked_at": [None, token.revoked_at.isoformat()]},
            )


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    expires_at = DateTimeInRange(required=False, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def validate_expires_at(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("A token must expire in the future."))
        return value


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's own tokens. DELETE revokes (the record stays for the audit)."""

    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ApiToken.objects.none()
        user = self.request.user
        if not user.is_authenticated:  # IsAuthenticated keeps anonymous requests out
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        token, secret = create_token(
            request.user, ser.validated_data["name"], ser.validated_data.get("expires_at")
        )
        data = dict(TokenSerializer(token).data)
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        revoke_token(self.request.user, instance)
