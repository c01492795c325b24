"""Who hears what when a request moves (the event kinds are in ``notifications``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

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
