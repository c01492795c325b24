"""URLs of core features that are not generated pages (filled in by the core modules)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.core.notifications import channel_views
from netdept.core.notifications import urls as notification_urls
from netdept.core.views import accounts, holidays, security

app_name = "core"

urlpatterns: list[URLPattern | URLResolver] = [
    path("preferences/", accounts.preferences_view, name="preferences"),
    path("security/policy/", security.security_policy_view, name="security_policy"),
    path("security/tokens/", security.api_tokens_view, name="api_tokens"),
    path(
        "security/tokens/<int:pk>/revoke/",
        security.api_token_revoke_view,
        name="api_token_revoke",
    ),
    *holidays.urlpatterns,  # before the generated calendar pages
    *notification_urls.urlpatterns,
    *channel_views.urlpatterns,  # before the generated channel pages (same add/edit paths)
]
