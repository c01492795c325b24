from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from netdept.api.audit import AuditRecordViewSet
from netdept.api.generic import viewset_for
from netdept.api.tokens import TokenViewSet
from netdept.core import permissions
from netdept.core.registry import PAGES

router = DefaultRouter()
for page in PAGES.values():
    if page.api:
        router.register(
            f"{page.app_label}/{page.slug}s",
            viewset_for(page),
            basename=f"{page.app_label}-{page.slug}",
        )
router.register("tokens", TokenViewSet, basename="token")
router.register("core/auditrecords", AuditRecordViewSet, basename="core-auditrecord")


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    user: Any = request.user
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return Response(
        {
            "id": user.pk,
            "username": user.get_username(),
            "person": person.pk if person else None,
            "name": person.name if person else "",
            "roles": list(user.role_assignments.values_list("role__code", flat=True)),
            "permissions": sorted(permissions.user_perms(user)),
        }
    )


urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", me, name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
