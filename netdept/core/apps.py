from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "netdept.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from netdept.core import (  # ready(): they need the app registry
            home_widgets,  # noqa: F401  (the kernel's home widgets)
            signals,  # noqa: F401  (login/logout audit receivers)
        )
        from netdept.core.checks import check_scope_paths  # ready(): needs the app registry

        checks.register(check_scope_paths, checks.Tags.models)
