"""URLs of core features that are not generated pages (filled in by the core modules)."""

from __future__ import annotations

from django.urls import path

from netdept.core.views import accounts

app_name = "core"

urlpatterns: list[object] = [
    path("preferences/", accounts.preferences_view, name="preferences"),
]
