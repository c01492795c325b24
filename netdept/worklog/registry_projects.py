"""The pages and API of projects with stage gates: flows and their stage templates
(configuration), projects (the page shows the stages as a stepper, ``views_projects``),
their stages (state machine ``machines_projects``) and documents."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from netdept.core.registry import Page, register
from netdept.core.tabs import register_tab, related_tab
from netdept.worklog import views_projects
from netdept.worklog.api_projects import DocumentSerializer, ProjectSerializer, StageSerializer
from netdept.worklog.forms_projects import TEMPLATE_FIELDS, StageTemplateForm
from netdept.worklog.machines_projects import PROJECT_MACHINE, STAGE_MACHINE
from netdept.worklog.models.projects import (
    Project,
    ProjectDocument,
    ProjectFlow,
    ProjectStage,
    StageTemplate,
)
from netdept.worklog.services import projects as services

FLOW_PAGE = register(
    Page(
        model=ProjectFlow,
        nav_group="worklog",
        nav_order=72,
        icon="bi-signpost-split",
        slug="project-flows",
        api_name="project-flows",
        fields=["code", "name", "description", "pack", "is_active"],
        columns=["name", "code", "pack", "is_active", "updated_at"],
        default_columns=["name", "code", "pack", "is_active"],
        filters=["is_active", "pack"],
        search=["name", "code", "description"],
        service=services.FLOWS,
        extra_detail=views_projects.flow_detail,
        home_card=False,
    )
)  # fmt: skip

TEMPLATE_PAGE = register(
    Page(
        model=StageTemplate,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=73,
        icon="bi-list-ol",
        slug="stage-templates",
        api_name="stage-templates",
        fields=TEMPLATE_FIELDS,
        columns=[
            "flow", "order", "code", "name", "owner_role", "owner_position", "approval_rule",
        ],
        filters=["flow", "owner_role", "approval_rule"],
        search=["name", "code", "flow__name"],
        select_related=["flow", "owner_position", "approval_rule"],
        ordering=["flow__name", "order"],
        form_class=StageTemplateForm,
        service=services.TEMPLATES,
        importable=False,  # written by packs and by hand (a list of documents per row)
        home_card=False,
    )
)  # fmt: skip

PROJECT_PAGE = register(
    Page(
        model=Project,
        nav_group="worklog",
        nav_order=70,
        icon="bi-kanban",
        slug="projects",
        api_name="projects",
        fields=[
            "code", "name", "description", "flow", "department", "team", "manager",
            "tech_lead", "tester", "starts_on", "due_on",
        ],
        columns=[
            "code", "name", "flow", "department", "team", "manager", "tech_lead", "tester",
            "status", "current_stage", "starts_on", "due_on",
        ],
        default_columns=["code", "name", "manager", "status", "current_stage", "due_on"],
        detail_fields=[
            "code", "name", "flow", "status", "current_stage", "department", "team", "manager",
            "tech_lead", "tester", "starts_on", "due_on", "description",
        ],
        filters=["status", "flow", "department", "team", "manager", "due_on"],
        search=["code", "name", "description"],
        select_related=[
            "flow", "department", "team", "manager", "tech_lead", "tester",
            "current_stage__project",
        ],
        service=services.PROJECTS,
        serializer_class=ProjectSerializer,
        machine=PROJECT_MACHINE,
        extra_detail=views_projects.project_detail,
        bulk_fields=["team", "due_on"],
        home_card=False,  # each person's own rows, or the lead's work: no count card
    )
)  # fmt: skip

STAGE_PAGE = register(
    Page(
        model=ProjectStage,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=71,
        icon="bi-bar-chart-steps",
        slug="project-stages",
        api_name="project-stages",
        fields=["owner", "note"],
        columns=[
            "project", "order", "name", "owner", "status", "started_at", "passed_at",
            "approval",
        ],
        default_columns=["project", "name", "owner", "status", "started_at", "passed_at"],
        detail_fields=[
            "project", "order", "name", "owner", "status", "started_at", "passed_at",
            "approval", "note",
        ],
        filters=["project", "status", "owner"],
        search=["name", "project__name", "project__code"],
        select_related=["project", "owner", "approval", "template"],
        ordering=["project__name", "order"],
        service=services.STAGES,
        serializer_class=StageSerializer,
        machine=STAGE_MACHINE,
        extra_detail=views_projects.stage_detail,
        can_add=False,
        can_delete=False,
        importable=False,
        bulk_fields=[],
        home_card=False,
    )
)  # fmt: skip

DOCUMENT_PAGE = register(
    Page(
        model=ProjectDocument,
        in_nav=False,  # reached from its whole
        nav_group="worklog",
        nav_order=74,
        icon="bi-file-earmark-text",
        slug="project-documents",
        api_name="project-documents",
        fields=["stage", "name", "link"],
        columns=["stage", "name", "file_name", "link", "added_by", "created_at"],
        default_columns=["stage", "name", "file_name", "link", "added_by"],
        detail_fields=["stage", "name", "file_name", "link", "added_by", "created_at"],
        filters=["stage", "added_by"],
        search=["name", "file_name", "stage__project__name"],
        select_related=["stage", "stage__project", "added_by"],
        service=services.DOCUMENTS,
        serializer_class=DocumentSerializer,
        extra_detail=views_projects.document_detail,
        importable=False,
        bulk_fields=[],
        home_card=False,
    )
)  # fmt: skip


class DocumentFilterSet(DOCUMENT_PAGE.filterset_class):  # type: ignore[name-defined]
    """The generated filters; the stages to choose from are named with their project (one
    query, not one per stage)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = self.filters["stage"]
        stage.queryset = stage.queryset.select_related("project")


DOCUMENT_PAGE.filterset_class = DocumentFilterSet

# the flow's page: its stages in order (the stage templates have no entry in the navigation)
register_tab(
    ProjectFlow,
    related_tab(
        "stages", gettext_lazy("Stages"), StageTemplate, "flow",
        ["order", "name", "owner_role", "owner_position", "approval_rule"],
        order=10, ordering=["order"],
    ),
)  # fmt: skip
