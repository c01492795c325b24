"""Generic list / detail / create / edit / delete / export / history views for a ``Page``.

Thin by design: they parse input, ask the permission engine, call the model's service and
render. HTMX requests get partials (the table, the form with its errors) instead of full pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import audit, permissions, services
from netdept.core.display import display, field_label, is_sortable, raw_value
from netdept.core.export import response as export_response
from netdept.core.history import entries as history_entries
from netdept.core.http import HtmxHttpRequest
from netdept.core.models.audit import AuditAction
from netdept.core.registry import Page

EXPORT_LIMIT = 100_000


# --- helpers ---------------------------------------------------------------------------------
def form_class_for(page: Page) -> type[forms.ModelForm]:
    if page.form_class is not None:
        return page.form_class
    return forms.modelform_factory(page.model, fields=page.fields)


def make_form(page: Page, user: Any, *args: Any, **kwargs: Any) -> forms.ModelForm:
    form = form_class_for(page)(*args, **kwargs)
    from netdept.core.registry import page_for

    instance = getattr(form, "instance", None)
    for name, f in form.fields.items():
        if (
            isinstance(f, forms.ModelChoiceField)
            and f.queryset is not None
            and page_for(f.queryset.model) is not None
        ):
            visible = permissions.restrict(f.queryset, user, "view")
            # Keep the value the object has now, even when the editor may not see it: saving
            # a form must never drop a link the editor could not choose (nor see).
            current = _current_pks(instance, name)
            if current:
                visible = visible | f.queryset.filter(pk__in=current)
            f.queryset = visible.distinct() if current else visible
    return form


def _current_pks(instance: Any, name: str) -> list[Any]:
    if instance is None or instance.pk is None:
        return []
    try:
        field = instance._meta.get_field(name)
    except Exception:
        return []
    if field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    value = getattr(instance, getattr(field, "attname", name), None)
    return [value] if value is not None else []


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc)


def visible(page: Page, request: HttpRequest) -> models.QuerySet[Any]:
    services.require(request.user, "view", page.model)
    return permissions.restrict(page.queryset(), request.user, "view")


def get_visible(page: Page, request: HttpRequest, pk: Any) -> Any:
    try:
        return get_object_or_404(visible(page, request), pk=pk)
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc


def chosen_columns(page: Page, request: HttpRequest) -> list[str]:
    key = f"cols:{page.label}"
    requested = request.GET.getlist("cols")
    if requested:
        cols = [c for c in requested if c in page.columns]
        if cols:
            request.session[key] = cols
            return cols
    saved = request.session.get(key)
    if saved:
        return [c for c in saved if c in page.columns] or list(page.default_columns or [])
    return list(page.default_columns or [])


def filtered(page: Page, request: HttpRequest) -> tuple[Any, models.QuerySet[Any], str]:
    qs = visible(page, request)
    fs = page.filterset_class(request.GET or None, queryset=qs, request=request)  # type: ignore[misc]
    result = fs.qs if fs.is_bound and fs.is_valid() else qs
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in page.columns and is_sortable(page.model, sort.lstrip("-")):
        result = result.order_by(sort, "pk")
    else:
        sort = ""
    return fs, result, sort


def page_urls(page: Page) -> dict[str, str]:
    return {v: page.url_name(v) for v in ("list", "add", "export")}


# --- views -----------------------------------------------------------------------------------
@require_safe
def list_view(request: HtmxHttpRequest, page: Page) -> HttpResponse:
    fs, qs, sort = filtered(page, request)
    cols = chosen_columns(page, request)
    paginator = Paginator(
        qs,
        request.GET.get("per_page", 25)
        if str(request.GET.get("per_page", "")).isascii()  # "²" is a digit, not a number
        and str(request.GET.get("per_page", "")).isdigit()
        and 0 < int(request.GET["per_page"]) <= 200
        else 25,
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [(obj, [display(obj, c) for c in cols]) for obj in page_obj.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    ctx = {
        "page": page,
        "filterset": fs,
        "columns": [(c, field_label(page.model, c), is_sortable(page.model, c)) for c in cols],
        "all_columns": [(c, field_label(page.model, c), c in cols) for c in page.columns],
        "rows": rows,
        "page_obj": page_obj,
        "sort": sort,
        "query": query.urlencode(),
        "can_add": page.can_add
        and permissions.has_perm(request.user, permissions.perm_name(page.model, "add")),
        "urls": page_urls(page),
        "detail_url": page.url_name("detail"),
    }
    template = (
        "core/_list_table.html" if request.htmx and not request.htmx.boosted else "core/list.html"
    )
    if request.htmx and request.htmx.target != "list-table":
        template = "core/list.html"
    return render(request, template, ctx)


@require_safe
def detail_view(request: HttpRequest, page: Page, pk: Any) -> HttpResponse:
    obj = get_visible(page, request, pk)
    fields = [(field_label(page.model, f), display(obj, f)) for f in (page.detail_fields or [])]
    user = request.user
    ctx = {
        "page": page,
        "obj": obj,
        "fields": fields,
        "can_change": page.can_change
        and permissions.has_perm(user, permissions.perm_name(page.model, "change"), obj),
        "can_delete": page.can_delete
        and permissions.has_perm(user, permissions.perm_name(page.model, "delete"), obj),
        "can_history": permissions.has_perm(user, "core.view_history"),
        "urls": page_urls(page),
        "edit_url": reverse(page.url_name("edit"), args=[obj.pk]),
        "delete_url": reverse(page.url_name("delete"), args=[obj.pk]),
        "history_url": reverse(page.url_name("history"), args=[obj.pk]),
    }
    if page.extra_detail:
        ctx.update(page.extra_detail(request, obj))
    return render(request, ctx.get("detail_template", "core/detail.html"), ctx)


@require_safe
def history_view(request: HtmxHttpRequest, page: Page, pk: Any) -> HttpResponse:
    obj = get_visible(page, request, pk)
    if not permissions.has_perm(request.user, "core.view_history"):
        audit.record(
            AuditAction.DENIED, obj, actor=request.user, extra={"permission": "core.view_history"}
        )
        raise PermissionDenied("core.view_history")
    records = audit.history(obj).select_related("actor", "actor__person")[:200]
    entries = history_entries(page.model, records)
    template = "core/_history.html" if request.htmx else "core/history.html"
    return render(request, template, {"page": page, "obj": obj, "entries": entries})


@require_http_methods(["GET", "POST"])
def create_view(request: HtmxHttpRequest, page: Page) -> HttpResponse:
    if not page.can_add:
        raise Http404
    services.require(request.user, "add", page.model)
    form = make_form(page, request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            assert page.service is not None
            obj = page.service.create(request.user, _form_data(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": obj})
            return _redirect(request, reverse(page.url_name("detail"), args=[obj.pk]))
    return _render_form(request, page, form, None)


@require_http_methods(["GET", "POST"])
def edit_view(request: HtmxHttpRequest, page: Page, pk: Any) -> HttpResponse:
    if not page.can_change:
        raise Http404
    obj = get_visible(page, request, pk)
    services.require(request.user, "change", obj)
    form = make_form(page, request.user, request.POST or None, request.FILES or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            assert page.service is not None
            fresh = page.model._default_manager.get(pk=obj.pk)
            obj = page.service.update(request.user, fresh, _form_data(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": obj})
            return _redirect(request, reverse(page.url_name("detail"), args=[obj.pk]))
    return _render_form(request, page, form, obj)


@require_http_methods(["GET", "POST"])
def delete_view(request: HtmxHttpRequest, page: Page, pk: Any) -> HttpResponse:
    if not page.can_delete:
        raise Http404
    obj = get_visible(page, request, pk)
    services.require(request.user, "delete", obj)
    if request.method == "POST":
        try:
            assert page.service is not None
            page.service.delete(request.user, obj)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return _redirect(request, reverse(page.url_name("detail"), args=[obj.pk]))
        messages.success(request, _("%(name)s was deleted.") % {"name": obj})
        return _redirect(request, reverse(page.url_name("list")))
    return render(request, "core/confirm_delete.html", {"page": page, "obj": obj})


@require_safe
def export_view(request: HttpRequest, page: Page) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _fs, qs, _sort = filtered(page, request)
    cols = chosen_columns(page, request)
    objs = list(qs[:EXPORT_LIMIT])
    headers = [field_label(page.model, c) for c in cols]
    rows = ([raw_value(o, c) for c in cols] for o in objs)
    # what was asked, as text a database accepts (PostgreSQL refuses NUL) and of sane length
    params = {
        k.replace("\x00", "")[:50]: v.replace("\x00", "")[:200]
        for k, v in list(request.GET.items())[:30]
        if k != "format" and isinstance(v, str)  # always a str: the last value of the key
    }
    audit.record(
        AuditAction.EXPORT,
        None,
        object_type_label=page.label,
        object_repr=str(page.verbose_name_plural),
        extra={"format": fmt, "rows": len(objs), "filters": params},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        f"{page.slug}-{stamp}", fmt, f"{page.verbose_name_plural}-{stamp}", headers, rows
    )


def _form_data(form: forms.ModelForm) -> dict[str, Any]:
    names = [n for n in form.fields if n in form.cleaned_data]
    model_fields = {f.name for f in form._meta.model._meta.get_fields()}
    return {n: form.cleaned_data[n] for n in names if n in model_fields}


def _render_form(
    request: HtmxHttpRequest, page: Page, form: forms.ModelForm, obj: Any
) -> HttpResponse:
    ctx = {
        "page": page,
        "form": form,
        "obj": obj,
        "urls": page_urls(page),
        "action": request.get_full_path(),
    }
    status = 422 if form.is_bound and form.errors else 200
    template = "core/_form.html" if request.htmx else "core/form.html"
    if status == 422 and request.htmx:
        status = 200  # HTMX swaps only 2xx answers by default
    return render(request, template, ctx, status=status)


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = url
        return resp
    return HttpResponseRedirect(url)


def urls_for(page: Page) -> list[URLPattern]:
    def bind(view: Any) -> Any:
        def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            return view(request, page, **kwargs)

        return login_required(wrapped)

    s = page.slug
    return [
        path(f"{s}/", bind(list_view), name=f"{s}_list"),
        path(f"{s}/add/", bind(create_view), name=f"{s}_add"),
        path(f"{s}/export/", bind(export_view), name=f"{s}_export"),
        path(f"{s}/<int:pk>/", bind(detail_view), name=f"{s}_detail"),
        path(f"{s}/<int:pk>/edit/", bind(edit_view), name=f"{s}_edit"),
        path(f"{s}/<int:pk>/delete/", bind(delete_view), name=f"{s}_delete"),
        path(f"{s}/<int:pk>/history/", bind(history_view), name=f"{s}_history"),
    ]


__all__ = ["PermissionDenied", "urls_for"]
