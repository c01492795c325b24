"""The pages where people approve: one decision (``approvals:decision``) and one request
(``approvals:request``), with the buttons and forms of their state machines
(``netdept.approvals.machines``), run through the generic transition code
(``netdept.core.views.transitions.handle_transition``).

Who may open them: the people the row concerns — the approver holding the decision, the person
it is held for ("李强 代 王建国"), the requester, the account that submitted it, and for a
request any of its approvers — and whoever holds the view permission on the row within their
scope. Anyone else: 403 (audited) without the permission, 404 with it (out of scope), so that a
page is no oracle of what exists.

Thin: every change is the engine's (``netdept.approvals.services``); a refusal (not yours,
already decided — naming who was first —, withdrawn) is said on the page, never a 500. A
notification's link opens these pages after signing in: nobody decides by an anonymous link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from netdept.approvals import kinds, links
from netdept.approvals.machines import DECISION_MACHINE, REQUEST_MACHINE
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.approvals.services import object_of
from netdept.approvals.visibility import (
    VIEW_DECISION,
    VIEW_REQUEST,
    decider_name,
    find_visible,
    holder_name,
    involved_in_decisions,
    involved_in_requests,
    person_of,
    refusal_text,
)
from netdept.core import display
from netdept.core.machines import Machine, message
from netdept.core.views.transitions import handle_transition

#: badge colours of the statuses of requests, steps and decisions
STATUS_CSS = {
    "pending": "text-bg-primary",
    "waiting": "text-bg-light border",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "returned": "text-bg-warning",
    "withdrawn": "text-bg-secondary",
    "skipped": "text-bg-light border",
    "cancelled": "text-bg-light border",
    "not_needed": "text-bg-light border",
    "passed_on": "text-bg-light border",
}


def get_decision(request: HttpRequest, pk: int) -> ApprovalDecision:
    qs = ApprovalDecision.objects.select_related(
        "request", "request__requester", "request__requester__department", "request__rule",
        "step", "approver", "on_behalf_of",
    )  # fmt: skip
    row: ApprovalDecision = find_visible(
        qs, request.user, pk, involved_in_decisions(request.user), VIEW_DECISION
    )
    return row


def get_request(request: HttpRequest, pk: int) -> ApprovalRequest:
    qs = ApprovalRequest.objects.select_related("requester", "requester__department", "rule")
    row: ApprovalRequest = find_visible(
        qs, request.user, pk, involved_in_requests(request.user), VIEW_REQUEST
    )
    return row


# --- what the pages show ----------------------------------------------------------------------
def is_overdue(due_at: dt.datetime | None, status: str, now: dt.datetime) -> bool:
    """An approval waiting past its limit."""
    return bool(due_at and status == DecisionStatus.PENDING and due_at < now)


@dataclass
class DecisionRow:
    decision: ApprovalDecision
    holder: str
    decider: str
    status_label: str
    status_css: str
    overdue: bool
    url: str


@dataclass
class StepRow:
    step: ApprovalStep
    status_label: str
    status_css: str
    overdue: bool
    current: bool
    decisions: list[DecisionRow] = field(default_factory=list)


def chain_of(req: ApprovalRequest, now: dt.datetime, user: Any) -> list[StepRow]:
    """The request's steps in order, each with its decisions (two queries)."""
    decisions = ApprovalDecision.objects.select_related(
        "approver", "on_behalf_of", "decided_by"
    ).order_by("pk")
    steps = req.steps.order_by("position").prefetch_related(Prefetch("decisions", decisions))
    me = person_of(user)
    rows = []
    for s in steps:
        row = StepRow(
            step=s,
            status_label=s.get_status_display(),
            status_css=STATUS_CSS.get(s.status, "text-bg-light"),
            overdue=bool(s.due_at and s.status == StepStatus.PENDING and s.due_at < now),
            current=s.status == StepStatus.PENDING,
        )
        for d in s.decisions.all():
            mine = me is not None and me.pk in (d.approver_id, d.on_behalf_of_id)
            row.decisions.append(
                DecisionRow(
                    decision=d,
                    holder=holder_name(d),
                    decider=decider_name(d),
                    status_label=d.get_status_display(),
                    status_css=STATUS_CSS.get(d.status, "text-bg-light"),
                    overdue=is_overdue(d.due_at, d.status, now),
                    url=links.decision_url(d) if mine else "",
                )
            )
        rows.append(row)
    return rows


