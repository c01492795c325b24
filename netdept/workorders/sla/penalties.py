"""A breach of an SLA target → a violation of the order's assignee, by the policy's rule.

The policy's ``breach_penalty_rule`` (empty: nothing happens) names the duties' penalty rule;
the violation (source ``sla``) is recorded through ``netdept.duties.services.violations``,
once per order and person whatever breaches (response, resolution) follow: recording it
again returns the existing one.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from netdept.workorders.models import WorkOrder


def on_breach(order: WorkOrder, target: str, at: dt.datetime) -> None:
    """Record the breach of ``target`` (response or resolution) of ``order`` at ``at`` as a
    violation of its assignee, when its SLA policy names a penalty rule."""
    policy = order.sla_policy
    if policy is None or not policy.breach_penalty_rule_id or order.assignee_id is None:
        return
    rule = policy.breach_penalty_rule
    assignee = order.assignee
    if rule is None or not rule.is_active or assignee is None:
        return
    from netdept.duties.services.violations import record_violation  # the duties app's door

    record_violation(
        assignee,
        "sla",
        penalty_rule=rule,
        record=order,
        occurred_at=at,
        description=_("%(number)s: the %(target)s target was missed.")
        % {"number": order.number, "target": _("response") if target == "response"
           else _("resolution")},
    )  # fmt: skip
