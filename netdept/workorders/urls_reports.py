"""Service reports, included by ``netdept/workorders/urls.py`` at ``reports/`` (namespace
``workorders``)."""

from __future__ import annotations

from django.urls import path

from netdept.workorders import views_reports as v

urlpatterns = [
    path("", v.reports_home, name="reports_home"),
    path("export/", v.reports_export, name="reports_export"),
    path("monthly/", v.reports_monthly, name="reports_monthly"),
]
