"""Serializers of the approvals API: what a request, its steps and its decisions look like to
another system, and the input of a submission and of a bulk approval.

The answers are read-only and say what the pages say: where a request is, who holds it
("李强 代 王建国"), each decision's who, on behalf of whom, when and comment. The input
serializers only parse and check types and limits; every rule (a default rule, an emergency the
rule allows, a requester) is the engine's (``netdept.approvals.services``), whose field errors
come back under the same names.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from netdept.api.generic import MAX_ID
from netdept.approvals import kinds, links
from netdept.approvals.kinds import CHOICE, GENERAL, NUMBER
from netdept.approvals.machines import DECISION_MACHINE, REQUEST_MACHINE
from netdept.approvals.models import (
    MAX_COMMENT,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    DecisionStatus,
    StepStatus,
)
from netdept.approvals.visibility import decider_name, holder_name

#: the largest amount (or number of days) a request field may hold
MAX_NUMBER = Decimal("1e12")
MAX_TEXT = 200
#: how many decisions one bulk approval takes
MAX_BULK = 200
#: formats date-times as the API's fields do (ISO 8601 in the active time zone)
DATETIME = serializers.DateTimeField()


def _overdue(due_at: Any, pending: bool) -> bool:
    return bool(pending and due_at is not None and due_at < timezone.now())


class ApprovalPersonSerializer(serializers.Serializer):
    """A person named in an answer."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ApprovalRequesterSerializer(ApprovalPersonSerializer):
    employee_no = serializers.CharField(read_only=True)


