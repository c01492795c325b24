from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "netdept.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from netdept.approvals import (  # noqa: F401  (ready(): these need the app registry)
            api,  # the API's own endpoints (submit, inbox, bulk approve)
            home,  # the "待我审批" home widget and navigation entry
            registry,  # pages, API, machines
            tasks,  # the minute's sweep: reminders, time limits, emergencies
        )
        from netdept.approvals.demo import load
        from netdept.org.demo import register_demo_loader

        # the leading group, general rules, requests in flight (after the replayed past)
        register_demo_loader(load, late=True)

        from netdept.approvals.notices import AUDIT_LABELS, AUDIT_VALUES
        from netdept.core.history import register_detail_labels

        register_detail_labels(AUDIT_LABELS, AUDIT_VALUES)  # the audit trail's words
