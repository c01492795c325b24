"""OpenAPI (drf-spectacular): NetDept's own authentication classes.

Imported by ``AccountsConfig.ready()`` so that the extensions are registered before a schema is
generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "netdept.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Personal API token: "Token nd_…" (or "Bearer nd_…").',
        }


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "netdept.accounts.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
