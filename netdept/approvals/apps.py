from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "netdept.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from netdept.approvals import (  # noqa: F401  (ready(): these need the app registry)
            registry,  # pages, API, machines
            tasks,  # the minute's sweep: reminders, time limits, emergencies
        )
