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

        from netdept.workorders import (  # ready(): these need the app registry
            registry,  # noqa: F401  (pages, navigation)
            sla,  # noqa: F401  (signal receivers, in every process)
            tabs,  # noqa: F401  (the order page's tabs, registered on WorkOrder)
        )

        post_migrate.connect(
            _ensure_defaults, sender=self, dispatch_uid="workorders.ensure_defaults"
        )
