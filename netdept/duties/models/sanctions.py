"""Violations (违规), penalties with their escalation, appeals (申诉), rewards.

A ``Violation`` comes from a missed or late occurrence, an SLA breach, a prohibited act a lead
recorded, or by hand. Its ``PenaltyRule`` turns it into a ``Penalty`` by the number of the
person's offences of the same family within the rule's period (``PenaltyStep``: 1st ¥100, 2nd
¥200, 3rd a 20 % pay cut or dismissal review). Sanctions that need a decision go through the
approvals engine; the person may appeal within the rule's working days, decided a level up.
Rewards are a separate ledger: nothing anywhere nets one against the other (功过不能相抵).
Money is ``Decimal``, CNY, two places.
"""

from __future__ import annotations

from typing import Final

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.approvals.models import ApprovalRequest
from netdept.core.models import BaseModel
from netdept.org.models import Person

from .duties import Occurrence
from .regulations import Article


class Period(models.TextChoices):
    """Within what offences are counted for the escalation."""

    MONTH = "month", _("calendar month")
    QUARTER = "quarter", _("calendar quarter")
    YEAR = "year", _("calendar year")
    EVER = "ever", _("ever")


class Sanction(models.TextChoices):
    CRITICISM = "criticism", _("public criticism")
    ORAL_WARNING = "oral_warning", _("oral warning")
    WRITTEN_WARNING = "written_warning", _("written warning")
    FINE = "fine", _("fine")
    PAY_CUT = "pay_cut", _("pay cut")
    DISMISSAL_REVIEW = "dismissal", _("dismissal review")
    REPORT_SUPERIOR = "report", _("report to the superior unit")
    DISCRETIONARY = "discretionary", _("at the director's discretion")


#: sanctions that take effect only when decided through the approvals engine
NEEDS_DECISION: Final = frozenset({"pay_cut", "dismissal", "report", "discretionary"})


