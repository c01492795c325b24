"""Every change of approvals goes through these functions (see ``engine``)."""

from netdept.approvals.services.engine import (
    APPROVE,
    REJECT,
    RETURN,
    approve,
    bulk_approve,
    decide,
    latest_for,
    may_decide,
    may_withdraw,
    object_of,
    pending_for,
    reject,
    resubmit,
    return_for_changes,
    submit,
    withdraw,
)
from netdept.approvals.services.rules import (
    ApprovalRuleService,
    ApprovalStepRuleService,
    CommitteeService,
    DelegationService,
    reroute,
)
from netdept.approvals.services.sweep import sweep

__all__ = [
    "APPROVE",
    "REJECT",
    "RETURN",
    "ApprovalRuleService",
    "ApprovalStepRuleService",
    "CommitteeService",
    "DelegationService",
    "approve",
    "bulk_approve",
    "decide",
    "latest_for",
    "may_decide",
    "may_withdraw",
    "object_of",
    "pending_for",
    "reject",
    "reroute",
    "resubmit",
    "return_for_changes",
    "submit",
    "sweep",
    "withdraw",
]
