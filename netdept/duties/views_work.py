"""The pages of doing duties, phone first (390 px, one column, thumb-sized buttons):

- 我的职责 (``duties:mine``): today (what is due by tonight, overdue, returned for changes),
  upcoming, history;
- an occurrence (``duties:occurrence``, the generic detail path ``occurrences/<pk>/``): what the
  duty asks, its articles, the evidence so far, the form to submit it (photos straight from the
  camera), and the reviewer's buttons (accept, return with a reason) and the lead's (excuse);
- 待我复核 (``duties:review_queue``): the occurrences submitted to me, the oldest due first;
- an evidence file (``duties:evidence_file``), to those who may see its occurrence.

Who may open an occurrence: its person, its reviewer, the person's team lead, and whoever
holds the view permission within their scope; anyone else 403 (audited) without the
permission at all, 404 with it. Thin: every change is ``services.occurrences``'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.approvals.views_inbox import pager, paginate
from netdept.approvals.visibility import find_visible
from netdept.core.paginate import parse_positive
from netdept.core.views.transitions import apply_errors, handle_transition, is_conflict
from netdept.duties.forms_work import SubmitForm
from netdept.duties.machines import OCCURRENCE_MACHINE
from netdept.duties.models import Evidence, EvidenceKind, Occurrence, OccurrenceStatus
from netdept.duties.services import occurrences
from netdept.duties.services.occurrences import person_of

S = OccurrenceStatus
VIEW = "duties.view_occurrence"
PER_PAGE = 20
MAX_PER_PAGE = 100
OPEN = (S.PENDING, S.OVERDUE, S.RETURNED)

#: photos shown in the page (any other file is downloaded)
IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
}

#: badge colours of the statuses
STATUS_CSS: dict[str, str] = {
    S.PENDING: "text-bg-primary",
    S.SUBMITTED: "text-bg-info",
    S.RETURNED: "text-bg-warning",
    S.DONE: "text-bg-success",
    S.DONE_LATE: "text-bg-warning",
    S.OVERDUE: "text-bg-danger",
    S.MISSED: "text-bg-danger",
    S.EXCUSED: "text-bg-secondary",
}


def involved(user: Any) -> Q:
    """The occurrences ``user`` is concerned by without any permission."""
    me = person_of(user)
    if me is None:
        return Q(pk__in=[])
    return Q(person=me) | Q(reviewer=me) | Q(person__team__lead=me)


def get_occurrence(request: HttpRequest, pk: int) -> Occurrence:
    qs = Occurrence.objects.select_related(
        "duty", "duty__record_type", "duty__penalty_rule", "person", "person__team",
        "person__department", "reviewer", "team",
    )  # fmt: skip
    occ: Occurrence = find_visible(qs, request.user, pk, involved(request.user), VIEW)
    return occ


# --- rows --------------------------------------------------------------------------------------
@dataclass
class Row:
    occ: Occurrence
    status_css: str
    late: bool
    url: str
    accept_form: Any = None
    accept_url: str = ""


def rows_of(occs: list[Occurrence], now: dt.datetime) -> list[Row]:
    return [
        Row(
            occ=o,
            status_css=STATUS_CSS.get(o.status, "text-bg-light"),
            late=o.status in OPEN and o.due_at < now,
            url=reverse("duties:occurrence", args=[o.pk]),
        )
        for o in occs
    ]


#: late in the evening, what falls due within this much time still waits "today"
LATE_EVENING_HORIZON = dt.timedelta(hours=2)


def end_of_today(now: dt.datetime) -> dt.datetime:
    """The end of what counts as today: local midnight, but never less than
    ``LATE_EVENING_HORIZON`` away (at 23:40 a duty due at 00:10 is work for now, not for
    tomorrow)."""
    local = timezone.localtime(now)
    midnight = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight, local + LATE_EVENING_HORIZON)


def mine_querysets(person: Any, now: dt.datetime) -> dict[str, QuerySet[Occurrence]]:
    """The three tabs of my duties (``person`` None: all empty)."""
    base = Occurrence.objects.select_related("duty", "reviewer")
    if person is None:
        none = base.none()
        return {"today": none, "upcoming": none, "history": none}
    mine = base.filter(person=person)
    tonight = end_of_today(now)
    return {
        # what waits for me now: due by tonight (overdue ones too) or returned for changes
        "today": mine.filter(
            Q(status__in=OPEN, due_at__lt=tonight) | Q(status=S.RETURNED)
        ).order_by("due_at", "pk"),
        "upcoming": mine.filter(status=S.PENDING, due_at__gte=tonight).order_by("due_at", "pk"),
        "history": mine.exclude(status__in=OPEN).order_by("-due_at", "-pk"),
    }


@login_required
@require_safe
def mine_view(request: HttpRequest) -> HttpResponse:
    """我的职责: today, upcoming, history."""
    person = person_of(request.user)
    now = timezone.now()
    tab = request.GET.get("tab", "today")
    sets = mine_querysets(person, now)
    if tab not in sets:
        tab = "today"
    per_page = parse_positive(request.GET.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    window = paginate(sets[tab], request, per_page)
    labels = {"today": _("Today"), "upcoming": _("Upcoming"), "history": _("History")}
    base = reverse("duties:mine")
    return render(
        request,
        "duties/work/mine.html",
        {
            "tab": tab,
            "tabs": [(k, labels[k], f"{base}?tab={k}") for k in ("today", "upcoming", "history")],
            "rows": rows_of(window.rows, now),
            "window": window,
            "pager": pager(window, request),
            "has_person": person is not None,
            "review_count": occurrences.to_review(person).order_by().count() if person else 0,
        },
    )


@login_required
@require_safe
def review_queue_view(request: HttpRequest) -> HttpResponse:
    """待我复核: the occurrences submitted to me."""
    person = person_of(request.user)
    now = timezone.now()
    qs = occurrences.to_review(person)
    per_page = parse_positive(request.GET.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    window = paginate(qs, request, per_page)
    rows = rows_of(window.rows, now)
    for r in rows:
        form = OCCURRENCE_MACHINE.form_for("accept", r.occ)
        form.auto_id = f"id_accept_{r.occ.pk}_%s"
        r.accept_form = form
        r.accept_url = reverse("duties:occurrence_do", args=[r.occ.pk, "accept"])
    return render(
        request,
        "duties/work/review_queue.html",
        {
            "rows": rows,
            "window": window,
            "pager": pager(window, request),
            "has_person": person is not None,
        },
    )


# --- one occurrence ----------------------------------------------------------------------------
def action_url(occ: Any, name: str) -> str:
    return reverse("duties:occurrence_do", args=[occ.pk, name])


def offered(occ: Occurrence, user: Any) -> list[dict[str, Any]]:
    """The reviewer's and the lead's transitions (submit has its own form on the page)."""
    out = []
    for b in OCCURRENCE_MACHINE.available(occ, user, action_url):
        if b.name == "submit":
            continue
        form = OCCURRENCE_MACHINE.form_for(b.name, occ)
        form.auto_id = f"id_{b.name}_%s"
        out.append(
            {
                "name": b.name,
                "transition": b.transition,
                "url": b.url,
                "form": form,
                "confirm_text": "",
                "collapsed": b.transition.style != "success",
            }
        )
    return sorted(out, key=lambda a: a["collapsed"])


def occurrence_context(
    request: HttpRequest, occ: Occurrence, form: SubmitForm | None = None
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    may_submit = OCCURRENCE_MACHINE.is_available(occ, user, "submit")
    if may_submit and form is None:
        form = SubmitForm(occ, user)
    evidence = list(
        occ.evidence.select_related("added_by", "record_type").order_by("created_at", "pk")
    )
    return {
        "occ": occ,
        "duty": occ.duty,
        "articles": list(occ.duty.articles.select_related("version__regulation")[:20]),
        "status_css": STATUS_CSS.get(occ.status, "text-bg-light"),
        "late": occ.status in OPEN and occ.due_at < now,
        "evidence": evidence,
        "photos": [e for e in evidence if e.file and e.kind == EvidenceKind.PHOTO],
        "submit_form": form if may_submit else None,
        "submit_url": reverse("duties:occurrence_submit", args=[occ.pk]),
        "actions": offered(occ, user),
        "is_mine": occurrences.may_submit(user, occ),
        "page_url": reverse("duties:occurrence", args=[occ.pk]),
    }


@login_required
@require_safe
def occurrence_view(request: HttpRequest, pk: int) -> HttpResponse:
    occ = get_occurrence(request, pk)
    return render(request, "duties/work/occurrence.html", occurrence_context(request, occ))


@login_required
@require_http_methods(["POST"])
def submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's submission: the duty's evidence checked by the service; a refusal lands
    under the field it names (422), a lost race above the form (409), nothing saved."""
    occ = get_occurrence(request, pk)
    try:
        OCCURRENCE_MACHINE.require("submit", request.user, occ)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("duties:occurrence", args=[occ.pk]))
    except PermissionDenied:
        ctx = occurrence_context(request, occ)
        ctx["refused"] = _("Only %(name)s can submit this duty.") % {"name": occ.person.name}
        return render(request, "duties/work/occurrence.html", ctx, status=403)
    form = SubmitForm(occ, request.user, request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            kwargs = form.service_kwargs()
            me = person_of(request.user)
            assert me is not None  # the machine let only the occurrence's person through
            done = occurrences.submit(occ, by=me, **kwargs)
        except ValidationError as exc:
            if is_conflict(exc):
                form.add_error(None, exc)
                status = 409
            else:
                apply_errors(form, exc)
        else:
            text = (
                _("Submitted: it awaits review by %(name)s.") % {"name": done.reviewer.name}
                if done.status == S.SUBMITTED and done.reviewer is not None
                else _("Done.")
            )
            messages.success(request, text)
            return HttpResponseRedirect(reverse("duties:occurrence", args=[occ.pk]))
    return render(
        request, "duties/work/occurrence.html", occurrence_context(request, occ, form),
        status=status,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Accept, return for changes (a reason), excuse (a reason): the machine's form (GET) and
    its run (POST); a refusal said on the page, never a 500."""
    occ = get_occurrence(request, pk)
    if name not in OCCURRENCE_MACHINE or name == "submit":
        raise Http404
    back = request.POST.get("next") or reverse("duties:occurrence", args=[occ.pk])
    if back != reverse("duties:review_queue"):
        back = reverse("duties:occurrence", args=[occ.pk])
    context = occurrence_context(request, occ)
    try:
        return handle_transition(
            request,
            OCCURRENCE_MACHINE,
            occ,
            name,
            post_url=action_url(occ, name),
            back_url=back,
            partial_template="duties/work/_action_form.html",
            full_template="duties/work/occurrence.html",
            context=context,
        )
    except PermissionDenied:
        reason = _("This duty is not yours to review or excuse.")
        return render(
            request, "duties/work/occurrence.html", {**context, "refused": reason}, status=403
        )


# --- evidence files ----------------------------------------------------------------------------
@login_required
@require_safe
def evidence_file_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo or file of an occurrence, to those who may see the occurrence; else 403/404."""
    ev = Evidence.objects.select_related("occurrence").filter(pk=pk).first()
    if ev is None or not ev.file:
        raise Http404
    get_occurrence(request, ev.occurrence_id)  # 403 (audited) or 404 unless visible
    try:
        handle = ev.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    stored = ev.file.name or ""
    ext = stored.rsplit(".", 1)[-1].lower() if "." in stored else ""
    photo = ev.kind == EvidenceKind.PHOTO and ext in IMAGE_TYPES
    resp = FileResponse(
        handle,
        as_attachment=not photo,
        filename=ev.file_name,
        content_type=IMAGE_TYPES[ext] if photo else "application/octet-stream",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp["Cache-Control"] = "private, max-age=300"
    return resp


__all__ = [
    "evidence_file_view",
    "mine_view",
    "occurrence_action_view",
    "occurrence_view",
    "review_queue_view",
    "submit_view",
]