class PenaltyRule(BaseModel):
    """How violations of one family are sanctioned, escalating with their count."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    articles = models.ManyToManyField(
        Article, verbose_name=_("articles"), blank=True, related_name="penalty_rules"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    family = models.SlugField(
        _("counted with"),
        max_length=80,
        blank=True,
        help_text=_("Rules of one family count their offences together (empty: this rule alone)."),
    )
    period = models.CharField(
        _("offences counted within"), max_length=10, choices=Period.choices, default=Period.MONTH
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal within (working days)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("0: no appeal."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("penalty rule")
        verbose_name_plural = _("penalty rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def count_family(self) -> str:
        return self.family or self.code


class PenaltyStep(BaseModel):
    """The sanction of the n-th offence (the last step also applies to every later one)."""

    rule = models.ForeignKey(
        PenaltyRule, verbose_name=_("penalty rule"), on_delete=models.CASCADE, related_name="steps"
    )
    offence = models.PositiveSmallIntegerField(
        _("offence"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("1: the first offence in the period, 2: the second…"),
    )
    sanction = models.CharField(_("sanction"), max_length=15, choices=Sanction.choices)
    amount = models.DecimalField(
        _("amount (¥)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    per_item = models.BooleanField(
        _("per item"), default=False, help_text=_("The amount is per item (¥10 per late article).")
    )
    percent = models.DecimalField(
        _("pay cut (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    alternative = models.CharField(
        _("or"),
        max_length=15,
        choices=Sanction.choices,
        blank=True,
        help_text=_("The decider may choose this instead (a 20 % pay cut or dismissal)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("penalty step")
        verbose_name_plural = _("penalty steps")
        ordering = ["rule", "offence"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "offence"], name="duties_penalty_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.offence}"


class ProhibitedAct(BaseModel):
    """An act the regulations forbid (禁止行为), recorded by a lead as a violation."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    articles = models.ManyToManyField(
        Article, verbose_name=_("articles"), blank=True, related_name="prohibited_acts"
    )
    penalty_rule = models.ForeignKey(
        PenaltyRule, verbose_name=_("penalty rule"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="prohibited_acts",
    )  # fmt: skip
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("prohibited act")
        verbose_name_plural = _("prohibited acts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ViolationSource(models.TextChoices):
    MISSED = "missed", _("a missed duty")
    LATE = "late", _("a late duty")
    SLA = "sla", _("an SLA breach")
    PROHIBITED = "prohibited", _("a prohibited act")
    MANUAL = "manual", _("recorded by hand")
    TASK = "task", _("an overdue task")
    ATTENDANCE = "attendance", _("lateness or absence")


#: the sources recorded for one record of another module (a breached order, an overdue task, a
#: day of the clock): one violation per record, whatever runs again
RECORD_SOURCES = ("sla", "task", "attendance")


class ViolationStatus(models.TextChoices):
    OPEN = "open", _("open")
    PENALISED = "penalised", _("penalised")
    DISMISSED = "dismissed", _("dismissed")


class Violation(BaseModel):
    """A breach of the regulations by a person."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=12, choices=ViolationSource.choices)
    occurrence = models.ForeignKey(
        Occurrence, verbose_name=_("duty occurrence"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="violations",
    )  # fmt: skip
    prohibited_act = models.ForeignKey(
        ProhibitedAct, verbose_name=_("prohibited act"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="violations",
    )  # fmt: skip
    penalty_rule = models.ForeignKey(
        PenaltyRule, verbose_name=_("penalty rule"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="violations",
    )  # fmt: skip
    record_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    record_id = models.CharField(_("record"), max_length=64, blank=True)
    record_label = models.CharField(_("record"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    quantity = models.PositiveIntegerField(
        _("items"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        Person, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=ViolationStatus.choices, default=ViolationStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # a missed (or late) occurrence makes one violation, never two
            models.UniqueConstraint(
                fields=["occurrence"],
                condition=models.Q(occurrence__isnull=False),
                name="duties_violation_per_occurrence",
            ),
            # an SLA breach of one record makes one violation per person
            models.UniqueConstraint(
                fields=["person", "source", "record_type", "record_id"],
                condition=models.Q(source="sla"),
                name="duties_violation_per_breach",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="duties_viol_person"),
            models.Index(fields=["status", "occurred_at"], name="duties_viol_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_source_display()} · {self.occurred_at:%Y-%m-%d}"


class PenaltyStatus(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    EFFECTIVE = "effective", _("in effect")
    APPEALED = "appealed", _("under appeal")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("not imposed")


class Penalty(BaseModel):
    """The sanction a violation brought. Withdrawn penalties stay (history)."""

    violation = models.OneToOneField(
        Violation, verbose_name=_("violation"), on_delete=models.PROTECT, related_name="penalty"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        PenaltyRule, verbose_name=_("penalty rule"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="penalties",
    )  # fmt: skip
    family = models.SlugField(_("counted with"), max_length=80, db_index=True)
    offence_no = models.PositiveSmallIntegerField(_("offence in the period"), default=1)
    sanction = models.CharField(_("sanction"), max_length=15, choices=Sanction.choices)
    amount = models.DecimalField(
        _("amount (¥)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    percent = models.DecimalField(
        _("pay cut (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    month = models.DateField(_("month"), help_text=_("The first day of the statement's month."))
    status = models.CharField(
        _("status"), max_length=10, choices=PenaltyStatus.choices, default=PenaltyStatus.PENDING
    )
    approval_request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("approval request"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    effective_at = models.DateTimeField(_("in effect from"), null=True, blank=True)
    appeal_until = models.DateTimeField(_("appeal until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        ordering = ["-month", "-id"]
        indexes = [
            models.Index(fields=["person", "month"], name="duties_pen_person_month"),
            models.Index(fields=["family", "person", "status"], name="duties_pen_family"),
            models.Index(fields=["status", "month"], name="duties_pen_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_sanction_display()}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    GRANTED = "granted", _("granted: penalty withdrawn")
    REFUSED = "refused", _("refused: penalty stands")
    WITHDRAWN = "withdrawn", _("withdrawn by the person")


class Appeal(BaseModel):
    """A person's appeal (申诉) against a penalty, decided a level up."""

    penalty = models.ForeignKey(
        Penalty, verbose_name=_("penalty"), on_delete=models.PROTECT, related_name="appeals"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    approval_request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("approval request"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("decision"), max_length=1000, blank=True)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["penalty"],
                condition=models.Q(status="pending"),
                name="duties_one_pending_appeal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.penalty}"


class RewardKind(models.TextChoices):
    COMMENDATION = "commendation", _("commendation")
    BONUS = "bonus", _("bonus")
    OTHER = "other", _("other reward")


class RewardRule(BaseModel):
    """A reward the regulations name (表彰, 奖金)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    articles = models.ManyToManyField(
        Article, verbose_name=_("articles"), blank=True, related_name="reward_rules"
    )
    kind = models.CharField(
        _("kind"), max_length=15, choices=RewardKind.choices, default=RewardKind.COMMENDATION
    )
    amount = models.DecimalField(
        _("amount (¥)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RewardSource(models.TextChoices):
    MANUAL = "manual", _("by hand")
    MONTHLY_REVIEW = "review", _("the monthly review")
    RULE = "rule", _("by rule")


class RewardStatus(models.TextChoices):
    EFFECTIVE = "effective", _("in effect")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Reward(BaseModel):
    """A reward in the rewards ledger (never netted against penalties)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        RewardRule, verbose_name=_("reward rule"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="rewards",
    )  # fmt: skip
    kind = models.CharField(
        _("kind"), max_length=15, choices=RewardKind.choices, default=RewardKind.COMMENDATION
    )
    amount = models.DecimalField(
        _("amount (¥)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    reason = models.CharField(_("reason"), max_length=1000)
    awarded_on = models.DateField(_("awarded on"))
    month = models.DateField(_("month"), help_text=_("The first day of the statement's month."))
    source = models.CharField(
        _("source"), max_length=10, choices=RewardSource.choices, default=RewardSource.MANUAL
    )
    granted_by = models.ForeignKey(
        Person, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=RewardStatus.choices, default=RewardStatus.EFFECTIVE
    )

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-awarded_on", "-id"]
        indexes = [models.Index(fields=["person", "month"], name="duties_rew_person_month")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"
