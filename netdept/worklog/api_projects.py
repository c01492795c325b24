"""The API of projects beyond the generated endpoints.

* The answers show what the forms do not edit: a project's status and current stage, a
  stage's status, dates and approval, a document's file name, who added it and the URL of its
  file (served after a permission check).
* A project's stages are made with it: the collection of stages has no POST of its own (405,
  before any permission is asked); its POSTs are the machine's actions
  (``…/project-stages/{id}/request_gate/``, ``pass_gate``, ``add_document``, ``add_task``).
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from netdept.api.generic import PageSerializer
from netdept.worklog.models.projects import Project, ProjectDocument, ProjectStage

STAMPS = ["created_at", "updated_at"]


class ProjectSerializer(PageSerializer):
    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "description", "flow", "department", "team", "manager",
            "tech_lead", "tester", "starts_on", "due_on", "status", "current_stage", "version",
            *STAMPS,
        ]  # fmt: skip
        read_only_fields = ["status", "current_stage", "version", *STAMPS]


class StageSerializer(PageSerializer):
    class Meta:
        model = ProjectStage
        fields = [
            "id", "project", "template", "order", "name", "owner", "note", "status",
            "started_at", "passed_at", "approval", "version", *STAMPS,
        ]  # fmt: skip
        read_only_fields = [
            "project", "template", "order", "name", "status", "started_at", "passed_at",
            "approval", "version", *STAMPS,
        ]  # fmt: skip


class DocumentSerializer(PageSerializer):
    """A document; ``download`` is its file's URL when it has a file."""

    download = serializers.SerializerMethodField()

    class Meta:
        model = ProjectDocument
        fields = [
            "id", "stage", "name", "link", "file_name", "added_by", "download", *STAMPS,
        ]  # fmt: skip
        read_only_fields = ["file_name", "added_by", *STAMPS]

    def get_download(self, obj: ProjectDocument) -> str:
        if not obj.file:
            return ""
        return reverse("worklog:project_document_file", args=[obj.pk])
