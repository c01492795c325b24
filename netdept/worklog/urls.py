"""URLs of the worklog app (namespace ``worklog``), before the generated pages of its ``Page``
declarations. Each part of the app keeps its own URL module; this one joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
