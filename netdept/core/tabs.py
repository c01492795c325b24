"""Tabs and side panels of a model's detail page, registered by any app.

An app adds a tab to another app's model without that app importing it:

    register_tab("org.department", Tab(
        key="people", label=_("People"), view=people_tab, permission="org.view_person",
        order=20, badge=lambda request, obj: obj.people.count(),
    ))

A tab's content loads through htmx from ``<slug>/<pk>/tab/<key>/`` (URL name
``<app>:<slug>_tab``). Its ``view(request, obj)`` returns an ``HttpResponse`` or HTML text.
``permission`` (a permission name like ``"org.view_person"`` held at any scope, or a callable
``(user, obj) -> bool``) is checked when the tab is drawn AND in the tab view, which answers 403
otherwise. ``related_tab(...)`` builds the common "rows of another model pointing here" tab.

Panels are drawn on the detail page itself (beside the fields): ``register_panel(model,
Panel(key, label, render, permission, order))``; ``render(request, obj)`` returns HTML text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from netdept.core import permissions
from netdept.core.display import display, field_label
from netdept.core.registry import page_for

Permission = str | Callable[[Any, Any], bool] | None


def _allowed(permission: Permission, user: Any, obj: Any) -> bool:
    if permission is None:
        return True
    if callable(permission):
        return bool(permission(user, obj))
    return permissions.has_perm(user, permission)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    view: Callable[[HttpRequest, Any], HttpResponse | str]
    permission: Permission = None
    order: int = 50
    badge: Callable[[HttpRequest, Any], int | None] | None = None
    icon: str = ""

    def allowed(self, user: Any, obj: Any) -> bool:
        return _allowed(self.permission, user, obj)


@dataclass(frozen=True)
class Panel:
    key: str
    label: str | Promise
    render: Callable[[HttpRequest, Any], str]
    permission: Permission = None
    order: int = 50

    def allowed(self, user: Any, obj: Any) -> bool:
        return _allowed(self.permission, user, obj)


TABS: dict[str, dict[str, Tab]] = {}
PANELS: dict[str, dict[str, Panel]] = {}


def _label(model_or_label: type[models.Model] | models.Model | str) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return str(model_or_label._meta.label_lower)


def register_tab(model_or_label: type[models.Model] | str, tab: Tab) -> Tab:
    """Add (or replace, by key) a tab of the model's detail page."""
    TABS.setdefault(_label(model_or_label), {})[tab.key] = tab
    return tab


def unregister_tab(model_or_label: type[models.Model] | str, key: str) -> None:
    TABS.get(_label(model_or_label), {}).pop(key, None)


def register_panel(model_or_label: type[models.Model] | str, panel: Panel) -> Panel:
    """Add (or replace, by key) a side panel of the model's detail page."""
    PANELS.setdefault(_label(model_or_label), {})[panel.key] = panel
    return panel


def unregister_panel(model_or_label: type[models.Model] | str, key: str) -> None:
    PANELS.get(_label(model_or_label), {}).pop(key, None)


def tabs_for(model: type[models.Model] | models.Model | str) -> list[Tab]:
    return sorted(TABS.get(_label(model), {}).values(), key=lambda t: (t.order, t.key))


def panels_for(model: type[models.Model] | models.Model | str) -> list[Panel]:
    return sorted(PANELS.get(_label(model), {}).values(), key=lambda p: (p.order, p.key))


RELATED_LIMIT = 100


def related_tab(
    key: str,
    label: str | Promise,
    model: type[models.Model],
    field: str,
    columns: list[str],
    *,
    order: int = 50,
    limit: int = RELATED_LIMIT,
    ordering: list[str] | None = None,
) -> Tab:
    """A tab listing the rows of ``model`` whose ``field`` points to the object, only those
    the user may see (its view scope), with a link to each row's page and a count badge."""
    perm = permissions.perm_name(model, "view")

    def rows(request: HttpRequest, obj: Any) -> models.QuerySet[Any]:
        qs = model._default_manager.filter(**{field: obj})
        if ordering:
            qs = qs.order_by(*ordering)
        elif not qs.ordered:
            qs = qs.order_by("pk")
        return permissions.restrict(qs, request.user, "view")

    def view(request: HttpRequest, obj: Any) -> str:
        qs = rows(request, obj)
        objs = list(qs[: limit + 1])
        page = page_for(model)
        detail = page.url_name("detail") if page is not None and page.ui else ""
        data = []
        for o in objs[:limit]:
            try:
                url = reverse(detail, args=[o.pk]) if detail else ""
            except NoReverseMatch:
                url = ""
            data.append((url, [display(o, c) for c in columns]))
        list_url = ""
        if page is not None and page.ui:
            try:
                list_url = reverse(page.url_name("list")) + f"?{field}={obj.pk}"
            except NoReverseMatch:
                list_url = ""
        return render_to_string(
            "core/_related_tab.html",
            {
                "headers": [field_label(model, c) for c in columns],
                "rows": data,
                "more": len(objs) > limit,
                "list_url": list_url,
            },
            request=request,
        )

    def badge(request: HttpRequest, obj: Any) -> int:
        return int(rows(request, obj).count())

    return Tab(key=key, label=label, view=view, permission=perm, order=order, badge=badge)


__all__ = [
    "PANELS",
    "TABS",
    "Panel",
    "Tab",
    "panels_for",
    "register_panel",
    "register_tab",
    "related_tab",
    "tabs_for",
    "unregister_panel",
    "unregister_tab",
]
