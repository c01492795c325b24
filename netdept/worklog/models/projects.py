"""Projects with stage gates (项目与阶段): a project runs its flow's stages in order (the web
team's 需求分析 → 技术方案 → 开发 → 测试 → 上线 → 运维); each stage has an owner (项目经理,
技术负责人, 测试人员…), required documents, and an approval where the flow says; tasks hang
under stages (``Task.stage``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Position, Team


class ProjectFlow(BaseModel):
    """A project flow: its stages in order (``StageTemplate``)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("project flow")
        verbose_name_plural = _("project flows")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectRole(models.TextChoices):
    """The people of a project who may own a stage (a field of the project each)."""

    MANAGER = "manager", _("project manager")
    TECH_LEAD = "tech_lead", _("technical lead")
    TESTER = "tester", _("tester")


class StageTemplate(BaseModel):
    """One stage of a flow: who owns it, what it must produce, whether its gate is approved."""

    flow = models.ForeignKey(
        ProjectFlow, verbose_name=_("project flow"), on_delete=models.CASCADE,
        related_name="stages",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    owner_position = models.ForeignKey(
        Position, verbose_name=_("owned by (position)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    owner_role = models.CharField(
        _("owned by (project role)"), max_length=20, blank=True, choices=ProjectRole.choices,
        help_text=_("The project's person in this role owns the stage; else the first holder "
                    "of the position, else the project manager."),
    )  # fmt: skip
    required_documents = models.JSONField(
        _("required documents"), default=list, blank=True,
        help_text=_("The documents the gate needs, by name."),
    )  # fmt: skip
    approval_rule = models.ForeignKey(
        "approvals.ApprovalRule", verbose_name=_("gate approved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "worklog.stage_gate"},
    )  # fmt: skip
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )

    record_kind = "config"

    class Meta:
        verbose_name = _("stage template")
        verbose_name_plural = _("stage templates")
        ordering = ["flow", "order"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "order"], name="worklog_stage_tpl_order"),
            models.UniqueConstraint(fields=["flow", "code"], name="worklog_stage_tpl_code"),
        ]

    def __str__(self) -> str:
        return f"{self.flow} · {self.name}"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("project status", "active")
    DONE = "done", pgettext_lazy("project status", "done")
    CANCELLED = "cancelled", pgettext_lazy("project status", "cancelled")


class Project(BaseModel):
    """A project (项目) following a flow."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    flow = models.ForeignKey(
        ProjectFlow, verbose_name=_("project flow"), on_delete=models.PROTECT,
        related_name="projects",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    manager = models.ForeignKey(
        Person, verbose_name=_("project manager"), on_delete=models.PROTECT, related_name="+"
    )
    tech_lead = models.ForeignKey(
        Person, verbose_name=_("technical lead"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    tester = models.ForeignKey(
        Person, verbose_name=_("tester"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    current_stage = models.ForeignKey(
        "worklog.ProjectStage", verbose_name=_("current stage"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {"own": "manager__user", "team": "team", "department": "department"}

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "name"]
        indexes = [models.Index(fields=["status", "due_on"], name="worklog_proj_status")]

    def __str__(self) -> str:
        return self.name


class StageStatus(models.TextChoices):
    PENDING = "pending", _("not started")
    ACTIVE = "active", pgettext_lazy("project stage status", "in progress")
    AWAITING = "awaiting", _("gate awaiting approval")
    PASSED = "passed", _("gate passed")


class ProjectStage(BaseModel):
    """A project's instance of one stage of its flow."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stages"
    )
    template = models.ForeignKey(
        StageTemplate, verbose_name=_("stage template"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    passed_at = models.DateTimeField(_("gate passed at"), null=True, blank=True)
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", verbose_name=_("gate approval"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {
        "own": "owner__user",
        "team": "project__team",
        "department": "project__department",
    }

    class Meta:
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "order"], name="worklog_stage_order")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class ProjectDocument(BaseModel):
    """A document a stage produced (one of its template's required documents, or another)."""

    stage = models.ForeignKey(
        ProjectStage, verbose_name=_("project stage"), on_delete=models.CASCADE,
        related_name="documents",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="worklog/projects/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True, max_length=500)
    added_by = models.ForeignKey(
        Person, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    scope_paths = {
        "own": "added_by__user",
        "team": "stage__project__team",
        "department": "stage__project__department",
    }

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        ordering = ["stage", "name"]

    def __str__(self) -> str:
        return self.name
