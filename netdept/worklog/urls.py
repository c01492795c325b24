"""URLs of the worklog app (namespace ``worklog``), before the generated pages of its ``Page``
declarations. Each part of the app keeps its own URL module; this one joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from netdept.worklog import (
    urls_leave,
    urls_logs,
    urls_meetings,
    urls_projects,
    urls_reports,
    urls_tasks,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_logs.urlpatterns,
    *urls_meetings.urlpatterns,
    *urls_projects.urlpatterns,
    *urls_tasks.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_leave.urlpatterns,
]
