"""The pages of daily logs, phone first (390 px, one column, thumb-sized buttons):

- 我的日志 (``worklog:log_today``): opens the person's log of today (or of ``?day=``), drafted
  from the day's records the first time; on a day that expects no log (a day off, approved
  leave) it asks before opening one;
- a log (``worklog:log``, the generic detail path ``logs/<pk>/``): the entries (drafted ones
  name their source), each editable and removable while the log is a draft or returned; a line
  written by hand; the summary, problems and plan for the next day; re-draft; submit; the
  reviewer's accept / return with a reason;
- the team's logs (``worklog:team_logs``): for a day, each person the lead follows — submitted,
  accepted, returned, not yet written (flagged when one is expected), on leave or a day off.

Who may open a log: its person, its reviewer, the person's team lead, and whoever holds the
view permission within their scope; anyone else 403 (audited) without the permission at all,
404 with it. Thin: every change is ``services.logs``'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from netdept.approvals.visibility import find_visible
from netdept.core.views.transitions import apply_errors, handle_transition, is_conflict
from netdept.worklog import contributions
from netdept.worklog.forms_logs import DayForm, EntryForm, LogTextForm
from netdept.worklog.machines_logs import LOG_MACHINE
from netdept.worklog.models.logs import DailyLog, LogEntry, LogStatus
from netdept.worklog.services import logs
from netdept.worklog.services.logs import person_of

S = LogStatus
_ONE_DAY = dt.timedelta(days=1)

#: badge colours of the statuses
STATUS_CSS: dict[str, str] = {
    S.DRAFT: "text-bg-light border",
    S.SUBMITTED: "text-bg-info",
    S.RETURNED: "text-bg-warning",
    S.ACCEPTED: "text-bg-success",
}


def get_log(request: HttpRequest, pk: int) -> DailyLog:
    qs = DailyLog.objects.select_related(
        "person", "person__team", "person__department", "team", "reviewer"
    )
    log: DailyLog = find_visible(qs, request.user, pk, logs.involved(request.user), logs.VIEW)
    return log


def _back(log: DailyLog) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("worklog:log", args=[log.pk]))


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("expected_version", "")
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 10 else None


# --- my log ------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def log_today_view(request: HttpRequest) -> HttpResponse:
    """Open (draft on first opening) my log of today or of ``?day=``; a day that expects no
    log asks first (POST opens it anyway)."""
    me = person_of(request.user)
    today = logs.today()
    day = DayForm(request.GET or request.POST).day_or(today)
    if me is None:
        return render(request, "worklog/logs/open.html", {"no_person": True, "day": day})
    found = DailyLog.objects.filter(person=me, day=day).first()
    if found is not None:
        return _back(found)
    if request.method == "GET" and not logs.is_expected(me, day):
        return render(
            request,
            "worklog/logs/open.html",
            {"day": day, "today": today, "working": logs.schedule().is_working_day(day)},
        )
    try:
        log = logs.open_log(me, day)
    except ValidationError as exc:
        return render(
            request,
            "worklog/logs/open.html",
            {"day": day, "today": today, "refused": " ".join(exc.messages), "working": True},
            status=422,
        )
    return _back(log)


# --- one log -----------------------------------------------------------------------------------
def action_url(log: DailyLog, name: str) -> str:
    return reverse("worklog:log_do", args=[log.pk, name])


def offered(log: DailyLog, user: Any) -> list[dict[str, Any]]:
    """The reviewer's transitions (submit is the page's own big button)."""
    out = []
    for b in LOG_MACHINE.available(log, user, action_url):
        if b.name == "submit":
            continue
        form = LOG_MACHINE.form_for(b.name, log)
        form.auto_id = f"id_{b.name}_%s"
        out.append(
            {
                "name": b.name,
                "transition": b.transition,
                "url": b.url,
                "form": form,
                "collapsed": b.transition.style != "success",
            }
        )
    return sorted(out, key=lambda a: a["collapsed"])


def log_context(
    request: HttpRequest,
    log: DailyLog,
    *,
    text_form: LogTextForm | None = None,
    entry_form: EntryForm | None = None,
    bad_entry: tuple[int, EntryForm] | None = None,
) -> dict[str, Any]:
    user = request.user
    sched = logs.schedule()
    today = logs.today(sched=sched)
    mine = logs.may_write(user, log)
    writable = mine and log.status in logs.WRITABLE
    entries = list(LogEntry.objects.filter(log=log, dismissed=False).order_by("position", "pk"))
    rows = []
    for e in entries:
        form = (
            bad_entry[1]
            if bad_entry and bad_entry[0] == e.pk
            else EntryForm(
                initial={
                    "text": e.text,
                    "minutes": e.minutes,
                    "state": e.state,
                    "expected_version": log.version,
                }
            )
        )
        form.auto_id = f"id_entry_{e.pk}_%s"
        rows.append(
            {
                "entry": e,
                "source": contributions.label_of(e.source) if e.source else "",
                "form": form if writable else None,
                "open": bool(bad_entry and bad_entry[0] == e.pk),
            }
        )
    new_form = entry_form or EntryForm(initial={"expected_version": log.version})
    new_form.auto_id = "id_new_%s"
    return {
        "log": log,
        "rows": rows,
        "status_css": STATUS_CSS.get(log.status, "text-bg-light"),
        "is_mine": mine,
        "writable": writable,
        "text_form": (text_form or LogTextForm.for_log(log)) if writable else None,
        "entry_form": new_form if writable else None,
        "may_submit": writable and LOG_MACHINE.is_available(log, user, "submit"),
        "actions": offered(log, user),
        "expected": logs.is_expected(log.person, log.day, sched),
        "is_today": log.day == today,
        "prev_url": f"{reverse('worklog:log_today')}?day={log.day - _ONE_DAY:%Y-%m-%d}",
        "next_url": (
            f"{reverse('worklog:log_today')}?day={log.day + _ONE_DAY:%Y-%m-%d}"
            if mine and log.day < today
            else ""
        ),
    }


@login_required
@require_safe
def log_view(request: HttpRequest, pk: int) -> HttpResponse:
    log = get_log(request, pk)
    return render(request, "worklog/logs/log.html", log_context(request, log))


def _refused(request: HttpRequest, log: DailyLog, exc: Exception, **kw: Any) -> HttpResponse:
    ctx = log_context(request, log, **kw)
    if isinstance(exc, PermissionDenied):
        ctx["refused"] = str(exc) or _("This log is not yours to change.")
        return render(request, "worklog/logs/log.html", ctx, status=403)
    assert isinstance(exc, ValidationError)
    if is_conflict(exc):
        ctx["conflict"] = " ".join(exc.messages)
        return render(request, "worklog/logs/log.html", ctx, status=409)
    ctx["refused"] = " ".join(exc.messages)
    return render(request, "worklog/logs/log.html", ctx, status=422)


def _by(request: HttpRequest, log: DailyLog) -> Any:
    me = person_of(request.user)
    if me is None or me.pk != log.person_id:
        raise PermissionDenied(_("Only %(name)s can write this log.") % {"name": log.person.name})
    return me


def _write(
    request: HttpRequest,
    log: DailyLog,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    **ctx_kw: Any,
) -> HttpResponse | None:
    """Validate ``form`` and hand its data to ``call`` (a service write): a bad field is said
    under it (422), a lost race above the form (409), a refusal on the page (403); None when
    it was written."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            if is_conflict(exc):
                return _refused(request, log, exc, **ctx_kw)
            apply_errors(form, exc)
        except PermissionDenied as exc:
            return _refused(request, log, exc)
        else:
            return None
    ctx = log_context(request, log, **ctx_kw)
    return render(request, "worklog/logs/log.html", ctx, status=422)


