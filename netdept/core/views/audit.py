"""The auditors' audit trail: list, filters, exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from netdept.core import audit, permissions, services
from netdept.core.context_processors import add_nav
from netdept.core.display import field_label
from netdept.core.export import response as export_response
from netdept.core.models.audit import AuditAction, AuditRecord

add_nav(
    "system",
    gettext_lazy("Audit trail"),
    "audit_list",
    "core.view_auditrecord",
    "bi-journal-check",
    60,
)


class IPAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class AuditFilterSet(django_filters.FilterSet):
    ts__gte = django_filters.DateTimeFilter(
        field_name="ts", lookup_expr="gte", label=gettext_lazy("from")
    )
    ts__lte = django_filters.DateTimeFilter(
        field_name="ts", lookup_expr="lte", label=gettext_lazy("to")
    )
    actor_name = django_filters.CharFilter(
        lookup_expr="icontains", label=gettext_lazy("actor name")
    )
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("object"))
    # Checked as an address first: the database refuses to compare an address with "999.1.1.1".
    ip = IPAddressFilter()

    class Meta:
        model = AuditRecord
        fields = ["action", "object_type", "ip"]


AUDIT_COLUMNS = [
    "seq",
    "ts",
    "actor_name",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
]


@require_safe
@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    services.require(request.user, "view", AuditRecord)
    qs = permissions.restrict(AuditRecord.objects.all(), request.user, "view")
    fs = AuditFilterSet(request.GET or None, queryset=qs)
    invalid = fs.is_bound and not fs.is_valid()  # the form shows which filter is wrong
    records = qs if invalid or not fs.is_bound else fs.qs
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv") and not invalid:
        services.require(request.user, "export", AuditRecord)
        rows = list(records[:100_000].values_list(*AUDIT_COLUMNS))
        audit.record(
            AuditAction.EXPORT,
            None,
            object_type_label="core.auditrecord",
            object_repr=str(AuditRecord._meta.verbose_name_plural),
            extra={"format": fmt, "rows": len(rows)},
        )
        headers = [field_label(AuditRecord, c) for c in AUDIT_COLUMNS]
        out = (
            [*r[:1], timezone.localtime(r[1]).replace(tzinfo=None), *r[2:8], str(r[8])]
            for r in rows
        )
        return export_response(
            f"audit-{timezone.localtime():%Y%m%d-%H%M}", fmt, _("audit trail"), headers, out
        )
    page_obj = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_export = permissions.has_perm(request.user, "core.export_auditrecord")
    return render(
        request,
        "core/audit_list.html",
        {
            "filterset": fs,
            "page_obj": page_obj,
            "query": query.urlencode(),
            "can_export": can_export,
        },
        status=400 if invalid else 200,
    )
