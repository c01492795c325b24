"""The generated pages and API of meetings (会议): meeting types (configuration, usually from a
pack), meetings (the machine of ``machines_meetings``) and their attendees. The meeting's page
carries the attendance panel (``views_meetings``: marked in one form, on a phone too) and the
tab of its action items (tasks with ``Task.meeting``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.registry import Page, register
from netdept.core.tabs import Panel, register_panel, register_tab, related_tab
from netdept.worklog.machines_meetings import MEETING_MACHINE
from netdept.worklog.models import Meeting, MeetingAttendee, MeetingType, Task
from netdept.worklog.services import meetings
from netdept.worklog.views_meetings import attendance_panel, may_see_attendance

register(
    Page(
        model=MeetingType,
        nav_group="worklog",
        nav_order=60,
        icon="bi-people",
        slug="meeting-types",
        api_name="meeting-types",
        fields=[
            "code", "name", "kind", "description", "department", "team", "committee", "chair",
            "rrule", "shift", "start_time", "duration_minutes", "location", "agenda_template",
            "minutes_approval", "records_commendations", "articles", "is_active",
        ],
        detail_fields=[
            "code", "name", "kind", "description", "department", "team", "committee", "chair",
            "rrule", "shift", "start_time", "duration_minutes", "location", "agenda_template",
            "minutes_approval", "records_commendations", "articles", "pack", "is_active",
        ],
        columns=[
            "name", "code", "kind", "department", "team", "committee", "chair", "rrule",
            "start_time", "duration_minutes", "location", "minutes_approval",
            "records_commendations", "pack", "is_active",
        ],
        default_columns=["name", "kind", "team", "committee", "rrule", "start_time", "is_active"],
        filters=["kind", "department", "team", "committee", "pack", "is_active"],
        search=["name", "code", "description"],
        select_related=["department", "team", "committee", "chair"],
        prefetch_related=["articles"],
        service=meetings.TYPES,
    )
)  # fmt: skip

register(
    Page(
        model=Meeting,
        nav_group="worklog",
        nav_order=50,
        icon="bi-people-fill",
        slug="meetings",
        api_name="meetings",
        fields=[
            "meeting_type", "title", "department", "team", "chair", "starts_at", "ends_at",
            "location", "agenda",
        ],
        detail_fields=[
            "meeting_type", "title", "status", "department", "team", "chair", "starts_at",
            "ends_at", "location", "agenda", "minutes", "decisions", "minutes_by",
            "minutes_submitted_at", "minutes_approved_at", "review_comment", "cancel_reason",
        ],
        columns=[
            "title", "meeting_type", "starts_at", "ends_at", "status", "department", "team",
            "chair", "location", "minutes_by", "minutes_submitted_at", "minutes_approved_at",
        ],
        default_columns=["title", "meeting_type", "starts_at", "status", "chair", "location"],
        filters=["status", "meeting_type", "department", "team", "chair", "starts_at"],
        search=["title", "agenda", "minutes", "decisions"],
        select_related=["meeting_type", "department", "team", "chair", "minutes_by"],
        bulk_fields=["location"],
        importable=False,
        machine=MEETING_MACHINE,
        service=meetings.MEETINGS,
        home_card=False,
    )
)  # fmt: skip

register(
    Page(
        model=MeetingAttendee,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=55,
        icon="bi-person-check",
        slug="meeting-attendees",
        api_name="meeting-attendees",
        fields=["meeting", "person", "attendance", "note"],
        columns=["meeting", "person", "attendance", "note"],
        filters=["attendance", "meeting", "person"],
        search=["person__name", "meeting__title", "note"],
        select_related=["meeting", "person"],
        importable=False,
        service=meetings.ATTENDEES,
        home_card=False,
    )
)  # fmt: skip

register_panel(
    Meeting,
    Panel("attendance", _("Attendance"), attendance_panel, permission=may_see_attendance, order=10),
)
register_tab(
    Meeting,
    related_tab(
        "action_items", _("Action items"), Task, "meeting",
        ["title", "owner", "due_on", "status", "progress"], order=20, ordering=["due_on", "pk"],
    ),
)  # fmt: skip
