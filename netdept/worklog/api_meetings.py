"""The REST API of meetings beyond the generated endpoints.

The generated endpoints of ``meeting-types``, ``meetings`` and ``meeting-attendees``
(``registry_meetings``) list, read and write them with their filters and scopes, and take the
machine's actions (``POST /api/v1/worklog/meetings/{id}/hold/``, ``submit_minutes``,
``approve``, ``return_minutes``, ``add_action_item``, ``commend``, ``cancel``). This module
adds:

* ``POST /api/v1/worklog/meetings/{id}/attendance/`` — mark attendance:
  ``{"expected_version": 3, "attendance": [{"person": 12, "attendance": "present",
  "note": ""}, …]}``; answers the attendees. A person not invited, an unknown attendance or a
  state that does not allow it is a 400 naming ``attendance`` / ``status``, a refusal a 403, a
  lost race a 409; nothing is half-saved.
* ``GET /api/v1/worklog/meetings/upcoming/`` — the signed-in person's next meetings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import PageViewSet, register_api_base
from netdept.api.transitions import conflict_response
from netdept.worklog.models import Attendance, Meeting, MeetingAttendee
from netdept.worklog.services import meetings

NOTE_LIMIT = MeetingAttendee._meta.get_field("note").max_length or 500


class MarkSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1)
    attendance = serializers.ChoiceField(choices=Attendance.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_LIMIT
    )


class AttendanceSerializer(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(required=False, min_value=1)
    attendance = serializers.ListField(child=MarkSerializer(), allow_empty=False, max_length=1000)


class UpcomingMeetingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(allow_blank=True)
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class UpcomingSerializer(serializers.Serializer[Any]):
    results = UpcomingMeetingSerializer(many=True)


def attendee_json(a: MeetingAttendee) -> dict[str, Any]:
    return {
        "person": a.person_id,
        "name": a.person.name,
        "attendance": a.attendance,
        "attendance_label": a.get_attendance_display(),
        "note": a.note,
    }


class MeetingAPIBase(PageViewSet):
    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") == "conflict":
            return conflict_response(exc)
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(django_errors(exc))
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)

    @action(detail=True, methods=["post"], serializer_class=AttendanceSerializer)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        ser = AttendanceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        marks: dict[int, tuple[str, str]] = {}
        for row in data["attendance"]:
            if row["person"] in marks:
                raise exceptions.ValidationError(
                    {"attendance": [_("Person %(id)s is given twice.") % {"id": row["person"]}]}
                )
            marks[row["person"]] = (row["attendance"], row.get("note", ""))
        m = meetings.mark_attendance(
            request.user, meeting, marks, expected_version=data.get("expected_version")
        )
        rows = MeetingAttendee.objects.filter(meeting=m).select_related("person")
        return Response(
            {
                "id": m.pk,
                "version": m.version,
                "attendees": [attendee_json(a) for a in rows.order_by("person__name", "pk")],
            }
        )

    @extend_schema(request=None, responses=UpcomingSerializer)
    @action(detail=False, methods=["get"])
    def upcoming(self, request: Request) -> Response:
        person = meetings.person_of(request.user)
        if person is None:
            return Response({"results": []})
        rows = meetings.upcoming(person, timezone.now(), limit=20)
        return Response(
            {
                "results": [
                    {
                        "id": a.meeting_id,
                        "title": a.meeting.title,
                        "starts_at": a.meeting.starts_at.isoformat(),
                        "ends_at": a.meeting.ends_at.isoformat(),
                        "location": a.meeting.location,
                        "attendance": a.attendance,
                    }
                    for a in rows
                ]
            }
        )


register_api_base(Meeting, MeetingAPIBase)
