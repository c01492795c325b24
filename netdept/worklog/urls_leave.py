"""URLs of leave and attendance (namespace ``worklog``): ask for leave, upload → preview →
import attendance. Lists, details, buttons and API are the generic pages of
``registry_leave`` and ``registry_attendance``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.worklog import views_attendance, views_leave

urlpatterns: list[URLPattern | URLResolver] = [
    path("leave/ask/", views_leave.leave_request_view, name="leave_request"),
    path("attendance/upload/", views_attendance.attendance_upload_view, name="attendance_upload"),
    path(
        "attendance/upload/<int:pk>/",
        views_attendance.attendance_preview_view,
        name="attendance_preview",
    ),
]
