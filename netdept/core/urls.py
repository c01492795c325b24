"""URLs of core features that are not generated pages (none today: the platform modules
``notify``, ``workcal`` and ``accounts`` have their own ``urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "core"

urlpatterns: list[URLPattern | URLResolver] = []
