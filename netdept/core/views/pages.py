"""Home page, global search, the auditors' audit list, and error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from netdept.core import audit, permissions, services
from netdept.core.context_processors import add_nav, in_navigation
from netdept.core.display import field_label
from netdept.core.export import response as export_response
from netdept.core.http import HtmxHttpRequest
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import PAGES

SEARCH_LIMIT = 10

#: Alerts at the top of the home page, contributed by modules above core (the working calendar
#: warns about unknown public holidays): each takes the request and answers HTML, or "".
HomeAlert = Callable[[HttpRequest], str]
_home_alerts: list[HomeAlert] = []


def register_home_alert(alert: HomeAlert) -> None:
    if alert not in _home_alerts:
        _home_alerts.append(alert)


add_nav(
    "system",
    gettext_lazy("Audit trail"),
    "audit_list",
    "core.view_auditrecord",
    "bi-journal-check",
    60,
)


@require_safe  # a page that only reads: PUT, DELETE, PATCH, TRACE… get 405
@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    roles = list(user.role_assignments.select_related("role").values_list("role__name", flat=True))
    cards = []
    held = permissions.user_perms(user)
    for page in PAGES.values():
        if in_navigation(page, user, held):  # configuration only for those who set it
            count = permissions.restrict(page.model._default_manager.all(), user, "view").count()
            cards.append(
                {
                    "label": page.verbose_name_plural,
                    "count": count,
                    "url": reverse(page.url_name("list")),
                    "icon": page.icon,
                }
            )
    recent = []
    if permissions.has_perm(user, "core.view_history"):
        recent = list(
            AuditRecord.objects.filter(actor=user).exclude(
                action__in=[AuditAction.LOGIN, AuditAction.LOGOUT]
            )[:8]
        )
    alerts = [html for html in (alert(request) for alert in _home_alerts) if html]
    return render(
        request,
        "core/home.html",
        {
            "person": person,
            "roles": roles,
            "cards": cards,
            "recent": recent,
            "alerts": alerts,
        },
    )


@require_safe
@login_required
def search_view(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    groups = []
    if q:
        for page in PAGES.values():
            if not page.ui or not page.search:
                continue
            if not permissions.has_perm(request.user, permissions.perm_name(page.model, "view")):
                continue
            cond = Q()
            for f in page.search:
                cond |= Q(**{f"{f}__icontains": q})
            qs = permissions.restrict(page.queryset(), request.user, "view").filter(cond)
            hits = list(qs[:SEARCH_LIMIT])
            if hits:
                groups.append(
                    {
                        "page": page,
                        "hits": [
                            (str(o), reverse(page.url_name("detail"), args=[o.pk])) for o in hits
                        ],
                        "more": reverse(page.url_name("list")) + "?q=" + q,
                    }
                )
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, {"q": q, "groups": groups})


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


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"code": 403, "message": _("You do not have permission to do this.")},
        status=403,
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"code": 404, "message": _("The page you asked for does not exist.")},
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"code": 500, "message": _("Something went wrong on our side. It has been logged.")},
        status=500,
    )
