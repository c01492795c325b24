"""Every change of projects with stage gates (项目与阶段).

A project is created from its flow: one ``ProjectStage`` per ``StageTemplate``, in order, each
with its owner (the project's manager, technical lead or tester by the template's project
role, else the first active holder of the template's position in the project's department).
The first stage starts at once. The stage's owner (or the project manager) adds the
documents the stage produced and requests its gate (``request_gate``):

* a gate refuses while a required document is missing, naming it;
* when the template names an approval rule, the gate goes to the approvals engine (kind
  ``worklog.stage_gate``) and the stage awaits the decision (``gate_decided``, the engine's
  hook): approved, the gate passes; returned, rejected or withdrawn, the stage is back in
  progress with the reason in its note;
* without a rule the owner passes the gate himself.

A gate passed starts the next stage; the last one passed finishes the project. Tasks hang
under stages through the tasks service (``add_stage_task`` → ``create_task``). Each function
is one transaction and writes its audit records; notices go on commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalRequest, RequestStatus
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService
from netdept.duties.services.occurrences import check_file
from netdept.org.models import Person
from netdept.org.people import person_of as person_of  # re-exported: callers ask here
from netdept.worklog.models.projects import (
    Project,
    ProjectDocument,
    ProjectFlow,
    ProjectStage,
    ProjectStatus,
    StageStatus,
    StageTemplate,
)

if TYPE_CHECKING:
    from netdept.worklog.models.tasks import Task

GATE_KIND: Final = "worklog.stage_gate"
#: the project roles a stage template may name as its owner (a field of the project each)
PROJECT_ROLES: Final = ("manager", "tech_lead", "tester")
MAX_NOTE: Final = 4000
MAX_DOCUMENTS: Final = 50  # required documents of one stage template
S = StageStatus


#: set while the functions below move a status (the form's own save may not)
_SYSTEM: ContextVar[bool] = ContextVar("worklog_projects_system", default=False)


@contextlib.contextmanager
def system() -> Iterator[None]:
    token = _SYSTEM.set(True)
    try:
        yield
    finally:
        _SYSTEM.reset(token)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- the model services ---------------------------------------------------------------------
class ProjectFlowService(ModelService[ProjectFlow]):
    """Flows: a flow whose projects exist is kept (deactivate it)."""

    def before_delete(self, actor: Any, obj: ProjectFlow) -> None:
        if obj.projects.exists():
            raise ValidationError(
                _("The flow %(flow)s has projects; deactivate it instead.") % {"flow": obj}
            )


def clean_documents(value: Any, field: str = "required_documents") -> list[str]:
    """A list of distinct non-empty names (a string is one name per line)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise ValidationError({field: _("Give the required documents as a list of names.")})
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({field: _("Each required document is a name (text).")})
        name = item.strip()
        if not name:
            continue
        if len(name) > 200:
            raise ValidationError(
                {field: _("A document's name is at most 200 characters: %(name)s…")
                 % {"name": name[:40]}}
            )  # fmt: skip
        if name not in names:
            names.append(name)
    if len(names) > MAX_DOCUMENTS:
        raise ValidationError(
            {field: _("At most %(count)s required documents.") % {"count": MAX_DOCUMENTS}}
        )
    return names


class StageTemplateService(ModelService[StageTemplate]):
    """Stage templates: the owner's project role is one of the project's roles, the required
    documents a list of names, the approval rule one of the stage-gate kind."""

    def before_save(
        self, actor: Any, obj: StageTemplate, data: Mapping[str, Any], creating: bool
    ) -> None:
        obj.owner_role = (obj.owner_role or "").strip()
        if obj.owner_role and obj.owner_role not in PROJECT_ROLES:
            raise ValidationError(
                {"owner_role": _("The project role is one of: %(roles)s.")
                 % {"roles": ", ".join(PROJECT_ROLES)}}
            )  # fmt: skip
        obj.required_documents = clean_documents(obj.required_documents)
        rule = obj.approval_rule if obj.approval_rule_id is not None else None
        if rule is not None and rule.kind != GATE_KIND:
            raise ValidationError(
                {"approval_rule": _("Choose a rule of the kind “stage gate of a project”.")}
            )
        if not creating:
            stored = StageTemplate.objects.filter(pk=obj.pk).values("flow_id").first()
            if stored and stored["flow_id"] != obj.flow_id:
                raise ValidationError({"flow": _("A stage stays in its flow.")})

    def before_delete(self, actor: Any, obj: StageTemplate) -> None:
        if ProjectStage.objects.filter(template=obj).exists():
            raise ValidationError(
                _("Projects have run the stage %(stage)s; it is kept.") % {"stage": obj.name}
            )


