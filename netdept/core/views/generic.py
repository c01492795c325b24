"""Class-based generic views of a ``Page``: list, detail (with tabs), create/edit, delete,
export, history and a detail tab; bulk edit and bulk delete live in ``generic_bulk``.

Thin by design: they parse input, ask the permission engine, call the model's service and
render. HTMX requests get partials (the table, the form with its errors, a tab) instead of full
pages. A module with special needs subclasses a view and overrides its named hooks, then names
the class on its page (``Page(list_view_class=MyListView)``) or routes it itself
(``MyListView.as_view(page=page)``):

    get_queryset()            the rows the user may see (view permission, scope)
    filter_queryset(qs)       the page's filter set on the query string (``self.filterset``)
    sort_queryset(qs)         ``?sort=`` on a sortable column, ending with the pk
    get_columns()             the column names shown (the user's choice, remembered)
    get_row(obj, columns)     the shown values of one row
    get_row_actions(obj)      per-row buttons: ``[RowAction(label, url, icon, style)]``
    get_bulk_actions()        the bulk buttons of the list
    paginate(qs)              a ``netdept.core.paginate.Window``
    get_object()              the one row (404 when not visible)
    get_fields(obj)           the (label, value) pairs of a detail page
    get_tabs(obj)             the tabs the user may see: ``[BoundTab]``
    get_panels(obj)           the side panels: ``[(panel, html)]``
    get_extra_context(**kw)   anything more for the template
    get_template_names()      full page or htmx partial
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from netdept.core import audit, permissions, services
from netdept.core.display import display, field_label, is_sortable, raw_value
from netdept.core.export import response as export_response
from netdept.core.history import entries as history_entries
from netdept.core.machines import model_formfield
from netdept.core.models.audit import AuditAction
from netdept.core.paginate import EmptyPage, InvalidCursor, Paginator, Window, parse_positive
from netdept.core.registry import Page, page_for
from netdept.core.tabs import Panel, Tab, panels_for, tabs_for
from netdept.core.views import transitions as transition_views

EXPORT_LIMIT = 100_000
MAX_PER_PAGE = 500


# --- helpers (also used by hand-written views) ---------------------------------------------
def form_class_for(page: Page) -> type[forms.ModelForm[Any]]:
    if page.form_class is not None:
        return page.form_class
    return forms.modelform_factory(
        page.model, fields=page.fields, formfield_callback=model_formfield
    )


def restrict_choices(form: forms.BaseForm, user: Any, instance: Any = None) -> None:
    """Lists of rows to choose from hold only the rows the user may see (plus the value the
    object has now, so saving never drops a link the editor could not choose)."""
    for name, f in form.fields.items():
        if (
            isinstance(f, forms.ModelChoiceField)
            and f.queryset is not None
            and page_for(f.queryset.model) is not None
        ):
            visible_qs = permissions.restrict(f.queryset, user, "view")
            current = _current_pks(instance, name)
            if current:
                visible_qs = visible_qs | f.queryset.filter(pk__in=current)
            f.queryset = visible_qs.distinct() if current else visible_qs


def make_form(page: Page, user: Any, *args: Any, **kwargs: Any) -> forms.ModelForm[Any]:
    form = form_class_for(page)(*args, **kwargs)
    restrict_choices(form, user, getattr(form, "instance", None))
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
    """(filter set, filtered and sorted visible rows, the sort applied) — the list's rows."""
    view = ObjectListView(page=page)
    view.setup(request)
    qs = view.sort_queryset(view.filter_queryset(view.get_queryset()))
    return view.filterset, qs, view.sort


def page_urls(page: Page) -> dict[str, str]:
    return {v: page.url_name(v) for v in ("list", "add", "export", "bulk_edit", "bulk_delete")}


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    names = [n for n in form.fields if n in form.cleaned_data]
    model = form._meta.model if hasattr(form, "_meta") else None
    if model is None:
        return {n: form.cleaned_data[n] for n in names}
    model_fields = {f.name for f in model._meta.get_fields()}
    return {n: form.cleaned_data[n] for n in names if n in model_fields}


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = url
        return resp
    return HttpResponseRedirect(url)


_form_data = form_data  # the names hand-written views used
_redirect = redirect


