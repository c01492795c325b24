from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "netdept.org"
    label = "org"
    verbose_name = _("Organisation")
    extra_urls = (("import/", "netdept.org.urls_import"),)  # (netdept/urls.py)

    def ready(self) -> None:
        # ready(): these modules need the app registry (models); they register the org pages
        # and API, and org's answers to the hooks of the layers below (grants, 2FA, recipients).
        from django.db.models.signals import post_migrate

        from netdept.accounts import services as account_services
        from netdept.accounts import twofactor  # ready(): the hooks' modules import models
        from netdept.core import display, permissions, search  # ready()
        from netdept.notify import engine  # ready()
        from netdept.org import (  # noqa: F401
            actors,
            grants,
            home,  # the home page: privileged object types, set-up warnings
            registry,
            services,
        )
        from netdept.org.search import PeopleSearch  # ready(): models

        permissions.register_grants_provider(grants.grants_of)
        twofactor.register_requirement(grants.roles_requiring_2fa)
        engine.register_recipient_resolver(grants.recipients_of)
        display.register_actor_names(actors.names, actors.matching)
        post_migrate.connect(_sync_roles, dispatch_uid="org.sync_roles")
        account_services.second_factor_reset.connect(
            services.notify_second_factor_reset, dispatch_uid="org.second_factor_reset"
        )
        search.register_search_provider(PeopleSearch())  # the global search: people


def _sync_roles(app_config: AppConfig, **kwargs: object) -> None:
    from django.apps import apps

    # Run once, after the last app has created its permissions.
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if app_config is not with_models[-1]:
        return
    from netdept.org.roles import sync_builtin_roles  # post_migrate: registry ready

    sync_builtin_roles()
