"""The meeting's own pages (phone-first): the attendance panel of the meeting's page and the
attendance form (present / late / absent / excused for everyone at once). Everything else —
list, page, buttons (held, minutes, approve, action items, commendations), export, API — is
the generic stack of ``registry_meetings`` and ``machines_meetings``.

Thin: the form checks the input, ``services.meetings.mark_attendance`` checks who may and the
state, and saves all or nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.views.transitions import apply_errors, is_conflict
from netdept.worklog.forms_meetings import AttendanceForm
from netdept.worklog.models import Attendance, Meeting, MeetingAttendee
from netdept.worklog.services import meetings

#: the badge colour of each attendance
TONES = {
    Attendance.INVITED: "secondary",
    Attendance.PRESENT: "success",
    Attendance.LATE: "warning",
    Attendance.ABSENT: "danger",
    Attendance.EXCUSED: "info",
}


def may_see_attendance(user: Any, meeting: Meeting) -> bool:
    return permissions.has_perm(user, "worklog.view_meeting", meeting)


def _attendees(meeting: Meeting) -> list[MeetingAttendee]:
    return list(
        MeetingAttendee.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("person__name", "pk")
    )


def _may_mark(user: Any, meeting: Meeting) -> bool:
    return meeting.status in meetings.MARKABLE and meetings.may_run(user, meeting)


def attendance_panel(request: HttpRequest, meeting: Meeting) -> str:
    """The side panel of the meeting's page: who is invited and whether they came, with the
    count of each and the button to mark attendance (for who runs the meeting)."""
    rows = _attendees(meeting)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.attendance] = counts.get(r.attendance, 0) + 1
    summary = [
        (label, counts[value], TONES[Attendance(value)])
        for value, label in Attendance.choices
        if counts.get(value)
    ]
    return render_to_string(
        "worklog/meetings/_attendance_panel.html",
        {
            "rows": [(r, TONES[Attendance(r.attendance)]) for r in rows],
            "summary": summary,
            "meeting": meeting,
            "may_mark": _may_mark(request.user, meeting),
        },
        request=request,
    )


def _visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    qs = permissions.restrict(
        Meeting.objects.select_related("meeting_type", "chair"), request.user, "view"
    )
    meeting = qs.filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


@login_required
@require_http_methods(["GET", "POST"])
def attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """点名: mark everyone's attendance in one form (403, audited, for who does not run the
    meeting; the state is checked by the service)."""
    meeting = _visible_meeting(request, pk)
    if not meetings.may_run(request.user, meeting):
        audit.record(
            AuditAction.DENIED, meeting, actor=request.user,
            extra={"permission": "worklog.run_meeting"},
        )  # fmt: skip
        raise PermissionDenied("worklog.run_meeting")
    rows = _attendees(meeting)
    form = AttendanceForm(
        request.POST or None, attendees=rows, initial={"expected_version": meeting.version}
    )
    status = 200
    detail = reverse("worklog:meetings_detail", args=[meeting.pk])
    if request.method == "POST":
        if form.is_valid():
            try:
                meetings.mark_attendance(
                    request.user, meeting, form.marks(),
                    expected_version=form.cleaned_data.get("expected_version"),
                )  # fmt: skip
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 409 if is_conflict(exc) else 422
            else:
                messages.success(request, _("Attendance saved."))
                return HttpResponseRedirect(detail)
        else:
            status = 422
    closed = ""
    if meeting.status not in meetings.MARKABLE:
        closed = _("This meeting is %(status)s.") % {"status": meeting.get_status_display()}
    return render(
        request,
        "worklog/meetings/attendance.html",
        {"meeting": meeting, "form": form, "detail_url": detail, "closed": closed},
        status=status,
    )
