"""The packs' API beyond the generated endpoints (``/api/v1/duties/packs/``, read-only):
``GET /api/v1/duties/packs/{id}/coverage/`` — every article of the pack's regulations with
what encodes it (live rules) or why it is not automatable, and the counts (missing = 0 is
complete). The same permission as the pack's page (view pack)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.generic import PageViewSet, register_api_base
from netdept.duties.models import Pack
from netdept.duties.packs.coverage import coverage


class PackAPIBase(PageViewSet):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="The pack's coverage: every article with the live rules encoding it (kind, "
        "label, url, active) or the reason it is not automatable; status encoded, "
        "not_automatable or missing.",
    )
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: Any = None) -> Response:
        pack: Pack = self.get_object()
        return Response(coverage(pack).as_dict())


register_api_base(Pack, PackAPIBase)
