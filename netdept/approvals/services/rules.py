"""Rules, their steps, committees and delegations: saved only when every approver they name
can be found (a rule that cannot resolve is refused, naming what is missing). Every change of a
rule or of one of its steps raises the rule's version."""

from __future__ import annotations

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
    ApprovalRule,
    ApprovalStepRule,
    Approver,
    Committee,
    DecisionStatus,
    Delegation,
    Escalate,
    Quorum,
)
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService


def _bump(rule: ApprovalRule) -> None:
    ApprovalRule.objects.filter(pk=rule.pk).update(
        version=models.F("version") + 1, updated_at=timezone.now()
    )
    rule.refresh_from_db(fields=["version"])


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
        if not creating:
            obj.version += 1


class ApprovalStepRuleService(ModelService[ApprovalStepRule]):
    model = ApprovalStepRule

    def before_save(
        self, actor: Any, obj: ApprovalStepRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        errors = step_problems(obj)
        if errors:
            raise ValidationError(errors)

    def after_save(
        self, actor: Any, obj: ApprovalStepRule, data: Mapping[str, Any], creating: bool
    ) -> None:
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
    if s.escalate_to == Escalate.PERSON and s.escalate_person is None:
        errors["escalate_person"] = _("Choose the person the step passes to at its limit.")
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
            raise ValidationError({"members": problem})
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
        ApprovalDecision.objects.filter(pk=d.pk).update(
            status=DecisionStatus.PASSED_ON, updated_at=now
        )
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
