"""URLs of the working calendar: the holiday schedule and the generated calendar pages
(namespace "workcal")."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from netdept.core.registry import pages_of
from netdept.core.views.crud import urls_for
from netdept.workcal import views

app_name = "workcal"

urlpatterns: list[URLPattern | URLResolver] = [
    *views.urlpatterns,  # before the generated calendar pages
]
for _page in pages_of(app_name):
    if _page.ui:
        urlpatterns += urls_for(_page)
