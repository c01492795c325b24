"""The rhythm's settings per department (工作节奏设置): when a week's reports close, who
reviews, what an overdue task costs. Deadlines themselves are duties (the duties engine
detects missing logs and late reports; the pack decides the sanction)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.org.models import Department


class WorklogPolicy(BaseModel):
    """One per department (or the site's default, with no department)."""

    department = models.OneToOneField(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="worklog_policy",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    close_after_days = models.PositiveSmallIntegerField(
        _("reports close after (working days)"),
        default=5,
        validators=[MaxValueValidator(60)],
        help_text=_("After the period ends; no report for a closed period is accepted. 0: never."),
    )
    review_reports = models.BooleanField(_("the team lead reviews reports"), default=True)
    task_overdue_penalty_rule = models.ForeignKey(
        "duties.PenaltyRule", verbose_name=_("penalty rule for an overdue task"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("working rhythm policy")
        verbose_name_plural = _("working rhythm policies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
