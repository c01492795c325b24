"""Navigation and the generated settings pages of work orders.

The work orders themselves have their own screens (the engineer's desk, the order page and the
requester portal, see ``urls.py``) and their own API viewset; the generated pages below are the
settings: categories, the priority matrix, SLA policies and escalation rules.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, nav_group, register
from netdept.workorders.models import Category, EscalationRule, PriorityRule, SlaPolicy

nav_group("workorders", _("Work orders"), "bi-ticket-detailed", 10)

# The desk entries come first; the settings pages follow (nav_order ≥ 60).
add_nav(
    "workorders",
    _("Engineer's desk"),
    "workorders:desk",
    "workorders.change_workorder",
    "bi-inbox",
    10,
)
add_nav(
    "workorders",
    _("File for a caller"),
    "workorders:new",
    "workorders.change_workorder",
    "bi-telephone-plus",
    20,
)

register(
    Page(
        model=Category,
        nav_group="workorders",
        nav_order=60,
        icon="bi-tags",
        fields=["name", "kind", "parent", "default_team", "description", "is_active"],
        columns=["name", "kind", "parent", "default_team", "is_active", "description"],
        default_columns=["name", "kind", "parent", "default_team", "is_active"],
        filters=["kind", "parent", "default_team", "is_active"],
        search=["name", "description"],
        select_related=["parent", "default_team"],
    )
)
register(
    Page(
        model=PriorityRule,
        nav_group="workorders",
        nav_order=70,
        icon="bi-grid-3x3",
        fields=["impact", "urgency", "priority"],
        columns=["impact", "urgency", "priority"],
        filters=["impact", "urgency", "priority"],
    )
)
register(
    Page(
        model=SlaPolicy,
        nav_group="workorders",
        nav_order=80,
        icon="bi-stopwatch",
        fields=[
            "name",
            "priority",
            "category",
            "kind",
            "response_minutes",
            "resolution_minutes",
            "calendar",
            "warn_percent",
            "is_active",
        ],
        columns=[
            "name",
            "priority",
            "category",
            "kind",
            "response_minutes",
            "resolution_minutes",
            "calendar",
            "warn_percent",
            "is_active",
        ],
        default_columns=[
            "name",
            "priority",
            "category",
            "kind",
            "response_minutes",
            "resolution_minutes",
            "is_active",
        ],
        filters=["priority", "category", "kind", "calendar", "is_active"],
        search=["name"],
        select_related=["category", "calendar"],
    )
)
register(
    Page(
        model=EscalationRule,
        nav_group="workorders",
        nav_order=90,
        icon="bi-bell",
        fields=["percent", "target", "is_active"],
        columns=["percent", "target", "is_active"],
        filters=["target", "is_active"],
    )
)