# --- decisions ---------------------------------------------------------------------------------
class ApprovalChainDecisionSerializer(serializers.ModelSerializer[ApprovalDecision]):
    """One approver's place on a step, as the request's chain shows it."""

    approver = ApprovalPersonSerializer(read_only=True)
    on_behalf_of = ApprovalPersonSerializer(read_only=True, allow_null=True)
    holder = serializers.SerializerMethodField(
        help_text=_("Who holds it: the approver, or “delegate for person”.")
    )
    status = serializers.CharField(
        read_only=True,
        help_text="pending, approved, rejected, returned, not_needed, passed_on",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = serializers.SerializerMethodField(help_text=_("Who decided (empty: nobody yet)."))
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalDecision
        fields = [
            "id", "approver", "on_behalf_of", "holder", "status", "status_display", "comment",
            "due_at", "decided_at", "decided_by", "overdue", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_holder(self, obj: ApprovalDecision) -> str:
        return holder_name(obj)

    def get_decided_by(self, obj: ApprovalDecision) -> str:
        return decider_name(obj)

    def get_overdue(self, obj: ApprovalDecision) -> bool:
        return _overdue(obj.due_at, obj.status == DecisionStatus.PENDING)


class ApprovalDecisionSummarySerializer(ApprovalChainDecisionSerializer):
    """A decision with its request and step, as ``/approvals/decisions/`` lists it
    (``request_status`` tells the outcome so far)."""

    request_title = serializers.CharField(source="request.title", read_only=True)
    request_status = serializers.CharField(source="request.status", read_only=True)
    step_name = serializers.CharField(source="step.name", read_only=True)
    require_2fa = serializers.BooleanField(source="step.require_2fa", read_only=True)

    class Meta(ApprovalChainDecisionSerializer.Meta):
        fields = [
            "id", "request", "request_title", "request_status", "step", "step_name",
            "require_2fa", *ApprovalChainDecisionSerializer.Meta.fields[1:],
        ]  # fmt: skip
        read_only_fields = fields


class ApprovalDecisionDetailSerializer(ApprovalDecisionSummarySerializer):
    """One decision, and the answer of approve / reject / return for changes."""

    allowed_actions = serializers.SerializerMethodField(
        help_text=_("The actions the caller may take now (approve, reject, return_for_changes).")
    )

    class Meta(ApprovalDecisionSummarySerializer.Meta):
        fields = [*ApprovalDecisionSummarySerializer.Meta.fields, "allowed_actions"]
        read_only_fields = fields

    def get_allowed_actions(self, obj: ApprovalDecision) -> list[str]:
        request = self.context.get("request")
        if request is None or obj.status != DecisionStatus.PENDING:
            return []
        return DECISION_MACHINE.allowed(obj, request.user)


class ApprovalInboxItemSerializer(ApprovalChainDecisionSerializer):
    """One row of "待我审批": the decision awaiting the caller, with what the request is."""

    request = serializers.SerializerMethodField()
    step_name = serializers.CharField(source="step.name", read_only=True)
    require_2fa = serializers.BooleanField(source="step.require_2fa", read_only=True)
    allow_bulk = serializers.SerializerMethodField(
        help_text=_("Whether POST …/inbox/bulk-approve/ takes it (the rule allows it and the step "
                    "needs no second factor).")
    )  # fmt: skip

    class Meta(ApprovalChainDecisionSerializer.Meta):
        fields = [
            "id", "request", "step", "step_name", "require_2fa", "allow_bulk", "on_behalf_of",
            "status", "due_at", "overdue", "version",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        serializers.DictField(
            help_text="id, title, kind, kind_label, requester (id, name), emergency, "
            "submitted_at, data"
        )
    )
    def get_request(self, obj: ApprovalDecision) -> dict[str, Any]:
        r = obj.request
        return {
            "id": r.pk,
            "title": r.title,
            "kind": r.kind,
            "kind_label": kind_label(r.kind),
            "requester": {"id": r.requester_id, "name": r.requester.name},
            "emergency": r.emergency,
            "submitted_at": DATETIME.to_representation(r.submitted_at),
            "data": r.data,
        }

    def get_allow_bulk(self, obj: ApprovalDecision) -> bool:
        return bulk_allowed(obj)


def bulk_allowed(d: ApprovalDecision) -> bool:
    """The rule the request runs under allows bulk approval, and the step needs no second
    factor (the engine's ``bulk_approve`` checks the same)."""
    rule = (d.request.snapshot or {}).get("rule", {})
    return bool(rule.get("allow_bulk")) and not d.step.require_2fa


def kind_label(code: str) -> str:
    kind = kinds.get(code)
    return str(kind.label) if kind is not None else code


# --- steps and requests ----------------------------------------------------------------------
class ApprovalChainStepSerializer(serializers.ModelSerializer[ApprovalStep]):
    """One step of a request's chain, with its decisions."""

    status = serializers.CharField(
        read_only=True,
        help_text="waiting, pending, approved, rejected, returned, skipped, cancelled",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    decisions = ApprovalChainDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "id", "position", "name", "status", "status_display", "needed", "require_2fa",
            "routed_reason", "due_at", "decided_at", "overdue", "decisions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, obj: ApprovalStep) -> bool:
        return _overdue(obj.due_at, obj.status == StepStatus.PENDING)


class ApprovalRequestStepSerializer(ApprovalChainStepSerializer):
    """A step as ``/approvals/request-steps/`` lists it: with its request."""

    class Meta(ApprovalChainStepSerializer.Meta):
        fields = ["id", "request", *ApprovalChainStepSerializer.Meta.fields[1:]]
        read_only_fields = fields


def chain_decisions() -> Prefetch:
    """A step's decisions with who holds and who decided them (one query for all steps)."""
    decisions = ApprovalDecision.objects.select_related("approver", "on_behalf_of", "decided_by")
    return Prefetch("decisions", decisions.order_by("pk"))


class ApprovalRequestSummarySerializer(serializers.ModelSerializer[ApprovalRequest]):
    """A request as lists show it: where it is, without its chain."""

    kind_label = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text="pending, approved, rejected, returned, withdrawn"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requester = ApprovalRequesterSerializer(read_only=True)
    submitted_by = serializers.SerializerMethodField(
        help_text=_("The account that submitted it (empty: the engine or a module).")
    )
    rule_code = serializers.CharField(source="rule.code", read_only=True)
    page_url = serializers.SerializerMethodField(help_text=_("The request's page (sign-in)."))

    class Meta:
        model = ApprovalRequest
        fields = [
            "id", "kind", "kind_label", "title", "status", "status_display", "requester",
            "submitted_by", "rule", "rule_code", "rule_version", "data", "emergency",
            "emergency_due", "flagged", "flag_reason", "current_position", "object_type",
            "object_id", "submitted_at", "decided_at", "version", "page_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_kind_label(self, obj: ApprovalRequest) -> str:
        return kind_label(obj.kind)

    def get_submitted_by(self, obj: ApprovalRequest) -> str:
        user = obj.submitted_by if obj.submitted_by_id else None
        return str(user.get_username()) if user is not None else ""

    def get_page_url(self, obj: ApprovalRequest) -> str:
        return links.request_url(obj)


class ApprovalRequestDetailSerializer(ApprovalRequestSummarySerializer):
    """One request: its chain (steps with their decisions), who holds it now and what the
    caller may do (``allowed_actions``: withdraw, resubmit)."""

    current_step = serializers.SerializerMethodField(help_text=_("The pending step's name."))
    holders = serializers.SerializerMethodField(
        help_text=_("Who holds the request now (the pending step's approvers).")
    )
    steps = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSummarySerializer.Meta):
        fields = [*ApprovalRequestSummarySerializer.Meta.fields, "current_step", "holders", "steps",
                  "allowed_actions"]  # fmt: skip
        read_only_fields = fields

    def _steps(self, obj: ApprovalRequest) -> list[ApprovalStep]:
        cached: list[ApprovalStep] | None = getattr(obj, "_api_steps", None)
        if cached is None:
            cached = list(obj.steps.order_by("position").prefetch_related(chain_decisions()))
            obj._api_steps = cached  # type: ignore[attr-defined]
        return cached

    def get_current_step(self, obj: ApprovalRequest) -> str:
        step = next((s for s in self._steps(obj) if s.status == StepStatus.PENDING), None)
        return step.name if step is not None else ""

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DictField(), help_text="id (the person), name, holder, decision"
        )
    )
    def get_holders(self, obj: ApprovalRequest) -> list[dict[str, Any]]:
        return [
            {"id": d.approver_id, "name": d.approver.name, "holder": holder_name(d),
             "decision": d.pk}
            for s in self._steps(obj) if s.status == StepStatus.PENDING
            for d in s.decisions.all() if d.status == DecisionStatus.PENDING
        ]  # fmt: skip

    @extend_schema_field(ApprovalChainStepSerializer(many=True))
    def get_steps(self, obj: ApprovalRequest) -> Any:
        return ApprovalChainStepSerializer(self._steps(obj), many=True, context=self.context).data

    def get_allowed_actions(self, obj: ApprovalRequest) -> list[str]:
        request = self.context.get("request")
        return REQUEST_MACHINE.allowed(obj, request.user) if request is not None else []


# --- input ---------------------------------------------------------------------------------------
class ApprovalSubmitSerializer(serializers.Serializer):
    """A request of a kind that stands alone (``approvals.general``): title, the kind's fields,
    the rule by its code (empty: the kind's default rule)."""

    kind = serializers.CharField(
        max_length=60, default=GENERAL.code, help_text=_("The kind of request.")
    )
    rule = serializers.CharField(
        max_length=60, required=False, allow_blank=True,
        help_text=_("The rule's code; empty: the kind's default rule."),
    )  # fmt: skip
    title = serializers.CharField(max_length=200)
    data = serializers.DictField(  # type: ignore[assignment]
        required=False,
        default=dict,
        help_text=_("The kind's fields (approvals.general: amount, days, risk, type)."),
    )
    emergency = serializers.BooleanField(
        default=False, help_text=_("Act first, approve after (when the rule allows it).")
    )
    requester = serializers.CharField(
        max_length=30, required=False, allow_blank=True,
        help_text=_("The requester's employee number; empty: the caller. Submitting for "
                    "someone else needs the permission to add approval requests."),
    )  # fmt: skip

    def validate_kind(self, value: str) -> str:
        kind = kinds.get(value)
        if kind is None:
            raise serializers.ValidationError(_("Unknown kind of request."))
        if kind.model is not None:
            raise serializers.ValidationError(
                _("Requests of this kind are submitted by their module, not through this "
                  "endpoint.")
            )  # fmt: skip
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = kinds.get(attrs.get("kind", GENERAL.code))
        assert kind is not None  # validate_kind
        attrs["data"] = clean_data(kind, attrs.get("data") or {})
        return attrs


def clean_data(kind: kinds.ApprovalKind, data: dict[str, Any]) -> dict[str, Any]:
    """The kind's fields, each of its type: a number for a number (amount over ¥5,000), one of
    the choices for a choice, a short text. Anything else is a 400 naming the field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        cond = kind.fields.get(key)
        name = str(key)[:60]
        if cond is None:
            errors[name] = [str(_("Not a field of this kind of request."))]
            continue
        if value is None or value == "":
            continue
        try:
            out[key] = _field_value(cond, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise serializers.ValidationError({"data": errors})
    return out


def _field_value(cond: kinds.Condition, value: Any) -> Any:
    if cond.type == NUMBER:
        return _number(value)
    if not isinstance(value, str):
        raise ValueError(_("Enter a text."))
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    value = value.strip()
    if cond.type == CHOICE:
        codes = [str(code) for code, _label in cond.choices]
        if value not in codes:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(codes)})
        return value
    if len(value) > MAX_TEXT:
        raise ValueError(_("Keep it to %(limit)s characters.") % {"limit": MAX_TEXT})
    return value


def _number(value: Any) -> int | float:
    """A JSON number, or a text that is one ("5000", "1.5"); never a boolean, NaN or an
    infinity."""
    number: Decimal | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(str(value))
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise ValueError(_("Enter a number."))
    if abs(number) >= MAX_NUMBER:
        raise ValueError(_("Enter a number below %(limit)s.") % {"limit": "1000000000000"})
    return int(number) if number == number.to_integral_value() else float(number)


class ApprovalBulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_BULK,
        help_text=_("The decisions to approve (rows of the inbox)."),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_COMMENT, default=""
    )


class ApprovalBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())
