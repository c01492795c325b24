"""考勤导入: upload the clock system's file (``worklog:attendance_upload``), see what it holds
and what each day becomes (``worklog:attendance_preview``: every bad row named, nothing
written), then import it all or nothing. The imports and records themselves are the generic
pages of ``registry_attendance``.

Thin: the form checks the input, ``services.attendance`` reads, judges and writes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.views.transitions import apply_errors
from netdept.worklog.forms_leave import AttendanceUploadForm
from netdept.worklog.models.leave import AttendanceImport, AttendanceStatus, ImportStatus
from netdept.worklog.services import attendance as svc


def _require(request: HttpRequest) -> None:
    scope = permissions.scope_of(request.user, svc.WRITE)
    if scope is None or scope == permissions.OWN:
        audit.record(AuditAction.DENIED, None, actor=request.user,
                     extra={"permission": svc.WRITE},
                     object_type_label="worklog.attendanceimport")  # fmt: skip
        raise PermissionDenied(svc.WRITE)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_upload_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = AttendanceUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                imp, _lines = svc.preview_import(
                    request.user,
                    upload=upload,
                    file_name=upload.name,
                    source=data["source"],
                    department=data["department"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(reverse("worklog:attendance_preview", args=[imp.pk]))
        status = 422
    return render(request, "worklog/attendance/upload.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    imp = (
        permissions.restrict(AttendanceImport.objects.all(), request.user, "view")
        .select_related("department", "imported_by")
        .filter(pk=pk)
        .first()
    )
    if imp is None:
        raise Http404
    status = 200
    if request.method == "POST" and imp.status == ImportStatus.PREVIEWED:
        try:
            imp = svc.confirm_import(request.user, imp)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 422
        except PermissionDenied:
            raise
        else:
            if imp.status == ImportStatus.IMPORTED:
                messages.success(request, _("%(rows)s days were imported.") % {"rows": imp.rows})
                return HttpResponseRedirect(
                    reverse("worklog:attendance-imports_detail", args=[imp.pk])
                )
            messages.error(request, _("The file no longer checks out: nothing was imported."))
            status = 422
    lines: list[svc.Line] = []
    errors: list[dict[str, Any]] = list(imp.errors or [])
    if imp.status == ImportStatus.PREVIEWED:
        lines, errors = svc.preview_lines(request.user, imp)
    counts = [
        (AttendanceStatus(s).label, n)
        for s, n in Counter(ln.verdict.status for ln in lines).most_common()
    ]
    context = {
        "imp": imp,
        "lines": lines[:500],
        "more": max(0, len(lines) - 500),
        "errors": errors,
        "counts": counts,
        "penalised": sum(1 for ln in lines if ln.verdict.penalty_rule_id),
        "can_import": imp.status == ImportStatus.PREVIEWED and not errors,
    }
    return render(request, "worklog/attendance/preview.html", context, status=status)
