from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "netdept.org"
    label = "org"
    verbose_name = _("Organisation")
    extra_urls = (("import/", "netdept.org.urls_import"),)  # (netdept/urls.py)

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from netdept.org import registry  # noqa: F401  (registers the org pages and API)

        post_migrate.connect(_sync_roles)


def _sync_roles(app_config: AppConfig, **kwargs: object) -> None:
    from django.apps import apps

    # Run once, after the last app has created its permissions.
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if app_config is not with_models[-1]:
        return
    from netdept.org.roles import sync_builtin_roles

    sync_builtin_roles()
