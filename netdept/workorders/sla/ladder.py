"""The escalation ladder: who is told at which share of the target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from netdept.org.models import Person
from netdept.workorders.models import EscalationRule, SlaPolicy, WorkOrder

#: the ladder when no escalation rule is configured (plus the policy's warning share)
DEFAULT_RULES: Final[tuple[tuple[int, str], ...]] = (
    (100, EscalationRule.Target.ASSIGNEE),
    (100, EscalationRule.Target.TEAM_LEAD),
    (150, EscalationRule.Target.DIRECTOR),
)


@dataclass(frozen=True)
class Step:
    """One rung of the escalation ladder: who is told at ``percent`` % of the target."""

    percent: int
    targets: tuple[str, ...]

    @property
    def kind(self) -> str:
        if self.percent < 100:
            return "workorders.sla_warning"
        if self.percent == 100:
            return "workorders.sla_breached"
        return "workorders.escalated"


def active_rules() -> list[tuple[int, str]]:
    return [
        (int(p), str(t))
        for p, t in EscalationRule.objects.filter(is_active=True)
        .order_by("percent", "target")
        .values_list("percent", "target")
    ]


def ladder(policy: SlaPolicy, rules: Sequence[tuple[int, str]] | None = None) -> list[Step]:
    """The escalation steps of ``policy``: the configured rules (or the defaults), plus the
    policy's warning share to the assignee when no rule warns below 100 %."""
    pairs = list(active_rules() if rules is None else rules) or list(DEFAULT_RULES)
    warn = int(policy.warn_percent or 0)
    if 0 < warn < 100 and not any(p < 100 for p, _t in pairs):
        pairs.append((warn, EscalationRule.Target.ASSIGNEE))
    steps: dict[int, list[str]] = {}
    for percent, target in sorted(pairs):
        if percent > 0 and target not in steps.setdefault(percent, []):
            steps[percent].append(target)
    return [Step(p, tuple(t)) for p, t in sorted(steps.items())]


def recipients(order: WorkOrder, targets: Iterable[str]) -> list[Any]:
    """People and roles for ``targets``; an order without an assignee goes to the team lead."""
    found: list[Any] = []
    lead: Person | None = order.team.lead if order.team is not None else None
    for target in targets:
        if target == EscalationRule.Target.ASSIGNEE:
            found.append(order.assignee if order.assignee is not None else lead)
        elif target == EscalationRule.Target.TEAM_LEAD:
            found.append(lead)
        elif target == EscalationRule.Target.DIRECTOR:
            found.append("role:director")
    return [r for r in found if r is not None]
