"""The pages and API of attendance, through the generic stack.

Attendance rules are configuration (a form; ``AttendanceRuleService`` checks the hours and
one active rule per department). Imports and records are written by
``services.attendance`` only: the upload → preview → import page is ``views_attendance``;
their lists, details, exports and API are generated and read-only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, register
from netdept.worklog import forms_leave as f
from netdept.worklog.models.leave import AttendanceImport, AttendanceRecord, AttendanceRule
from netdept.worklog.services import attendance as svc

register(
    Page(
        model=AttendanceRule,
        nav_group="worklog",
        nav_order=75,
        icon="bi-alarm",
        slug="attendance-rules",
        api_name="attendance-rules",
        fields=["name", "code", "department", "work_starts", "work_ends", "late_grace_minutes",
                "absent_after_minutes", "late_penalty_rule", "absence_penalty_rule", "articles",
                "pack", "is_active"],
        columns=["name", "code", "department", "work_starts", "work_ends", "late_grace_minutes",
                 "absent_after_minutes", "late_penalty_rule", "absence_penalty_rule", "pack",
                 "is_active"],
        filters=["department", "pack", "is_active"],
        search=["name", "code"],
        select_related=["department", "late_penalty_rule", "absence_penalty_rule"],
        prefetch_related=["articles"],
        service=svc.AttendanceRuleService(),
    )
)  # fmt: skip
register(
    Page(
        model=AttendanceRecord,
        nav_group="worklog",
        nav_order=65,
        icon="bi-fingerprint",
        slug="attendance",
        serializer_class=f.AttendanceRecordSerializer,
        api_name="attendance-records",
        fields=[],
        columns=["person", "day", "clock_in", "clock_out", "status", "late_minutes", "leave",
                 "violation", "source_import"],
        default_columns=["person", "day", "clock_in", "clock_out", "status", "late_minutes"],
        filters=["status", "person", "day", "source_import"],
        search=["person__name", "person__employee_no"],
        select_related=["person", "leave", "leave__person", "leave__leave_type", "violation",
                        "violation__person", "source_import"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,  # each person's own rows, or the lead's work: no count card
    )
)  # fmt: skip
register(
    Page(
        model=AttendanceImport,
        nav_group="worklog",
        nav_order=66,
        icon="bi-file-earmark-arrow-up",
        slug="attendance-imports",
        serializer_class=f.AttendanceImportSerializer,
        api_name="attendance-imports",
        fields=[],
        columns=["file_name", "source", "department", "status", "rows", "first_day",
                 "last_day", "imported_by", "created_at", "imported_at"],
        default_columns=["file_name", "source", "department", "status", "rows", "first_day",
                         "last_day", "imported_by", "created_at"],
        detail_fields=["file_name", "source", "department", "status", "rows", "first_day",
                       "last_day", "imported_by", "created_at", "imported_at", "errors"],
        filters=["source", "status", "department"],
        search=["file_name"],
        select_related=["department", "imported_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,  # each person's own rows, or the lead's work: no count card
    )
)  # fmt: skip

add_nav("worklog", _("Import attendance"), "worklog:attendance_upload",
        svc.WRITE, "bi-upload", 67)  # fmt: skip
