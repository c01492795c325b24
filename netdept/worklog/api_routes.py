"""The worklog app's own API endpoints beyond the generated ones (``(prefix, viewset,
basename)`` for the API router); each part of the app keeps its own ``ROUTES``."""

from __future__ import annotations

from typing import Any

from netdept.worklog import api_analytics

ROUTES: list[tuple[str, Any, str]] = []
ROUTES += api_analytics.ROUTES
