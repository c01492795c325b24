"""URLs of core features that are not generated pages (filled in by the core modules)."""

from __future__ import annotations

from django.urls import path

from netdept.core.views import accounts, security

app_name = "core"

urlpatterns: list[object] = [
    path("preferences/", accounts.preferences_view, name="preferences"),
    path("security/policy/", security.security_policy_view, name="security_policy"),
    path("security/tokens/", security.api_tokens_view, name="api_tokens"),
    path(
        "security/tokens/<int:pk>/revoke/",
        security.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
