"""The regulations register (管理制度): documents, their versions, articles and read
confirmations (阅读确认).

A ``Regulation`` is a document of the department (网络部管理制度, 大客户部管理制度); each
``RegulationVersion`` is one text of it, which goes draft → pending approval (through the
approvals engine) → approved → effective → superseded. ``Article`` rows are the numbered parts
of a version (第十一条, 一-3, 5): duties, penalty rules, prohibited acts and other modules'
rules cite them; ``ArticleLink`` ties an article to a rule of another module (an SLA policy,
an approval rule, a position's responsibilities) so the coverage page can list every article
with what encodes it. Only ``netdept.duties.services`` changes these rows.
"""

from __future__ import annotations

from typing import Final

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.approvals.models import ApprovalRequest
from netdept.core.models import BaseModel
from netdept.org.models import Department, Person

MAX_ARTICLE_TEXT: Final = 20000
MAX_SOURCE_TEXT: Final = 500000


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("pending approval")
    APPROVED = "approved", _("approved")
    EFFECTIVE = "effective", _("effective")
    SUPERSEDED = "superseded", _("superseded")
    REJECTED = "rejected", _("rejected")


class Regulation(BaseModel):
    """A regulation document (管理制度) of the department."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(
        _("issuer"),
        max_length=100,
        blank=True,
        help_text=_("Who issues it (the network department, the hospital office…)."),
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    pack = models.CharField(
        _("regulation pack"),
        max_length=60,
        blank=True,
        db_index=True,
        help_text=_("The pack that shipped it; empty for the site's own."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class RegulationVersion(BaseModel):
    """One text of a regulation. At most one version of a regulation is effective."""

    regulation = models.ForeignKey(
        Regulation, verbose_name=_("regulation"), on_delete=models.CASCADE, related_name="versions"
    )
    label = models.CharField(_("version"), max_length=40, help_text=_("2026 edition, v2…"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        db_index=True,
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    next_review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    review_reminder_days = models.PositiveSmallIntegerField(
        _("remind before the review (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    review_reminded_at = models.DateTimeField(_("review reminded at"), null=True, blank=True)
    source_text = models.TextField(
        _("source text"),
        blank=True,
        max_length=MAX_SOURCE_TEXT,
        help_text=_("The text as imported."),
    )
    applies_to = models.ManyToManyField(
        Department,
        verbose_name=_("applies to"),
        blank=True,
        related_name="+",
        help_text=_("Departments whose people must confirm reading it (none: everyone)."),
    )
    require_read_confirmation = models.BooleanField(_("read confirmation required"), default=True)
    approval_request = models.ForeignKey(
        ApprovalRequest,
        verbose_name=_("approval request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    change_note = models.TextField(_("what changed"), blank=True, max_length=4000)

    record_kind = "config"

    class Meta:
        verbose_name = _("regulation version")
        verbose_name_plural = _("regulation versions")
        ordering = ["regulation", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "label"], name="duties_version_label_unique"
            ),
            models.UniqueConstraint(
                fields=["regulation"],
                condition=models.Q(status="effective"),
                name="duties_one_effective_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regulation} {self.label}"


class Article(BaseModel):
    """A numbered part of a regulation version (第十一条, 一-3, 5)."""

    version = models.ForeignKey(
        RegulationVersion,
        verbose_name=_("regulation version"),
        on_delete=models.CASCADE,
        related_name="articles",
    )
    label = models.CharField(
        _("article"), max_length=40, help_text=_("As numbered in the text (Article 11, I-3, 5…).")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    chapter = models.CharField(_("chapter"), max_length=200, blank=True)
    text = models.TextField(_("text"), max_length=MAX_ARTICLE_TEXT)
    seed_line = models.PositiveIntegerField(
        _("line in the source"), null=True, blank=True, help_text=_("Where the text comes from.")
    )
    summary = models.CharField(
        _("in our words"),
        max_length=500,
        blank=True,
        help_text=_("What the article asks, briefly."),
    )
    automatable = models.BooleanField(_("automatable"), default=True)
    not_automatable_reason = models.CharField(
        _("why it is not automatable"), max_length=300, blank=True
    )

    record_kind = "config"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="duties_article_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version.regulation} {self.label}"


class ArticleLink(BaseModel):
    """An article encoded by a rule of another module (an SLA policy, an approval rule, a
    position's responsibilities, a checklist). Duties, penalty rules, reward rules and
    prohibited acts cite their articles directly (their ``articles`` field)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="links"
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of rule"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("rule"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("article link")
        verbose_name_plural = _("article links")
        ordering = ["article", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "target_type", "target_id"], name="duties_article_link_unique"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="duties_link_target")]

    def __str__(self) -> str:
        return f"{self.article} → {self.target_type.model} {self.target_id}"


class ReadConfirmation(BaseModel):
    """A person's confirmation of having read a published version (阅读确认)."""

    version = models.ForeignKey(
        RegulationVersion,
        verbose_name=_("regulation version"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, db_index=True)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("read confirmation")
        verbose_name_plural = _("read confirmations")
        ordering = ["version", "person"]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="duties_read_once")
        ]
        indexes = [
            models.Index(fields=["person", "confirmed_at"], name="duties_read_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.version}"
