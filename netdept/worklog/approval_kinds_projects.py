"""The approval kind of a project's stage gate (``worklog.stage_gate``), declared once
(imported by ``wiring`` at ``ready()``). A stage template that names a rule of this kind sends
its gate to the approvals engine; the outcome comes back through
``services.projects.gate_decided``. The default rule (one step: the director) is written after
``migrate`` when the kind has none; a site's or a pack's own rule is never touched.
"""

from __future__ import annotations

from typing import Any, Final

from django.apps import AppConfig, apps
from django.db import transaction
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netdept.approvals.kinds import NUMBER, TEXT, ApprovalKind, Condition, register_kind
from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Approver
from netdept.worklog.models.projects import ProjectStage
from netdept.worklog.services.projects import GATE_KIND

#: the default rule, in the site's language as an administrator would have written it
DEFAULT_RULE: Final = (
    "worklog-stage-gate",
    "项目阶段评审",
    "项目阶段完成、所需文档齐全后提交评审，经主任批准进入下一阶段。",
    "主任审批",
)


def _title(stage: ProjectStage) -> str:
    return f"{stage.project.name} · {stage.name}"


def _data(stage: ProjectStage) -> dict[str, Any]:
    return {
        "stage": stage.template.code,
        "flow": stage.project.flow.code,
        "documents": stage.documents.count(),
    }


def _requester(stage: ProjectStage) -> Any:
    return None  # the person who requests the gate


def _url(stage: ProjectStage) -> str:
    return reverse("worklog:projects_detail", args=[stage.project_id])


STAGE_GATE = register_kind(
    ApprovalKind(
        code=GATE_KIND,
        label=_("stage gate of a project"),
        model=ProjectStage,
        fields={
            "stage": Condition(_("stage (code)"), TEXT),
            "flow": Condition(_("project flow (code)"), TEXT),
            "documents": Condition(_("number of documents"), NUMBER),
        },
        data=_data,
        requester=_requester,
        title=_title,
        on_decided="netdept.worklog.services.projects.gate_decided",
        url=_url,
        description=_(
            "A project stage's work is done and its documents are in: approved, the gate "
            "passes and the next stage starts; returned or rejected, the stage goes on."
        ),
    )
)


def ensure_default_rule(using: str = "default") -> None:
    code, name, description, step = DEFAULT_RULE
    with transaction.atomic(using=using):
        if ApprovalRule.objects.using(using).filter(kind=GATE_KIND).exists():
            return
        if ApprovalRule.objects.using(using).filter(code=code).exists():
            return
        rule = ApprovalRule.objects.using(using).create(
            name=name, code=code, kind=GATE_KIND, is_default=True, description=description
        )
        ApprovalStepRule.objects.using(using).create(
            rule=rule, order=10, name=step, approver=Approver.DIRECTOR
        )


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    ensure_default_rule(using=using)


post_migrate.connect(
    _after_migrate, sender=apps.get_app_config("worklog"), dispatch_uid="worklog.stage_gate_rule"
)
