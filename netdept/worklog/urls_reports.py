"""URLs of reports (namespace ``worklog``): my weekly / monthly report, writing a report,
its print page and Word document, the team's reports, drafting runs, and the working
rhythm's report (per person / team / period, charts and Excel)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.worklog import views_analytics, views_reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/analytics/", views_analytics.analytics_view, name="analytics"),
    path("reports/analytics/export/", views_analytics.analytics_export, name="analytics_export"),
    path("reports/mine/weekly/", views_reports.mine_weekly, name="report_mine_weekly"),
    path("reports/mine/monthly/", views_reports.mine_monthly, name="report_mine_monthly"),
    path("reports/team/", views_reports.team, name="report_team"),
    path("reports/team/roll-up/", views_reports.team_report, name="report_team_rollup"),
    path("reports/team/export/", views_reports.team_export, name="report_team_export"),
    path("reports/draft-runs/start/", views_reports.start_run, name="report_run_start"),
    path("reports/draft-runs/<int:pk>/progress/", views_reports.run_progress, name="report_run"),
    path("reports/<int:pk>/write/", views_reports.write, name="report_write"),
    path("reports/<int:pk>/print/", views_reports.print_view, name="report_print"),
    path("reports/<int:pk>/word/", views_reports.word_view, name="report_word"),
]
