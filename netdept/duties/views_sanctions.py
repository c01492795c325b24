"""The own pages of sanctions (phone-first): record a violation (记录违规, a lead), grant a
reward, and "my penalties and rewards" (the person: each penalty with its appeal button, the
rewards in a ledger of their own — 功过不能相抵: two lists, two totals, never one balance).

Thin: the forms check the input, the services make the change (and check who may)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.views.transitions import apply_errors
from netdept.duties.forms_sanctions import GrantRewardForm, RecordViolationForm
from netdept.duties.models import (
    Penalty,
    PenaltyStatus,
    Reward,
    RewardSource,
    RewardStatus,
    ViolationSource,
)
from netdept.duties.services import rewards as reward_services
from netdept.duties.services import violations as svc

#: penalties that are (or may become) owed, summed on the page; withdrawn/rejected are listed
COUNTED = (PenaltyStatus.PENDING, PenaltyStatus.EFFECTIVE, PenaltyStatus.APPEALED)


def _require_any(request: HttpRequest, perm: str) -> None:
    if permissions.scope_of(request.user, perm) is None:
        audit.record(
            AuditAction.DENIED,
            None,
            actor=request.user,
            extra={"permission": perm},
            object_type_label=perm.split(".")[0],
        )
        raise PermissionDenied(perm)


@login_required
@require_http_methods(["GET", "POST"])
def record_violation_view(request: HttpRequest) -> HttpResponse:
    """记录违规: a lead records a prohibited act (or a violation by hand) of a person."""
    _require_any(request, "duties.add_violation")
    form = RecordViolationForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                violation = svc.record_violation(
                    data["person"],
                    data["source"],
                    prohibited_act=data.get("prohibited_act"),
                    penalty_rule=data.get("penalty_rule")
                    if data["source"] == ViolationSource.MANUAL
                    else None,
                    occurred_at=data["occurred_at"],
                    quantity=data["quantity"],
                    description=data.get("description", ""),
                    by=svc.person_of(request.user),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                penalty = Penalty.objects.filter(violation=violation).first()
                messages.success(request, _done_message(penalty))
                target = (
                    reverse("duties:penalties_detail", args=[penalty.pk])
                    if penalty is not None
                    else reverse("duties:violations_detail", args=[violation.pk])
                )
                return HttpResponseRedirect(target)
        status = 422
    return render(request, "duties/sanctions/record.html", {"form": form}, status=status)


def _done_message(penalty: Penalty | None) -> str:
    if penalty is None:
        return _("The violation was recorded (no penalty rule applies).")
    if penalty.status == PenaltyStatus.PENDING:
        return _("The violation was recorded; its penalty awaits the director's decision.")
    return _("The violation was recorded and its penalty imposed.")


@login_required
@require_http_methods(["GET", "POST"])
def grant_reward_view(request: HttpRequest) -> HttpResponse:
    """A reward by hand (表彰, 奖金)."""
    _require_any(request, "duties.add_reward")
    form = GrantRewardForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                reward = reward_services.grant(
                    data["person"],
                    kind=data["kind"],
                    amount=data.get("amount"),
                    reason=data["reason"],
                    rule=data.get("rule"),
                    awarded_on=data["awarded_on"],
                    by=svc.person_of(request.user),
                    source=RewardSource.MANUAL,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The reward was granted."))
                return HttpResponseRedirect(reverse("duties:rewards_detail", args=[reward.pk]))
        status = 422
    return render(request, "duties/sanctions/grant.html", {"form": form}, status=status)


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal("0.00"))


@login_required
@require_safe
def my_sanctions_view(request: HttpRequest) -> HttpResponse:
    """The person's own penalties (with the appeal button) and rewards: two ledgers."""
    me = svc.person_of(request.user)
    penalties: QuerySet[Penalty] = Penalty.objects.none()
    rewards: QuerySet[Reward] = Reward.objects.none()
    if me is not None:
        penalties = (
            Penalty.objects.filter(person=me)
            .select_related(
                "violation", "violation__prohibited_act", "rule", "violation__occurrence__duty"
            )
            .prefetch_related("appeals")
            .order_by("-month", "-id")[:100]
        )
        rewards = (
            Reward.objects.filter(person=me)
            .select_related("rule")
            .order_by("-awarded_on", "-id")[:100]
        )
    now = timezone.now()
    rows: list[dict[str, Any]] = [
        {
            "penalty": p,
            "can_appeal": svc.may_appeal(p, me, now),
            "appeal": next(iter(p.appeals.all()), None),
        }
        for p in penalties
    ]
    context = {
        "has_person": me is not None,
        "rows": rows,
        "rewards": list(rewards),
        # two totals, side by side — never one net balance (功过不能相抵)
        "penalty_total": _total(
            r["penalty"].amount for r in rows if r["penalty"].status in COUNTED
        ),
        "reward_total": _total(r.amount for r in rewards if r.status == RewardStatus.EFFECTIVE),
    }
    return render(request, "duties/sanctions/mine.html", context)
