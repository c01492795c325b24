""" "待我审批": the signed-in person's pending decisions, most urgent first, filtered by the
one filter set of decisions (the ``ApprovalDecision`` Page's, shared with the list page and the
API), paged by the generic paginator; bulk approval of the rows whose rule allows it (never a
step that needs the second factor); and "my requests" (those I asked for or submitted), each
with who holds it now.

Every list makes a constant number of queries (the rows with their request, requester, step
and delegator in one query; the holders of a page of requests in one more).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from netdept.approvals import kinds, links, services
from netdept.approvals.models import (
    MAX_COMMENT,
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
)
from netdept.approvals.views import STATUS_CSS, is_overdue
from netdept.approvals.visibility import holder_name, person_of
from netdept.core.paginate import EmptyPage, InvalidCursor, Paginator, Window, parse_positive
from netdept.core.registry import page_for
from netdept.org.models import Person

PER_PAGE = 20
MAX_PER_PAGE = 100
#: filters of the decisions' filter set that mean nothing in one's own inbox (always mine,
#: always pending)
NOT_IN_INBOX = frozenset({"approver", "status", "rule"})
#: most rows one bulk approval takes
BULK_MAX = 100


def bulk_allowed(d: ApprovalDecision) -> bool:
    """The rule allows bulk approval and the step does not ask for the second factor."""
    rule = (d.request.snapshot or {}).get("rule", {})
    return bool(rule.get("allow_bulk")) and not d.step.require_2fa


def kind_label(code: str) -> str:
    kind = kinds.get(code)
    return str(kind.label) if kind is not None else code


@dataclass
class InboxRow:
    decision: ApprovalDecision
    kind: str
    overdue: bool
    bulk: bool
    url: str


def paginate(qs: QuerySet[Any], request: HttpRequest, per_page: int) -> Window:
    """The page asked for (a number or a cursor); a bad cursor or page goes back to page 1."""
    paginator = Paginator(qs, per_page)
    get = request.GET
    number = parse_positive(get.get("page"), 1, 10**9)
    try:
        return paginator.page(
            page=number, after=get.get("after") or None, before=get.get("before") or None
        )
    except (InvalidCursor, EmptyPage):
        return paginator.page(page=1)


def pager(window: Window, request: HttpRequest) -> dict[str, Any]:
    """Links to the neighbouring pages, keeping the filters (``core/_pager.html``)."""
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    base = query.urlencode()

    def link(params: dict[str, str] | None) -> str:
        if params is None:
            return ""
        q = QueryDict(mutable=True)
        q.update(params)
        return "?" + "&".join(p for p in (base, q.urlencode()) if p)

    return {
        "window": window,
        "previous": link(window.previous_params),
        "next": link(window.next_params),
        "first": link({"page": "1"}) if window.number > 1 else "",
        "numbers": [],
    }


def inbox_rows(decisions: list[ApprovalDecision], now: dt.datetime) -> list[InboxRow]:
    return [
        InboxRow(
            decision=d,
            kind=kind_label(d.request.kind),
            overdue=is_overdue(d.due_at, d.status, now),
            bulk=bulk_allowed(d),
            url=links.decision_url(d),
        )
        for d in decisions
    ]


#: the filters that choose a person, and the path from a decision to that person
PEOPLE_FILTERS = {"requester": "request__requester", "on_behalf_of": "on_behalf_of"}


#: a person filter offering more people than this is left out of the form (the requester's
#: name on each card filters by them instead): hundreds of options cost more to send and
#: render than the whole inbox, and nobody scrolls them on a phone
PEOPLE_CHOICE_CAP = 40


def narrow_people(filterset: Any, base: QuerySet[ApprovalDecision]) -> set[str]:
    """The people a filter offers in the inbox: those of one's own pending approvals (shown on
    its cards anyway), not everyone the reader may see — a director's list of the whole
    hospital would be long and useless. Answers the filters too long to offer."""
    too_long: set[str] = set()
    for name, path in PEOPLE_FILTERS.items():
        f = filterset.filters.get(name)
        if f is not None and hasattr(f, "queryset"):
            people = Person.objects.filter(pk__in=base.order_by().values(path)).order_by(
                "name", "pk"
            )
            if len(people.values_list("pk", flat=True)[: PEOPLE_CHOICE_CAP + 1]) > (
                PEOPLE_CHOICE_CAP
            ):
                too_long.add(name)
            f.queryset = people
    return too_long


@login_required
@require_safe
def inbox_view(request: HttpRequest) -> HttpResponse:
    """待我审批: my pending decisions, most urgent first."""
    person = person_of(request.user)
    base = (
        services.pending_for(person)
        if person is not None
        else ApprovalDecision.objects.none().order_by("due_at", "pk")
    )
    page = page_for(ApprovalDecision)
    assert page is not None and page.filterset_class is not None
    filterset = page.filterset_class(request.GET or None, queryset=base, request=request)
    too_long = narrow_people(filterset, base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    per_page = parse_positive(request.GET.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    window = paginate(qs, request, per_page)
    rows = inbox_rows(window.rows, timezone.now())
    filtered = any(request.GET.get(f.name) for f in filterset.form if f.name not in NOT_IN_INBOX)
    return render(
        request,
        "approvals/inbox.html",
        {
            "rows": rows,
            "any_bulk": any(r.bulk for r in rows),
            "filterset": filterset,
            "filter_fields": [
                f for f in filterset.form if f.name not in NOT_IN_INBOX and f.name not in too_long
            ],
            "filtered": filtered,
            "window": window,
            "pager": pager(window, request),
            "has_person": person is not None,
            "comment_max": MAX_COMMENT,
            "next_query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def bulk_approve_view(request: HttpRequest) -> HttpResponse:
    """Approve the ticked rows at once (each decided and audited on its own by the engine);
    refused, with the reason, when one of them may not be approved in bulk."""
    back = links.inbox_url()
    query = request.POST.get("next_query", "")
    if query and len(query) < 2000:  # the inbox's filters, parsed again: nothing else goes back
        kept = QueryDict(query).urlencode()
        back += f"?{kept}" if kept else ""
    person = person_of(request.user)
    ids = [
        int(v)
        for v in request.POST.getlist("ids")[:BULK_MAX]
        if v.isascii() and v.isdigit() and len(v) < 12
    ]
    if person is None or not ids:
        messages.warning(request, _("Tick the approvals to approve first."))
        return HttpResponseRedirect(back)
    chosen = list(services.pending_for(person).filter(pk__in=ids))
    comment = (request.POST.get("comment") or "").strip()[:MAX_COMMENT]
    if not chosen:
        messages.warning(request, _("None of the ticked approvals awaits your decision any more."))
        return HttpResponseRedirect(back)
    try:
        done = services.bulk_approve(request.user, chosen, comment)
    except (ValidationError, PermissionDenied) as exc:
        text = (
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else " ".join(str(a) for a in exc.args)
        )
        messages.error(request, text)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        ngettext("%(count)s approval approved.", "%(count)s approvals approved.", done)
        % {"count": done},
    )
    skipped = len(ids) - len(chosen)
    if skipped:
        messages.info(
            request,
            ngettext(
                "%(count)s ticked approval no longer awaited your decision.",
                "%(count)s ticked approvals no longer awaited your decision.",
                skipped,
            )
            % {"count": skipped},
        )
    return HttpResponseRedirect(back)


# --- my requests ------------------------------------------------------------------------------
MINE_STATES = {
    "open": [RequestStatus.PENDING, RequestStatus.RETURNED],
    "done": [RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN],
    "all": [],
}


@dataclass
class RequestRow:
    req: ApprovalRequest
    kind: str
    status_css: str
    holders: list[str]
    overdue: bool
    url: str


def holders_of(reqs: list[ApprovalRequest], now: dt.datetime) -> dict[int, list[ApprovalDecision]]:
    """The pending decisions of ``reqs`` (one query), by request."""
    out: dict[int, list[ApprovalDecision]] = {}
    if not reqs:
        return out
    pending = (
        ApprovalDecision.objects.filter(
            request_id__in=[r.pk for r in reqs], status=DecisionStatus.PENDING
        )
        .select_related("approver", "on_behalf_of")
        .order_by("pk")
    )
    for d in pending:
        out.setdefault(d.request_id, []).append(d)
    return out


@login_required
@require_safe
def my_requests_view(request: HttpRequest) -> HttpResponse:
    """The requests I asked for or submitted: where each is and who holds it now."""
    user = request.user
    person = person_of(user)
    q = Q(submitted_by=user.pk)
    if person is not None:
        q |= Q(requester=person)
    state = request.GET.get("state", "open")
    if state not in MINE_STATES:
        state = "open"
    qs = ApprovalRequest.objects.filter(q).select_related("requester")
    if MINE_STATES[state]:
        qs = qs.filter(status__in=MINE_STATES[state])
    qs = qs.order_by("-submitted_at", "-pk")
    window = paginate(qs, request, PER_PAGE)
    now = timezone.now()
    pending = holders_of(window.rows, now)
    rows = []
    for r in window.rows:
        held = pending.get(r.pk, [])
        rows.append(
            RequestRow(
                req=r,
                kind=kind_label(r.kind),
                status_css=STATUS_CSS.get(r.status, "text-bg-light"),
                holders=[holder_name(d) for d in held],
                overdue=any(is_overdue(d.due_at, d.status, now) for d in held),
                url=links.request_url(r),
            )
        )
    states = [("open", _("In progress")), ("done", _("Decided")), ("all", _("All"))]
    return render(
        request,
        "approvals/my_requests.html",
        {
            "rows": rows,
            "state": state,
            "states": [
                (k, label, reverse("approvals:mine") + f"?state={k}") for k, label in states
            ],
            "window": window,
            "pager": pager(window, request),
        },
    )


__all__ = ["bulk_allowed", "bulk_approve_view", "inbox_view", "my_requests_view"]
