from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _ensure_defaults(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: the default priority matrix, SLA policies and escalation rules,
    created only when their tables are empty."""
    from netdept.workorders.services import ensure_defaults  # post_migrate: models are loaded

    ensure_defaults(using=using)


class WorkOrdersConfig(AppConfig):
    name = "netdept.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from netdept.core import display  # ready(): the hooks' modules import models
        from netdept.core.search import register_search_provider
        from netdept.org import demo as org_demo
        from netdept.workorders import (  # ready(): these need the app registry
            demo,
            duty_checks,  # noqa: F401  (the self-checks of duties about work orders)
            home,  # noqa: F401  (the home page's widgets and set-up warnings)
            models,
            permlabels,  # noqa: F401  (names of its own permissions, for the role editor)
            registry,  # noqa: F401  (pages, navigation)
            sla,  # noqa: F401  (signal receivers, in every process)
            tabs,  # noqa: F401  (the order page's tabs, registered on WorkOrder)
            views_order,
            worklog_contributions,  # noqa: F401  (what the day's orders add to daily logs)
        )
        from netdept.workorders.approval import register as register_approval_kinds
        from netdept.workorders.search import OrderSearch

        register_approval_kinds()  # approval before work starts; major-incident reports

        register_search_provider(OrderSearch())  # the global search: work orders
        display.register_object_url(models.WorkOrder, views_order.order_url)  # audit trail links
        display.register_object_type("workorders.report", _("Service report"))  # its exports
        org_demo.register_demo_loader(demo.load)  # categories, SLA policies, orders

        post_migrate.connect(
            _ensure_defaults, sender=self, dispatch_uid="workorders.ensure_defaults"
        )
