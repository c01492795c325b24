"""Channel pages beyond the generated ones: add / edit (the address and secret are write-only
inputs the generic views would drop) and the test button with its status box.

The add and edit views are mounted in ``netdept.core.urls`` at the same paths as the generated
``notificationchannel_add`` / ``_edit`` pages; the core URLs come first, so these answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netdept.core import permissions, services
from netdept.core.http import HtmxHttpRequest
from netdept.core.registry import Page, page_for
from netdept.core.views import crud
from netdept.notify import channel_services
from netdept.notify.channel_forms import FORMAT_CHOICES, SECURITY_CHOICES
from netdept.notify.models import Delivery, DeliveryStatus, NotificationChannel

POLL_SECONDS = 30


def _page() -> Page:
    page = page_for(NotificationChannel)
    assert page is not None
    return page


@login_required
@require_http_methods(["GET", "POST"])
def channel_create_view(request: HtmxHttpRequest) -> HttpResponse:
    page = _page()
    services.require(request.user, "add", NotificationChannel)
    form = crud.make_form(page, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assert page.service is not None
            obj = page.service.create(request.user, form.service_data())  # type: ignore[attr-defined]
        except ValidationError as exc:
            crud.apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": obj})
            return crud._redirect(request, reverse(page.url_name("detail"), args=[obj.pk]))
    return _render_form(request, page, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    page = _page()
    obj = crud.get_visible(page, request, pk)
    services.require(request.user, "change", obj)
    form = crud.make_form(page, request.user, request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            assert page.service is not None
            fresh = NotificationChannel.objects.get(pk=obj.pk)
            obj = page.service.update(request.user, fresh, form.service_data())  # type: ignore[attr-defined]
        except ValidationError as exc:
            crud.apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": obj})
            return crud._redirect(request, reverse(page.url_name("detail"), args=[obj.pk]))
    return _render_form(request, page, form, obj)


def _render_form(request: HtmxHttpRequest, page: Page, form: Any, obj: Any) -> HttpResponse:
    """As the generic form view, in a page that shows only the chosen kind's settings."""
    ctx = {
        "page": page,
        "form": form,
        "obj": obj,
        "urls": crud.page_urls(page),
        "action": request.get_full_path(),
    }
    status = 422 if form.is_bound and form.errors else 200
    if request.htmx:
        return render(request, "core/_form.html", ctx, status=200)
    return render(request, "notify/channels/form.html", ctx, status=status)


@login_required
@require_POST
def channel_test_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Queue a test message; HTMX gets the status box, a plain POST the detail page."""
    channel = crud.get_visible(_page(), request, pk)
    try:
        delivery = channel_services.send_test(request.user, channel)
    except ValidationError as exc:
        if request.htmx:
            return render(
                request,
                "notify/channels/_test_status.html",
                {"channel": channel, "refused": " ".join(exc.messages)},
            )
        for msg in exc.messages:
            messages.error(request, msg)
        return HttpResponseRedirect(reverse("notify:notificationchannel_detail", args=[pk]))
    if request.htmx:
        return _status(request, channel, delivery)
    url = reverse("notify:notificationchannel_detail", args=[pk]) + f"?test={delivery.pk}"
    return HttpResponseRedirect(url)


@login_required
@require_GET
def channel_test_status_view(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    channel = crud.get_visible(_page(), request, pk)
    services.require(request.user, "change", channel)
    delivery = get_object_or_404(Delivery, pk=delivery_pk, channel=channel)
    return _status(request, channel, delivery)


def test_context(channel: NotificationChannel, delivery: Delivery) -> dict[str, Any]:
    final = delivery.status in channel_services.FINAL
    if final:
        channel_services.note_test_result(delivery)
    waited = (timezone.now() - delivery.created_at).total_seconds()
    return {
        "channel": channel,
        "delivery": delivery,
        "final": final,
        "ok": delivery.status == DeliveryStatus.SENT,
        "gave_up": not final and waited > POLL_SECONDS,
        "status_url": reverse(
            "notify:notificationchannel_test_status", args=[channel.pk, delivery.pk]
        ),
    }


def _status(request: HttpRequest, channel: NotificationChannel, delivery: Delivery) -> HttpResponse:
    return render(request, "notify/channels/_test_status.html", test_context(channel, delivery))


def channel_detail_extra(request: HttpRequest, obj: NotificationChannel) -> dict[str, Any]:
    """Extra context of the channel detail page (the Page's ``extra_detail``)."""
    channel_services.sync_last_test(obj)
    ctx: dict[str, Any] = {
        "detail_template": "notify/channels/detail.html",
        "can_test": permissions.has_perm(
            request.user, permissions.perm_name(NotificationChannel, "change"), obj
        ),
        "test_url": reverse("notify:notificationchannel_test", args=[obj.pk]),
        "settings_rows": settings_rows(obj),
    }
    test_id = request.GET.get("test", "")
    if test_id.isdigit() and ctx["can_test"]:
        delivery = Delivery.objects.filter(pk=int(test_id), channel=obj).first()
        if delivery is not None:
            ctx["test"] = test_context(obj, delivery)
    return ctx


def settings_rows(obj: NotificationChannel) -> list[tuple[str, str]]:
    """What the detail page shows of the settings: never the address or the secret."""
    config = obj.config or {}
    is_set, not_set = _("set"), _("not set")
    rows: list[tuple[str, str]] = []
    if obj.kind == "email":
        security = dict(SECURITY_CHOICES).get(config.get("security", ""), config.get("security"))
        rows += [
            (_("SMTP server"), f"{config.get('host', '')}:{config.get('port', '')}"),
            (_("SMTP security"), str(security or "—")),
            (_("SMTP user name"), str(config.get("username") or "—")),
            (_("sender address"), str(config.get("from_address") or "—")),
            (_("SMTP password"), is_set if obj.secret_encrypted else not_set),
        ]
    else:
        rows += [
            (_("address (URL)"), is_set if obj.url_encrypted else not_set),
            (_("secret"), is_set if obj.secret_encrypted else not_set),
        ]
        if obj.kind != "webhook":
            fmt = config.get("format", "")
            rows.append((_("message format"), str(dict(FORMAT_CHOICES).get(fmt, fmt))))
    if config.get("language"):
        rows.append((_("language of group messages"), str(config["language"])))
    return rows


# Same paths as the generated add / edit pages: these come first in the "core" namespace.
urlpatterns = [
    path("notificationchannel/add/", channel_create_view, name="notificationchannel_add_write"),
    path(
        "notificationchannel/<int:pk>/edit/",
        channel_edit_view,
        name="notificationchannel_edit_write",
    ),
    path(
        "notificationchannel/<int:pk>/test/",
        channel_test_view,
        name="notificationchannel_test",
    ),
    path(
        "notificationchannel/<int:pk>/test/<int:delivery_pk>/",
        channel_test_status_view,
        name="notificationchannel_test_status",
    ),
]