def request_fields(req: ApprovalRequest) -> list[tuple[str, str]]:
    """The request's fields, named by its kind's condition labels (a choice by its label)."""
    kind = kinds.get(req.kind)
    declared = dict(kind.fields) if kind is not None else {}
    out = []
    for name, value in (req.data or {}).items():
        cond = declared.get(name)
        if value is None or value == "":
            continue
        if cond is None:
            out.append((name, str(value)))
            continue
        shown = str(value)
        if cond.choices:
            shown = str(dict(cond.choices).get(str(value), value))
        out.append((str(cond.label), shown))
    return out


def object_link(req: ApprovalRequest) -> tuple[str, str]:
    """The page of the object the request is about, and its name ("" when none)."""
    obj = object_of(req)
    if obj is None:
        return "", ""
    kind = kinds.get(req.kind)
    url = kind.url(obj) if kind is not None and kind.url is not None else display.object_url(obj)
    return url, str(obj)


def request_context(req: ApprovalRequest, user: Any, now: dt.datetime) -> dict[str, Any]:
    kind = kinds.get(req.kind)
    url, name = object_link(req)
    chain = chain_of(req, now, user)
    holders = [d.holder for s in chain if s.current for d in s.decisions
               if d.decision.status == DecisionStatus.PENDING]  # fmt: skip
    current = next((s for s in chain if s.current), None)
    return {
        "req": req,
        "kind_label": kind.label if kind is not None else req.kind,
        "req_status_css": STATUS_CSS.get(req.status, "text-bg-light"),
        "fields": request_fields(req),
        "object_url": url,
        "object_name": name,
        "chain": chain,
        "current_step": current,
        "holders": holders,
        "emergency_overdue": bool(
            req.emergency
            and req.emergency_due
            and req.status == RequestStatus.PENDING
            and req.emergency_due < now
        ),
        "request_url": links.request_url(req),
        "inbox_url": links.inbox_url(),
    }


# --- the machines' forms on the pages -------------------------------------------------------
#: the styles of the transitions whose form is open on the page (the others open on a tap)
OPEN_STYLES = frozenset({"success", "primary"})


def action_url(d: Any, name: str) -> str:
    if isinstance(d, ApprovalDecision):
        return reverse("approvals:decision_do", args=[d.pk, name])
    return reverse("approvals:request_do", args=[d.pk, name])


def offered(machine: Machine, obj: Any, user: Any) -> list[dict[str, Any]]:
    """The transitions ``user`` may take on ``obj`` now, each with its form (from the machine:
    the second-factor field only on a step that needs it), the open ones first."""
    out = []
    for b in machine.available(obj, user, action_url):
        form = machine.form_for(b.name, obj)
        form.auto_id = f"id_{b.name}_%s"  # several forms on one page: one id each
        out.append(
            {
                "name": b.name,
                "transition": b.transition,
                "url": b.url,
                "form": form,
                "confirm_text": "",
                # the way forward (approve, submit again) open; the others behind a button
                "collapsed": b.transition.style not in OPEN_STYLES,
            }
        )
    return sorted(out, key=lambda a: a["collapsed"])