@dataclass
class RowAction:
    label: Any
    url: str
    icon: str = ""
    style: str = "outline-secondary"


class Row(tuple[Any, list[Any]]):
    """A list row: unpacks as ``(obj, values)``; ``.actions`` holds its row actions."""

    actions: list[RowAction]

    def __new__(cls, obj: Any, values: list[Any], actions: list[RowAction]) -> Row:
        row = super().__new__(cls, (obj, values))
        row.actions = actions
        return row

    @property
    def obj(self) -> Any:
        return self[0]

    @property
    def values(self) -> list[Any]:
        return list(self[1])


@dataclass
class BulkAction:
    key: str
    label: Any
    url: str
    icon: str = ""
    style: str = "outline-secondary"


@dataclass
class BoundTab:
    tab: Tab
    url: str
    badge: int | None = None
    active: bool = False

    @property
    def key(self) -> str:
        return self.tab.key

    @property
    def label(self) -> Any:
        return self.tab.label


# --- the base --------------------------------------------------------------------------------
class PageView(View):
    """A view of one ``Page`` (``as_view(page=page)``)."""

    page: Any = None
    template_name: str = ""
    partial_template_name: str = ""
    http_method_names = ["get", "head", "options"]

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.user = request.user

    @property
    def is_htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))

    def get_queryset(self) -> models.QuerySet[Any]:
        """The rows the user may see (refuses with 403 without the view permission)."""
        return visible(self.page, self.request)

    def get_object(self) -> Any:
        try:
            return get_object_or_404(self.get_queryset(), pk=self.kwargs.get("pk"))
        except (ValueError, ValidationError) as exc:
            raise Http404 from exc

    def may(self, action: str, obj: Any = None) -> bool:
        """The permission, and for one object its service's own rule (``allows``)."""
        perm = permissions.perm_name(self.page.model, action)
        if not permissions.has_perm(self.user, perm, obj):
            return False
        service = self.page.service
        if obj is None or service is None or action not in ("change", "delete"):
            return True
        return bool(service.allows(self.user, action, obj))

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        """More context for the template (a hook; nothing by default)."""
        return {}

    def get_template_names(self) -> list[str]:
        if self.is_htmx and self.partial_template_name:
            return [self.partial_template_name]
        return [self.template_name]

    def base_context(self) -> dict[str, Any]:
        return {"page": self.page, "urls": page_urls(self.page)}

    def render(self, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(self.request, self.get_template_names(), ctx, status=status)


# --- list --------------------------------------------------------------------------------------
class FilteredMixin(PageView):
    filterset: Any = None
    sort: str = ""

    def filter_queryset(self, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        cls = self.page.filterset_class
        self.filterset = cls(self.request.GET or None, queryset=qs, request=self.request)
        fs = self.filterset
        return fs.qs if fs.is_bound and fs.is_valid() else qs

    def sortable_columns(self) -> list[str]:
        return [c for c in self.page.columns if is_sortable(self.page.model, c)]

    def sort_queryset(self, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        sort = self.request.GET.get("sort", "")
        if sort.lstrip("-") in self.sortable_columns():
            self.sort = sort
            return qs.order_by(sort, "pk")
        self.sort = ""
        return qs

    def get_filtered(self) -> models.QuerySet[Any]:
        return self.sort_queryset(self.filter_queryset(self.get_queryset()))

    def get_columns(self) -> list[str]:
        return chosen_columns(self.page, self.request)


class ObjectListView(FilteredMixin):
    template_name = "core/list.html"
    partial_template_name = "core/_list_table.html"
    pager_params: ClassVar[tuple[str, ...]] = ("page", "after", "before")

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted and htmx.target == "list-table":
            return [self.partial_template_name]
        return [self.template_name]

    def get_per_page(self) -> int:
        return parse_positive(self.request.GET.get("per_page"), self.page.per_page, MAX_PER_PAGE)

    def get_paginator(self, qs: models.QuerySet[Any]) -> Paginator:
        return Paginator(qs, self.get_per_page(), cap=self.page.count_cap)

    def paginate(self, qs: models.QuerySet[Any]) -> Window:
        """The page asked for: a number, or a cursor; a bad cursor goes back to page 1."""
        paginator = self.get_paginator(qs)
        get = self.request.GET
        number = parse_positive(get.get("page"), 1, 10**9)
        try:
            return paginator.page(
                page=number, after=get.get("after") or None, before=get.get("before") or None
            )
        except InvalidCursor:
            return paginator.page(page=1)
        except EmptyPage:
            try:
                return paginator.page(page=paginator.num_pages)
            except EmptyPage:
                return paginator.page(page=1)

    def get_row(self, obj: Any, columns: list[str]) -> list[Any]:
        return [display(obj, c) for c in columns]

    def get_row_actions(self, obj: Any) -> list[RowAction]:
        """Per-row buttons (none by default: drawing them must not cost a query per row)."""
        return []

    def get_bulk_actions(self) -> list[BulkAction]:
        page, actions = self.page, []
        if page.can_change and page.bulk_fields and self.may("change"):
            url = reverse(page.url_name("bulk_edit"))
            actions.append(BulkAction("edit", _("Edit selected"), url, "bi-pencil-square"))
        if page.can_delete and self.may("delete"):
            url = reverse(page.url_name("bulk_delete"))
            actions.append(
                BulkAction("delete", _("Delete selected"), url, "bi-trash", "outline-danger")
            )
        return actions

    def query_without(self, *names: str) -> str:
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        return query.urlencode()

    def pager(self, window: Window, query: str) -> dict[str, Any]:
        base = f"?{query}{'&' if query else ''}"
        sort = f"sort={self.sort}&" if self.sort else ""

        def link(params: dict[str, str] | None) -> str:
            if params is None:
                return ""
            q = QueryDict(mutable=True)
            q.update(params)
            return f"{base}{sort}{q.urlencode()}"

        numbers = []
        if not window.keyset or window.number <= 10:
            last = min(window.num_pages, max(window.number + 2, 5), 10)
            first = max(1, min(window.number - 2, last - 4))
            numbers = [
                (n, link({"page": str(n)}), n == window.number) for n in range(first, last + 1)
            ]
        return {
            "window": window,
            "previous": link(window.previous_params),
            "next": link(window.next_params),
            "first": link({"page": "1"}) if window.number > 1 else "",
            "numbers": numbers,
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        qs = self.get_filtered()
        cols = self.get_columns()
        window = self.paginate(qs)
        rows = [Row(obj, self.get_row(obj, cols), self.get_row_actions(obj)) for obj in window.rows]
        query = self.query_without(*self.pager_params, "sort")
        page, model = self.page, self.page.model
        bulk = self.get_bulk_actions()
        ctx = {
            **self.base_context(),
            "filterset": self.filterset,
            "columns": [(c, field_label(model, c), is_sortable(model, c)) for c in cols],
            "all_columns": [(c, field_label(model, c), c in cols) for c in page.columns],
            "rows": rows,
            "row_actions": any(r.actions for r in rows),
            "window": window,
            "page_obj": window,
            "pager": self.pager(window, query),
            "sort": self.sort,
            "query": query,
            "bulk_actions": bulk,
            "bulk_cap": page.bulk_cap,
            "filter_query": self.query_without(*self.pager_params, "cols", "per_page"),
            "can_add": page.can_add and self.may("add"),
            "detail_url": page.url_name("detail"),
        }
        ctx.update(self.get_extra_context(window=window))
        return self.render(ctx)


# --- detail and tabs ---------------------------------------------------------------------------
def _history_tab_view(request: HttpRequest, obj: Any) -> HttpResponse:
    page = page_for(obj)
    records = audit.history(obj).select_related("actor", "actor__person")[:200]
    entries = history_entries(type(obj), records)
    return render(request, "core/_history.html", {"page": page, "obj": obj, "entries": entries})


HISTORY_TAB = Tab(
    key="history",
    label=gettext_lazy("History"),
    view=_history_tab_view,
    permission="core.view_history",
    order=1000,
)


def page_tabs(page: Page) -> list[Tab]:
    """Every tab of the page's detail: registered by apps, declared on the page, history."""
    by_key = {t.key: t for t in [*tabs_for(page.model), *page.tabs]}
    by_key.setdefault("history", HISTORY_TAB)
    return sorted(by_key.values(), key=lambda t: (t.order, t.key))


def _object_url(page: Page, view: str, obj: Any) -> str:
    """The URL of one of the object's generated views ("" for a page that routes its own
    screens, ``ui=False``, like the work-order page)."""
    try:
        return reverse(page.url_name(view), args=[obj.pk])
    except NoReverseMatch:
        return ""


class ObjectDetailView(PageView):
    template_name = "core/detail.html"

    def get_fields(self, obj: Any) -> list[tuple[str, Any]]:
        return [(field_label(self.page.model, f), display(obj, f)) for f in self.page.detail_fields]

    def get_tabs(self, obj: Any) -> list[BoundTab]:
        active = self.request.GET.get("tab", "")
        result = []
        for tab in page_tabs(self.page):
            if not tab.allowed(self.user, obj):
                continue
            url = reverse(self.page.url_name("tab"), args=[obj.pk, tab.key])
            badge = tab.badge(self.request, obj) if tab.badge else None
            result.append(BoundTab(tab, url, badge, tab.key == active))
        return result

    def get_panels(self, obj: Any) -> list[tuple[Panel, SafeString]]:
        result = []
        for panel in panels_for(self.page.model):
            if panel.allowed(self.user, obj):
                result.append((panel, mark_safe(panel.render(self.request, obj))))  # noqa: S308
        return result

    def get_transitions(self, obj: Any) -> list[Any]:
        machine = self.page.machine
        if machine is None:
            return []
        url = getattr(transition_views, "transition_url", None)
        if url is not None:
            return list(machine.available(obj, self.user, lambda o, n: url(self.page, o, n)))
        return list(machine.available(obj, self.user))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        page = self.page
        tabs = self.get_tabs(obj)
        ctx = {
            **self.base_context(),
            "obj": obj,
            "object": obj,
            "fields": self.get_fields(obj),
            "can_change": page.can_change and self.may("change", obj),
            "can_delete": page.can_delete and self.may("delete", obj),
            "can_history": any(t.key == "history" for t in tabs),
            "tabs": tabs,
            "active_tab": next((t.key for t in tabs if t.active), "details"),
            "panels": self.get_panels(obj),
            "transitions": self.get_transitions(obj),
            "edit_url": _object_url(page, "edit", obj),
            "delete_url": _object_url(page, "delete", obj),
            "history_url": _object_url(page, "history", obj),
        }
        if page.extra_detail:
            ctx.update(page.extra_detail(request, obj))
        ctx.update(self.get_extra_context(obj=obj))
        return render(request, ctx.get("detail_template") or self.get_template_names(), ctx)


class TabView(PageView):
    """One tab's content (``<slug>/<pk>/tab/<key>/``): 404 for an unknown tab or a row the
    user may not see, 403 (audited) when the tab's permission is not held."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        key = kwargs.get("key", "")
        tab = next((t for t in page_tabs(self.page) if t.key == key), None)
        if tab is None:
            raise Http404
        if not tab.allowed(self.user, obj):
            perm = tab.permission if isinstance(tab.permission, str) else f"tab:{key}"
            audit.record(AuditAction.DENIED, obj, actor=self.user, extra={"permission": perm})
            raise PermissionDenied(perm)
        result = tab.view(request, obj)
        if isinstance(result, HttpResponse):
            return result
        return HttpResponse(result)


class HistoryView(PageView):
    template_name = "core/history.html"
    partial_template_name = "core/_history.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        if not permissions.has_perm(self.user, "core.view_history"):
            audit.record(
                AuditAction.DENIED, obj, actor=self.user, extra={"permission": "core.view_history"}
            )
            raise PermissionDenied("core.view_history")
        records = audit.history(obj).select_related("actor", "actor__person")[:200]
        entries = history_entries(self.page.model, records)
        ctx = {"page": self.page, "obj": obj, "entries": entries}
        ctx.update(self.get_extra_context(obj=obj))
        return self.render(ctx)


# --- create, edit, delete ----------------------------------------------------------------------
class ObjectEditView(PageView):
    """Create (no ``pk``) or edit (``pk``) through the page's service."""

    template_name = "core/form.html"
    partial_template_name = "core/_form.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_form_class(self) -> type[forms.ModelForm[Any]]:
        return form_class_for(self.page)

    def get_form(self, obj: Any) -> forms.ModelForm[Any]:
        req = self.request
        data = req.POST if req.method == "POST" else None
        files = req.FILES if req.method == "POST" else None
        kwargs: dict[str, Any] = {"instance": obj} if obj is not None else {}
        form = self.get_form_class()(data or None, files or None, **kwargs)
        restrict_choices(form, self.user, obj)
        return form

    def get_target(self) -> Any:
        """The row to edit (None: a new one); refuses without the permission."""
        if "pk" not in self.kwargs:
            if not self.page.can_add:
                raise Http404
            services.require(self.user, "add", self.page.model)
            return None
        if not self.page.can_change:
            raise Http404
        obj = self.get_object()
        services.require(self.user, "change", obj)
        if self.page.service is not None:
            self.page.service.require_allowed(self.user, "change", obj)
        return obj

    def save(self, form: forms.ModelForm[Any], obj: Any) -> Any:
        service = self.page.service
        assert service is not None
        if obj is None:
            return service.create(self.user, form_data(form))
        fresh = self.page.model._default_manager.get(pk=obj.pk)
        return service.update(self.user, fresh, form_data(form))

    def get_success_url(self, obj: Any) -> str:
        return reverse(self.page.url_name("detail"), args=[obj.pk])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle(request)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle(request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        obj = self.get_target()
        form = self.get_form(obj)
        if request.method == "POST" and form.is_valid():
            try:
                saved = self.save(form, obj)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                text = _("%(name)s was created.") if obj is None else _("%(name)s was saved.")
                messages.success(request, text % {"name": saved})
                return redirect(request, self.get_success_url(saved))
        ctx = {
            **self.base_context(),
            "form": form,
            "obj": obj,
            "action": request.get_full_path(),
        }
        ctx.update(self.get_extra_context(obj=obj, form=form))
        status = 422 if form.is_bound and form.errors else 200
        if status == 422 and self.is_htmx:
            status = 200  # HTMX swaps only 2xx answers by default
        return self.render(ctx, status=status)


class ObjectDeleteView(PageView):
    template_name = "core/confirm_delete.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_target(self) -> Any:
        if not self.page.can_delete:
            raise Http404
        obj = self.get_object()
        services.require(self.user, "delete", obj)
        if self.page.service is not None:
            self.page.service.require_allowed(self.user, "delete", obj)
        return obj

    def perform_delete(self, obj: Any) -> None:
        assert self.page.service is not None
        self.page.service.delete(self.user, obj)

    def get_success_url(self) -> str:
        return reverse(self.page.url_name("list"))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_target()
        ctx = {**self.base_context(), "obj": obj, **self.get_extra_context(obj=obj)}
        return self.render(ctx)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_target()
        try:
            self.perform_delete(obj)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return redirect(request, reverse(self.page.url_name("detail"), args=[obj.pk]))
        messages.success(request, _("%(name)s was deleted.") % {"name": obj})
        return redirect(request, self.get_success_url())


# --- export ------------------------------------------------------------------------------------
class ExportView(FilteredMixin):
    formats: ClassVar[tuple[str, ...]] = ("xlsx", "csv")
    limit = EXPORT_LIMIT

    def get_export_columns(self) -> list[str]:
        return self.get_columns()

    def get_export_row(self, obj: Any, columns: list[str]) -> list[Any]:
        return [raw_value(obj, c) for c in columns]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("format", "xlsx")
        if fmt not in self.formats:
            raise Http404
        page = self.page
        qs = self.get_filtered()
        cols = self.get_export_columns()
        objs = list(qs[: self.limit])
        headers = [field_label(page.model, c) for c in cols]
        rows: Iterable[list[Any]] = (self.get_export_row(o, cols) for o in objs)
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


__all__ = [
    "EXPORT_LIMIT",
    "HISTORY_TAB",
    "BoundTab",
    "BulkAction",
    "ExportView",
    "FilteredMixin",
    "HistoryView",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectListView",
    "PageView",
    "Row",
    "RowAction",
    "TabView",
    "apply_errors",
    "chosen_columns",
    "filtered",
    "form_class_for",
    "get_visible",
    "make_form",
    "page_tabs",
    "page_urls",
    "redirect",
    "restrict_choices",
    "visible",
]
