"""Building a request's steps from its rule, and bringing a step to its approvers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from netdept.approvals import kinds, resolve
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    Approver,
    Quorum,
)
from netdept.org.models import Department, Person
from netdept.workcal.schedule import WorkSchedule, default_calendar


# --- the rule, copied into the request ----------------------------------------------------------
def snapshot_of(rule: ApprovalRule) -> dict[str, Any]:
    """The rule as it is now (a request keeps it: later edits of the rule do not touch it)."""
    steps = []
    for i, s in enumerate(
        rule.steps.select_related("committee", "committee__chair").order_by("order", "pk")
    ):
        committee = None
        if s.committee_id and s.committee is not None:
            c = s.committee
            committee = {
                "id": c.pk,
                "name": c.name,
                "members": sorted(c.members.filter(is_active=True).values_list("pk", flat=True)),
                "chair": c.chair_id,
                "quorum": c.quorum,
                "quorum_count": c.quorum_count,
            }
        steps.append(
            {
                "index": i,
                "name": s.name,
                "approver": s.approver,
                "levels": s.levels,
                "department": s.department_id,
                "role": s.role_id,
                "role_quorum": s.role_quorum,
                "person": s.person_id,
                "committee": committee,
                "condition": (
                    {"field": s.condition_field, "op": s.condition_op, "value": s.condition_value}
                    if s.condition_field
                    else None
                ),
                "time_limit_hours": s.time_limit_hours,
                "remind_before_hours": s.remind_before_hours,
                "escalate_to": s.escalate_to,
                "escalate_person": s.escalate_person_id,
                "require_2fa": s.require_2fa,
            }
        )
    return {
        "rule": {
            "id": rule.pk,
            "code": rule.code,
            "name": rule.name,
            "version": rule.version,
            "restart_on_return": rule.restart_on_return,
            "allow_bulk": rule.allow_bulk,
            "emergency_allowed": rule.emergency_allowed,
            "emergency_hours": rule.emergency_hours,
        },
        "steps": steps,
    }


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def condition_holds(condition: dict[str, Any] | None, data: dict[str, Any], kind: str) -> bool:
    """Does a step's condition hold for the request's fields? No condition: always. A field
    the request does not give: the condition does not hold."""
    if not condition:
        return True
    field, op, expected = condition["field"], condition["op"], condition["value"]
    value = data.get(field)
    if value is None or value == "":
        return False
    spec = (kinds.get(kind) or kinds.GENERAL).fields.get(field)
    if spec is not None and spec.type == kinds.NUMBER:
        a, b = _number(value), _number(expected)
        if a is None or b is None:
            return False
        left: Any = a
        right: Any = b
    else:
        left, right = str(value), str(expected)
    return {
        "gt": lambda: left > right,
        "gte": lambda: left >= right,
        "lt": lambda: left < right,
        "lte": lambda: left <= right,
        "eq": lambda: left == right,
        "ne": lambda: left != right,
    }[op]()


def create_steps(
    request: ApprovalRequest, *, from_index: int = 0, start_position: int = 1
) -> list[ApprovalStep]:
    """The steps of ``request`` whose conditions hold, from the rule's step ``from_index``; a
    "superiors" step gives one step per level (逐级)."""
    rows: list[ApprovalStep] = []
    position = start_position
    for spec in request.snapshot.get("steps", []):
        if spec["index"] < from_index or not condition_holds(
            spec.get("condition"), request.data or {}, request.kind
        ):
            continue
        levels = range(1, spec["levels"] + 1) if spec["approver"] == Approver.SUPERIORS else [0]
        for level in levels:
            name = spec["name"]
            if level and spec["levels"] > 1:
                name = _("%(name)s (level %(level)s)") % {"name": name, "level": level}
            rows.append(
                ApprovalStep(
                    request=request,
                    position=position,
                    name=name[:100],
                    rule_step=spec["index"],
                    level=level,
                    approver_kind=spec["approver"],
                    require_2fa=spec["require_2fa"],
                    time_limit_hours=spec["time_limit_hours"],
                    remind_before_hours=spec["remind_before_hours"],
                    escalate_to=spec["escalate_to"],
                    escalate_person_id=spec["escalate_person"],
                )
            )
            position += 1
    return ApprovalStep.objects.bulk_create(rows)


# --- who the step is for ------------------------------------------------------------------------
def _spec(step: ApprovalStep) -> dict[str, Any]:
    for spec in step.request.snapshot.get("steps", []):
        if spec["index"] == step.rule_step:
            return dict(spec)
    return {"approver": step.approver_kind, "name": step.name}


def candidates(step: ApprovalStep, requester: Person) -> tuple[list[Person], int, str, bool]:
    """The people ``step`` is meant for, how many must approve, a routing note, and whether
    the step is to be skipped (a chain of superiors that reached its top)."""
    spec = _spec(step)
    kind = spec["approver"]
    people: list[Person] = []
    needed = 1
    note = ""
    if kind == Approver.TEAM_LEAD:
        lead = requester.team.lead if requester.team_id and requester.team else None
        if lead is not None and lead.is_active:
            people = [lead]
        else:
            note = _("%(person)s has no team lead.") % {"person": requester.name}
    elif kind in (Approver.DEPARTMENT_HEAD, Approver.HEAD_OF):
        dept = (
            requester.department
            if kind == Approver.DEPARTMENT_HEAD
            else Department.objects.filter(pk=spec.get("department") or 0).first()
        )
        head = resolve.department_head(dept)
        if head is not None:
            people = [head]
        else:
            note = _("%(department)s has no head.") % {"department": dept or "—"}
    elif kind == Approver.DIRECTOR:
        d = resolve.director()
        if d is not None:
            people = [d]
        else:
            note = _("The network department has no head and nobody holds the director role.")
    elif kind == Approver.SUPERIORS:
        chain = resolve.superiors(requester, step.level or 1)
        if len(chain) < (step.level or 1):
            return [], 0, _("The chain of superiors ends below this level."), True
        people = [chain[-1]]
    elif kind == Approver.ROLE:
        people = resolve.role_holders(spec.get("role") or 0)
        needed = len(people) if spec.get("role_quorum") == Quorum.ALL else 1
        if not people:
            note = _("Nobody holds the role of this step.")
    elif kind == Approver.PERSON:
        p = Person.objects.filter(pk=spec.get("person") or 0, is_active=True).first()
        if p is not None:
            people = [p]
        else:
            note = _("The person of this step is no longer active.")
    elif kind == Approver.COMMITTEE:
        c = spec.get("committee") or {}
        members = {p.pk: p for p in Person.objects.filter(pk__in=c.get("members", []))}
        people = [members[pk] for pk in c.get("members", []) if pk in members]
        people = [p for p in people if p.is_active]
        chair = c.get("chair")
        people.sort(key=lambda p: (p.pk != chair, p.employee_no))  # the chair first
        quorum = c.get("quorum", Quorum.ALL)
        needed = (
            len(people)
            if quorum == Quorum.ALL
            else 1
            if quorum == Quorum.ANY
            else int(c.get("quorum_count", 1))
        )
        if not people:
            note = _("The committee has no members.")
    # Nobody approves their own request: the requester is taken off; a step meant for the
    # requester alone goes one level up.
    if any(p.pk == requester.pk for p in people):
        if len(people) == 1:
            up = resolve.superior(requester)
            people = [up] if up is not None else []
            note = _("The approver is the requester: one level up.")
        else:
            people = resolve.exclude_requester(people, requester)
            needed = min(needed, len(people))
    needed = max(1, min(needed, len(people))) if people else 1
    return people, needed, note, False


def fallback(requester: Person) -> list[Person]:
    """Who decides a step nobody else can: the director; else the holders of the director
    role; never the requester."""
    d = resolve.director()
    if d is not None and d.pk != requester.pk:
        return [d]
    holders = resolve.role_holders_q(
        resolve.Q(user__role_assignments__role__code="director")
    ).exclude(pk=requester.pk)
    return list(holders[:5])


def schedule() -> WorkSchedule:
    return WorkSchedule(default_calendar())


def due_times(
    step: ApprovalStep, now: dt.datetime, sched: WorkSchedule | None = None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The step's due time (its limit in working hours from ``now``, on the working calendar)
    and the reminder's time (that many working hours before it)."""
    if not step.time_limit_hours:
        return None, None
    sched = sched or schedule()
    due = sched.add(now, dt.timedelta(hours=step.time_limit_hours))
    remind = None
    if step.remind_before_hours and step.remind_before_hours < step.time_limit_hours:
        remind = sched.add(
            now, dt.timedelta(hours=step.time_limit_hours - step.remind_before_hours)
        )
    return due, remind


def seat(
    step: ApprovalStep, meant_for: Person, now: dt.datetime, requester: Person
) -> ApprovalDecision | None:
    """A pending decision of ``step`` for ``meant_for`` — or for whoever holds their approvals
    now (delegation, absence)."""
    h = resolve.holder(meant_for, now, requester)
    if h is None:
        return None
    return ApprovalDecision(
        step=step,
        request=step.request,
        approver=h.person,
        on_behalf_of=h.on_behalf_of,
        due_at=step.due_at,
    )
