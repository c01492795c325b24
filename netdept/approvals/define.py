"""Rules as plain data: a regulation pack or a module's defaults declare an approval rule and
its steps, and ``define_rule`` makes the database say so — through the services (each change
checked and audited), idempotently (a second run changes nothing, the rule's version stays)::

    define_rule({
        "code": "account-opening", "name": "账号开通审批", "kind": "workorders.order",
        "default": True, "restart": "first", "allow_bulk": False,
        "emergency": False, "emergency_hours": 8,
        "steps": [
            {"name": "科室负责人审批", "approver": "department_head", "time_limit_hours": 8,
             "remind_before_hours": 2, "escalate_to": "superior"},
            {"name": "主任审批", "approver": "director",
             "condition": {"field": "amount", "op": "gt", "value": 5000}},
        ],
    })

A step names its department by code, its role by code, its person by employee number and its
committee by name. Steps are matched by position: the first step of the data is the rule's
first step, and so on (their ``order`` is 10, 20, 30…); steps beyond the data are deleted. A
problem is a ``ValidationError`` naming the step and the field, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netdept.approvals.models import ApprovalRule, Committee
from netdept.approvals.services import ApprovalRuleService, ApprovalStepRuleService
from netdept.org.models import Department, Person, Role

#: the data's names of a rule's fields → the model's
RULE_KEYS = {
    "name": "name",
    "kind": "kind",
    "description": "description",
    "default": "is_default",
    "restart": "restart_on_return",
    "allow_bulk": "allow_bulk",
    "emergency": "emergency_allowed",
    "emergency_hours": "emergency_hours",
    "active": "is_active",
}
#: a step's plain fields, named as on the model
STEP_PLAIN = (
    "name", "approver", "levels", "role_quorum", "time_limit_hours", "remind_before_hours",
    "escalate_to", "require_2fa",
)  # fmt: skip
#: what a step left out means
STEP_DEFAULTS: dict[str, Any] = {
    "levels": 1,
    "role_quorum": "any",
    "time_limit_hours": 0,
    "remind_before_hours": 0,
    "escalate_to": "",
    "require_2fa": False,
    "department": None,
    "role": None,
    "person": None,
    "committee": None,
    "escalate_person": None,
    "condition_field": "",
    "condition_op": "gt",
    "condition_value": "",
}
STEP_KEYS = {
    *STEP_PLAIN, "department", "role", "person", "committee", "condition", "escalate_person",
}  # fmt: skip
RULE_ALL_KEYS = {"code", "steps", *RULE_KEYS}


def _lookup(model: Any, field: str, value: Any, where: str, name: str) -> Any:
    if value in (None, ""):
        return None
    row = model._default_manager.filter(**{field: value}).first()
    if row is None:
        raise ValidationError(
            {where: _("%(field)s: nothing found for %(value)s.") % {"field": name, "value": value}}
        )
    return row


def _step_values(spec: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A step of the data as the model's values (related rows looked up)."""
    if not isinstance(spec, Mapping):
        raise ValidationError({where: _("A step is a mapping of its fields.")})
    unknown = sorted(set(spec) - STEP_KEYS)
    if unknown:
        raise ValidationError(
            {where: _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    values = dict(STEP_DEFAULTS)
    values.update({k: spec[k] for k in STEP_PLAIN if k in spec})
    values["department"] = _lookup(Department, "code", spec.get("department"), where, "department")
    values["role"] = _lookup(Role, "code", spec.get("role"), where, "role")
    values["person"] = _lookup(Person, "employee_no", spec.get("person"), where, "person")
    values["committee"] = _lookup(Committee, "name", spec.get("committee"), where, "committee")
    values["escalate_person"] = _lookup(
        Person, "employee_no", spec.get("escalate_person"), where, "escalate_person"
    )
    condition = spec.get("condition") or {}
    if not isinstance(condition, Mapping):
        raise ValidationError({where: _("A condition is a mapping of field, op and value.")})
    if condition:
        values["condition_field"] = str(condition.get("field", ""))
        values["condition_op"] = str(condition.get("op", "gt"))
        values["condition_value"] = str(condition.get("value", ""))
    return values


def _differs(obj: Any, values: Mapping[str, Any]) -> bool:
    for name, value in values.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        wanted = getattr(value, "pk", value) if field.is_relation else value
        if field.is_relation:
            if current != wanted:
                return True
        elif current != field.to_python(wanted):
            return True
    return False


def define_rule(spec: Mapping[str, Any], *, actor: Any = None) -> ApprovalRule:
    """Create or update the rule ``spec["code"]`` and its steps so that they are what ``spec``
    says; change (and audit, and raise the version) only what differs. ``actor``: the user
    the changes are recorded for (None: the system, no permission checked)."""
    if not isinstance(spec, Mapping) or not spec.get("code"):
        raise ValidationError({"code": _("A rule needs its code.")})
    unknown = sorted(set(spec) - RULE_ALL_KEYS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})
    steps = spec.get("steps", [])
    if not isinstance(steps, list | tuple):
        raise ValidationError({"steps": _("The steps are a list.")})
    check = actor is not None
    rule_service, step_service = ApprovalRuleService(), ApprovalStepRuleService()
    values = {RULE_KEYS[k]: spec[k] for k in RULE_KEYS if k in spec}
    values.setdefault("name", str(spec["code"]))
    with transaction.atomic():
        rule = ApprovalRule.objects.select_for_update().filter(code=spec["code"]).first()
        if rule is None:
            rule = rule_service.create(actor, {"code": spec["code"], **values}, check=check)
        elif _differs(rule, values):
            rule = rule_service.update(actor, rule, values, check=check)
        existing = list(rule.steps.order_by("order", "pk"))
        for i, step_spec in enumerate(steps):
            where = f"steps[{i}]"
            wanted = {**_step_values(step_spec, where), "order": 10 * (i + 1)}
            try:
                if i < len(existing):
                    if _differs(existing[i], wanted):
                        step_service.update(actor, existing[i], wanted, check=check)
                else:
                    step_service.create(actor, {"rule": rule, **wanted}, check=check)
            except ValidationError as exc:
                raise ValidationError(_named(exc, where)) from exc
        for extra in existing[len(steps) :]:
            step_service.delete(actor, extra, check=check)
        rule.refresh_from_db()
    return rule


def _named(exc: ValidationError, where: str) -> dict[str, list[str]]:
    """A step's errors, each field named with the step (``steps[1].department``)."""
    if hasattr(exc, "error_dict"):
        return {
            f"{where}.{name}": [str(m) for e in errors for m in e]
            for name, errors in exc.error_dict.items()
        }
    return {where: [str(m) for m in exc.messages]}
