"""The REST API of sanctions beyond the generated endpoints.

The generated endpoints of the ``violations``, ``penalties``, ``appeals`` and ``rewards``
Pages (``registry_sanctions``) list and read them with their filters and scopes, and take the
machines' actions (``POST /api/v1/duties/penalties/{id}/appeal/`` with ``reason``,
``…/withdraw/``; ``POST /api/v1/duties/rewards/{id}/withdraw/``). This module adds:

* ``POST /api/v1/duties/violations/record/`` — a lead records a violation (``person``,
  ``source`` prohibited|manual, ``prohibited_act``, ``penalty_rule``, ``occurred_at``,
  ``quantity``, ``description``); answers 201 with the violation and its penalty;
* ``POST /api/v1/duties/rewards/grant/`` — a lead grants a reward (``person``, ``kind``,
  ``amount`` as a string "200.00", ``reason``, ``rule``, ``awarded_on``); 201 with the reward.

Bad input is a 400 naming the field (an amount that is not CNY to the fen included), a
refusal a 403, a lost race a 409 (``code: conflict``); nothing is half-saved. Penalties and
rewards are answered apart: no field nets one against the other (功过不能相抵).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import PageViewSet, register_api_base
from netdept.api.transitions import conflict_response
from netdept.duties.forms_sanctions import HAND_SOURCES
from netdept.duties.models import (
    Appeal,
    Penalty,
    PenaltyRule,
    ProhibitedAct,
    Reward,
    RewardKind,
    RewardRule,
    Violation,
)
from netdept.duties.services import rewards as reward_services
from netdept.duties.services import violations as svc
from netdept.org.models import Person


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def penalty_json(p: Penalty | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "id": p.pk,
        "offence_no": p.offence_no,
        "sanction": p.sanction,
        "sanction_label": p.get_sanction_display(),
        "amount": _money(p.amount),
        "percent": _money(p.percent),
        "status": p.status,
        "status_label": p.get_status_display(),
        "month": p.month.isoformat(),
        "appeal_until": p.appeal_until.isoformat() if p.appeal_until else None,
        "approval_request": p.approval_request_id,
    }


def violation_json(v: Violation) -> dict[str, Any]:
    return {
        "id": v.pk,
        "person": v.person_id,
        "source": v.source,
        "occurred_at": v.occurred_at.isoformat(),
        "prohibited_act": v.prohibited_act_id,
        "penalty_rule": v.penalty_rule_id,
        "quantity": v.quantity,
        "description": v.description,
        "status": v.status,
        "penalty": penalty_json(Penalty.objects.filter(violation=v).first()),
    }


def reward_json(r: Reward) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person": r.person_id,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "amount": _money(r.amount),
        "reason": r.reason,
        "awarded_on": r.awarded_on.isoformat(),
        "month": r.month.isoformat(),
        "source": r.source,
        "rule": r.rule_id,
        "status": r.status,
    }


class RecordSerializer(serializers.Serializer[Any]):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.filter(is_active=True))
    # a declared field (the serializer metaclass takes it off the class: no clash with
    # Field.source)
    source = serializers.ChoiceField(choices=HAND_SOURCES)  # type: ignore[assignment]
    prohibited_act = serializers.PrimaryKeyRelatedField(
        queryset=ProhibitedAct.objects.filter(is_active=True), required=False, allow_null=True
    )
    penalty_rule = serializers.PrimaryKeyRelatedField(
        queryset=PenaltyRule.objects.filter(is_active=True), required=False, allow_null=True
    )
    occurred_at = serializers.DateTimeField(required=False)
    quantity = serializers.IntegerField(required=False, default=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GrantSerializer(serializers.Serializer[Any]):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=RewardKind.choices, required=False)
    # text: the service checks it is money (CNY to the fen) and names ``amount`` if not
    amount = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField()
    rule = serializers.PrimaryKeyRelatedField(
        queryset=RewardRule.objects.filter(is_active=True), required=False, allow_null=True
    )
    awarded_on = serializers.DateField(required=False)


class _LedgerBase(PageViewSet):
    """Read-only rows written by the services: POST to the list is 405 (not a 403 asking for
    an add permission that would not help); own actions may still POST."""

    #: own POST actions of this endpoint (beyond the machine's)
    own_posts: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.own_posts and "post" not in self.http_method_names:
            self.http_method_names = [*self.http_method_names, "post"]

    def check_permissions(self, request: Request) -> None:
        if getattr(self, "action", None) == "create" and not self.page.can_add:
            raise exceptions.MethodNotAllowed(request.method or "POST")
        super().check_permissions(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") == "conflict":
            return conflict_response(exc)
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(django_errors(exc))
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class ViolationAPIBase(_LedgerBase):
    own_posts = ("record",)

    @action(detail=False, methods=["post"], serializer_class=RecordSerializer)
    def record(self, request: Request) -> Response:
        ser = RecordSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        manual = data["source"] == "manual"
        violation = svc.record_violation(
            data["person"],
            data["source"],
            prohibited_act=None if manual else data.get("prohibited_act"),
            penalty_rule=data.get("penalty_rule") if manual else None,
            occurred_at=data.get("occurred_at"),
            quantity=data.get("quantity", 1),
            description=data.get("description", ""),
            by=self._by(request),
        )
        return Response(violation_json(violation), status=status.HTTP_201_CREATED)

    @staticmethod
    def _by(request: Request) -> Person:
        by = svc.person_of(request.user)
        if by is None:
            raise exceptions.PermissionDenied(
                _("Your account is not linked to a person of the organisation.")
            )
        return by


class PenaltyAPIBase(_LedgerBase):
    pass


class AppealAPIBase(_LedgerBase):
    pass


class RewardAPIBase(_LedgerBase):
    own_posts = ("grant",)

    @action(detail=False, methods=["post"], serializer_class=GrantSerializer)
    def grant(self, request: Request) -> Response:
        ser = GrantSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        reward = reward_services.grant(
            data["person"],
            kind=data.get("kind"),
            amount=data.get("amount"),
            reason=data["reason"],
            rule=data.get("rule"),
            awarded_on=data.get("awarded_on"),
            by=ViolationAPIBase._by(request),
        )
        return Response(reward_json(reward), status=status.HTTP_201_CREATED)


register_api_base(Violation, ViolationAPIBase)
register_api_base(Penalty, PenaltyAPIBase)
register_api_base(Appeal, AppealAPIBase)
register_api_base(Reward, RewardAPIBase)
