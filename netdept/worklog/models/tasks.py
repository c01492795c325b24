"""Goals and tasks (目标与任务分解): goals of the department, a team or a person, decomposed
into tasks with an owner, a due date, a weight and progress; the lead evaluates the result
(score and comment, which the assessment module reads). A task may come from a meeting's
action items (``meeting``) or hang under a project's stage (``project`` + ``stage``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Team


class GoalLevel(models.TextChoices):
    DEPARTMENT = "department", _("department")
    TEAM = "team", _("team")
    PERSON = "person", _("person")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("goal status", "active")
    ACHIEVED = "achieved", _("achieved")
    MISSED = "missed", _("not achieved")
    CANCELLED = "cancelled", _("cancelled")


class Goal(BaseModel):
    """A goal (目标) of the department, a team or a person, part of a larger one."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    level = models.CharField(
        _("level"), max_length=10, choices=GoalLevel.choices, default=GoalLevel.TEAM
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    measure = models.CharField(_("how it is measured"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    #: weighted progress of its tasks and sub-goals, 0–100 (kept by the task service)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {"own": "owner__user", "team": "team", "department": "department"}

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-due_on", "title"]
        indexes = [models.Index(fields=["status", "due_on"], name="worklog_goal_status")]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    TODO = "todo", _("to do")
    DOING = "doing", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


#: the statuses in which a task still waits for its owner
OPEN_TASK_STATUSES = ("todo", "doing")


class Task(BaseModel):
    """A task (任务) with its owner, due date, weight, progress and evaluation."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tasks",
    )  # fmt: skip
    meeting = models.ForeignKey(
        "worklog.Meeting", verbose_name=_("action item of meeting"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="action_items",
    )  # fmt: skip
    project = models.ForeignKey(
        "worklog.Project", verbose_name=_("project"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tasks",
    )  # fmt: skip
    stage = models.ForeignKey(
        "worklog.ProjectStage", verbose_name=_("project stage"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tasks",
    )  # fmt: skip
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        Person, verbose_name=_("assigned by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=4000)
    # evaluation by the lead
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    evaluation = models.CharField(_("evaluation"), max_length=1000, blank=True)
    evaluated_by = models.ForeignKey(
        Person, verbose_name=_("evaluated by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # the overdue sweep
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    violation = models.ForeignKey(
        "duties.Violation", verbose_name=_("violation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {"own": "owner__user", "team": "team", "department": "department"}

    class Meta:
        verbose_name = pgettext_lazy("worklog", "task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="worklog_task_owner"),
            models.Index(fields=["status", "due_on"], name="worklog_task_due"),
            models.Index(fields=["team", "status"], name="worklog_task_team"),
        ]

    def __str__(self) -> str:
        return self.title
