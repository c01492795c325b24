"""URLs of the inbox, the notification settings and the generated notification pages
(namespace "notify")."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.core.registry import pages_of
from netdept.core.views.crud import urls_for
from netdept.notify import channel_views, views

app_name = "notify"

urlpatterns: list[URLPattern | URLResolver] = [
    path("inbox/", views.inbox_view, name="notifications_inbox"),
    path("inbox/read-all/", views.mark_all_read_view, name="notifications_read_all"),
    path("inbox/<int:pk>/open/", views.open_view, name="notifications_open"),
    path("inbox/<int:pk>/read/", views.mark_read_view, name="notifications_read"),
    path("notifications/bell/", views.bell_view, name="notifications_bell"),
    path(
        "notifications/preferences/",
        views.preferences_view,
        name="notifications_preferences",
    ),
    path("notifications/failed/", views.failed_view, name="notifications_failed"),
    path(
        "notifications/deliveries/<int:pk>/retry/",
        views.retry_view,
        name="notifications_delivery_retry",
    ),
    *channel_views.urlpatterns,  # before the generated channel pages (same add/edit paths)
]
for _page in pages_of(app_name):
    if _page.ui:
        urlpatterns += urls_for(_page)
