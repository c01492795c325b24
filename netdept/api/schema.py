"""OpenAPI (drf-spectacular): the error answers of every endpoint. (The descriptions of
NetDept's authentication classes are in ``netdept.accounts.schema``.)"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field: not signed in, not allowed, not found, a lost
    race (409, with ``code: conflict``)."""

    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))
    code = serializers.CharField(required=False, help_text=_("A short machine-readable code."))


#: Bad input: ``{"field": ["message", …], "non_field_errors": [...]}`` (a nested field has a
#: nested object), or ``{"detail": "…"}`` when the body could not be read at all.
VALIDATION_ERROR: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field name → list of messages; or detail → message.",
}

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error answers every endpoint can give: 400 (bad
    input, naming the field), 401 (no or a revoked token), 403 (not allowed), 404 (not found
    or not visible, an unknown page) and, where an endpoint says so, 409 (someone else changed
    the object first). Every one has a JSON body."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = {"400": VALIDATION_ERROR, "401": ErrorSerializer, "403": ErrorSerializer}
        codes["404"] = ErrorSerializer
        if self.method in UNSAFE and getattr(self.view, "conflict_possible", False):
            codes["409"] = ErrorSerializer
        for code, schema in codes.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(schema, code, direction=direction)
        return responses
