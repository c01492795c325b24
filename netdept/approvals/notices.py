"""Who hears what when a request moves (the event kinds are in ``notifications``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.approvals import kinds, links
from netdept.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStep
from netdept.notify import notify


def _base(request: ApprovalRequest) -> dict[str, Any]:
    kind = kinds.get(request.kind)
    return {
        "title": request.title,
        "requester": request.requester.name,
        "request_kind": str(kind.label) if kind else request.kind,
        "request_id": request.pk,
    }


def pending(decisions: Iterable[ApprovalDecision], request: ApprovalRequest) -> None:
    for d in decisions:
        notify(
            "approvals.pending",
            obj=d,
            recipients=[d.approver],
            data={
                **_base(request),
                "step": d.step.name,
                "due": d.due_at,
                "on_behalf_of": d.on_behalf_of.name if d.on_behalf_of_id and d.on_behalf_of else "",
            },
            link=links.decision_url(d),
        )


def reminder(step: ApprovalStep, decisions: Iterable[ApprovalDecision]) -> None:
    for d in decisions:
        notify(
            "approvals.reminder",
            obj=d,
            recipients=[d.approver],
            data={**_base(step.request), "step": step.name, "due": step.due_at},
            link=links.decision_url(d),
            dedupe_key=f"remind:{d.pk}",
        )


def overdue(step: ApprovalStep, decisions: Iterable[ApprovalDecision], reason: str) -> None:
    for d in decisions:
        notify(
            "approvals.overdue",
            obj=d,
            recipients=[d.approver],
            data={**_base(step.request), "step": step.name, "due": step.due_at, "reason": reason},
            link=links.decision_url(d),
        )


OUTCOMES = {
    "approved": lambda: _("approved"),
    "rejected": lambda: _("rejected"),
    "returned": lambda: _("returned for changes"),
    "withdrawn": lambda: _("withdrawn"),
}


def decided(request: ApprovalRequest) -> None:
    last = (
        request.decisions.exclude(decided_at=None)
        .select_related("approver")
        .order_by("-decided_at", "-pk")
        .first()
    )
    data = {
        **_base(request),
        "status": request.status,
        "outcome": OUTCOMES.get(request.status, lambda: request.status)(),
        "by": last.approver.name if last is not None and request.status != "withdrawn" else "",
        "comment": last.comment if last is not None else "",
    }
    recipients: list[Any] = [request.requester]
    if request.submitted_by_id and request.submitted_by is not None:
        recipients.append(request.submitted_by)
    notify(
        "approvals.decided",
        obj=request,
        recipients=recipients,
        data=data,
        link=links.request_url(request),
        dedupe_key=f"decided:{request.pk}:{request.version}",
    )


def flagged(request: ApprovalRequest) -> None:
    notify(
        "approvals.flagged",
        obj=request,
        recipients=["role:director", "role:auditor"],
        data={**_base(request), "reason": request.flag_reason},
        link=links.request_url(request),
        dedupe_key=f"flagged:{request.pk}",
    )


#: How the audit trail reads the details the engine writes (``core.history``).
AUDIT_LABELS = {
    "approval": gettext_lazy("approval"),
    "rule": gettext_lazy("approval rule"),
    "rule_version": gettext_lazy("rule version"),
    "emergency": gettext_lazy("emergency"),
    "request": gettext_lazy("request"),
    "step": gettext_lazy("step"),
    "comment": gettext_lazy("comment"),
    "on_behalf_of": gettext_lazy("on behalf of"),
    "note": gettext_lazy("note"),
    "restart_at": gettext_lazy("restarted from step"),
    "passed_to": gettext_lazy("passed to"),
    "passed_from": gettext_lazy("passed on from"),
    "requester": gettext_lazy("requester"),
    "overdue": gettext_lazy("overdue"),
}
AUDIT_VALUES = {
    "submit": gettext_lazy("submitted for approval"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "return": gettext_lazy("returned for changes"),
    "routed": gettext_lazy("passed to another approver"),
    "flagged": gettext_lazy("flagged for review"),
    "outcome": gettext_lazy("decided"),
    "resubmit": gettext_lazy("submitted again"),
    "delegated": gettext_lazy("moved to the delegate"),
    "overdue": gettext_lazy("passed its time limit"),
}
