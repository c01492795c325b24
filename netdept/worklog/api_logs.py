"""The REST API of daily logs beyond the generated endpoints.

The generated endpoints of the ``logs`` and ``log-entries`` Pages (``registry_logs``) list and
read them with their filters and export, and take the machine's actions
(``POST /api/v1/worklog/logs/{id}/submit/``, ``accept/``, ``return_for_changes/``). This module
gives logs a base that lets the people one concerns read it and act on it with the pages' rule
(its person, its reviewer, the person's team lead; or the view permission within scope), and
adds:

* ``POST /api/v1/worklog/logs/today/`` — draft-or-get the caller's log of today (or of
  ``day``): 201 when it was opened (drafted from the day's records), 200 when it existed;
* ``POST /api/v1/worklog/logs/{id}/text/`` — the summary, problems, plan for the next day;
* ``POST /api/v1/worklog/logs/{id}/entries/`` — a line written by hand;
* ``POST /api/v1/worklog/logs/{id}/entries/{entry_id}/`` — edit a line; ``…/remove/`` — remove it;
* ``POST /api/v1/worklog/logs/{id}/redraft/`` — add what is new in the day's records;
* ``GET /api/v1/worklog/logs/to-review/`` — the logs submitted to the caller.

Bad input is a 400 naming the field, a log that is not the caller's a 403 (audited), a lost
race a 409 (``code: conflict``). Thin: every change is ``services.logs``'.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import register_api_base
from netdept.approvals.api import ConcernedBase
from netdept.worklog import contributions
from netdept.worklog.machines_logs import LOG_MACHINE
from netdept.worklog.models.logs import (
    MAX_ENTRY_MINUTES,
    MAX_ENTRY_TEXT,
    MAX_TEXT,
    DailyLog,
    EntryState,
    LogEntry,
)
from netdept.worklog.services import logs
from netdept.worklog.services.logs import person_of


class LogEntryItemSerializer(serializers.ModelSerializer[LogEntry]):
    source_label = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = LogEntry
        fields = [
            "id", "text", "minutes", "state", "state_label", "source", "source_label",
            "record_type", "record_id", "at", "position",
        ]  # fmt: skip

    def get_source_label(self, obj: LogEntry) -> str:
        return contributions.label_of(obj.source) if obj.source else ""


class LogSummarySerializer(serializers.ModelSerializer[DailyLog]):
    person_name = serializers.CharField(source="person.name", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DailyLog
        fields = [
            "id", "person", "person_name", "team", "day", "status", "status_label", "summary",
            "problems", "plan", "minutes", "drafted_at", "submitted_at", "reviewer",
            "reviewer_name", "reviewed_at", "review_comment", "version",
        ]  # fmt: skip

    def get_reviewer_name(self, obj: DailyLog) -> str:
        return obj.reviewer.name if obj.reviewer_id and obj.reviewer is not None else ""


class LogDetailSerializer(LogSummarySerializer):
    entries = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(LogSummarySerializer.Meta):
        fields = [*LogSummarySerializer.Meta.fields, "entries", "allowed_actions"]

    @extend_schema_field(LogEntryItemSerializer(many=True))
    def get_entries(self, obj: DailyLog) -> list[dict[str, Any]]:
        rows = LogEntry.objects.filter(log=obj, dismissed=False).order_by("position", "pk")
        return list(LogEntryItemSerializer(rows, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj: DailyLog) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return LOG_MACHINE.allowed(obj, user) if user is not None else []


class LogOpenSerializer(serializers.Serializer[Any]):
    day = serializers.DateField(required=False, help_text="Default: today.")


class LogTextSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    plan = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class LogEntryAddSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=MAX_ENTRY_TEXT)
    minutes = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_ENTRY_MINUTES, default=0
    )
    state = serializers.ChoiceField(choices=EntryState.choices, required=False, default="done")
    expected_version = serializers.IntegerField(required=False, min_value=1)


class LogEntryChangeSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=MAX_ENTRY_TEXT, required=False)
    minutes = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ENTRY_MINUTES)
    state = serializers.ChoiceField(choices=EntryState.choices, required=False)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class LogVersionSerializer(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(required=False, min_value=1)


def _me(request: Request) -> Any:
    me = person_of(request.user)
    if me is None:
        raise exceptions.PermissionDenied(
            "Your account is not linked to a person of the organisation."
        )
    return me


class DailyLogAPIBase(ConcernedBase):
    involved = staticmethod(logs.involved)
    view_perm = logs.VIEW
    answer_serializer = LogSummarySerializer
    detail_serializer = LogDetailSerializer
    open_actions = ("today", "to_review")
    list_related = ("person", "reviewer")
    conflict_possible = True

    def get_serializer_class(self) -> Any:
        chosen = {
            "today": LogOpenSerializer,
            "text": LogTextSerializer,
            "entries": LogEntryAddSerializer,
            "entry": LogEntryChangeSerializer,
            "remove_entry": LogVersionSerializer,
            "redraft": LogVersionSerializer,
        }.get(str(self.action))
        return chosen or super().get_serializer_class()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") != "conflict":
            exc = exceptions.ValidationError(django_errors(exc))
        return super().handle_exception(exc)

    def _valid(self, cls: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
        ser = cls(data=request.data)
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)

    def _fresh(self, log: DailyLog) -> Response:
        return Response(self.answer(self.page.queryset().get(pk=log.pk)))

    @extend_schema(
        request=LogOpenSerializer,
        responses={200: LogDetailSerializer, 201: LogDetailSerializer},
        description="The caller's log of today (or of `day`): opened and drafted from the "
        "day's records the first time (201), as it is afterwards (200).",
    )
    @action(detail=False, methods=["post"])
    def today(self, request: Request) -> Response:
        data = self._valid(LogOpenSerializer, request)
        me = _me(request)
        day = data.get("day") or logs.today()
        existed = DailyLog.objects.filter(person=me, day=day).exists()
        log = logs.open_log(me, day)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.answer(self.page.queryset().get(pk=log.pk)), status=code)

    @extend_schema(request=LogTextSerializer, responses={200: LogDetailSerializer})
    @action(detail=True, methods=["post"])
    def text(self, request: Request, pk: str | None = None) -> Response:
        """The summary, problems met and plan for the next day (a field left out keeps its
        value)."""
        log = self.get_object()
        data = self._valid(LogTextSerializer, request)
        logs.save(
            log, by=_me(request), summary=data.get("summary"), problems=data.get("problems"),
            plan=data.get("plan"), expected_version=data.get("expected_version"),
        )  # fmt: skip
        return self._fresh(log)

    @extend_schema(
        request=LogEntryAddSerializer,
        responses={201: LogDetailSerializer},
        operation_id="v1_worklog_logs_entries_add",
    )
    @action(detail=True, methods=["post"])
    def entries(self, request: Request, pk: str | None = None) -> Response:
        """Add a line written by hand."""
        log = self.get_object()
        data = self._valid(LogEntryAddSerializer, request)
        logs.add_entry(
            log, by=_me(request), text=data["text"], minutes=data.get("minutes", 0),
            state=data.get("state", "done"), expected_version=data.get("expected_version"),
        )  # fmt: skip
        fresh = self.page.queryset().get(pk=log.pk)
        return Response(self.answer(fresh), status=status.HTTP_201_CREATED)

    def _entry(self, log: DailyLog, entry_id: str) -> LogEntry:
        entry = LogEntry.objects.filter(pk=int(entry_id), log=log, dismissed=False).first()
        if entry is None:
            raise exceptions.NotFound()
        entry.log = log
        return entry

    @extend_schema(
        request=LogEntryChangeSerializer,
        responses={200: LogDetailSerializer},
        operation_id="v1_worklog_logs_entries_change",
    )
    @action(detail=True, methods=["post"], url_path=r"entries/(?P<entry_id>[0-9]{1,18})")
    def entry(self, request: Request, pk: str | None = None, entry_id: str = "") -> Response:
        """Edit a line: its text, time spent or state (a field left out keeps its value)."""
        log = self.get_object()
        entry = self._entry(log, entry_id)
        data = self._valid(LogEntryChangeSerializer, request)
        logs.change_entry(
            entry, by=_me(request), text=data.get("text"), minutes=data.get("minutes"),
            state=data.get("state"), expected_version=data.get("expected_version"),
        )  # fmt: skip
        return self._fresh(log)

    @extend_schema(request=LogVersionSerializer, responses={200: LogDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"entries/(?P<entry_id>[0-9]{1,18})/remove")
    def remove_entry(self, request: Request, pk: str | None = None, entry_id: str = "") -> Response:
        """Remove a line: one written by hand is deleted, a drafted one is hidden so that
        drafting again does not bring it back."""
        log = self.get_object()
        entry = self._entry(log, entry_id)
        data = self._valid(LogVersionSerializer, request)
        logs.remove_entry(entry, by=_me(request), expected_version=data.get("expected_version"))
        return self._fresh(log)

    @extend_schema(request=LogVersionSerializer, responses={200: LogDetailSerializer})
    @action(detail=True, methods=["post"])
    def redraft(self, request: Request, pk: str | None = None) -> Response:
        """Add what is new in the day's records; the caller's edits and removals stay."""
        log = self.get_object()
        data = self._valid(LogVersionSerializer, request)
        logs.redraft(log, by=_me(request), expected_version=data.get("expected_version"))
        return self._fresh(log)

    @extend_schema(responses=LogSummarySerializer(many=True))
    @action(detail=False, methods=["get"], url_path="to-review")
    def to_review(self, request: Request) -> Response:
        """The logs submitted to the caller, the oldest day first."""
        rows = logs.to_review(person_of(request.user)).select_related("reviewer")
        page = self.paginate_queryset(rows)
        data = LogSummarySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


register_api_base(DailyLog, DailyLogAPIBase)

__all__ = ["DailyLogAPIBase", "LogDetailSerializer", "LogSummarySerializer"]
