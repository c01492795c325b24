"""The pages of a state machine's transitions (``netdept.core.machines``): for a Page with
``machine=...``, ``<slug>/<pk>/do/<name>/`` shows the transition's form on GET (its fields,
or only a confirmation) and runs it on POST.

One code path for every model: ``handle_transition`` does the work (permission → form →
handler → answer); the generic view of a Page and the work order's page both call it. Field
errors land on the form in the user's language (422, nothing saved); a refused permission is
403 (audited by the machine); a lost race is 409 with the message of the conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from netdept.core import permissions, services
from netdept.core.machines import BoundTransition, Machine, message

PARTIAL = "core/_transition_form.html"
FULL = "core/transition.html"


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A handler's refusal, under the field it names (else above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc)


def is_conflict(exc: ValidationError) -> bool:
    """A lost race (someone changed the object in the meantime), not bad input."""
    return getattr(exc, "code", None) == "conflict"


def done_response(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", None):
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = url
        return resp
    return HttpResponseRedirect(url)


def handle_transition(
    request: HttpRequest,
    machine: Machine,
    obj: Any,
    name: str,
    *,
    post_url: str,
    back_url: str,
    partial_template: str = PARTIAL,
    full_template: str = FULL,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the transition's form; POST: run it. ``Http404`` for a name the machine does not
    have; ``PermissionDenied`` (audited) when the user may not take it."""
    if name not in machine:
        raise Http404
    conflict = ""
    try:
        t = machine.require(name, request.user, obj)
    except ValidationError as exc:  # not from this state: said above the form, never a 500
        t = machine[name]
        form = machine.form_for(name, obj)
        conflict = " ".join(exc.messages)
    if conflict:
        pass
    elif request.method == "POST":
        form = machine.form_for(name, obj, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                machine.execute(name, request.user, obj, form.cleaned_data)
            except ValidationError as exc:
                if is_conflict(exc):
                    conflict = " ".join(exc.messages)
                else:
                    apply_errors(form, exc)
            else:
                messages.success(request, message(t.done, obj))
                return done_response(request, back_url)
    else:
        form = machine.form_for(name, obj)
    htmx = getattr(request, "htmx", None)
    status = 200
    if request.method == "POST" and not htmx:
        status = 409 if conflict else 422
    ctx = {
        "obj": obj,
        "transition": t,
        "form": form,
        "conflict": conflict,
        "confirm_text": message(t.confirm, obj) if t.confirm else "",
        "wide": {n for n, f in form.fields.items() if isinstance(f.widget, forms.Textarea)},
        "post_url": post_url,
        "back_url": back_url,
        "partial_template": partial_template,
        **(context or {}),
    }
    return render(request, partial_template if htmx else full_template, ctx, status=status)


# --- the generic views of a Page ---------------------------------------------------------------
def transition_url_name(page: Any) -> str:
    return str(page.url_name("transition"))


def transition_url(page: Any, obj: Any, name: str) -> str:
    """The URL of the form of transition ``name`` of ``obj`` on ``page``."""
    return reverse(transition_url_name(page), args=[obj.pk, name])


def url_maker(page: Any) -> Callable[[Any, str], str]:
    """``url(obj, name)``: the URL of a transition's form on ``page``."""
    url_name = transition_url_name(page)
    return lambda obj, name: reverse(url_name, args=[obj.pk, name])


def available(page: Any, obj: Any, user: Any) -> list[BoundTransition]:
    """The buttons of ``obj``'s detail page (G's detail view puts these in the context as
    ``transitions`` and includes ``core/_transitions.html``)."""
    machine: Machine | None = getattr(page, "machine", None)
    if machine is None:
        return []
    return machine.available(obj, user, url_maker(page))


@require_http_methods(["GET", "POST"])
def transition_view(request: HttpRequest, page: Any, pk: int, name: str) -> HttpResponse:
    machine: Machine | None = getattr(page, "machine", None)
    if machine is None or name not in machine:
        raise Http404
    services.require(request.user, "view", page.model)
    qs = permissions.restrict(page.queryset(), request.user, "view")
    obj = get_object_or_404(qs, pk=pk)
    return handle_transition(
        request,
        machine,
        obj,
        name,
        post_url=reverse(transition_url_name(page), args=[obj.pk, name]),
        back_url=reverse(page.url_name("detail"), args=[obj.pk]),
    )


def transition_urls(page: Any) -> list[URLPattern]:
    """``<slug>/<pk>/do/<name>/`` (URL name ``<app>:<slug>_transition``) for a Page with a
    machine; nothing for the others."""
    if getattr(page, "machine", None) is None:
        return []

    def view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
        return transition_view(request, page, pk, name)

    return [
        path(
            f"{page.slug}/<int:pk>/do/<str:name>/",
            login_required(view),
            name=f"{page.slug}_transition",
        )
    ]


__all__ = [
    "apply_errors",
    "available",
    "done_response",
    "handle_transition",
    "is_conflict",
    "transition_url",
    "transition_url_name",
    "transition_urls",
    "transition_view",
    "url_maker",
]
