"""URLs of the duties app (namespace ``duties``), before the generated pages of its ``Page``
declarations. Each part of the app keeps its own URL module; this one joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from netdept.duties import (
    urls_packs,
    urls_regulations,
    urls_reports,
    urls_sanctions,
    urls_work,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_work.urlpatterns,
    *urls_sanctions.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_regulations.urlpatterns,
    *urls_packs.urlpatterns,
]
