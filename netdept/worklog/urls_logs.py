"""URLs of daily logs (namespace ``worklog``): my log of today, a log's page (on the generic
detail path of the ``logs`` Page, so every link to a log opens the page where it is written),
its text, entries, re-draft and the machine's actions, and the team's logs."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.worklog import views_logs

urlpatterns: list[URLPattern | URLResolver] = [
    path("logs/today/", views_logs.log_today_view, name="log_today"),
    path("logs/team/", views_logs.team_logs_view, name="team_logs"),
    path("logs/<int:pk>/", views_logs.log_view, name="log"),
    path("logs/<int:pk>/save/", views_logs.log_save_view, name="log_save"),
    path("logs/<int:pk>/entries/add/", views_logs.entry_add_view, name="log_entry_add"),
    path("logs/<int:pk>/redraft/", views_logs.redraft_view, name="log_redraft"),
    path("logs/<int:pk>/act/<str:name>/", views_logs.log_action_view, name="log_do"),
    path("log-entries/<int:pk>/change/", views_logs.entry_edit_view, name="log_entry_edit"),
    path("log-entries/<int:pk>/remove/", views_logs.entry_remove_view, name="log_entry_remove"),
]
