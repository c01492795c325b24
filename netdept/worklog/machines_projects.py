"""The state machines of projects and their stages. The buttons of the project's stepper and
of the stage's page, and the API actions (``POST /api/v1/worklog/project-stages/{id}/
request_gate/``…) come from here; ``services.projects`` owns every change.

A stage goes pending → in progress (the previous gate passed: ``start_stage``, no button) →
gate awaiting approval (``request_gate`` with an approval rule) → gate passed (``pass_gate``
without a rule, or the approval: the engine's hook). Documents and tasks are added to a stage
without changing its state.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.core.machines import (
    COMPUTED,
    FILE,
    MODEL,
    TEXTAREA,
    Field,
    Machine,
    Transition,
    Who,
    register,
)
from netdept.org.models import Person
from netdept.worklog.models.projects import (
    Project,
    ProjectDocument,
    ProjectStage,
    ProjectStatus,
    StageStatus,
)
from netdept.worklog.models.tasks import Task
from netdept.worklog.services import projects

S = StageStatus
H = "netdept.worklog.services.projects."


def _gate_runner(user: Any, stage: ProjectStage) -> bool:
    return projects.may_run_gate(user, stage)


def _contributor(user: Any, stage: ProjectStage) -> bool:
    return projects.may_contribute(user, stage)


def _manager(user: Any, project: Project) -> bool:
    return projects.may_manage(user, project)


GATE_RUNNER = Who("worklog.stage_gate", test=_gate_runner)
CONTRIBUTOR = Who("worklog.add_projectdocument", test=_contributor)
MANAGER = Who("worklog.change_project", test=_manager)


def _approved(stage: ProjectStage) -> bool:
    return stage.template.approval_rule_id is not None


def _running(stage: ProjectStage) -> bool:
    return stage.project.status == ProjectStatus.ACTIVE


def _note(label: Any) -> Field:
    return Field("note", kind=TEXTAREA, rows=2, label=label, required=False, max_length=1000)


def _people() -> Any:
    return Person.objects.filter(is_active=True).order_by("name")


STAGE_MACHINE = register(
    Machine(
        ProjectStage,
        version_field="version",
        handler_checks_state=True,
        default_who=(GATE_RUNNER,),
        external_states=[S.ACTIVE, S.PASSED],
        transitions=[
            Transition(
                "request_gate", _("Request gate approval"), [S.ACTIVE], COMPUTED,
                H + "request_gate", who=[GATE_RUNNER], icon="bi-send-check", style="primary",
                order=10, when=lambda s: _approved(s) and _running(s),
                fields=[_note(_("what the stage produced"))],
                refusal=_("This stage is %(status)s: its gate cannot be requested."),
                done=_("The gate was sent for approval."),
            ),
            Transition(
                "pass_gate", _("Pass the gate"), [S.ACTIVE], COMPUTED, H + "pass_gate",
                who=[GATE_RUNNER], icon="bi-check2-circle", style="success", order=20,
                when=lambda s: not _approved(s) and _running(s),
                fields=[_note(_("what the stage produced"))],
                refusal=_("This stage is %(status)s: its gate cannot be passed."),
                done=_("Gate passed; the next stage has started."),
            ),
            Transition(
                "add_document", _("Add a document"), [S.PENDING, S.ACTIVE], None,
                H + "add_document", who=[CONTRIBUTOR], icon="bi-file-earmark-plus",
                style="outline-primary", order=30, when=_running, versioned=False,
                fields=[
                    Field("name", model_field="name", of=ProjectDocument,
                          label=_("document name")),
                    Field("file", kind=FILE, label=_("file"), required=False),
                    Field("link", model_field="link", of=ProjectDocument, required=False),
                ],
                refusal=_("This stage is %(status)s: its documents are fixed."),
                done=_("Document added."),
            ),
            Transition(
                "add_task", _("Add a task"), [S.PENDING, S.ACTIVE, S.AWAITING], None,
                H + "add_stage_task", who=[GATE_RUNNER], icon="bi-list-task",
                style="outline-secondary", order=40, when=_running, versioned=False,
                fields=[
                    Field("title", model_field="title", of=Task),
                    Field("owner", kind=MODEL, label=_("owner"), queryset=_people),
                    Field("due_on", model_field="due_on", of=Task),
                    Field("weight", model_field="weight", of=Task, required=False),
                    Field("description", model_field="description", of=Task, required=False),
                ],
                refusal=_("This stage is %(status)s: no new task."),
                done=_("Task added."),
            ),
        ],
    )
)  # fmt: skip

PROJECT_MACHINE = register(
    Machine(
        Project,
        version_field="version",
        default_who=(MANAGER,),
        external_states=[ProjectStatus.DONE],
        transitions=[
            Transition(
                "cancel", _("Cancel the project"), [ProjectStatus.ACTIVE],
                ProjectStatus.CANCELLED, H + "cancel_project", who=[MANAGER],
                icon="bi-x-circle", style="outline-danger", order=50,
                fields=[Field("reason", kind=TEXTAREA, rows=2, label=_("reason"),
                              max_length=500)],
                confirm=_("Cancel this project? Its stages stop where they are."),
                refusal=_("This project is %(status)s: it cannot be cancelled."),
                done=_("Project cancelled."),
            ),
        ],
    )
)  # fmt: skip
