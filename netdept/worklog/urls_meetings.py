"""URLs of meetings (namespace ``worklog``): the attendance page. The lists, pages, buttons
and API of meeting types, meetings and attendees are the generic pages of their ``Page``
(``registry_meetings``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.worklog import views_meetings

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "meetings/<int:pk>/attendance/", views_meetings.attendance_view, name="meeting_attendance"
    ),
]
