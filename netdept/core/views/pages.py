"""Home page and error pages (the search is in ``search.py``, the audit trail in ``audit.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netdept.core import permissions
from netdept.core.context_processors import in_navigation
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import PAGES

#: Alerts at the top of the home page, contributed by modules above core (the working calendar
#: warns about unknown public holidays): each takes the request and answers HTML, or "".
HomeAlert = Callable[[HttpRequest], str]
_home_alerts: list[HomeAlert] = []


def register_home_alert(alert: HomeAlert) -> None:
    if alert not in _home_alerts:
        _home_alerts.append(alert)


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
