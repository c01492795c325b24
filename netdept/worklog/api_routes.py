"""The worklog app's own API endpoints beyond the generated ones (``(prefix, viewset,
basename)`` for the API router); each part of the app keeps its own ``ROUTES``."""

from __future__ import annotations

from typing import Any

ROUTES: list[tuple[str, Any, str]] = []
