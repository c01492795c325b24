from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExampleConfig(AppConfig):
    name = "netdept.testing.example"
    label = "example"
    verbose_name = _("Example: spare parts")

    def ready(self) -> None:
        from netdept.testing.example import (  # noqa: F401
            approval,  # the approval kind "example.scrap"
            registry,  # pages, API, machine
        )
