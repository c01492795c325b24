from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from netdept.accounts.tokens import TokenViewSet
from netdept.api import search
from netdept.api.audit import AuditRecordViewSet
from netdept.api.generic import viewset_for
from netdept.approvals.api import InboxViewSet as ApprovalInboxViewSet
from netdept.core import permissions
from netdept.core.registry import PAGES
from netdept.duties.api_reports import ROUTES as DUTIES_REPORT_ROUTES
from netdept.notify.api import InboxViewSet
from netdept.worklog.api_routes import ROUTES as WORKLOG_ROUTES
from netdept.workorders.api.views import WorkOrderViewSet

router = DefaultRouter()
for page in PAGES.values():
    if page.api:
        router.register(
            f"{page.app_label}/{page.api_name}",
            viewset_for(page),
            basename=f"{page.app_label}-{page.slug}",
        )
router.register("tokens", TokenViewSet, basename="token")
router.register("core/auditrecords", AuditRecordViewSet, basename="core-auditrecord")
router.register("notify/inbox", InboxViewSet, basename="notify-inbox")
router.register("workorders/orders", WorkOrderViewSet, basename="workorders-order")
router.register("approvals/inbox", ApprovalInboxViewSet, basename="approvals-inbox")
for _prefix, _viewset, _basename in DUTIES_REPORT_ROUTES:  # statements, compliance
    router.register(_prefix, _viewset, basename=_basename)
for _prefix, _viewset, _basename in WORKLOG_ROUTES:  # today's log, drafting, imports…
    router.register(_prefix, _viewset, basename=_basename)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    person = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=MeSerializer)
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


@csrf_exempt  # changes nothing; a POST with a token gets the 404, not Django's CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown API address: a JSON 404 (never the HTML error page), whatever the method; a
    missing trailing slash is redirected like everywhere else."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        match = resolve_or_none(request.path + "/")
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            location = request.path + "/" + (f"?{query}" if query else "")
            response = JsonResponse(
                {"detail": _("Moved permanently."), "location": location},
                status=301,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Location"] = iri_to_uri(location)
            return response
    return JsonResponse(
        {"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
    )


def resolve_or_none(url: str) -> Any:
    try:
        return resolve(url)
    except Resolver404:
        return None


urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", me, name="api-me"),
    path("v1/search/", search.search_view, name="api-search"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file (no inline script: CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found"),
]
