"""The pages a notification links to (sign-in required: nobody decides by an anonymous link)."""

from __future__ import annotations

from django.urls import reverse

from netdept.approvals.models import ApprovalDecision, ApprovalRequest


def decision_url(decision: ApprovalDecision) -> str:
    return reverse("approvals:decisions_detail", args=[decision.pk])


def request_url(request: ApprovalRequest) -> str:
    return reverse("approvals:requests_detail", args=[request.pk])


def inbox_url() -> str:
    return reverse("approvals:decisions_list")
