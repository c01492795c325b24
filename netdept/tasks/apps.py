from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    """Background tasks: the scheduler, the worker, job runs and the ``once`` guard."""

    name = "netdept.tasks"
    label = "tasks"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        # ready(): core.audit imports models. Every model here lived in core until issue 9.
        from netdept.core import audit  # ready(): core.audit imports models

        audit.register_former_app_label(self, "core")
