"""Rules, their steps, committees and delegations: saved only when every approver they name
can be found (a rule that cannot resolve is refused, naming what is missing). Every change of a
rule or of one of its steps raises the rule's version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import kinds, resolve
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    ApprovalStepRule,
    Approver,
    Committee,
    DecisionStatus,
    Delegation,
    Escalate,
    Op,
    Quorum,
    StepStatus,
)
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService


def _bump(rule: ApprovalRule) -> None:
    ApprovalRule.objects.filter(pk=rule.pk).update(
        version=models.F("version") + 1, updated_at=timezone.now()
    )
    rule.refresh_from_db(fields=["version"])


def _changed(obj: models.Model) -> bool:
    """Whether ``obj`` (about to be saved) differs from its row in any field but the stamps
    and the version: saving a rule or a step unchanged keeps the rule's version."""
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    if row is None:
        return True
    skip = {"created_at", "updated_at", "version"}
    return any(
        getattr(row, f.attname) != getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in skip
    )


class ApprovalRuleService(ModelService[ApprovalRule]):
    model = ApprovalRule

    def before_save(
        self, actor: Any, obj: ApprovalRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        if kinds.get(obj.kind) is None:
            raise ValidationError(
                {"kind": _("Unknown kind of request: %(kind)s.") % {"kind": obj.kind}}
            )
        if obj.is_default and obj.is_active:
            other = (
                ApprovalRule.objects.filter(kind=obj.kind, is_default=True, is_active=True)
                .exclude(pk=obj.pk)
                .first()
            )
            if other is not None:
                raise ValidationError(
                    {"is_default": _("%(rule)s is already the default rule of this kind.")
                     % {"rule": other.name}}
                )  # fmt: skip
        if not creating and _changed(obj):
            obj.version += 1


class ApprovalStepRuleService(ModelService[ApprovalStepRule]):
    model = ApprovalStepRule

    def before_save(
        self, actor: Any, obj: ApprovalStepRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        errors = step_problems(obj)
        if errors:
            raise ValidationError(errors)
        obj._approvals_changed = creating or _changed(obj)  # type: ignore[attr-defined]

    def after_save(
        self, actor: Any, obj: ApprovalStepRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        if getattr(obj, "_approvals_changed", True):
            _bump(obj.rule)

    def before_delete(self, actor: Any, obj: ApprovalStepRule) -> None:
        _bump(obj.rule)


def step_problems(s: ApprovalStepRule) -> dict[str, str]:
    """What keeps the step from finding its approver, by field (empty: nothing)."""
    errors: dict[str, str] = {}
    a = s.approver
    if a == Approver.HEAD_OF:
        if s.department is None:
            errors["department"] = _("Choose the department whose head approves.")
        elif resolve.department_head(s.department) is None:
            errors["department"] = _("%(department)s has no head: set one first.") % {
                "department": s.department.name
            }
    if a == Approver.ROLE:
        if s.role is None:
            errors["role"] = _("Choose the role whose holders approve.")
        elif not resolve.role_holders(s.role.pk):
            errors["role"] = _("Nobody with a login holds the role %(role)s.") % {"role": s.role}
    if a == Approver.PERSON:
        if s.person is None:
            errors["person"] = _("Choose the person who approves.")
        elif not s.person.is_active:
            errors["person"] = _("%(name)s is not active.") % {"name": s.person.name}
    if a == Approver.COMMITTEE:
        if s.committee is None:
            errors["committee"] = _("Choose the committee that approves.")
        else:
            problem = committee_problem(s.committee, list(s.committee.members.all()))
            if problem:
                errors["committee"] = problem
    relations = (
        Approver.TEAM_LEAD,
        Approver.DEPARTMENT_HEAD,
        Approver.DIRECTOR,
        Approver.SUPERIORS,
    )
    if a in relations and resolve.director() is None:
        errors["approver"] = _(
            "The network department has no head and nobody holds the director role: a "
            "step the org chart cannot resolve would have nobody to go to. Set the head "
            "of the network department first."
        )
    passes_to = s.escalate_person if s.escalate_person_id else None
    if s.escalate_to == Escalate.PERSON and passes_to is None:
        errors["escalate_person"] = _("Choose the person the step passes to at its limit.")
    elif s.escalate_to == Escalate.PERSON and passes_to is not None and not passes_to.is_active:
        errors["escalate_person"] = _("%(name)s is not active.") % {"name": passes_to.name}
    if s.escalate_to and not s.time_limit_hours:
        errors["time_limit_hours"] = _("Passing on at the limit needs a time limit.")
    if s.remind_before_hours and s.remind_before_hours >= (s.time_limit_hours or 0):
        errors["remind_before_hours"] = _("The reminder must come before the time limit.")
    if s.condition_field:
        kind = kinds.get(s.rule.kind) if s.rule_id else None
        spec = kind.fields.get(s.condition_field) if kind else None
        if spec is None:
            names = ", ".join(sorted(kind.fields)) if kind else ""
            errors["condition_field"] = _(
                "This kind of request has no field %(field)s (it has: %(names)s)."
            ) % {"field": s.condition_field, "names": names or "—"}
        elif not s.condition_op:
            errors["condition_op"] = _("Choose how the field is compared.")
        elif spec.type != kinds.NUMBER and s.condition_op not in (Op.EQ, Op.NE):
            # text has no order that means anything to a rule ("high" < "low")
            errors["condition_op"] = _("A text or choice field is compared with = or ≠ only.")
        elif spec.type == kinds.NUMBER:
            try:
                Decimal(s.condition_value.strip())
            except (InvalidOperation, ValueError):
                errors["condition_value"] = _("Enter a number.")
        elif spec.choices and s.condition_value not in {str(v) for v, _l in spec.choices}:
            errors["condition_value"] = _("Choose one of: %(values)s.") % {
                "values": ", ".join(str(v) for v, _l in spec.choices)
            }
    return errors


def committee_problem(c: Committee, members: list[Any]) -> str:
    active = [m for m in members if m.is_active]
    if not active:
        return _("The committee %(name)s has no active members.") % {"name": c.name}
    if c.quorum == Quorum.COUNT and c.quorum_count > len(active):
        return _("The committee %(name)s needs %(n)s approvals but has %(m)s active members.") % {
            "name": c.name,
            "n": c.quorum_count,
            "m": len(active),
        }
    return ""


class CommitteeService(ModelService[Committee]):
    model = Committee

    def before_save(
        self, actor: Any, obj: Committee, data: Mapping[str, Any], creating: bool
    ) -> None:
        members = (
            list(data["members"]) if "members" in data else
            (list(obj.members.all()) if obj.pk else [])
        )  # fmt: skip
        problem = committee_problem(obj, members)
        if problem:
            # too few members for the count asked: the count is what to change, or the members
            short = obj.quorum == Quorum.COUNT and any(m.is_active for m in members)
            raise ValidationError({"quorum_count" if short else "members": problem})
        if obj.chair_id and obj.chair is not None and all(m.pk != obj.chair_id for m in members):
            raise ValidationError({"chair": _("The chair must be one of the members.")})

    def after_save(
        self, actor: Any, obj: Committee, data: Mapping[str, Any], creating: bool
    ) -> None:
        for rule_id in set(
            ApprovalStepRule.objects.filter(committee=obj).values_list("rule_id", flat=True)
        ):
            _bump(ApprovalRule.objects.get(pk=rule_id))


class DelegationService(ModelService[Delegation]):
    """A delegation takes effect at once: the pending approvals of the person away move to
    the delegate (recorded "for" the person away)."""

    model = Delegation

    def before_save(
        self, actor: Any, obj: Delegation, data: Mapping[str, Any], creating: bool
    ) -> None:
        if actor is not None and not may_delegate_for_others(
            actor, "add" if creating else "change"
        ):
            own = getattr(getattr(actor, "person", None), "pk", None)
            before = None if creating else (
                Delegation.objects.filter(pk=obj.pk).values_list("delegator_id", flat=True).first()
            )  # fmt: skip
            if own is None or obj.delegator_id != own or (before is not None and before != own):
                raise ValidationError({"delegator": _("You can only pass on your own approvals.")})
        for name in ("starts_at", "ends_at"):  # one instant, written one way in the audit trail
            value = getattr(obj, name)
            if isinstance(value, dt.datetime) and timezone.is_aware(value):
                setattr(obj, name, value.astimezone(dt.UTC))
        if obj.starts_at and obj.ends_at and obj.ends_at <= obj.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if obj.delegate_id and obj.delegate_id == obj.delegator_id:
            raise ValidationError({"delegate": _("A person cannot delegate to themselves.")})
        if obj.delegate_id and obj.delegate is not None and not obj.delegate.is_active:
            raise ValidationError({"delegate": _("The delegate is not active.")})

    def after_save(
        self, actor: Any, obj: Delegation, data: Mapping[str, Any], creating: bool
    ) -> None:
        reroute(obj.delegator_id)


def may_delegate_for_others(user: Any, action: str = "change") -> bool:
    """Whether ``user`` may write (``action``: add or change) another person's delegation: the
    right over every person's delegations (scope "all": the director, an administrator of
    approvals). Anybody else — a requester, whose scope is their department — writes their
    own only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permissions.scope_of(user, f"approvals.{action}_delegation") == permissions.ALL


def reroute(person_id: int) -> int:
    """Move ``person_id``'s pending approvals to whoever holds them now (after a delegation
    was made, changed or ended). Answers how many moved."""
    from netdept.approvals import notices
    from netdept.approvals.services import steps as build

    now = timezone.now()
    moved = 0
    rows = ApprovalDecision.objects.filter(
        models.Q(approver_id=person_id, on_behalf_of__isnull=True)
        | models.Q(on_behalf_of_id=person_id),
        status=DecisionStatus.PENDING,
    ).select_related("request", "request__requester", "step", "approver", "on_behalf_of")
    for d in rows:
        meant_for = d.on_behalf_of or d.approver
        new = build.seat(d.step, meant_for, now, d.request.requester)
        if new is None or (
            new.approver_id == d.approver_id and new.on_behalf_of_id == d.on_behalf_of_id
        ):
            continue
        # the engine's lock order (request, then step): a decision taken at this moment
        # either lands first (and the seat is not moved) or waits for the move
        ApprovalRequest.objects.select_for_update().filter(pk=d.request_id).first()
        ApprovalStep.objects.select_for_update(of=("self",)).filter(pk=d.step_id).first()
        if not ApprovalDecision.objects.filter(
            pk=d.pk, status=DecisionStatus.PENDING, step__status=StepStatus.PENDING
        ).update(status=DecisionStatus.PASSED_ON, updated_at=now):
            continue
        new.due_at = d.due_at
        new.save()
        audit.record(
            AuditAction.UPDATE,
            d,
            changes={"approver": [d.approver.name, new.approver.name]},
            extra={"approval": "delegated", "on_behalf_of": meant_for.name},
        )
        notices.pending([new], d.request)
        moved += 1
    return moved
