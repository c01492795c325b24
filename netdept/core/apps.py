from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "netdept.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core import checks

        from netdept.core.checks import check_scope_paths

        checks.register(check_scope_paths, checks.Tags.models)

        from netdept.core import (
            pages,  # noqa: F401  (working calendar pages and API)
            signals,  # noqa: F401  (login/logout audit receivers)
        )
        from netdept.core.notifications import channel_pages  # noqa: F401  (channels, hosts)
        from netdept.core.notifications import pages as notification_pages  # noqa: F401
