"""The inbox, the header bell, a user's notification settings and the delivery log's actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netdept.core import permissions
from netdept.core import services as core_services
from netdept.core.context_processors import add_nav
from netdept.notify import services
from netdept.notify.models import Delivery, InboxMessage, QuietHours

INBOX_PAGE_SIZE = 20

add_nav(
    "system",
    gettext_lazy("Failed deliveries"),
    "notify:notifications_failed",
    "notify.view_delivery",
    "bi-exclamation-octagon",
    75,
)


@login_required
@require_GET
def bell_view(request: HttpRequest) -> HttpResponse:
    """The header bell with the unread count (polled every 10 s; the poll does not count as
    activity for the idle timeout)."""
    return render(
        request,
        "notify/_bell.html",
        {"unread": services.unread_count(request.user), "polled": True},
    )


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "all")
    if state not in ("all", "unread", "read"):
        state = "all"
    user: Any = request.user
    qs = InboxMessage.objects.filter(user=user)
    if state == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif state == "read":
        qs = qs.filter(read_at__isnull=False)
    paginator = Paginator(qs.order_by("-created_at", "-id"), INBOX_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {
            "page_obj": page_obj,
            "state": state,
            "unread": services.unread_count(request.user),
            "states": [("all", _("All")), ("unread", _("Unread")), ("read", _("Read"))],
        },
    )


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notify:notifications_inbox")


@login_required
@require_GET
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a message: mark it read, then follow its link (or go back to the inbox)."""
    msg = get_object_or_404(InboxMessage, pk=pk, user=request.user)
    services.mark_read(request.user, [msg.pk])
    link = msg.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(link)
    return redirect(reverse("notify:notifications_inbox") + f"?state=all#msg-{msg.pk}")


@login_required
@require_POST
def mark_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    msg = get_object_or_404(InboxMessage, pk=pk, user=request.user)
    services.mark_read(request.user, [msg.pk])
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("%(count)d message(s) marked as read.") % {"count": count})
    return HttpResponseRedirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        rows = services.preference_rows(user)
        choices = {}
        for row in rows:
            code = row["kind"].code
            if row["inbox_only"]:
                continue
            ids = [int(v) for v in request.POST.getlist(f"ch:{code}") if v.isdigit()]
            choices[code] = (f"inbox:{code}" in request.POST, ids)
        quiet = {
            "enabled": request.POST.get("quiet_enabled") == "on",
            "start": request.POST.get("quiet_start", ""),
            "end": request.POST.get("quiet_end", ""),
        }
        try:
            services.save_preferences(user, user, choices, quiet)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notify:notifications_preferences")
    quiet_hours = QuietHours.objects.filter(user=user).first() or QuietHours(user=user)
    return render(
        request,
        "notify/preferences.html",
        {
            "rows": services.preference_rows(user),
            "channels": services.selectable_channels(),
            "quiet": quiet_hours,
            "quiet_start": request.POST.get("quiet_start") or _hhmm(quiet_hours.start),
            "quiet_end": request.POST.get("quiet_end") or _hhmm(quiet_hours.end),
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def _hhmm(value: Any) -> str:
    return value.strftime("%H:%M") if hasattr(value, "strftime") else str(value)[:5]


@login_required
@require_GET
def failed_view(request: HttpRequest) -> HttpResponse:
    """The delivery log filtered to what failed for good."""
    return redirect(reverse("notify:delivery_list") + "?status=failed")


@login_required
@require_POST
def retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    core_services.require(request.user, "view", Delivery)
    delivery = get_object_or_404(
        permissions.restrict(Delivery.objects.all(), request.user, "view"), pk=pk
    )
    try:
        ids = services.retry_deliveries(request.user, [delivery])
    except PermissionDenied:
        raise
    if ids:
        messages.success(request, _("The delivery was queued again."))
    else:
        messages.warning(request, _("Only failed deliveries can be retried."))
    return redirect("notify:delivery_detail", pk=delivery.pk)
