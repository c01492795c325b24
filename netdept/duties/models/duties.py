"""Duties (职责): who must do what by when, with what evidence, reviewed by whom — and their
occurrences, one per (duty, person, due instant), materialised ahead of time.

A ``Duty`` cites its articles and says who (``assignee_kind`` + the person, position, role,
team or department; each member, one per team, or a rotation), when (an RFC 5545 ``RRULE``
read on the working calendar: ``shift`` moves or drops occurrences that fall on a non-working
day), the grace after the due instant before a late occurrence is missed, what evidence is
required (``evidence_kind``), and who reviews. A duty may check itself: ``check_code`` names a
query a module registered (``netdept.duties.checks``). ``Occurrence`` rows are written by the
engine (``services.engine``) only; the past ones keep the rule they were made under.
"""

from __future__ import annotations

from typing import Final

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Position, Role, Team

from .regulations import Article

MAX_EVIDENCE_TEXT: Final = 10000
MAX_HORIZON_DAYS: Final = 366
#: the longest grace: 40 working days of 8 hours, in minutes
MAX_GRACE_MINUTES: Final = 40 * 8 * 60


class AssigneeKind(models.TextChoices):
    PERSON = "person", _("a person")
    POSITION = "position", _("holders of a position")
    ROLE = "role", _("holders of a role")
    TEAM = "team", _("a team")
    DEPARTMENT = "department", _("a department")


class AssigneeMode(models.TextChoices):
    EACH = "each", _("each of them")
    ONE_PER_TEAM = "per_team", _("one per team (its lead)")
    ROTATION = "rotation", _("in rotation")


class Shift(models.TextChoices):
    """What an occurrence that falls on a non-working day becomes."""

    KEEP = "keep", _("kept on that day")
    SKIP = "skip", _("dropped")
    NEXT = "next", _("moved to the next working day")
    PREVIOUS = "previous", _("moved to the previous working day")


class EvidenceKind(models.TextChoices):
    NONE = "none", _("none (confirm done)")
    TEXT = "text", _("text")
    FILE = "file", _("a file")
    PHOTO = "photo", _("a photo")
    NUMBER = "number", _("a number")
    CHECKLIST = "checklist", _("a checklist")
    RECORD = "record", _("a record of another module")


class ReviewerKind(models.TextChoices):
    NONE = "", _("nobody (done when submitted)")
    TEAM_LEAD = "team_lead", _("the person's team lead")
    SUPERIOR = "superior", _("the person's superior")
    PERSON = "person", _("a named person")


class ViolationOn(models.TextChoices):
    NEVER = "", _("never")
    MISSED = "missed", _("when missed")
    LATE = "late", _("when late or missed")