@login_required
@require_POST
def log_save_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary, problems and plan for the next day ("save and submit": then submitted)."""
    log = get_log(request, pk)
    form = LogTextForm(request.POST)
    failed = _write(
        request, log, form,
        lambda d: logs.save(
            log, by=_by(request, log), summary=d["summary"], problems=d["problems"],
            plan=d["plan"], expected_version=d.get("expected_version"),
        ),
        text_form=form,
    )  # fmt: skip
    if failed is not None:
        return failed
    if request.POST.get("then_submit"):
        return _submit_after_save(request, log)
    messages.success(request, _("Saved."))
    return _back(log)


def _submit_after_save(request: HttpRequest, log: DailyLog) -> HttpResponse:
    """ "Save and submit": the text is saved; the submission may still be refused (nothing
    written yet), said on the page."""
    fresh = get_log(request, log.pk)
    try:
        done = logs.submit(fresh, by=_by(request, fresh))
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, fresh, exc)
    if done.status == S.SUBMITTED and done.reviewer is not None:
        messages.success(
            request, _("Submitted: it awaits review by %(name)s.") % {"name": done.reviewer.name}
        )
    else:
        messages.success(request, _("Submitted."))
    return _back(done)


@login_required
@require_POST
def entry_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A line written by hand."""
    log = get_log(request, pk)
    form = EntryForm(request.POST)
    failed = _write(
        request, log, form,
        lambda d: logs.add_entry(
            log, by=_by(request, log), text=d["text"], minutes=d.get("minutes") or 0,
            state=d["state"], expected_version=d.get("expected_version"),
        ),
        entry_form=form,
    )  # fmt: skip
    if failed is not None:
        return failed
    messages.success(request, _("Entry added."))
    return _back(log)


