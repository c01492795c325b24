from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "netdept.duties"
    label = "duties"
    verbose_name = _("Regulations and duties")

    def ready(self) -> None:
        from netdept.duties import wiring

        wiring.ready()
