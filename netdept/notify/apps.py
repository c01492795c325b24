from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """The notification service: event kinds, inbox, channels, deliveries."""

    name = "netdept.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # ready(): core.audit imports models. Every model here lived in core until issue 9.
        from netdept.core import audit  # ready(): core.audit imports models

        audit.register_former_app_label(self, "core")
        from netdept.notify import (  # ready(): pages, API and receivers register
            channel_pages,  # noqa: F401
            pages,  # noqa: F401
            receivers,  # noqa: F401
        )
