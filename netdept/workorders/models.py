"""Work orders (工单): faults, service requests, consultations and leads, with SLA timers.

Only ``netdept.workorders.services`` changes these rows (every change is audited); the SLA
engine (``netdept.workorders.sla``) computes due times on the working calendar.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel
from netdept.org.models import Department, Person, Team
from netdept.workcal.models import WorkCalendar

#: The longest SLA target: one year of round-the-clock time (a resolution of 20,000,000 minutes
#: is no target; bounded targets keep every due time computable on the working calendar).
MAX_SLA_MINUTES: Final = 365 * 24 * 60
#: The highest escalation step: ten times the target.
MAX_ESCALATION_PERCENT: Final = 1000
#: The longest work record: a day.
MAX_RECORD_MINUTES: Final = 24 * 60
#: Field limits: declared here once; the portal and desk forms, the API serializers and the
#: services all take them from these model fields (``netdept.core.machines.field_limit``).
MAX_TEXT: Final = 10000  # descriptions, solutions, comments, work records
MAX_REPORT: Final = 20000  # the report of a major incident to the leaders
MAX_RATING_COMMENT: Final = 2000
#: The reason given with a transition (wait, transfer, close, reopen, assign): not a column
#: (it goes to the audit record and the SLA timeline), so its limit is declared here.
MAX_REASON: Final = 2000
#: The approval kinds of work orders (declared in ``netdept.workorders.approval``): an order
#: before work starts, and the report of a major incident to the leaders.
APPROVAL_KIND: Final = "workorders.order"
MAJOR_REPORT_KIND: Final = "workorders.major_report"

_sla_minutes = [
    MinValueValidator(1),
    MaxValueValidator(
        MAX_SLA_MINUTES,
        message=_("Enter at most %(limit_value)s minutes (a year around the clock)."),
    ),
]


class Kind(models.TextChoices):
    FAULT = "fault", _("fault")
    SERVICE = "service", _("service request")
    CONSULTATION = "consultation", _("consultation")
    LEAD = "lead", _("lead")


class Status(models.TextChoices):
    #: waits for the approval its category requires before work starts (``services.approval``)
    PENDING_APPROVAL = "pending_approval", _("pending approval")
    NEW = "new", _("new")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


#: the statuses of an order being worked on (an order pending approval is not yet: nobody may
#: take it, and the desk lists it in its own queue)
OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING)


class Level(models.IntegerChoices):
    HIGH = 1, _("high")
    MEDIUM = 2, _("medium")
    LOW = 3, _("low")


class Priority(models.IntegerChoices):
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    P4 = 4, "P4"


class Source(models.TextChoices):
    PORTAL = "portal", _("portal")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    API = "api", _("API")
    ALARM = "alarm", _("alarm")
    WEBSITE = "website", _("website")
    QQ = "qq", _("QQ")
    BAIDU = "baidu", _("Baidu Shangqiao")


class WaitingOn(models.TextChoices):
    REQUESTER = "requester", _("the requester")
    VENDOR = "vendor", _("a vendor")


class Category(BaseModel):
    """A category of work orders and the team that takes them by default."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("Leave empty for every kind."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_team = models.ForeignKey(
        Team,
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    approval_rule = models.ForeignKey(
        "approvals.ApprovalRule",
        verbose_name=_("approval before work starts"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": APPROVAL_KIND},
        help_text=_(
            "Empty: no approval. Otherwise an order of this category waits for this approval "
            "before the team may take it."
        ),
    )
    is_purchase = models.BooleanField(
        _("purchase"),
        default=False,
        help_text=_("The requester is asked for an estimated cost."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_per_parent")
        ]

    def __str__(self) -> str:
        return self.name


class PriorityRule(BaseModel):
    """One cell of the impact × urgency matrix."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_impact_display()} × {self.get_urgency_display()} → P{self.priority}"


class SlaPolicy(BaseModel):
    """Response and resolution targets for a priority (and optionally a category or kind)."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    response_minutes = models.PositiveIntegerField(
        _("response target (minutes)"), validators=_sla_minutes
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"), validators=_sla_minutes
    )
    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the default calendar."),
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the target)"),
        default=75,
        validators=[MaxValueValidator(100)],
        help_text=_("0: no warning."),
    )
    pause_during_approval = models.BooleanField(
        _("pause while pending approval"),
        default=True,
        help_text=_("The clock stops while the order waits for its approval before work starts."),
    )
    breach_penalty_rule = models.ForeignKey(
        "duties.PenaltyRule",
        verbose_name=_("penalty rule on a breach"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A breach records a violation of the assignee by this rule (empty: none)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name


class EscalationRule(BaseModel):
    """Who is told when an order reaches a share of its SLA target (75 %, 100 %, 150 %…)."""

    class Target(models.TextChoices):
        ASSIGNEE = "assignee", _("the assignee")
        TEAM_LEAD = "team_lead", _("the team lead")
        DIRECTOR = "director", _("the director")

    percent = models.PositiveSmallIntegerField(
        _("at percent of the target"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ESCALATION_PERCENT)],
    )
    target = models.CharField(_("notify"), max_length=20, choices=Target.choices)
    is_active = models.BooleanField(_("active"), default=True)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["percent", "target"]
        constraints = [
            models.UniqueConstraint(fields=["percent", "target"], name="escalation_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.percent}% → {self.get_target_display()}"


class WorkOrder(BaseModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FAULT)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=MAX_TEXT)
    estimated_cost = models.DecimalField(
        _("estimated cost (¥)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Purchases: what the requester expects it to cost, in yuan."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.PORTAL
    )
    requester = models.ForeignKey(
        Person,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_orders",
    )
    requester_department = models.ForeignKey(
        Department,
        verbose_name=_("requester's department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    contact = models.CharField(
        _("contact"),
        max_length=100,
        blank=True,
        help_text=_("Phone or other contact of the requester."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    registration_no = models.CharField(
        _("registration number"),
        max_length=50,
        blank=True,
        help_text=_(
            "Leads: the number the customer service department gave when the lead was handed over."
        ),
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=Level.choices, default=Level.MEDIUM
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Level.choices, default=Level.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.P3, db_index=True
    )
    priority_reason = models.CharField(_("reason for the priority"), max_length=300, blank=True)
    is_major = models.BooleanField(_("major incident"), default=False, db_index=True)
    major_report = models.TextField(_("report to the leaders"), blank=True, max_length=MAX_REPORT)
    solution = models.TextField(
        _("solution"),
        blank=True,
        max_length=MAX_TEXT,
        help_text=_("What fixed it; the requester sees it."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    waiting_on = models.CharField(
        _("waiting on"), max_length=20, choices=WaitingOn.choices, blank=True
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
    )
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The policy's targets when the due times were set (a later edit of the policy applies to
    # orders opened or re-prioritised afterwards); empty without a policy.
    response_target_minutes = models.PositiveIntegerField(
        _("response target (minutes)"), null=True, blank=True
    )
    resolution_target_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"), null=True, blank=True
    )
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    response_breached = models.BooleanField(_("response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    escalation_percent = models.PositiveSmallIntegerField(
        _("escalated at %"), default=0, help_text=_("The highest escalation step reached.")
    )
    # When the SLA job has something to do for this order (a due response, the next step of
    # the ladder); empty while the clock does not run. Kept by the SLA engine.
    sla_next_check_at = models.DateTimeField(_("next SLA check"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(
        _("rating comment"), blank=True, max_length=MAX_RATING_COMMENT
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    scope_paths = {"own": "requester__user", "team": "team", "department": "requester_department"}
    audit_exclude = ("created_at", "updated_at", "version", "sla_next_check_at")

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "priority", "-created_at"]),
            models.Index(fields=["team", "status", "-created_at"]),
            models.Index(fields=["assignee", "status", "-created_at"]),
            models.Index(fields=["requester", "-created_at"]),
            models.Index(fields=["requester_department", "-created_at"]),
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["category", "-created_at"]),
            models.Index(fields=["kind", "-created_at"]),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["resolved_at"]),
            models.Index(fields=["rated_at"]),
            # The SLA job's range: only the orders whose clock runs have an instant.
            models.Index(
                fields=["sla_next_check_at", "id"],
                name="workorder_sla_next_check",
                condition=models.Q(sla_next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Comment(BaseModel):
    """A public comment (the requester sees it) or an internal note (only the department)."""

    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="comments", verbose_name=_("work order")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=MAX_TEXT)
    internal = models.BooleanField(_("internal note"), default=False)

    scope_paths = {
        "own": "order__requester__user",
        "team": "order__team",
        "department": "order__requester_department",
    }

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("view_internal_comment", "Can see internal notes")]
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self) -> str:
        return self.body[:50]


class WorkRecord(BaseModel):
    """What was done and how long it took (the regulations require the record)."""

    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="records", verbose_name=_("work order")
    )
    person = models.ForeignKey(
        Person, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="work_records"
    )
    description = models.TextField(_("what was done"), max_length=MAX_TEXT)
    minutes = models.PositiveIntegerField(
        _("time spent (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RECORD_MINUTES)],
    )
    performed_at = models.DateTimeField(_("performed at"))

    scope_paths = {
        "own": "person__user",
        "team": "order__team",
        "department": "order__requester_department",
    }

    class Meta:
        verbose_name = _("work record")
        verbose_name_plural = _("work records")
        ordering = ["performed_at", "id"]
        indexes = [
            models.Index(fields=["order", "performed_at"]),
            models.Index(fields=["person", "performed_at"]),
        ]

    def __str__(self) -> str:
        return self.description[:50]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"workorders/{instance.order_id}/{instance.token}"


class Attachment(BaseModel):
    """A photo or file of an order; stored outside the web root, served after a permission
    check only."""

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("work order"),
    )
    token = models.CharField(max_length=40, unique=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_paths = {
        "own": "order__requester__user",
        "team": "order__team",
        "department": "order__requester_department",
    }

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class SlaEvent(models.Model):
    """One event of an order's SLA clock: the timeline shown on the order's page."""

    class Type(models.TextChoices):
        STARTED = "started", _("clock started")
        PAUSED = "paused", _("paused")
        RESUMED = "resumed", _("resumed")
        RECALCULATED = "recalculated", _("due times recalculated")
        RESPONDED = "responded", _("responded")
        RESOLVED = "resolved", _("resolved")
        REOPENED = "reopened", _("reopened")
        WARNING = "warning", _("warning")
        BREACHED = "breached", _("breached")
        ESCALATED = "escalated", _("escalated")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="sla_events")
    ts = models.DateTimeField(_("time"))
    type = models.CharField(_("event"), max_length=20, choices=Type.choices)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        ordering = ["ts", "id"]
        default_permissions = ()
        indexes = [models.Index(fields=["order", "ts"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.type}"


class SavedFilter(BaseModel):
    """A named filter of the engineer's desk."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=1000)

    scope_paths = {"own": "user"}

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Sequence(models.Model):
    """Per-day counters for order numbers (WO-20261123-0001)."""

    day = models.CharField(max_length=8, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
