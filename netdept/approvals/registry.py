"""Navigation, the generated pages and the API of approvals.

Rules, their steps and committees are configuration; delegations are each person's own; the
requests, their steps and the decisions are written by the engine only (no add, change or
delete pages: the machines' buttons and API actions call the engine). The settings' forms and
serializers are in ``forms``, the lists' filters in ``filtersets``, the rule's steps tab in
``tabs``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.approvals import forms, services, tabs
from netdept.approvals.filtersets import DecisionFilterSet, RequestFilterSet
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
        # the latest decided first (index approval_dec_mine: approver, status, -decided_at)
        ordering=["-decided_at", "-id"],
        nav_group="approvals",
        nav_order=20,
        icon="bi-card-checklist",
        slug="decisions",
        api_name="decisions",
        fields=[],
        columns=[
            "request", "step", "approver", "on_behalf_of", "status", "due_at", "decided_at",
            "comment",
        ],
        default_columns=["request", "step", "approver", "status", "due_at", "decided_at"],
        filters=["status", "approver", "on_behalf_of"],
        filterset_class=DecisionFilterSet,
        search=["request__title", "comment"],
        select_related=["request", "step", "step__request", "approver", "on_behalf_of"],
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
        api_name="requests",
        fields=[],
        columns=[
            "title", "kind", "requester", "status", "emergency", "flagged", "submitted_at",
            "decided_at", "rule", "rule_version",
        ],
        default_columns=["title", "requester", "status", "emergency", "flagged", "submitted_at"],
        filters=["status", "kind", "requester", "emergency", "flagged", "rule"],
        filterset_class=RequestFilterSet,
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
        api_name="request-steps",
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
        home_card=False,  # each person's own: not a list one maintains
        nav_group="approvals",
        nav_order=40,
        icon="bi-person-up",
        fields=forms.DELEGATION_FIELDS,
        columns=["delegator", "delegate", "starts_at", "ends_at", "reason", "is_active"],
        filters=["delegator", "delegate", "is_active"],
        search=["reason"],
        select_related=["delegator", "delegate"],
        form_class=forms.DelegationForm,
        serializer_class=forms.DelegationSerializer,
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
        api_name="rules",
        fields=forms.RULE_FIELDS,
        columns=["name", "code", "kind", "is_default", "version", "emergency_allowed", "is_active"],
        filters=["kind", "is_default", "emergency_allowed", "is_active"],
        search=["name", "code", "description"],
        form_class=forms.RuleForm,
        serializer_class=forms.RuleSerializer,
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
        api_name="rule-steps",
        fields=forms.STEP_FIELDS,
        columns=["rule", "order", "name", "approver", "condition_field", "time_limit_hours"],
        filters=["rule", "approver", "require_2fa"],
        search=["name"],
        select_related=["rule", "department", "role", "person", "committee"],
        form_class=forms.StepForm,
        serializer_class=forms.StepSerializer,
        edit_view_class=tabs.StepEditView,
        service=services.ApprovalStepRuleService(),
    )
)  # fmt: skip
register(
    Page(
        model=Committee,
        nav_group="approvals",
        nav_order=80,
        icon="bi-people",
        fields=forms.COMMITTEE_FIELDS,
        columns=["name", "chair", "quorum", "quorum_count", "is_active"],
        filters=["quorum", "is_active"],
        search=["name", "description"],
        select_related=["chair"],
        prefetch_related=["members"],
        form_class=forms.CommitteeForm,
        service=services.CommitteeService(),
    )
)
