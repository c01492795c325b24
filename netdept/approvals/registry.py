"""Navigation, the generated pages and the API of approvals.

Rules, their steps and committees are configuration; delegations are each person's own; the
requests, their steps and the decisions are written by the engine only (no add, change or
delete pages: the machines' buttons and API actions call the engine)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.approvals import services
from netdept.approvals.machines import DECISION_MACHINE, REQUEST_MACHINE
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    ApprovalStepRule,
    Committee,
    Delegation,
)
from netdept.core.registry import Page, nav_group, register

nav_group("approvals", _("Approvals"), "bi-check2-square", 15)

register(
    Page(
        model=ApprovalDecision,
        nav_group="approvals",
        nav_order=20,
        icon="bi-card-checklist",
        slug="decisions",
        fields=[],
        columns=[
            "request", "step", "approver", "on_behalf_of", "status", "due_at", "decided_at",
            "comment",
        ],
        default_columns=["request", "step", "approver", "status", "due_at", "decided_at"],
        filters=["status", "approver", "on_behalf_of"],
        search=["request__title", "comment"],
        select_related=["request", "step", "approver", "on_behalf_of"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=DECISION_MACHINE,
        importable=False,
    )
)  # fmt: skip
register(
    Page(
        model=ApprovalRequest,
        nav_group="approvals",
        nav_order=30,
        icon="bi-send-check",
        slug="requests",
        fields=[],
        columns=[
            "title", "kind", "requester", "status", "emergency", "flagged", "submitted_at",
            "decided_at", "rule", "rule_version",
        ],
        default_columns=["title", "requester", "status", "emergency", "flagged", "submitted_at"],
        filters=["status", "kind", "requester", "emergency", "flagged", "rule"],
        search=["title"],
        select_related=["requester", "rule"],
        can_add=False,
        can_change=False,
        can_delete=False,
        machine=REQUEST_MACHINE,
        importable=False,
    )
)  # fmt: skip
register(
    Page(
        model=ApprovalStep,
        nav_group="approvals",
        slug="request-steps",
        ui=False,
        fields=[],
        columns=["request", "position", "name", "status", "needed", "due_at", "decided_at"],
        filters=["status", "request"],
        select_related=["request"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
    )
)
register(
    Page(
        model=Delegation,
        nav_group="approvals",
        nav_order=40,
        icon="bi-person-up",
        fields=["delegator", "delegate", "starts_at", "ends_at", "reason", "is_active"],
        columns=["delegator", "delegate", "starts_at", "ends_at", "reason", "is_active"],
        filters=["delegator", "delegate", "is_active"],
        search=["reason"],
        select_related=["delegator", "delegate"],
        service=services.DelegationService(),
    )
)
register(
    Page(
        model=ApprovalRule,
        nav_group="approvals",
        nav_order=60,
        icon="bi-diagram-3",
        slug="rules",
        fields=[
            "name", "code", "kind", "description", "is_default", "restart_on_return",
            "allow_bulk", "emergency_allowed", "emergency_hours", "is_active",
        ],
        columns=["name", "code", "kind", "is_default", "version", "emergency_allowed", "is_active"],
        filters=["kind", "is_default", "emergency_allowed", "is_active"],
        search=["name", "code", "description"],
        service=services.ApprovalRuleService(),
    )
)  # fmt: skip
register(
    Page(
        model=ApprovalStepRule,
        nav_group="approvals",
        nav_order=70,
        icon="bi-list-ol",
        slug="rule-steps",
        fields=[
            "rule", "order", "name", "approver", "levels", "department", "role", "role_quorum",
            "person", "committee", "condition_field", "condition_op", "condition_value",
            "time_limit_hours", "remind_before_hours", "escalate_to", "escalate_person",
            "require_2fa",
        ],
        columns=["rule", "order", "name", "approver", "condition_field", "time_limit_hours"],
        filters=["rule", "approver", "require_2fa"],
        search=["name"],
        select_related=["rule", "department", "role", "person", "committee"],
        service=services.ApprovalStepRuleService(),
    )
)  # fmt: skip
register(
    Page(
        model=Committee,
        nav_group="approvals",
        nav_order=80,
        icon="bi-people",
        fields=["name", "chair", "members", "quorum", "quorum_count", "description", "is_active"],
        columns=["name", "chair", "quorum", "quorum_count", "is_active"],
        filters=["quorum", "is_active"],
        search=["name", "description"],
        select_related=["chair"],
        service=services.CommitteeService(),
    )
)
