from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.duties import views_regulations as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("regulations/import/", views.import_view, name="regulations_import"),
    path("regulations/<int:pk>/read/", views.read_view, name="regulations_read"),
    path("regulations/<int:pk>/readers/", views.readers_view, name="regulations_readers"),
]
