from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in security: profiles, password policy and history, lockout, 2FA, API tokens."""

    name = "netdept.accounts"
    label = "accounts"
    verbose_name = _("Accounts and sign-in security")
    url_prefix = "security"  # not "accounts/": that prefix is open before the 2FA step

    def ready(self) -> None:
        # ready(): core.audit imports models. Every model here lived in core until issue 9.
        from netdept.core import audit  # ready(): core.audit imports models

        audit.register_former_app_label(self, "core")
        from netdept.accounts import (  # ready(): receivers and OpenAPI extensions register
            schema,  # noqa: F401
            signals,  # noqa: F401
        )
