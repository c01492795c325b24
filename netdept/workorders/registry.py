"""Navigation and the generated settings pages of work orders.

The work orders themselves have their own screens (the engineer's desk, the order page and the
requester portal, see ``urls.py``) and their own API viewset; the generated pages below are the
settings: categories, the priority matrix, SLA policies and escalation rules.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.core.registry import Page, nav_group, register
from netdept.workorders.filtersets import WorkOrderFilterSet
from netdept.workorders.models import Category, EscalationRule, PriorityRule, SlaPolicy, WorkOrder

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
        fields=[
            "name",
            "kind",
            "parent",
            "default_team",
            "approval_rule",
            "is_purchase",
            "description",
            "is_active",
        ],
        columns=[
            "name",
            "kind",
            "parent",
            "default_team",
            "approval_rule",
            "is_purchase",
            "is_active",
            "description",
        ],
        default_columns=["name", "kind", "parent", "default_team", "approval_rule", "is_active"],
        filters=["kind", "parent", "default_team", "is_purchase", "is_active"],
        search=["name", "description"],
        select_related=["parent", "default_team", "approval_rule"],
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
            "pause_during_approval",
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

#: The work orders on the generic stack: the desk (``views_desk.DeskView``) and its export are
#: the generic list and export views of this page, with the one work-order filter set (the
#: API list's). Orders change only through their services and state machine: no generic
#: add, edit or delete.
WORKORDER_PAGE = Page(
    model=WorkOrder,
    nav_group="workorders",
    icon="bi-inbox",
    fields=[
        "number",
        "title",
        "kind",
        "category",
        "priority",
        "status",
        "team",
        "assignee",
        "requester",
        "requester_department",
        "is_major",
        "created_at",
        "response_due",
        "resolution_due",
        "resolved_at",
    ],
    columns=[
        "number",
        "title",
        "priority",
        "status",
        "team",
        "assignee",
        "requester",
        "resolution_due",
        "created_at",
    ],
    search=["number", "title"],
    filterset_class=WorkOrderFilterSet,
    can_add=False,
    can_change=False,
    can_delete=False,
    bulk_fields=[],
    importable=False,
    api=False,  # the API's viewset is ``workorders.api.views.WorkOrderViewSet`` (same filters)
    ui=False,  # the desk and the order page are the screens (``urls.py``)
    per_page=25,
    count_cap=1000,
)
