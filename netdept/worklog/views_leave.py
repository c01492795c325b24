"""请假 (``worklog:leave_request``), phone first: the form to ask for leave (a lead may record
a request taken in person or by phone for a person they lead) and, below it, the person's own
leave of the year with the working days taken. The list, detail, buttons (approve with the
channel, reject, cancel) and API are the generic pages of ``registry_leave``.

Thin: the form checks the input, ``services.leave`` makes the change (and checks who may)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.views.transitions import apply_errors
from netdept.worklog.forms_leave import LeaveRequestForm
from netdept.worklog.models.leave import Channel, LeaveRequest, LeaveStatus
from netdept.worklog.services import leave as svc


@login_required
@require_http_methods(["GET", "POST"])
def leave_request_view(request: HttpRequest) -> HttpResponse:
    me = svc.person_of(request.user)
    if me is None or not permissions.has_perm(request.user, "worklog.add_leaverequest"):
        audit.record(AuditAction.DENIED, None, actor=request.user,
                     extra={"permission": "worklog.ask_leave"},
                     object_type_label="worklog.leaverequest")  # fmt: skip
        raise PermissionDenied(_("Only a person of the department may ask for leave."))
    form = LeaveRequestForm(request.POST or None, me=me)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            person = data.get("person") or me
            try:
                leave = svc.submit_leave(
                    by=me,
                    person=person,
                    leave_type=data["leave_type"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    reason=data["reason"],
                    delegate=data.get("delegate"),
                    channel=data.get("channel") or Channel.SYSTEM,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Your request for %(days)s working days was sent for approval.")
                    % {"days": f"{leave.working_days:g}"},
                )
                return HttpResponseRedirect(reverse("worklog:leave_detail", args=[leave.pk]))
        status = 422
    year = timezone.localdate().year
    mine = list(
        LeaveRequest.objects.filter(person=me, starts_at__year__gte=year - 1)
        .select_related("leave_type")
        .order_by("-starts_at")[:20]
    )
    taken = svc.leave_days(me, dt.date(year, 1, 1), dt.date(year, 12, 31))
    pending = sum((lv.working_days for lv in mine if lv.status == LeaveStatus.PENDING), Decimal(0))
    context = {"form": form, "mine": mine, "taken": taken, "pending": pending, "year": year}
    return render(request, "worklog/leave/request.html", context, status=status)
