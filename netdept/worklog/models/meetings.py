"""Meetings (会议): types from packs (daily stand-up, weekly meeting, monthly review, committee
meetings), meetings scheduled from a type's recurrence on the working calendar, attendees and
attendance, minutes approved by the chair, decisions — and action items, which are tasks
(``Task.meeting``)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.duties.models import Shift
from netdept.org.models import Department, Person, Team


class MeetingKind(models.TextChoices):
    STANDUP = "standup", _("daily stand-up")
    WEEKLY = "weekly", _("weekly meeting")
    MONTHLY = "monthly", _("monthly review")
    COMMITTEE = "committee", _("committee meeting")
    OTHER = "other", _("other")


class MeetingType(BaseModel):
    """A kind of meeting the department holds, and when."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.OTHER
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("A team's meeting: its members attend."),
    )  # fmt: skip
    committee = models.ForeignKey(
        "approvals.Committee", verbose_name=_("committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("A committee's meeting: its members attend, its chair chairs."),
    )  # fmt: skip
    chair = models.ForeignKey(
        Person, verbose_name=_("chaired by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the team lead, the committee's chair or the director."),
    )  # fmt: skip
    rrule = models.CharField(
        _("recurrence (RFC 5545 RRULE)"), max_length=300, blank=True,
        help_text=_("Empty: held when called."),
    )  # fmt: skip
    shift = models.CharField(
        _("on a non-working day"), max_length=10, choices=Shift.choices, default=Shift.SKIP,
        help_text=_("What a meeting the recurrence puts on a non-working day becomes."),
    )  # fmt: skip
    start_time = models.TimeField(_("starts at (time of day)"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )  # fmt: skip
    location = models.CharField(_("location"), max_length=200, blank=True)
    agenda_template = models.TextField(_("agenda template"), blank=True, max_length=4000)
    minutes_approval = models.BooleanField(_("minutes approved by the chair"), default=True)
    records_commendations = models.BooleanField(
        _("commendations recorded at the meeting"), default=False,
        help_text=_("A monthly review records commendations straight into the rewards ledger."),
    )  # fmt: skip
    articles = models.ManyToManyField(
        "duties.Article", verbose_name=_("articles"), blank=True, related_name="+"
    )
    pack = models.CharField(_("regulation pack"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held (minutes to write)")
    MINUTES_SUBMITTED = "submitted", _("minutes awaiting the chair")
    CLOSED = "closed", _("minutes approved")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(BaseModel):
    """One meeting: its agenda, attendance, minutes and decisions."""

    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="meetings",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    chair = models.ForeignKey(
        Person, verbose_name=_("chaired by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )  # fmt: skip
    agenda = models.TextField(_("agenda"), blank=True, max_length=10000)
    minutes = models.TextField(_("minutes of the meeting"), blank=True, max_length=50000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=10000)
    minutes_by = models.ForeignKey(
        Person, verbose_name=_("minutes taken by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    minutes_submitted_at = models.DateTimeField(_("minutes submitted at"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=500, blank=True)
    review_comment = models.CharField(
        _("chair's comment on the minutes"), max_length=1000, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {
        "own": "attendees__person__user",
        "team": "team",
        "department": "department",
    }

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            # a type's recurrence schedules one meeting per start
            models.UniqueConstraint(
                fields=["meeting_type", "starts_at"], name="worklog_meeting_once",
                condition=models.Q(meeting_type__isnull=False),
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["starts_at", "status"], name="worklog_meet_start"),
            models.Index(fields=["department", "starts_at"], name="worklog_meet_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Attendance(models.TextChoices):
    INVITED = "invited", _("invited")
    PRESENT = "present", _("present")
    LATE = "late", _("late")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused (on leave)")


class MeetingAttendee(BaseModel):
    """A person invited to a meeting, and whether they came."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="worklog_attendee_once")
        ]
        indexes = [models.Index(fields=["person", "attendance"], name="worklog_att_person")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"
