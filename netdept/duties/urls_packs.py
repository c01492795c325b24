"""URLs of the packs' own pages: a pack's coverage and its Excel export."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.duties import views_packs

urlpatterns: list[URLPattern | URLResolver] = [
    path("packs/<int:pk>/coverage/", views_packs.coverage_page, name="pack_coverage"),
    path("packs/<int:pk>/coverage.xlsx", views_packs.coverage_export, name="pack_coverage_export"),
]
