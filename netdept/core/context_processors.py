from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from netdept.core import permissions
from netdept.core.models.base import is_config_label
from netdept.core.registry import NAV_GROUPS, PAGES, Page

# Entries that are not generated pages: (group, label, url name, permission, icon, order)
EXTRA_NAV: list[tuple[str, Any, str, str, str, int]] = []


def add_nav(group: str, label: Any, url_name: str, perm: str, icon: str, order: int) -> None:
    EXTRA_NAV.append((group, label, url_name, perm, icon, order))


WRITE_ACTIONS = ("add", "change", "delete")


def in_navigation(page: Page, user: Any, held: set[str]) -> bool:
    """Whether ``page`` has an entry in ``user``'s navigation.

    A page of work is listed to whoever may view it. A configuration page (``record_kind =
    "config"``) is for those who set the configuration: it is listed to a user who may write
    it, or who reads everything (view at scope "all": the director, the auditor); a scoped
    reader (an engineer, a requester) keeps read access where forms need it, without a menu.
    """
    if not page.ui or not page.in_nav:
        return False
    return _usable(user, held, page.app_label, str(page.model._meta.model_name))


def _usable(user: Any, held: set[str], app_label: str, model_name: str) -> bool:
    view = f"{app_label}.view_{model_name}"
    if view not in held:
        return False
    if not is_config_label(app_label, model_name):
        return True
    if any(f"{app_label}.{a}_{model_name}" in held for a in WRITE_ACTIONS):
        return True
    return permissions.scope_of(user, view) == permissions.ALL


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = permissions.user_perms(user)
    groups: dict[str, list[tuple[int, str, str, str]]] = {}
    for page in PAGES.values():
        if not in_navigation(page, user, held):
            continue
        groups.setdefault(page.nav_group, []).append(
            (
                page.nav_order,
                str(page.verbose_name_plural),
                reverse(page.url_name("list")),
                page.icon,
            )
        )
    for group, label, url_name, perm, icon, order in EXTRA_NAV:
        if perm and perm not in held:
            continue
        app_label, _dot, codename = perm.partition(".")
        if codename.startswith("view_") and not _usable(user, held, app_label, codename[5:]):
            continue  # the page of a configuration model the user only reads (see above)
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(group, []).append((order, str(label), url, icon))
    home = reverse("home")
    listed = [
        url for key, items in groups.items() if key in NAV_GROUPS for _o, _l, url, _i in items
    ]
    active = active_url(request.path, listed, home)
    nav = []
    for key, items in groups.items():
        g = NAV_GROUPS.get(key)
        if g is None:
            continue
        nav.append(
            {
                "key": key,
                "label": g.label,
                "icon": g.icon,
                "order": g.order,
                "items": [
                    {"label": i[1], "url": i[2], "icon": i[3], "active": i[2] == active}
                    for i in sorted(items)
                ],
            }
        )
    nav.sort(key=lambda g: g["order"])
    return {"nav": nav, "user_perms": held, "nav_home_active": active == home}


def active_url(path: str, urls: list[str], home: str = "/") -> str | None:
    """The one entry of the navigation to highlight on ``path``: the longest entry address
    that ``path`` is or begins with (``/workorders/portal/new/`` highlights the portal, not
    the desk at ``/workorders/``); the home page only on itself."""
    if path == home:
        return home
    best: str | None = None
    for url in urls:
        if url == home:
            continue
        prefix = url if url.endswith("/") else url + "/"
        if (path == url or path.startswith(prefix)) and (best is None or len(url) > len(best)):
            best = url
    return best