class Duty(BaseModel):
    """A recurring duty with its deadline, evidence and reviewer."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    articles = models.ManyToManyField(
        Article, verbose_name=_("articles"), blank=True, related_name="duties"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    # who
    assignee_kind = models.CharField(
        _("assigned to"), max_length=12, choices=AssigneeKind.choices, default=AssigneeKind.PERSON
    )
    assignee_mode = models.CharField(
        _("how"), max_length=10, choices=AssigneeMode.choices, default=AssigneeMode.EACH
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    role = models.ForeignKey(
        Role, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    # when
    rrule = models.CharField(
        _("recurrence (RFC 5545 RRULE)"),
        max_length=300,
        help_text=_("FREQ=DAILY; FREQ=WEEKLY;BYDAY=MO; FREQ=MONTHLY;BYMONTHDAY=-1 …"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    due_time = models.TimeField(_("due at (time of day)"))
    shift = models.CharField(
        _("on a non-working day"), max_length=10, choices=Shift.choices, default=Shift.NEXT
    )
    grace_minutes = models.PositiveIntegerField(
        _("grace (working minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_GRACE_MINUTES)],
        help_text=_("Late until then, missed after."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("materialised ahead (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_DAYS)],
    )
    # evidence
    evidence_kind = models.CharField(
        _("evidence required"), max_length=10, choices=EvidenceKind.choices,
        default=EvidenceKind.NONE,
    )  # fmt: skip
    evidence_min = models.DecimalField(
        _("at least (number)"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("With a number as evidence: the least accepted (2 articles)."),
    )  # fmt: skip
    evidence_unit = models.CharField(_("unit"), max_length=20, blank=True)
    checklist = models.JSONField(
        _("checklist"), default=list, blank=True, help_text=_("The items to tick, in order.")
    )
    record_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    check_code = models.CharField(
        _("checks itself with"),
        max_length=80,
        blank=True,
        help_text=_("A query a module registered: the records that satisfy the duty."),
    )
    check_params = models.JSONField(_("check parameters"), default=dict, blank=True)
    # review
    reviewer_kind = models.CharField(
        _("reviewed by"), max_length=10, choices=ReviewerKind.choices, blank=True,
        default=ReviewerKind.NONE,
    )  # fmt: skip
    reviewer = models.ForeignKey(
        Person, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # reminders, escalation, consequences
    remind_before_minutes = models.PositiveIntegerField(
        _("remind before due (minutes)"), default=60, validators=[MaxValueValidator(60 * 24 * 14)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        default=1,
        validators=[MaxValueValidator(60)],
        help_text=_("Told to the reviewer or team lead when still not done; 0: never."),
    )
    violation_on = models.CharField(
        _("a violation"), max_length=10, choices=ViolationOn.choices, blank=True,
        default=ViolationOn.MISSED,
    )  # fmt: skip
    penalty_rule = models.ForeignKey(
        "duties.PenaltyRule", verbose_name=_("penalty rule"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="duties",
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1)
    #: occurrences of this version are due from this instant on (set when the rule changes;
    #: empty: from the duty's creation) — the earlier ones keep the rule they were made under
    rule_from = models.DateTimeField(_("this version applies from"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OccurrenceStatus(models.TextChoices):
    PENDING = "pending", _("to do")
    SUBMITTED = "submitted", _("awaiting review")
    RETURNED = "returned", _("returned for changes")
    DONE = "done", _("done on time")
    DONE_LATE = "done_late", _("done late")
    OVERDUE = "overdue", _("overdue")
    MISSED = "missed", _("missed")
    EXCUSED = "excused", _("excused")


#: the statuses in which an occurrence still waits for its person
OPEN_STATUSES: Final = ("pending", "returned", "overdue")
#: the statuses that end an occurrence
CLOSED_STATUSES: Final = ("done", "done_late", "missed", "excused")


class Occurrence(BaseModel):
    """One time a duty falls due for a person."""

    duty = models.ForeignKey(
        Duty, verbose_name=_("duty"), on_delete=models.CASCADE, related_name="occurrences"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    period_start = models.DateTimeField(
        _("period starts"), help_text=_("Records from then on count for this occurrence.")
    )
    due_at = models.DateTimeField(_("due"))
    missed_at = models.DateTimeField(_("missed after"))
    status = models.CharField(
        _("status"), max_length=10, choices=OccurrenceStatus.choices,
        default=OccurrenceStatus.PENDING,
    )  # fmt: skip
    duty_version = models.PositiveIntegerField(_("duty version"), default=1)
    #: the next instant the sweep must look at it (reminder, due, missed, escalation); null
    #: when nothing more is to happen (closed)
    next_check_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        Person, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)
    text = models.TextField(_("what was done"), blank=True, max_length=MAX_EVIDENCE_TEXT)
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    checklist_done = models.JSONField(_("items ticked"), default=list, blank=True)
    by_check = models.BooleanField(_("done by its records"), default=False)
    version = models.PositiveIntegerField(default=1)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("duty occurrence")
        verbose_name_plural = _("duty occurrences")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty", "person", "due_at"], name="duties_occurrence_once"
            )
        ]
        indexes = [
            # the sweep: only rows with something still to happen are in this index
            models.Index(
                fields=["next_check_at"],
                name="duties_occ_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
            # a person's today list and statements
            models.Index(fields=["person", "due_at"], name="duties_occ_person_due"),
            models.Index(fields=["person", "status", "due_at"], name="duties_occ_person_status"),
            models.Index(fields=["duty", "due_at"], name="duties_occ_duty_due"),
            models.Index(fields=["status", "due_at"], name="duties_occ_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.duty} · {self.person} · {self.due_at:%Y-%m-%d %H:%M}"


class Evidence(BaseModel):
    """What shows an occurrence was done: a text, a file or photo, or a record of another
    module (a work order, meeting minutes, a restore test) — linked by hand or by the duty's
    check."""

    occurrence = models.ForeignKey(
        Occurrence, verbose_name=_("occurrence"), on_delete=models.CASCADE,
        related_name="evidence",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="duties/evidence/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    record_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    record_id = models.CharField(_("record"), max_length=64, blank=True)
    record_label = models.CharField(_("record"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        Person, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    scope_paths = {
        "own": "occurrence__person__user",
        "team": "occurrence__person__team",
        "department": "occurrence__person__department",
    }

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["occurrence", "id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="duties_evidence_rec")]

    def __str__(self) -> str:
        return self.record_label or self.file_name or self.get_kind_display()
