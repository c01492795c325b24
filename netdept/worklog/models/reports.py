"""Weekly and monthly reports (周报 / 月报).

A ``Report`` is a person's (or, with ``is_team_report``, a team lead's roll-up of the team's)
weekly or monthly report: drafted from the period's logs and records, with last period's
"next" carried into ``carried_plan``; submitted before the deadline (a duty of the pack),
reviewed by the lead (accept, or return with a comment).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.org.models import Person, Team

from .logs import MAX_TEXT, LogStatus


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("weekly report")
    MONTHLY = "monthly", _("monthly report")


class Report(BaseModel):
    """A weekly or monthly report of a person, or a team lead's roll-up of the team's."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    is_team_report = models.BooleanField(_("the team's report"), default=False)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=LogStatus.choices, default=LogStatus.DRAFT
    )
    done = models.TextField(_("done"), blank=True, max_length=MAX_TEXT)
    in_progress = models.TextField(_("in progress"), blank=True, max_length=MAX_TEXT)
    problems = models.TextField(_("problems"), blank=True, max_length=MAX_TEXT)
    next_plan = models.TextField(_("next period's plan"), blank=True, max_length=MAX_TEXT)
    carried_plan = models.TextField(
        _("plan carried from last period"), blank=True, max_length=MAX_TEXT
    )
    #: figures of the period (work orders resolved, duties done, logs submitted…) as drafted
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    drafted_at = models.DateTimeField(_("drafted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        Person, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter and figures drafted from records: not the trail's
    audit_exclude = ("created_at", "updated_at", "version", "figures")

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "period_start", "is_team_report"],
                name="worklog_report_once",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "period_start", "status"], name="worklog_rep_period"),
            models.Index(fields=["team", "kind", "period_start"], name="worklog_rep_team"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person} · {self.period_start:%Y-%m-%d}"


class DraftRunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class DraftRun(BaseModel):
    """One background run drafting the reports of many people for a period, with its progress
    (shown while it runs)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    started_by = models.ForeignKey(
        Person, verbose_name=_("started by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=DraftRunStatus.choices,
        default=DraftRunStatus.QUEUED,
    )  # fmt: skip
    total = models.PositiveIntegerField(_("people"), default=0)
    done = models.PositiveIntegerField(_("drafted"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=1000, blank=True)

    scope_paths = {
        "own": "started_by__user",
        "team": "started_by__team",
        "department": "department",
    }

    class Meta:
        verbose_name = _("drafting run")
        verbose_name_plural = _("drafting runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period_start:%Y-%m-%d}"
