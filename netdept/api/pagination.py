"""API pagination on the shared paginator (``netdept.core.paginate``).

Counting every visible row of a table of millions costs more than the page itself, so the
count stops at ``COUNT_CAP``: beyond it the answer says ``count_capped`` and clients narrow the
filters (as on the pages). The first pages are numbered (``page``); beyond them the ``next`` and
``previous`` links carry a keyset cursor (``after`` / ``before``), so a deep page costs what the
first one does. A cursor that was not made by the server for this ordering is a 400.

``page`` and ``page_size`` must be whole numbers from 1 (a larger ``page_size`` than
``max_page_size`` gives ``max_page_size`` rows): anything else is a 400 naming the parameter,
never a silent default. A page beyond the last one is a 404."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from netdept.core.paginate import COUNT_CAP, EmptyPage, InvalidCursor, Paginator, Window

MAX_NUMBER = 999_999_999  # the largest page or page size asked for (beyond: a 400)

__all__ = ["COUNT_CAP", "MAX_NUMBER", "Pagination"]


class Pagination(BasePagination):
    page_size = 50
    page_query_param = "page"
    page_size_query_param = "page_size"
    after_query_param = "after"
    before_query_param = "before"
    max_page_size = 500
    last_page_strings = ("last",)
    count_cap: int | None = None  # None: the module's COUNT_CAP (read at each request)

    window: Window | None = None
    request: Request | None = None

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return int(self.page_size)
        return min(self._number(self.page_size_query_param, raw), self.max_page_size)

    @staticmethod
    def _number(name: str, raw: str) -> int:
        value = raw.strip()
        if value.isascii() and value.isdecimal() and len(value) <= 9 and int(value) >= 1:
            return int(value)
        raise ValidationError({name: [_("Enter a whole number from 1 to 999999999.")]})

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.request = request
        size = self.get_page_size(request)
        params = request.query_params
        after = params.get(self.after_query_param, "")
        before = params.get(self.before_query_param, "")
        raw_page = params.get(self.page_query_param, "")
        number = 1
        if raw_page in self.last_page_strings:
            number = -1
        elif raw_page != "":
            number = self._number(self.page_query_param, raw_page)
        cap = COUNT_CAP if self.count_cap is None else self.count_cap
        paginator = Paginator(queryset, size, cap=cap)
        if number == -1:
            number = paginator.num_pages
        try:
            self.window = paginator.page(page=number, after=after or None, before=before or None)
        except InvalidCursor as exc:
            name = self.after_query_param if after else self.before_query_param
            raise ValidationError(
                {name: [_("This cursor is not valid; start from page 1.")]}
            ) from exc
        except EmptyPage as exc:
            raise NotFound(_("Invalid page.")) from exc
        return self.window.rows

    def _link(self, params: dict[str, str] | None) -> str | None:
        if params is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        for name in (self.page_query_param, self.after_query_param, self.before_query_param):
            url = remove_query_param(url, name)
        for name, value in params.items():
            if name == self.page_query_param and value == "1":
                continue
            url = replace_query_param(url, name, value)
        return url

    def get_next_link(self) -> str | None:
        return self._link(self.window.next_params if self.window else None)

    def get_previous_link(self) -> str | None:
        return self._link(self.window.previous_params if self.window else None)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.window is not None
        return Response(
            OrderedDict(
                [
                    ("count", self.window.count),
                    ("count_capped", self.window.capped),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_capped": {"type": "boolean", "example": False},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        number = {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER}
        cursor = {"type": "string"}
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": _("A page number within the paginated result set."),
                "schema": number,
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": _("Number of results to return per page."),
                "schema": number,
            },
            {
                "name": self.after_query_param,
                "required": False,
                "in": "query",
                "description": _("Cursor of a deep page (from a `next` link)."),
                "schema": cursor,
            },
            {
                "name": self.before_query_param,
                "required": False,
                "in": "query",
                "description": _("Cursor of a deep page (from a `previous` link)."),
                "schema": cursor,
            },
        ]