class ProjectService(ModelService[Project]):
    """Projects: created from an active flow with stages (they are made here, the first one
    started); the flow is fixed afterwards; status and current stage move only through the
    functions below."""

    def before_save(
        self, actor: Any, obj: Project, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.due_on and obj.starts_on and obj.due_on < obj.starts_on:
            raise ValidationError({"due_on": _("The project is due after it starts.")})
        team = obj.team if obj.team_id is not None else None
        if team is not None and team.department_id != obj.department_id:
            raise ValidationError({"team": _("The team is not of the project's department.")})
        if creating:
            if obj.flow_id is not None:
                if not obj.flow.is_active:
                    raise ValidationError({"flow": _("The flow %(flow)s is not active.")
                                           % {"flow": obj.flow}})  # fmt: skip
                if not obj.flow.stages.exists():
                    raise ValidationError({"flow": _("The flow %(flow)s has no stages yet.")
                                           % {"flow": obj.flow}})  # fmt: skip
            obj.status = ProjectStatus.ACTIVE
            obj.current_stage = None
            return
        stored = Project.objects.get(pk=obj.pk)
        if stored.flow_id != obj.flow_id:
            raise ValidationError({"flow": _("The flow of a project is fixed once it started.")})
        for name in ("status", "current_stage_id"):
            if getattr(stored, name) != getattr(obj, name) and not _SYSTEM.get():
                raise ValidationError(
                    {name.removesuffix("_id"): _("This changes only through the stage gates.")}
                )
        obj.version = stored.version + 1

    def after_save(self, actor: Any, obj: Project, data: Mapping[str, Any], creating: bool) -> None:
        if creating:
            _make_stages(actor, obj)
        else:  # owners by project role follow the project's people
            for stage in obj.stages.select_related("template").exclude(status=S.PASSED):
                owner = owner_for(obj, stage.template)
                if stage.template.owner_role and owner is not None and owner != stage.owner:
                    _set_stage(actor, stage, {"owner": owner}, check=False)

    def before_delete(self, actor: Any, obj: Project) -> None:
        if obj.tasks.exists():
            raise ValidationError(_("The project has tasks; cancel it instead."))
        if obj.stages.filter(status__in=(S.AWAITING, S.PASSED)).exists():
            raise ValidationError(
                _("The project has passed or requested gates; cancel it instead.")
            )
        if ProjectDocument.objects.filter(stage__project=obj).exists():
            raise ValidationError(_("The project has documents; cancel it instead."))


class ProjectStageService(ModelService[ProjectStage]):
    """Stages: the form changes the owner and the note; the rest only through the gates."""

    FIXED = ("project_id", "template_id", "order", "name", "status", "started_at", "passed_at",
             "approval_id")  # fmt: skip

    def before_save(
        self, actor: Any, obj: ProjectStage, data: Mapping[str, Any], creating: bool
    ) -> None:
        if _SYSTEM.get():
            if not creating:
                obj.version += 1
            return
        if creating:
            raise ValidationError(_("Stages are made with their project."))
        stored = ProjectStage.objects.get(pk=obj.pk)
        for name in self.FIXED:
            if getattr(stored, name) != getattr(obj, name):
                raise ValidationError(
                    {name.removesuffix("_id"): _("This changes only through the stage gates.")}
                )
        obj.version = stored.version + 1

    def before_delete(self, actor: Any, obj: ProjectStage) -> None:
        raise ValidationError(_("Stages are kept with their project."))


class ProjectDocumentService(ModelService[ProjectDocument]):
    """Documents: a file or a link each, added to a stage not yet passed, while the project
    runs."""

    def before_save(
        self, actor: Any, obj: ProjectDocument, data: Mapping[str, Any], creating: bool
    ) -> None:
        obj.name = (obj.name or "").strip()
        if not obj.name:
            raise ValidationError({"name": _("Name the document.")})
        if not obj.file and not obj.link:
            raise ValidationError({"link": _("Attach the file or give its link.")})
        stage = ProjectStage.objects.select_related("project").get(pk=obj.stage_id)
        if stage.project.status != ProjectStatus.ACTIVE:
            raise ValidationError(
                {"stage": _("The project is %(status)s; its documents are fixed.")
                 % {"status": stage.project.get_status_display()}}
            )  # fmt: skip
        if stage.status == S.PASSED:
            raise ValidationError(
                {"stage": _("The gate of %(stage)s has passed; its documents are fixed.")
                 % {"stage": stage.name}}
            )  # fmt: skip
        if creating and obj.added_by_id is None:
            obj.added_by = person_of(actor)

    def before_delete(self, actor: Any, obj: ProjectDocument) -> None:
        stage = ProjectStage.objects.select_related("project").get(pk=obj.stage_id)
        if stage.project.status != ProjectStatus.ACTIVE:
            raise ValidationError(
                _("The project is %(status)s; its documents are fixed.")
                % {"status": stage.project.get_status_display()}
            )
        if stage.status == S.PASSED:
            raise ValidationError(
                _("The gate of %(stage)s has passed; its documents are fixed.")
                % {"stage": stage.name}
            )


FLOWS = ProjectFlowService(ProjectFlow)
TEMPLATES = StageTemplateService(StageTemplate)
PROJECTS = ProjectService(Project)
STAGES = ProjectStageService(ProjectStage)
DOCUMENTS = ProjectDocumentService(ProjectDocument)


def _set_stage(
    actor: Any, stage: ProjectStage, values: Mapping[str, Any], **_kw: Any
) -> ProjectStage:
    """A change of the functions below: audited like an edit, no permission asked (the
    caller checked)."""
    with system():
        return STAGES.update(actor, stage, values, check=False)


def _set_project(actor: Any, project: Project, values: Mapping[str, Any], **_kw: Any) -> Project:
    with system():
        return PROJECTS.update(actor, project, values, check=False)


# --- owners and who may ----------------------------------------------------------------------
def owner_for(project: Project, template: StageTemplate) -> Person | None:
    """The stage's owner: the project's person in the template's project role, else the first
    active holder of its position in the project's department (then anywhere)."""
    if template.owner_role in PROJECT_ROLES:
        person = getattr(project, template.owner_role)
        if isinstance(person, Person):
            return person
    if template.owner_position_id is not None:
        holders = Person.objects.filter(position_id=template.owner_position_id, is_active=True)
        found = holders.filter(department_id=project.department_id).order_by("pk").first()
        return found or holders.order_by("pk").first()
    return project.manager


def _is(user: Any, person_id: int | None) -> bool:
    if person_id is None or user is None or getattr(user, "pk", None) is None:
        return False
    return Person.objects.filter(pk=person_id, user_id=user.pk).exists()


def _member_ids(project: Project) -> set[int]:
    return {i for i in (project.manager_id, project.tech_lead_id, project.tester_id) if i}


def may_manage(user: Any, project: Project) -> bool:
    """The project manager; else whoever may change the project AND leads it — the lead of the
    project's team, or one whose right reaches the department or everything (a director). An
    engineer's right to edit his team's rows does not run another owner's gates."""
    if user is None:
        return True
    if _is(user, project.manager_id):
        return True
    if not permissions.has_perm(user, "worklog.change_project", project):
        return False
    if permissions.scope_of(user, "worklog.change_project") in ("department", "all"):
        return True
    return project.team_id is not None and _is(user, project.team.lead_id if project.team else None)


def may_run_gate(user: Any, stage: ProjectStage) -> bool:
    """The stage's owner, the project manager, or whoever may change the project."""
    return _is(user, stage.owner_id) or may_manage(user, stage.project)


def may_contribute(user: Any, stage: ProjectStage) -> bool:
    """Add a document: the stage's owner, the project's people, or its managers."""
    if may_run_gate(user, stage):
        return True
    me = person_of(user)
    return me is not None and me.pk in _member_ids(stage.project)


def _refuse(user: Any, obj: models.Model, what: str) -> None:
    audit.record(AuditAction.DENIED, obj, actor=user, extra={"permission": what})
    raise PermissionDenied(what)


# --- stages ----------------------------------------------------------------------------------
def _make_stages(actor: Any, project: Project, *, now: dt.datetime | None = None) -> None:
    """The project's stages from its flow, the first one started (one record each: a new
    project's first stage is created in progress)."""
    first: ProjectStage | None = None
    for template in project.flow.stages.order_by("order"):
        values: dict[str, Any] = {
            "project": project,
            "template": template,
            "order": template.order,
            "name": template.name,
            "owner": owner_for(project, template),
        }
        if first is None:
            values.update(status=S.ACTIVE, started_at=_now(now))
        with system():
            stage = STAGES.create(actor, values, check=False)
        first = first or stage
    if first is not None:
        # the project's pointer to it, part of the project's creation (no second record)
        Project.objects.filter(pk=project.pk).update(current_stage=first)
        project.current_stage = first
        _tell_started(first)


def start_stage(actor: Any, stage: ProjectStage, *, now: dt.datetime | None = None) -> ProjectStage:
    """Start a stage not yet started whose previous stages have all passed; it becomes the
    project's current stage and its owner is told."""
    with transaction.atomic():
        stage = ProjectStage.objects.select_for_update().select_related("project").get(pk=stage.pk)
        if stage.status != S.PENDING:
            raise ValidationError(
                {"status": _("The stage %(stage)s is %(status)s; it cannot start again.")
                 % {"stage": stage.name, "status": stage.get_status_display()}}
            )  # fmt: skip
        if stage.project.status != ProjectStatus.ACTIVE:
            raise ValidationError({"status": _("The project is %(status)s.")
                                   % {"status": stage.project.get_status_display()}})  # fmt: skip
        before = stage.project.stages.filter(order__lt=stage.order).exclude(status=S.PASSED)
        if before.exists():
            raise ValidationError(
                {"status": _("The gate of %(stage)s has not passed yet.")
                 % {"stage": before.order_by("order").first()}}
            )  # fmt: skip
        stage = _set_stage(
            actor, stage, {"status": S.ACTIVE, "started_at": _now(now)},
            check=False,
        )  # fmt: skip
        _set_project(actor, stage.project, {"current_stage": stage}, check=False)
        _tell_started(stage)
    return stage


def missing_documents(stage: ProjectStage) -> list[str]:
    """The required documents of the stage not added yet, in the template's order."""
    have = set(stage.documents.values_list("name", flat=True))
    return [n for n in clean_documents(stage.template.required_documents) if n not in have]


def _refuse_missing(stage: ProjectStage) -> None:
    missing = missing_documents(stage)
    if missing:
        raise ValidationError(
            {"documents": _("The gate of %(stage)s needs these documents first: %(names)s.")
             % {"stage": stage.name, "names": "、".join(missing)}}
        )  # fmt: skip


def _locked(stage: ProjectStage, expected_version: int | None) -> ProjectStage:
    stage = (
        ProjectStage.objects.select_for_update(of=("self",))
        .select_related("project", "template", "template__approval_rule", "approval")
        .get(pk=stage.pk)
    )
    if expected_version is not None and expected_version != stage.version:
        raise ValidationError(
            _("This stage changed since you opened it; reload the page."), code="conflict"
        )
    if stage.project.status != ProjectStatus.ACTIVE:
        raise ValidationError({"status": _("The project is %(status)s.")
                               % {"status": stage.project.get_status_display()}})  # fmt: skip
    return stage


def _add_note(stage: ProjectStage, text: str) -> str:
    text = (text or "").strip()
    if not text:
        return stage.note
    return (f"{stage.note}\n{text}" if stage.note else text)[-MAX_NOTE:]


def request_gate(
    user: Any, stage: ProjectStage, *, note: str = "", expected_version: int | None = None
) -> ProjectStage:
    """The stage's work is done: pass its gate (no approval rule) or ask for the approval of
    the template's rule. Refused while a required document is missing."""
    if not may_run_gate(user, stage):
        _refuse(user, stage, "worklog.stage_gate")
    with transaction.atomic():
        stage = _locked(stage, expected_version)
        if stage.status != S.ACTIVE:
            raise ValidationError(
                {"status": _("The stage %(stage)s is %(status)s: its gate cannot be requested.")
                 % {"stage": stage.name, "status": stage.get_status_display()}}
            )  # fmt: skip
        _refuse_missing(stage)
        rule = stage.template.approval_rule
        if rule is None:
            return _pass(user, stage, note=note)
        previous = stage.approval
        values: dict[str, Any] = {"note": _add_note(stage, note)}
        if previous is not None and previous.status == RequestStatus.PENDING:
            raise ValidationError({"status": _("The gate already awaits its approval.")})
        if (
            previous is not None
            and previous.status == RequestStatus.RETURNED
            and approvals.may_withdraw(user, previous)
        ):
            request = approvals.resubmit(user, previous)
        else:
            if previous is not None and previous.status == RequestStatus.RETURNED:
                approvals.withdraw(None, previous, reason=_("Requested again by another person."))
            request = approvals.submit(user, kind=GATE_KIND, obj=stage, rule=rule)
        request.refresh_from_db()
        values["approval"] = request
        stage.refresh_from_db()
        if stage.status == S.ACTIVE:  # an approval with no step may have decided at once
            values["status"] = S.AWAITING
            stage = _set_stage(user, stage, values, check=False)
    stage.refresh_from_db()
    return stage


def pass_gate(
    user: Any, stage: ProjectStage, *, note: str = "", expected_version: int | None = None
) -> ProjectStage:
    """The owner passes a gate that needs no approval (``request_gate`` does the same)."""
    return request_gate(user, stage, note=note, expected_version=expected_version)


def _pass(
    actor: Any, stage: ProjectStage, *, note: str = "", now: dt.datetime | None = None
) -> ProjectStage:
    at = _now(now)
    stage = _set_stage(
        actor, stage,
        {"status": S.PASSED, "passed_at": at, "note": _add_note(stage, note)},
        check=False,
    )  # fmt: skip
    following = stage.project.stages.filter(order__gt=stage.order).order_by("order").first()
    if following is not None:
        start_stage(actor, following, now=at)
    else:
        project = Project.objects.select_for_update().get(pk=stage.project_id)
        _set_project(actor, project, {"status": ProjectStatus.DONE}, check=False)
    stage.refresh_from_db()
    return stage


def gate_decided(request: ApprovalRequest) -> None:
    """The approvals engine's hook, inside the decision's transaction."""
    stage = approvals.object_of(request)
    if not isinstance(stage, ProjectStage):
        return
    stage = ProjectStage.objects.select_for_update().select_related("project").get(pk=stage.pk)
    if stage.approval_id not in (None, request.pk) or stage.status not in (S.AWAITING, S.ACTIVE):
        return
    if stage.project.status != ProjectStatus.ACTIVE:
        return
    if request.status == RequestStatus.APPROVED:
        stage = _set_stage(None, stage, {"approval": request}, check=False)
        _pass(None, stage, note=_("Gate approved."))
        return
    reasons: dict[str, str] = {
        RequestStatus.REJECTED: _("Gate rejected."),
        RequestStatus.RETURNED: _("Gate returned for changes."),
        RequestStatus.WITHDRAWN: _("Gate request withdrawn."),
    }
    reason = reasons.get(request.status, "")
    last = request.decisions.exclude(comment="").order_by("-decided_at", "-pk").first()
    if last is not None:
        reason = f"{reason} {last.comment}".strip()
    _set_stage(
        None, stage,
        {"status": S.ACTIVE, "approval": request, "note": _add_note(stage, reason),
         },
        check=False,
    )  # fmt: skip


# --- documents and tasks -------------------------------------------------------------------------
def add_document(
    user: Any,
    stage: ProjectStage,
    *,
    name: str,
    file: UploadedFile[Any] | None = None,
    link: str = "",
    expected_version: int | None = None,
) -> ProjectDocument:
    """Add a document (a file, checked like evidence, or a link) to a stage."""
    if not may_contribute(user, stage):
        _refuse(user, stage, "worklog.add_projectdocument")
    values: dict[str, Any] = {"stage": stage, "name": (name or "").strip(), "link": link or ""}
    if file is not None:
        clean_name, _ext = check_file(file, photo=False, field="file")
        values["file"] = file
        values["file_name"] = clean_name
    with transaction.atomic():
        ProjectStage.objects.select_for_update().get(pk=stage.pk)
        return DOCUMENTS.create(user, {**values, "added_by": person_of(user)}, check=False)


def add_stage_task(
    user: Any,
    stage: ProjectStage,
    *,
    title: str,
    owner: Person,
    due_on: dt.date,
    description: str = "",
    weight: Decimal | None = None,
    expected_version: int | None = None,
) -> Task:
    """A task under the stage (through the tasks service): the project manager, the stage's
    owner or whoever manages the project."""
    if not may_run_gate(user, stage):
        _refuse(user, stage, "worklog.stage_task")
    by = person_of(user) or stage.project.manager
    if stage.status == S.PASSED or stage.project.status != ProjectStatus.ACTIVE:
        raise ValidationError(
            {"stage": _("The stage %(stage)s is %(status)s: no new task.")
             % {"stage": stage.name, "status": stage.get_status_display()}}
        )  # fmt: skip
    from netdept.worklog.services.tasks import create_task

    return create_task(
        by=by, title=title, owner=owner, due_on=due_on, description=description,
        project=stage.project, stage=stage, weight=weight or Decimal(1),
    )  # fmt: skip


def cancel_project(
    user: Any, project: Project, *, reason: str, expected_version: int | None = None
) -> Project:
    """Cancel a running project (the manager or whoever may change it); a gate awaiting its
    approval is withdrawn."""
    if not may_manage(user, project):
        _refuse(user, project, "worklog.change_project")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if expected_version is not None and expected_version != project.version:
            raise ValidationError(
                _("This project changed since you opened it; reload the page."), code="conflict"
            )
        if project.status != ProjectStatus.ACTIVE:
            raise ValidationError({"status": _("Only a running project can be cancelled.")})
        for stage in project.stages.filter(status=S.AWAITING).select_related("approval"):
            if stage.approval is not None and stage.approval.status in (
                RequestStatus.PENDING, RequestStatus.RETURNED,
            ):  # fmt: skip
                approvals.withdraw(None, stage.approval, reason=reason)
        project.refresh_from_db()
        project = _set_project(user, project, {"status": ProjectStatus.CANCELLED}, check=False)
        audit.record(AuditAction.UPDATE, project, actor=user, extra={"cancel_reason": reason[:500]})
    return project


# --- reading -----------------------------------------------------------------------------------
@dataclass
class StageView:
    """One step of the project's stepper."""

    stage: ProjectStage
    documents: list[ProjectDocument]
    missing: list[str]
    tasks: list[Any]


def stepper(project: Project) -> list[StageView]:
    """The project's stages with their documents, missing documents and tasks (four queries)."""
    stages = list(project.stages.select_related("template", "owner", "approval").order_by("order"))
    docs: dict[int, list[ProjectDocument]] = {s.pk: [] for s in stages}
    for d in ProjectDocument.objects.filter(stage__project=project).select_related("added_by"):
        docs[d.stage_id].append(d)
    from netdept.worklog.models.tasks import Task

    tasks: dict[int, list[Any]] = {s.pk: [] for s in stages}
    for t in Task.objects.filter(stage__project=project).select_related("owner"):
        if t.stage_id is not None:
            tasks[t.stage_id].append(t)
    out = []
    for s in stages:
        have = {d.name for d in docs[s.pk]}
        missing = [n for n in clean_documents(s.template.required_documents) if n not in have]
        out.append(StageView(s, docs[s.pk], missing, tasks[s.pk]))
    return out


def _tell_started(stage: ProjectStage) -> None:
    owner = stage.owner if stage.owner_id is not None else None
    if owner is None or owner.user_id is None:
        return
    from netdept.notify import notify
    from netdept.worklog import notifications_projects

    project = stage.project
    transaction.on_commit(
        lambda: notify(
            notifications_projects.STAGE_STARTED,
            obj=project,
            recipients=[owner],
            data={"project": project.name, "stage": stage.name},
            dedupe_key=f"stage-{stage.pk}-{stage.version}",
        )
    )


__all__: Sequence[str] = [
    "DOCUMENTS",
    "FLOWS",
    "GATE_KIND",
    "PROJECTS",
    "STAGES",
    "TEMPLATES",
    "add_document",
    "add_stage_task",
    "cancel_project",
    "gate_decided",
    "may_contribute",
    "may_manage",
    "may_run_gate",
    "missing_documents",
    "owner_for",
    "pass_gate",
    "request_gate",
    "start_stage",
    "stepper",
]