def _entry(request: HttpRequest, pk: int) -> LogEntry:
    entry = LogEntry.objects.filter(pk=pk).only("pk", "log_id").first()
    if entry is None:
        raise Http404
    entry.log = get_log(request, entry.log_id)
    return entry


@login_required
@require_POST
def entry_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    log = entry.log
    form = EntryForm(request.POST)
    failed = _write(
        request, log, form,
        lambda d: logs.change_entry(
            entry, by=_by(request, log), text=d["text"], minutes=d.get("minutes") or 0,
            state=d["state"], expected_version=d.get("expected_version"),
        ),
        bad_entry=(entry.pk, form),
    )  # fmt: skip
    if failed is not None:
        return failed
    messages.success(request, _("Saved."))
    return _back(log)


@login_required
@require_POST
def entry_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    log = entry.log
    try:
        logs.remove_entry(entry, by=_by(request, log), expected_version=_version(request))
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, log, exc)
    messages.success(request, _("Entry removed."))
    return _back(log)


@login_required
@require_POST
def redraft_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the day's records again; the person's edits stay."""
    log = get_log(request, pk)
    try:
        added = logs.redraft(log, by=_by(request, log), expected_version=_version(request))
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, log, exc)
    if added:
        messages.success(
            request, _("%(count)s new entries from the day's records.") % {"count": added}
        )
    else:
        messages.info(request, _("Nothing new in the day's records."))
    return _back(log)


@login_required
@require_http_methods(["GET", "POST"])
def log_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Submit, accept, return for changes (a reason): the machine's form (GET) and its run
    (POST); a refusal said on the page, never a 500."""
    log = get_log(request, pk)
    if name not in LOG_MACHINE:
        raise Http404
    back = request.POST.get("next") or ""
    if back != reverse("worklog:team_logs"):
        back = reverse("worklog:log", args=[log.pk])
    context = log_context(request, log)
    try:
        return handle_transition(
            request, LOG_MACHINE, log, name, post_url=action_url(log, name), back_url=back,
            partial_template="duties/work/_action_form.html",
            full_template="worklog/logs/log.html", context=context,
        )  # fmt: skip
    except PermissionDenied:
        reason = (
            _("Only %(name)s can submit this log.") % {"name": log.person.name}
            if name == "submit"
            else _("This log is not yours to review.")
        )
        return render(request, "worklog/logs/log.html", {**context, "refused": reason}, status=403)


# --- the team's logs ---------------------------------------------------------------------------
@login_required
@require_safe
def team_logs_view(request: HttpRequest) -> HttpResponse:
    """The logs of a day of the people I follow: who has not written one yet, who awaits my
    review (accept straight from the list)."""
    me = person_of(request.user)
    today = logs.today()
    form = DayForm(request.GET)
    day = min(form.day_or(today), today)
    people = logs.team_people(me, request.user) if me is not None else []
    rows = logs.team_day(people, day)
    now = timezone.now()
    view_rows = []
    for r in rows:
        accept_form = None
        if r.log is not None and r.log.status == S.SUBMITTED:
            r.log.person = r.person
            if LOG_MACHINE.is_available(r.log, request.user, "accept"):
                accept_form = LOG_MACHINE.form_for("accept", r.log)
                accept_form.auto_id = f"id_accept_{r.log.pk}_%s"
        view_rows.append(
            {
                "row": r,
                "status_css": STATUS_CSS.get(r.log.status, "") if r.log else "",
                "url": reverse("worklog:log", args=[r.log.pk]) if r.log else "",
                "accept_form": accept_form,
                "accept_url": action_url(r.log, "accept") if accept_form and r.log else "",
            }
        )
    missing = sum(1 for r in rows if r.missing)
    waiting = sum(1 for r in rows if r.log is not None and r.log.status == S.SUBMITTED)
    return render(
        request,
        "worklog/logs/team.html",
        {
            "day": day,
            "today": today,
            "form": form,
            "rows": view_rows,
            "missing": missing,
            "waiting": waiting,
            "has_person": me is not None,
            "working": logs.schedule().is_working_day(day),
            "now": now,
            "prev_day": day - _ONE_DAY,
            "next_day": day + _ONE_DAY if day < today else None,
        },
    )


__all__ = [
    "entry_add_view", "entry_edit_view", "entry_remove_view", "log_action_view",
    "log_save_view", "log_today_view", "log_view", "redraft_view", "team_logs_view",
]  # fmt: skip
