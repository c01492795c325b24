from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklogConfig(AppConfig):
    name = "netdept.worklog"
    label = "worklog"
    verbose_name = _("Working rhythm")

    def ready(self) -> None:
        from netdept.worklog import wiring

        wiring.ready()
