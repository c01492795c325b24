"""The seeded defaults: priority matrix, SLA policies and escalation rules."""

from __future__ import annotations

from django.db import transaction

from netdept.approvals.models import ApprovalRule, ApprovalStepRule, Approver
from netdept.workorders import sla
from netdept.workorders.models import (
    MAJOR_REPORT_KIND,
    EscalationRule,
    Level,
    Priority,
    PriorityRule,
    SlaPolicy,
)
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
#: The default rule of major-incident reports (code, name, description, its one step's name):
#: data in the hospital's language, as an administrator would have written it.
MAJOR_REPORT_RULE = (
    "workorders-major-report",
    "重大事件报告审批",
    "重大事件关闭前，给领导的报告须经主任审批。",
    "主任审批",
)


def ensure_defaults(using: str = "default") -> None:
    """Seed the priority matrix, the SLA policies (P1 1 h/4 h, P2 2 h/8 h, P3 4 h/24 h,
    P4 8 h/40 h of working time) and the escalation rules when their tables are empty, and the
    approval rule of major-incident reports (the director) when that kind has none (run after
    ``migrate``; an administrator's own settings are never touched)."""
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
        if not ApprovalRule.objects.using(using).filter(kind=MAJOR_REPORT_KIND).exists():
            # Written as rows (not through the rule services, which refuse a step the org
            # chart cannot resolve yet: before the first migrate nobody is the director; the
            # engine then routes the step to whoever becomes it).
            rule = ApprovalRule.objects.using(using).create(
                name=MAJOR_REPORT_RULE[1],
                code=MAJOR_REPORT_RULE[0],
                kind=MAJOR_REPORT_KIND,
                is_default=True,
                description=MAJOR_REPORT_RULE[2],
            )
            ApprovalStepRule.objects.using(using).create(
                rule=rule, order=10, name=MAJOR_REPORT_RULE[3], approver=Approver.DIRECTOR
            )
