"""Leave (请假) and attendance (考勤).

A ``LeaveType`` says which channels a request may come by (the marketing pack accepts only in
person or by phone: 短信、留字条、他人转达 are invalid) and how many working days it may
cover. A ``LeaveRequest`` is approved through the approvals engine; the approver records the
channel it came by. Approved leave routes the person's approvals to their delegate and pauses
their duties.

An ``AttendanceRule`` says a department's working hours for the clock (上下班打卡) and which
penalty rules lateness and absence without valid leave feed. An ``AttendanceImport`` is one
file of the clock system (DingTalk or WeCom export, or a plain CSV), previewed, then imported
all-or-nothing into ``AttendanceRecord`` rows, one per person per day.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Team


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("by phone")
    SYSTEM = "system", _("in NetDept")
    SMS = "sms", _("by SMS")
    NOTE = "note", _("by a note left")
    PROXY = "proxy", _("passed on by someone else")


class LeaveType(BaseModel):
    """A kind of leave (事假, 病假, 年假…) and the rules of its requests."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    paid = models.BooleanField(_("paid"), default=False)
    max_days = models.DecimalField(
        _("at most (working days)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    valid_channels = models.JSONField(
        _("valid channels"), default=list, blank=True,
        help_text=_("Empty: every channel is valid."),
    )  # fmt: skip
    approval_rule = models.ForeignKey(
        "approvals.ApprovalRule", verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty: the default rule of leave requests."),
    )  # fmt: skip
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    INVALID = "invalid", _("invalid (by a channel the rules refuse)")
    CANCELLED = "cancelled", _("cancelled")


class LeaveRequest(BaseModel):
    """A person's request for leave over a period."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    leave_type = models.ForeignKey(
        LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    working_days = models.DecimalField(
        _("working days"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    reason = models.CharField(_("reason"), max_length=1000)
    channel = models.CharField(
        _("requested"), max_length=10, choices=Channel.choices, default=Channel.SYSTEM
    )
    delegate = models.ForeignKey(
        Person, verbose_name=_("delegate while away"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    approval = models.ForeignKey(
        "approvals.ApprovalRequest", verbose_name=_("approval"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        Person, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Who took the request in person or by phone."),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    invalid_reason = models.CharField(_("why invalid"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {"own": "person__user", "team": "person__team", "department": "department"}

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["person", "status", "starts_at"], name="worklog_leave_person"),
            models.Index(fields=["status", "starts_at", "ends_at"], name="worklog_leave_period"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.leave_type} · {self.starts_at:%Y-%m-%d}"


class AttendanceRule(BaseModel):
    """A department's clock rules: working hours, grace, and what lateness and absence feed."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    work_starts = models.TimeField(_("work starts"))
    work_ends = models.TimeField(_("work ends"))
    late_grace_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    absent_after_minutes = models.PositiveSmallIntegerField(
        _("absent when later than (minutes)"), default=240, validators=[MaxValueValidator(720)],
        help_text=_("Clocking in this late, or not at all, without valid leave is absence."),
    )  # fmt: skip
    late_penalty_rule = models.ForeignKey(
        "duties.PenaltyRule", verbose_name=_("penalty rule for lateness"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    absence_penalty_rule = models.ForeignKey(
        "duties.PenaltyRule", verbose_name=_("penalty rule for absence"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("attendance rule")
        verbose_name_plural = _("attendance rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportSource(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk attendance export")
    WECOM = "wecom", _("WeCom attendance export")
    CSV = "csv", _("CSV")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("previewed")
    IMPORTED = "imported", _("imported")
    REFUSED = "refused", _("refused")


class AttendanceImport(BaseModel):
    """One file of the clock system, previewed, then imported all-or-nothing."""

    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    file = models.FileField(_("file"), upload_to="worklog/attendance/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.ForeignKey(
        Person, verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    scope_paths = {"own": "imported_by__user", "department": "department"}

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class AttendanceStatus(models.TextChoices):
    NORMAL = "normal", _("on time")
    LATE = "late", _("late")
    EARLY = "early", _("left early")
    ABSENT = "absent", _("absent")
    ON_LEAVE = "leave", _("on leave")
    REST = "rest", _("not a working day")


class AttendanceRecord(BaseModel):
    """One person's clock of one day and what the working calendar makes of it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    clock_in = models.DateTimeField(_("clocked in"), null=True, blank=True)
    clock_out = models.DateTimeField(_("clocked out"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AttendanceStatus.choices,
        default=AttendanceStatus.NORMAL,
    )  # fmt: skip
    late_minutes = models.PositiveIntegerField(_("late (minutes)"), default=0)
    source_import = models.ForeignKey(
        AttendanceImport, verbose_name=_("import"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="records",
    )  # fmt: skip
    leave = models.ForeignKey(
        LeaveRequest, verbose_name=_("leave"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    violation = models.ForeignKey(
        "duties.Violation", verbose_name=_("violation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["-day", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="worklog_attendance_once")
        ]
        indexes = [models.Index(fields=["day", "status"], name="worklog_att_day_status")]

    def __str__(self) -> str:
        return f"{self.person} · {self.day:%Y-%m-%d}"
