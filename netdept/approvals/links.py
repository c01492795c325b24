"""The pages a notification links to (sign-in required: nobody decides by an anonymous link).

The decision page (``approvals:decision``) and the request page (``approvals:request``) sit
at the paths of the generic detail pages of their ``Page`` (``decisions/<pk>/``,
``requests/<pk>/``) and take their place: a link to either opens the page where people
approve."""

from __future__ import annotations

from django.urls import reverse

from netdept.approvals.models import ApprovalDecision, ApprovalRequest


def decision_url(decision: ApprovalDecision) -> str:
    return reverse("approvals:decision", args=[decision.pk])


def request_url(request: ApprovalRequest) -> str:
    return reverse("approvals:request", args=[request.pk])


def inbox_url() -> str:
    return reverse("approvals:inbox")
