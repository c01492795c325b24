"""A pack's coverage page (every article: encoded by what, with links to the live rules, or
not automatable and why; missing ones in red) and the same as an Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netdept.core import audit, permissions
from netdept.core import services as core_services
from netdept.core.export import XLSX_TYPE, to_xlsx
from netdept.core.models.audit import AuditAction
from netdept.duties.models import Pack
from netdept.duties.packs.coverage import coverage, xlsx_rows


def _pack(request: HttpRequest, pk: int) -> Pack:
    core_services.require(request.user, "view", Pack)
    pack = permissions.restrict(Pack.objects.all(), request.user, "view").filter(pk=pk).first()
    if pack is None:
        raise Http404
    return pack


@login_required
@require_safe
def coverage_page(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    cov = coverage(pack)
    status = request.GET.get("status", "")
    rows = [r for r in cov.rows if not status or r.status == status]
    context: dict[str, Any] = {"pack": pack, "cov": cov, "rows": rows, "status": status}
    return render(request, "duties/packs/coverage.html", context)


@login_required
@require_safe
def coverage_export(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    cov = coverage(pack)
    headers, rows = xlsx_rows(cov)
    title = _("Coverage of %(pack)s") % {"pack": pack.title}
    body = to_xlsx(title, headers, rows)
    audit.record(
        AuditAction.EXPORT,
        pack,
        extra={"format": "xlsx", "what": "coverage", "rows": len(rows)},
    )
    resp = HttpResponse(body, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="pack-{pack.name}-coverage.xlsx"'
    return resp
