"""Home page and error pages (the search is in ``search.py``, the audit trail in ``audit.py``;
the home page's widgets are registered in ``netdept.core.home``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netdept.core import home

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
    """The reader's own page: a greeting, the alerts that concern them and the home widgets
    the apps registered for them (``netdept.core.home``)."""
    user: Any = request.user
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    roles = list(user.role_assignments.values_list("role__name", flat=True).order_by("role__name"))
    alerts = [html for html in (alert(request) for alert in _home_alerts) if html]
    return render(
        request,
        "core/home.html",
        {
            "person": person,
            "roles": roles,
            "alerts": alerts,
            "widgets": home.render_widgets(request),
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
