"""URLs of the security policy and the personal API tokens (namespace "accounts", mounted at
``/security/``). The sign-in, 2FA and password pages are top-level (``/accounts/...``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.accounts import views, views_security

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("preferences/", views.preferences_view, name="preferences"),
    path("policy/", views_security.security_policy_view, name="security_policy"),
    path("tokens/", views_security.api_tokens_view, name="api_tokens"),
    path(
        "tokens/<int:pk>/revoke/",
        views_security.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
