"""Compliance reports and monthly statements (namespace ``duties``, under ``/duties/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.duties import views_reports as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", v.compliance, name="reports"),
    path("reports/export/", v.compliance_export, name="reports_export"),
    path("statements/", v.statement, name="statement"),
    path("statements/print/", v.statement_print, name="statement_print"),
    path("statements/export/", v.statement_export, name="statement_export"),
]
