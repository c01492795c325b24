"""The kernel's home widgets (registered by ``CoreConfig.ready()``):

* **set-up** — the set-up warnings the reader can act on (``core.home.register_setup_check``);
* **privileged actions** — for the auditor (reads the whole audit trail): the last changes of
  accounts, roles, grants and security settings and the security events (failed sign-ins,
  lockouts, refusals, exports), with the week's counts;
* **lists you maintain** — a count card per list the reader *writes* (a configuration table is
  counted only for those who set it: an engineer never sees "categories 0"), counted within the
  reader's scope and capped like the list's own count;
* **my recent changes** — the reader's last audited changes.

The object types that count as privileged are registered by the apps that own them
(``register_privileged_types``: org's roles, role assignments, grants and accounts; accounts'
security policy): the kernel names no model above it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netdept.core import display, permissions
from netdept.core.context_processors import WRITE_ACTIONS, in_navigation
from netdept.core.home import HomeWidget, register_home_widget, setup_warnings
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import NAV_GROUPS, PAGES

AUDIT_PERM = "core.view_auditrecord"
#: how far back the auditor's widget looks
AUDIT_DAYS = 7
AUDIT_ROWS = 10
RECENT_ROWS = 8
#: security events: privileged whatever their object
SECURITY_ACTIONS = (
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKOUT,
    AuditAction.SECURITY,
    AuditAction.DENIED,
    AuditAction.EXPORT,
    AuditAction.PURGE,
)
#: object types (``app_label.model``) whose changes are privileged: registered by their apps
_privileged_types: set[str] = set()
#: of those, the ones that grant rights (roles, role assignments, grants)
_rights_types: set[str] = set()


def register_privileged_types(*labels: str, rights: bool = False) -> None:
    """Changes of these object types (``"org.role"``) are shown to the auditor; ``rights``:
    they grant rights (counted as "changes of rights")."""
    _privileged_types.update(label.lower() for label in labels)
    if rights:
        _rights_types.update(label.lower() for label in labels)


def privileged_q() -> Q:
    return Q(action__in=SECURITY_ACTIONS) | Q(object_type__in=sorted(_privileged_types))


# --- set-up -----------------------------------------------------------------------------------
def setup_context(request: HttpRequest) -> dict[str, Any] | None:
    warnings = setup_warnings(request.user)
    return {"warnings": warnings} if warnings else None


# --- the auditor ------------------------------------------------------------------------------
def is_auditor(user: Any) -> bool:
    """Reads the whole audit trail (the auditor; nobody else holds it at scope "all")."""
    return permissions.scope_of(user, AUDIT_PERM) == permissions.ALL


def audit_context(request: HttpRequest) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=AUDIT_DAYS)
    week = AuditRecord.objects.filter(ts__gte=since).order_by()
    counts = week.aggregate(
        failed=Count("pk", filter=Q(action=AuditAction.LOGIN_FAILED)),
        locked=Count("pk", filter=Q(action=AuditAction.LOCKOUT)),
        denied=Count("pk", filter=Q(action=AuditAction.DENIED)),
        rights=Count("pk", filter=Q(object_type__in=sorted(_rights_types))),
        exports=Count("pk", filter=Q(action=AuditAction.EXPORT)),
    )
    records = list(
        AuditRecord.objects.filter(privileged_q(), ts__gte=since)
        .only("seq", "ts", "actor_id", "actor_name", "action", "object_type", "object_repr", "ip")
        .order_by("-seq")[:AUDIT_ROWS]
    )
    zone = display.viewer_zone(request.user)
    names = display.actor_names(rec.actor_id for rec in records)
    rows = [
        {
            "rec": rec,
            "at": display.local_seconds(rec.ts, zone),
            "actor": names.get(rec.actor_id)
            or str(display.VIA_NAMES.get(rec.actor_name, rec.actor_name)),
            "type": display.object_type_label(rec.object_type) if rec.object_type else "",
            "security": rec.action in SECURITY_ACTIONS,
        }
        for rec in records
    ]
    audit_url = reverse("audit_list")
    tiles = [
        (_("Failed sign-ins"), counts["failed"], "bi-shield-exclamation", "login_failed"),
        (_("Accounts locked"), counts["locked"], "bi-lock", "lockout"),
        (_("Permission refused"), counts["denied"], "bi-slash-circle", "denied"),
        (_("Changes of rights"), counts["rights"], "bi-person-gear", ""),
        (_("Exports"), counts["exports"], "bi-download", "export"),
    ]
    return {
        "days": AUDIT_DAYS,
        "tiles": [
            {
                "label": label,
                "count": n,
                "icon": icon,
                "url": f"{audit_url}?action={action}" if action else audit_url,
                "css": "text-danger" if n and action in {"login_failed", "lockout"} else "",
            }
            for label, n, icon, action in tiles
        ],
        "rows": rows,
        "audit_url": audit_url,
    }


# --- lists the reader maintains ------------------------------------------------------------------
def _maintained(user: Any) -> list[Any]:
    held = permissions.user_perms(user)
    out = []
    for page in PAGES.values():
        model = page.model._meta.model_name
        offered = {"add": page.can_add, "change": page.can_change, "delete": page.can_delete}
        writes = any(
            offered.get(a, True) and f"{page.app_label}.{a}_{model}" in held for a in WRITE_ACTIONS
        )  # a list written by an engine only (approval decisions) is nobody's to maintain
        if writes and page.home_card and in_navigation(page, user, held):
            out.append(page)
    return out


def maintains_lists(user: Any) -> bool:
    return bool(_maintained(user))


def lists_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    groups: dict[str, dict[str, Any]] = {}
    for page in sorted(_maintained(user), key=lambda p: (p.nav_order, str(p.verbose_name))):
        cap = page.count_cap
        qs = permissions.restrict(page.model._default_manager.order_by(), user, "view")
        count = qs.values("pk")[: cap + 1].count()
        try:
            url = reverse(page.url_name("list"))
        except NoReverseMatch:
            continue
        group = NAV_GROUPS.get(page.nav_group)
        entry = groups.setdefault(
            page.nav_group,
            {
                "label": group.label if group else page.nav_group,
                "order": group.order if group else 999,
                "cards": [],
            },
        )
        entry["cards"].append(
            {
                "label": page.verbose_name_plural,
                "count": min(count, cap),
                "more": count > cap,
                "url": url,
                "icon": page.icon,
                "empty": count == 0,
            }
        )
    if not groups:
        return None
    return {"groups": sorted(groups.values(), key=lambda g: g["order"])}


# --- my recent changes --------------------------------------------------------------------------
def keeps_history(user: Any) -> bool:
    return permissions.has_perm(user, "core.view_history")


def recent_context(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    recent = list(
        AuditRecord.objects.filter(actor=user)
        .exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGOUT])
        .only("seq", "ts", "action", "object_type", "object_repr")
        .order_by("-seq")[:RECENT_ROWS]
    )
    if not recent:
        return None
    zone = display.viewer_zone(user)
    return {
        "recent": [
            {
                "rec": r,
                "at": display.local_seconds(r.ts, zone),
                "type": display.object_type_label(r.object_type),
            }
            for r in recent
        ]
    }


register_home_widget(
    HomeWidget(
        "setup",
        _("To set up"),
        "core/home/setup.html",
        setup_context,
        order=5,
        icon="bi-tools",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "privileged_actions",
        _("Recent privileged actions"),
        "core/home/privileged_actions.html",
        audit_context,
        applies=is_auditor,
        order=40,
        icon="bi-shield-lock",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "lists",
        _("Lists you maintain"),
        "core/home/lists.html",
        lists_context,
        applies=maintains_lists,
        order=80,
        icon="bi-card-list",
        size="full",
    )
)
register_home_widget(
    HomeWidget(
        "recent",
        _("My recent changes"),
        "core/home/recent.html",
        recent_context,
        applies=keeps_history,
        order=90,
        icon="bi-clock-history",
        size="half",
    )
)