def run_action(
    request: HttpRequest,
    machine: Machine,
    obj: Any,
    name: str,
    *,
    back_url: str,
    page_template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The generic transition code with this page's templates; a refused permission is said
    on the page (403) instead of the bare error page."""
    if name not in machine:
        raise Http404
    partial = "approvals/_action_form.html"
    try:
        return handle_transition(
            request,
            machine,
            obj,
            name,
            post_url=action_url(obj, name),
            back_url=back_url,
            partial_template=partial,
            full_template=page_template,
            context=context,
        )
    except PermissionDenied as exc:
        reason = refusal_text(exc)
        if getattr(request, "htmx", None):
            ctx = {
                **context,
                "obj": obj,
                "transition": machine[name],
                "form": machine.form_for(name, obj),
                "post_url": action_url(obj, name),
                "back_url": back_url,
                "conflict": reason,
            }
            return render(request, partial, ctx)
        return render(request, page_template, {**context, "refused": reason}, status=403)


# --- the decision page --------------------------------------------------------------------------
def decision_context(request: HttpRequest, d: ApprovalDecision) -> dict[str, Any]:
    now = timezone.now()
    user = request.user
    ctx = request_context(d.request, user, now)
    ctx.update(
        {
            "d": d,
            "holder": holder_name(d),
            "d_status_css": STATUS_CSS.get(d.status, "text-bg-light"),
            "overdue": is_overdue(d.due_at, d.status, now),
            "actions": offered(DECISION_MACHINE, d, user),
            "first": _first_decider(ctx["chain"], d)
            if d.status != DecisionStatus.PENDING
            else None,
            "page_url": links.decision_url(d),
        }
    )
    return ctx


def _first_decider(chain: list[StepRow], d: ApprovalDecision) -> DecisionRow | None:
    """Who decided the decision's step first (shown when it awaits no decision any more)."""
    for s in chain:
        if s.step.pk != d.step_id:
            continue
        done = [r for r in s.decisions if r.decision.decided_at and r.decision.status in (
            DecisionStatus.APPROVED, DecisionStatus.REJECTED, DecisionStatus.RETURNED)]  # fmt: skip
        done.sort(key=lambda r: (r.decision.decided_at, r.decision.pk))
        return done[0] if done else None
    return None


@login_required
@require_safe
def decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision: the request, the whole chain, and the approver's buttons."""
    d = get_decision(request, pk)
    return render(request, "approvals/decision.html", decision_context(request, d))


@login_required
@require_http_methods(["GET", "POST"])
def decision_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Approve, reject (reason required) or return for changes: the form (GET) and its run
    (POST) — the engine's refusals shown on the page."""
    d = get_decision(request, pk)
    return run_action(
        request,
        DECISION_MACHINE,
        d,
        name,
        back_url=links.decision_url(d),
        page_template="approvals/decision.html",
        context=decision_context(request, d),
    )


# --- the request page ---------------------------------------------------------------------------
def request_page_context(request: HttpRequest, req: ApprovalRequest) -> dict[str, Any]:
    ctx = request_context(req, request.user, timezone.now())
    actions = offered(REQUEST_MACHINE, req, request.user)
    for a in actions:
        if a["transition"].confirm:
            a["confirm_text"] = message(a["transition"].confirm, req)
    ctx.update({"actions": actions, "page_url": links.request_url(req)})
    return ctx


@login_required
@require_safe
def request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: where it is, who holds it, the chain, withdraw / submit again."""
    req = get_request(request, pk)
    return render(request, "approvals/request.html", request_page_context(request, req))


@login_required
@require_http_methods(["GET", "POST"])
def request_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    req = get_request(request, pk)
    return run_action(
        request,
        REQUEST_MACHINE,
        req,
        name,
        back_url=links.request_url(req),
        page_template="approvals/request.html",
        context=request_page_context(request, req),
    )


__all__ = [
    "STATUS_CSS",
    "chain_of",
    "decision_action_view",
    "decision_view",
    "find_visible",
    "holder_name",
    "is_overdue",
    "person_of",
    "request_action_view",
    "request_view",
]
