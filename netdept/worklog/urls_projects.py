"""URLs of projects beyond the generated pages: a stage's action from the project page, a
document's file."""

from __future__ import annotations

from django.urls import path

from netdept.worklog import views_projects

urlpatterns = [
    path(
        "project-stages/<int:pk>/act/<str:name>/",
        views_projects.stage_action_view,
        name="project_stage_action",
    ),
    path(
        "project-documents/<int:pk>/file/",
        views_projects.document_file_view,
        name="project_document_file",
    ),
]
