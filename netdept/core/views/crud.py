"""The URLs of a ``Page`` on the generic class-based views (``netdept.core.views.generic`` and
``generic_bulk``), and the helpers hand-written views have always imported from here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, path

from netdept.core.registry import Page
from netdept.core.views.generic import (
    EXPORT_LIMIT,
    ExportView,
    HistoryView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    TabView,
    _form_data,
    _redirect,
    apply_errors,
    chosen_columns,
    filtered,
    form_class_for,
    get_visible,
    make_form,
    page_urls,
    visible,
)
from netdept.core.views.generic_bulk import BulkDeleteView, BulkEditView
from netdept.core.views.importing import import_urls
from netdept.core.views.transitions import transition_urls

DEFAULT_VIEWS: dict[str, type] = {
    "list": ObjectListView,
    "detail": ObjectDetailView,
    "edit": ObjectEditView,
    "delete": ObjectDeleteView,
    "bulk_edit": BulkEditView,
    "bulk_delete": BulkDeleteView,
    "export": ExportView,
    "history": HistoryView,
    "tab": TabView,
}


def view_class(page: Page, kind: str) -> type:
    """The view class of ``kind`` for the page: the page's own (``<kind>_view_class``) or the
    generic one."""
    return getattr(page, f"{kind}_view_class", None) or DEFAULT_VIEWS[kind]


def page_view(page: Page, kind: str) -> Any:
    cls: Any = view_class(page, kind)
    return login_required(cls.as_view(page=page))


def urls_for(page: Page) -> list[URLPattern]:
    """Every URL of a page, named ``<slug>_<view>`` in the app's namespace."""
    s = page.slug
    edit = page_view(page, "edit")
    return [
        path(f"{s}/", page_view(page, "list"), name=f"{s}_list"),
        path(f"{s}/add/", edit, name=f"{s}_add"),
        path(f"{s}/export/", page_view(page, "export"), name=f"{s}_export"),
        path(f"{s}/bulk-edit/", page_view(page, "bulk_edit"), name=f"{s}_bulk_edit"),
        path(f"{s}/bulk-delete/", page_view(page, "bulk_delete"), name=f"{s}_bulk_delete"),
        *import_urls(page),
        path(f"{s}/<int:pk>/", page_view(page, "detail"), name=f"{s}_detail"),
        path(f"{s}/<int:pk>/edit/", edit, name=f"{s}_edit"),
        path(f"{s}/<int:pk>/delete/", page_view(page, "delete"), name=f"{s}_delete"),
        path(f"{s}/<int:pk>/history/", page_view(page, "history"), name=f"{s}_history"),
        path(f"{s}/<int:pk>/tab/<slug:key>/", page_view(page, "tab"), name=f"{s}_tab"),
        *transition_urls(page),
    ]


__all__ = [
    "DEFAULT_VIEWS",
    "EXPORT_LIMIT",
    "PermissionDenied",
    "_form_data",
    "_redirect",
    "apply_errors",
    "chosen_columns",
    "filtered",
    "form_class_for",
    "get_visible",
    "make_form",
    "page_urls",
    "page_view",
    "urls_for",
    "view_class",
    "visible",
]
