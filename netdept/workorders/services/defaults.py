"""The seeded defaults: priority matrix, SLA policies and escalation rules."""

from __future__ import annotations

from django.db import transaction

from netdept.workorders import sla
from netdept.workorders.models import EscalationRule, Level, Priority, PriorityRule, SlaPolicy
from netdept.workorders.services.priority import DEFAULT_MATRIX

DEFAULT_SLA = {  # priority: (response, resolution) in working minutes
    Priority.P1: (60, 4 * 60),
    Priority.P2: (2 * 60, 8 * 60),
    Priority.P3: (4 * 60, 24 * 60),
    Priority.P4: (8 * 60, 40 * 60),
}
# The SLA engine's own default ladder (the policy's warn_percent warns below 100 %), as rows
# an administrator can see and change.
DEFAULT_ESCALATION = sla.DEFAULT_RULES


def ensure_defaults(using: str = "default") -> None:
    """Seed the priority matrix, the SLA policies (P1 1 h/4 h, P2 2 h/8 h, P3 4 h/24 h,
    P4 8 h/40 h of working time) and the escalation rules when their tables are empty (run
    after ``migrate``; an administrator's own settings are never touched)."""
    with transaction.atomic(using=using):
        if not PriorityRule.objects.using(using).exists():
            PriorityRule.objects.using(using).bulk_create(
                [
                    PriorityRule(impact=i, urgency=u, priority=DEFAULT_MATRIX[i + u])
                    for i in Level.values
                    for u in Level.values
                ]
            )
        if not SlaPolicy.objects.using(using).exists():
            SlaPolicy.objects.using(using).bulk_create(
                [
                    SlaPolicy(
                        name=f"P{p}",
                        priority=p,
                        response_minutes=resp,
                        resolution_minutes=res,
                    )
                    for p, (resp, res) in DEFAULT_SLA.items()
                ]
            )
        if not EscalationRule.objects.using(using).exists():
            EscalationRule.objects.using(using).bulk_create(
                [EscalationRule(percent=p, target=t) for p, t in DEFAULT_ESCALATION]
            )
