"""Daily logs (工作日志) and their entries.

A ``DailyLog`` is one person's log of one working day. It is drafted from what the day's
records show — each module registers its contribution (``netdept.worklog.contributions``) —
and the person edits and adds to it, then submits. A ``LogEntry`` is one line of it: drafted
from a record (``source`` names the contribution, ``record_type`` + ``record_id`` the record)
or written by hand (``source`` empty).
"""

from __future__ import annotations

from typing import Final

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netdept.core.models import BaseModel
from netdept.org.models import Person, Team

MAX_TEXT: Final = 10000
MAX_ENTRY_TEXT: Final = 1000
#: one entry's time: at most a day
MAX_ENTRY_MINUTES: Final = 24 * 60


class EntryState(models.TextChoices):
    DONE = "done", _("done")
    IN_PROGRESS = "in_progress", _("in progress")
    PROBLEM = "problem", _("problem")


class LogStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", pgettext_lazy("log status", "accepted")


class DailyLog(BaseModel):
    """One person's log of one working day."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=LogStatus.choices, default=LogStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True, max_length=MAX_TEXT)
    problems = models.TextField(_("problems"), blank=True, max_length=MAX_TEXT)
    plan = models.TextField(_("plan for the next day"), blank=True, max_length=MAX_TEXT)
    minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    drafted_at = models.DateTimeField(_("drafted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        Person, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: the optimistic lock's counter is not the audit trail's business
    audit_exclude = ("created_at", "updated_at", "version")

    scope_paths = {
        "own": "person__user",
        "team": "person__team",
        "department": "person__department",
    }

    class Meta:
        verbose_name = _("daily log")
        verbose_name_plural = _("daily logs")
        ordering = ["-day", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="worklog_dailylog_once")
        ]
        indexes = [
            models.Index(fields=["day", "status"], name="worklog_log_day_status"),
            models.Index(fields=["team", "day"], name="worklog_log_team_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.day:%Y-%m-%d}"


class LogEntry(BaseModel):
    """One line of a daily log: drafted from a record, or written by hand."""

    log = models.ForeignKey(
        DailyLog, verbose_name=_("daily log"), on_delete=models.CASCADE, related_name="entries"
    )
    source = models.CharField(
        _("drafted from"), max_length=60, blank=True, help_text=_("Empty: written by hand.")
    )
    record_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    record_id = models.CharField(_("record"), max_length=64, blank=True)
    text = models.CharField(_("what was done"), max_length=MAX_ENTRY_TEXT)
    minutes = models.PositiveIntegerField(
        _("time spent (minutes)"), default=0, validators=[MaxValueValidator(MAX_ENTRY_MINUTES)]
    )
    state = models.CharField(
        _("state"), max_length=12, choices=EntryState.choices, default=EntryState.DONE
    )
    at = models.DateTimeField(_("happened at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    #: a drafted entry the person removed: kept (hidden) so that re-drafting does not bring
    #: it back; a hand-written entry is deleted instead
    dismissed = models.BooleanField(_("removed"), default=False)

    scope_paths = {
        "own": "log__person__user",
        "team": "log__person__team",
        "department": "log__person__department",
    }

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["log", "position", "id"]
        constraints = [
            # a record is drafted into a log once (hand-written entries have no record)
            models.UniqueConstraint(
                fields=["log", "source", "record_type", "record_id"],
                name="worklog_entry_record_once",
                condition=~models.Q(record_id=""),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
