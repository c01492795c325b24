"""URLs of work orders (namespace ``workorders``): the app's own URL module, which the root
``netdept/urls.py`` includes under the app's label like every app's (the desk and its export are
the generic list and export views of ``registry.WORKORDER_PAGE``, see ``views_desk``).

Order matters: fixed paths and the generated settings pages come before ``<ref>/`` (an
order's number), which would otherwise swallow them.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from netdept.core.registry import pages_of
from netdept.core.views.crud import urls_for
from netdept.workorders import views_desk, views_order

app_name = "workorders"


def _page_urls() -> list[URLPattern]:
    patterns: list[URLPattern] = []
    for page in pages_of("workorders"):
        if page.ui:
            patterns += urls_for(page)
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    # --- the engineer's desk ---
    path("", views_desk.desk_view, name="desk"),
    path("export/", views_desk.export_view, name="export"),
    path("bulk-assign/", views_desk.bulk_assign_view, name="bulk_assign"),
    path("filters/save/", views_desk.save_filter_view, name="filter_save"),
    path("filters/<int:pk>/delete/", views_desk.delete_filter_view, name="filter_delete"),
    path("new/", views_order.new_view, name="new"),
    path("attachment/<str:token>/", views_order.attachment_view, name="attachment"),
    # --- the requester portal (PORTAL helper: its include line goes right here) ---
    path("portal/", include("netdept.workorders.urls_portal")),
    path("reports/", include("netdept.workorders.urls_reports")),
    # --- generated settings pages: categories, priority matrix, SLA policies, escalation ---
    *_page_urls(),
    # --- one order (keep last: <ref> matches any single path segment) ---
    path("<str:ref>/", views_order.order_view, name="order"),
    path("<str:ref>/do/<str:action>/", views_order.action_view, name="action"),
    path("<str:ref>/history/", views_order.history_view, name="order_history"),
    path("<str:ref>/tab/<slug:key>/", views_order.tab_view, name="order_tab"),
]
