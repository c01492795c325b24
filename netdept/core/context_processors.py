from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from netdept.core import permissions
from netdept.core.registry import NAV_GROUPS, PAGES

# Entries that are not generated pages: (group, label, url name, permission, icon, order)
EXTRA_NAV: list[tuple[str, Any, str, str, str, int]] = []


def add_nav(group: str, label: Any, url_name: str, perm: str, icon: str, order: int) -> None:
    EXTRA_NAV.append((group, label, url_name, perm, icon, order))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = permissions.user_perms(user)
    groups: dict[str, list[tuple[int, str, str, str]]] = {}
    for page in PAGES.values():
        if not page.ui or permissions.perm_name(page.model, "view") not in held:
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
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(group, []).append((order, str(label), url, icon))
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
                "items": [{"label": i[1], "url": i[2], "icon": i[3]} for i in sorted(items)],
            }
        )
    nav.sort(key=lambda g: g["order"])
    return {"nav": nav, "user_perms": held}
