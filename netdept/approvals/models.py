"""Approvals (审批): rules as data, requests, their steps and each approver's decision.

A module declares a kind of request (``netdept.approvals.kinds``); an administrator or a
regulation pack writes the rule of each kind (``ApprovalRule`` and its ordered
``ApprovalStepRule`` rows). Submitting a request copies the rule into the request
(``snapshot``: a request keeps the rule it started under) and creates its ``ApprovalStep``
rows; each step gives one ``ApprovalDecision`` row to each person who may decide it (after
delegation). Only ``netdept.approvals.services`` changes these rows (every change audited).
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.approvals import kinds
from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Role

MAX_COMMENT: Final = 2000
MAX_LEVELS: Final = 10
#: The longest time limit of a step: 40 working days of 8 hours.
MAX_LIMIT_HOURS: Final = 320
MAX_EMERGENCY_HOURS: Final = 320


class Approver(models.TextChoices):
    """Who decides a step: a relation on the org chart, a role, a person or a committee."""

    TEAM_LEAD = "team_lead", _("the requester's team lead")
    DEPARTMENT_HEAD = "department_head", _("the requester's department head")
    HEAD_OF = "head_of", _("the head of a named department")
    DIRECTOR = "director", _("the director of the network department")
    SUPERIORS = "superiors", _("superiors, level by level")
    ROLE = "role", _("holders of a role")
    PERSON = "person", _("a named person")
    COMMITTEE = "committee", _("a committee")


class Quorum(models.TextChoices):
    ANY = "any", _("any one of them")
    ALL = "all", _("all of them")
    COUNT = "count", _("a number of them")


class Op(models.TextChoices):
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"
    EQ = "eq", "="
    NE = "ne", "≠"


class Escalate(models.TextChoices):
    NONE = "", _("nobody (only shown as overdue)")
    SUPERIOR = "superior", _("the approver's superior")
    PERSON = "person", _("a named person")


class Restart(models.TextChoices):
    FIRST = "first", _("from the first step")
    RETURNING = "returning", _("from the step that returned it")


class Committee(BaseModel):
    """A committee that decides together (网络管理委员会, 信息化建设领导小组)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    chair = models.ForeignKey(
        Person,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_committees",
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("members"), blank=True, related_name="committees"
    )
    quorum = models.CharField(
        _("quorum"), max_length=10, choices=Quorum.choices, default=Quorum.ALL
    )
    quorum_count = models.PositiveSmallIntegerField(
        _("approvals needed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("With the quorum “a number of them”: how many must approve."),
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApprovalRule(BaseModel):
    """The approval chain of one kind of request. ``version`` grows with every change of the
    rule or its steps; a request keeps the version it was submitted under."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    # the kinds the modules declared (read when asked: a kind declared later is offered)
    kind = models.CharField(
        _("kind of request"), max_length=60, db_index=True, choices=kinds.choices
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_default = models.BooleanField(
        _("default rule of its kind"),
        default=False,
        help_text=_("Used when the request names no rule."),
    )
    restart_on_return = models.CharField(
        _("after a return, restart"),
        max_length=10,
        choices=Restart.choices,
        default=Restart.FIRST,
    )
    allow_bulk = models.BooleanField(_("bulk approval allowed"), default=False)
    emergency_allowed = models.BooleanField(_("emergency: act first, approve after"), default=False)
    emergency_hours = models.PositiveSmallIntegerField(
        _("emergency: approve within (working hours)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EMERGENCY_HOURS)],
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ApprovalStepRule(BaseModel):
    """One step of a rule: who approves, when the step applies, its time limit."""

    rule = models.ForeignKey(
        ApprovalRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    name = models.CharField(_("name"), max_length=100)
    approver = models.CharField(_("approved by"), max_length=20, choices=Approver.choices)
    levels = models.PositiveSmallIntegerField(
        _("levels"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVELS)],
        help_text=_("With “superiors, level by level”: how many levels up."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("With “the head of a named department”."),
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role_quorum = models.CharField(
        _("holders needed"),
        max_length=10,
        choices=[(Quorum.ANY, Quorum.ANY.label), (Quorum.ALL, Quorum.ALL.label)],
        default=Quorum.ANY,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition_field = models.CharField(
        _("only when the field"),
        max_length=60,
        blank=True,
        help_text=_("Empty: the step always applies."),
    )
    condition_op = models.CharField(
        _("is"), max_length=5, choices=Op.choices, blank=True, default=Op.GT
    )
    condition_value = models.CharField(_("value"), max_length=100, blank=True)
    time_limit_hours = models.PositiveSmallIntegerField(
        _("time limit (working hours)"),
        default=0,
        validators=[MaxValueValidator(MAX_LIMIT_HOURS)],
        help_text=_("0: no time limit."),
    )
    remind_before_hours = models.PositiveSmallIntegerField(
        _("remind before the limit (working hours)"),
        default=0,
        validators=[MaxValueValidator(MAX_LIMIT_HOURS)],
        help_text=_("0: no reminder."),
    )
    escalate_to = models.CharField(
        _("at the limit, pass to"), max_length=10, choices=Escalate.choices, blank=True
    )
    escalate_person = models.ForeignKey(
        Person,
        verbose_name=_("pass to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    require_2fa = models.BooleanField(_("second factor again to approve"), default=False)

    record_kind = "config"

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["rule", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.rule} · {self.name}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("in approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("returned for changes")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ApprovalRequest(BaseModel):
    """One request for approval of one object of a module (a work order, a change…)."""

    kind = models.CharField(_("kind of request"), max_length=60, choices=kinds.choices)
    rule = models.ForeignKey(
        ApprovalRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="requests"
    )
    rule_version = models.PositiveIntegerField(_("rule version"))
    snapshot = models.JSONField(_("rule as submitted"), default=dict)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    requester = models.ForeignKey(
        Person, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("request fields"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    emergency = models.BooleanField(_("emergency (acted first)"), default=False)
    emergency_due = models.DateTimeField(_("approval due after the act"), null=True, blank=True)
    flagged = models.BooleanField(_("flagged for review"), default=False, db_index=True)
    flag_reason = models.CharField(_("why flagged"), max_length=300, blank=True)
    current_position = models.PositiveSmallIntegerField(_("current step"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope_paths = {
        "own": "requester__user",
        "team": "requester__team",
        "department": "requester__department",
    }

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="approval_req_object"),
            models.Index(fields=["status", "-submitted_at"], name="approval_req_status"),
            models.Index(fields=["requester", "-submitted_at"], name="approval_req_requester"),
            models.Index(
                fields=["emergency_due"],
                name="approval_req_emergency",
                condition=models.Q(emergency=True, status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for earlier steps")
    PENDING = "pending", _("in approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("returned for changes")
    SKIPPED = "skipped", _("skipped")
    CANCELLED = "cancelled", _("cancelled")


class ApprovalStep(BaseModel):
    """One step of one request, in the order of the chain."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    rule_step = models.PositiveSmallIntegerField(_("step of the rule"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), default=0)  # superiors: 1, 2, 3…
    approver_kind = models.CharField(_("approved by"), max_length=20, choices=Approver.choices)
    needed = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    require_2fa = models.BooleanField(_("second factor again to approve"), default=False)
    routed_reason = models.CharField(_("routing note"), max_length=300, blank=True)
    time_limit_hours = models.PositiveSmallIntegerField(_("time limit (working hours)"), default=0)
    remind_before_hours = models.PositiveSmallIntegerField(default=0)
    escalate_to = models.CharField(max_length=10, choices=Escalate.choices, blank=True)
    escalate_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("pending since"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("passed on at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    scope_paths = {
        "own": "request__requester__user",
        "team": "request__requester__team",
        "department": "request__requester__department",
    }

    class Meta:
        verbose_name = _("approval request step")
        verbose_name_plural = _("approval request steps")
        ordering = ["request", "position"]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="approval_step_remind",
                condition=models.Q(status="pending", reminded_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="approval_step_due",
                condition=models.Q(status="pending", escalated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.name}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("returned for changes")
    NOT_NEEDED = "not_needed", _("not needed any more")
    PASSED_ON = "passed_on", _("passed on")


class ApprovalDecision(BaseModel):
    """One person's place on one step: pending until they (or their delegate) decide.
    ``approver`` holds it now; ``on_behalf_of`` is the person it was meant for when a
    delegate holds it ("李强 for 王建国")."""

    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="decisions"
    )
    request = models.ForeignKey(
        ApprovalRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    approver = models.ForeignKey(
        Person, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        Person,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("decision"),
        max_length=10,
        choices=DecisionStatus.choices,
        default=DecisionStatus.PENDING,
    )
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_COMMENT)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by (account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope_paths = {
        "own": "approver__user",
        "team": "request__requester__team",
        "department": "request__requester__department",
    }

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["approver", "due_at", "id"],
                name="approval_dec_inbox",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["approver", "status", "-decided_at"], name="approval_dec_mine"),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.approver}"


class Delegation(BaseModel):
    """A person's approvals, passed for a period to a named person or to their own approver
    (while away, on a trip, on leave)."""

    delegator = models.ForeignKey(
        Person, verbose_name=_("person away"), on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        Person,
        verbose_name=_("delegate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the person's own approver (their superior)."),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_paths = {
        "own": "delegator__user",
        "team": "delegator__team",
        "department": "delegator__department",
    }

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["delegator", "ends_at"], name="approval_deleg_person")]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate or _('own approver')}"
