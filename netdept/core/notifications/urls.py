"""URLs of the inbox and the notification settings (in the "core" namespace)."""

from __future__ import annotations

from django.urls import path

from netdept.core.notifications import (
    pages,  # noqa: F401  (registers the engine's pages)
    views,
)

urlpatterns = [
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
]
