from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalConfig(AppConfig):
    """The working calendar: working hours, day overrides, public holidays."""

    name = "netdept.workcal"
    label = "workcal"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        # ready(): core.audit imports models. Every model here lived in core until issue 9.
        from netdept.core import audit  # ready(): core.audit imports models

        audit.register_former_app_label(self, "core")
        # ready(): the pages need the app registry; they register the pages and API.
        from netdept.core.views.pages import register_home_alert  # ready(): imports models
        from netdept.workcal import pages  # noqa: F401
        from netdept.workcal.views import home_holidays_alert  # ready(): imports models

        register_home_alert(home_holidays_alert)
