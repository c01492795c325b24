"""The pages of projects beyond the generated ones: the project's page (its stages as a
horizontal stepper, each stage's documents, missing documents and tasks, and the stage's
buttons), a stage's action form that comes back to the project, and a document's file
(served after a permission check)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import permissions
from netdept.core.services import require
from netdept.core.views.transitions import handle_transition
from netdept.worklog.machines_projects import STAGE_MACHINE
from netdept.worklog.models.projects import (
    Project,
    ProjectDocument,
    ProjectFlow,
    ProjectStage,
    StageStatus,
)
from netdept.worklog.services import projects as services

#: the stepper's look of each state
STEP_STYLE = {
    StageStatus.PENDING: ("secondary", "bi-circle"),
    StageStatus.ACTIVE: ("primary", "bi-play-circle-fill"),
    StageStatus.AWAITING: ("warning", "bi-hourglass-split"),
    StageStatus.PASSED: ("success", "bi-check-circle-fill"),
}


def _stage_action_url(stage: ProjectStage, name: str) -> str:
    return reverse("worklog:project_stage_action", args=[stage.pk, name])


def project_detail(request: HttpRequest, obj: Project) -> dict[str, Any]:
    """Extra context of the project page (the Page's ``extra_detail``)."""
    steps: list[dict[str, Any]] = []
    memo_user = request.user
    for view in services.stepper(obj):
        style, icon = STEP_STYLE.get(StageStatus(view.stage.status), ("secondary", "bi-circle"))
        view.stage.project = obj  # the machine's tests read it; no query per stage
        steps.append(
            {
                "view": view,
                "style": style,
                "icon": icon,
                "current": view.stage.pk == obj.current_stage_id,
                "actions": STAGE_MACHINE.available(view.stage, memo_user, _stage_action_url),
            }
        )
    done = sum(1 for s in steps if s["view"].stage.status == StageStatus.PASSED)
    return {
        "detail_template": "worklog/projects/project_detail.html",
        # the page opens on its stages (``?tab=details`` or another tab's key opens that one)
        "active_tab": request.GET.get("tab") or "stages",
        "steps": steps,
        "passed": done,
        "percent": round(100 * done / len(steps)) if steps else 0,
    }


def stage_detail(request: HttpRequest, obj: ProjectStage) -> dict[str, Any]:
    return {
        "detail_template": "worklog/projects/stage_detail.html",
        "documents": list(obj.documents.select_related("added_by")),
        "missing": services.missing_documents(obj),
        "project_url": reverse("worklog:projects_detail", args=[obj.project_id]),
    }


def flow_detail(request: HttpRequest, obj: ProjectFlow) -> dict[str, Any]:
    return {
        "detail_template": "worklog/projects/flow_detail.html",
        "stages": list(obj.stages.select_related("owner_position", "approval_rule")),
    }


def document_detail(request: HttpRequest, obj: ProjectDocument) -> dict[str, Any]:
    return {"detail_template": "worklog/projects/document_detail.html"}


@login_required
@require_http_methods(["GET", "POST"])
def stage_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A stage's transition from the project page: its form, then back to the project."""
    require(request.user, "view", ProjectStage)
    qs = permissions.restrict(ProjectStage.objects.select_related("project", "template"),
                              request.user, "view")  # fmt: skip
    stage = get_object_or_404(qs, pk=pk)
    back = reverse("worklog:projects_detail", args=[stage.project_id])
    return handle_transition(
        request, STAGE_MACHINE, stage, name,
        post_url=_stage_action_url(stage, name), back_url=back,
    )  # fmt: skip


@login_required
@require_safe
def document_file_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A document's file, to those who may see the document; else 403/404."""
    require(request.user, "view", ProjectDocument)
    qs = permissions.restrict(ProjectDocument.objects.all(), request.user, "view")
    doc = get_object_or_404(qs, pk=pk)
    if not doc.file:
        raise Http404
    try:
        handle = doc.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    resp = FileResponse(
        handle,
        as_attachment=True,
        filename=doc.file_name or "document",
        content_type="application/octet-stream",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, max-age=300"
    return resp
