"""Request parsers. JSON bodies are bounded in depth: a body nested thousands of levels deep
is refused with a 400 naming the problem (Python's decoder would otherwise recurse until a
``RecursionError``, a 500), and data nested deeper than any NetDept payload never reaches the
serializers, the services or the audit trail (which walk it recursively too)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: The deepest nesting of objects and arrays a request body may have.
MAX_JSON_DEPTH = 32


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Is ``value`` nested more than ``limit`` levels deep? (Iterative: any depth is safe.)"""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than ``MAX_JSON_DEPTH``."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise ParseError(self._deep_message()) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        if too_deep(data):
            raise ParseError(self._deep_message())
        return data

    @staticmethod
    def _deep_message() -> str:
        return _("The JSON body is nested too deeply (at most %(depth)d levels).") % {
            "depth": MAX_JSON_DEPTH
        }


def _refuse_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (DRF refuses them too, in strict mode)."""
    raise ValueError(_("%(name)s is not a valid JSON value.") % {"name": name})
