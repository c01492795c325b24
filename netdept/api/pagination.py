"""API pagination. Counting every visible row of a table of millions costs more than the page
itself, so the count stops at ``COUNT_CAP``: beyond it the answer says ``count_capped`` and
clients narrow the filters (as on the pages).

``page`` and ``page_size`` must be whole numbers from 1 (a larger ``page_size`` than
``max_page_size`` gives ``max_page_size`` rows): anything else is a 400 naming the parameter,
never a silent default. A page beyond the last one is a 404."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

COUNT_CAP = 10_000
MAX_NUMBER = 999_999_999  # the largest page or page size asked for (beyond: a 400)


class CappedPaginator(Paginator):
    @cached_property
    def _counted(self) -> int:
        qs: Any = self.object_list
        if hasattr(qs, "query"):
            return int(qs[: COUNT_CAP + 1].count())
        return len(qs)

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param or "page_size", "")
        if raw == "":
            return int(self.page_size)
        return min(self._number(self.page_size_query_param or "page_size", raw), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param, "")
        if raw == "":
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        return self._number(self.page_query_param, raw)

    @staticmethod
    def _number(name: str, raw: str) -> int:
        value = raw.strip()
        if value.isascii() and value.isdecimal() and len(value) <= 9 and int(value) >= 1:
            return int(value)
        raise ValidationError({name: [_("Enter a whole number from 1 to 999999999.")]})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"].update(minimum=1, maximum=MAX_NUMBER)
        return params

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        paginator = self.page.paginator  # type: ignore[union-attr]
        response.data["count_capped"] = bool(getattr(paginator, "capped", False))
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {"type": "boolean", "example": False}
        return result
