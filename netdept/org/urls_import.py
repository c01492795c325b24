"""URLs of the Excel import of departments and people (included at ``org/import/``)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.org import views_import

app_name = "org_import"

urlpatterns = [
    path("", views_import.index_view, name="index"),
    path("<slug:kind>/", views_import.upload_view, name="upload"),
    path("<slug:kind>/template/", views_import.template_view, name="template"),
    path("<slug:kind>/preview/", views_import.preview_view, name="preview"),
    path("<slug:kind>/confirm/", views_import.confirm_view, name="confirm"),
    path("<slug:kind>/cancel/", views_import.cancel_view, name="cancel"),
]

add_nav("org", _("Import from Excel"), "org_import:index", "org.add_person", "bi-upload", 90)
