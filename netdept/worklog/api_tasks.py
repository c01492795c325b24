"""The REST API of tasks beyond the generated endpoints.

The generated endpoints of ``goals`` and ``tasks`` (``registry_tasks``) list, read and write
them with their filters and scopes (create and edit through ``services.tasks``), and take the
task machine's actions (``POST /api/v1/worklog/tasks/{id}/start/``, ``progress``,
``complete``, ``evaluate``, ``reopen``, ``cancel``). This module adds:

* ``GET /api/v1/worklog/tasks/mine/`` — 我的任务: the signed-in person's open tasks, the
  soonest due first (``?status=done`` or ``cancelled`` for the finished ones), paginated and
  shaped like the list, the list's filters applying too.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.generic import PageViewSet, register_api_base, serializer_for
from netdept.core.registry import page_for
from netdept.worklog.models import OPEN_TASK_STATUSES, Task
from netdept.worklog.services.tasks import person_of

_page = page_for(Task)
assert _page is not None, "registry_tasks is imported first (wiring)"
if _page.serializer_class is None:  # one serializer class: the list's and mine's schema agree
    _page.serializer_class = serializer_for(_page)
TaskSerializer = _page.serializer_class


class TaskAPIBase(PageViewSet):
    @extend_schema(
        summary="My tasks (我的任务)",
        responses=TaskSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "status", str, enum=["todo", "doing", "done", "cancelled"], required=False,
                description="One status; default: the open ones (to do and in progress).",
            ),
        ],
    )  # fmt: skip
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        me = person_of(request.user)
        if me is None:
            qs = qs.none()
        else:
            qs = qs.filter(owner=me)
            if not request.query_params.get("status"):
                qs = qs.filter(status__in=OPEN_TASK_STATUSES)
        rows: Any = qs.order_by("due_on", "pk")
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(rows, many=True).data)


register_api_base(Task, TaskAPIBase)
