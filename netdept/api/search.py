"""``GET /api/v1/search/?q=…``: the global search (``netdept.core.search``) for tools.

The same providers, permissions and limits as the top bar: groups of hits, each with a label,
the address of its page, a detail line and a badge; ``url`` is set when the text is a complete
identifier (a work-order number pasted in full) of an object the caller may see; ``hint`` says
why nothing was searched (empty, too short) or that the text was cut.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.core import search

MAX_LIMIT = 50


class SearchParams(serializers.Serializer):
    """The parameters checked (``q`` is any text: ``search.parse`` cleans it, NULs included)."""

    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=search.PAGE_LIMIT
    )


class HitSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # (a field called "label")
    url = serializers.CharField()
    detail = serializers.CharField()
    badge = serializers.CharField()


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # (a field called "label")
    hits = HitSerializer(many=True)
    has_more = serializers.BooleanField()
    more_url = serializers.CharField(allow_null=True)
    timed_out = serializers.BooleanField()
    note = serializers.CharField()


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    hint = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    groups = GroupSerializer(many=True)


def _hit(hit: search.Hit) -> dict[str, Any]:
    return {"label": hit.label, "url": hit.url, "detail": hit.detail, "badge": hit.badge}


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="the text: words, a name, a phone, a number"),
        OpenApiParameter("limit", int, description=f"hits per group, 1–{MAX_LIMIT}"),
    ],
    responses=SearchResultSerializer,
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def search_view(request: Request) -> Response:
    params = SearchParams(data=request.query_params)
    if not params.is_valid():
        raise ValidationError(params.errors)
    q = request.query_params.get("q", "")
    result = search.run(q, request.user, limit=params.validated_data["limit"])
    return Response(
        {
            "query": result.query.text,
            "hint": result.hint,
            "url": result.exact.url if result.exact else None,
            "groups": [
                {
                    "key": g.key,
                    "label": g.label,
                    "hits": [_hit(h) for h in g.hits],
                    "has_more": g.has_more,
                    "more_url": g.more_url,
                    "timed_out": g.timed_out,
                    "note": g.note,
                }
                for g in result.groups
            ],
        }
    )
