"""URLs of the requester portal, included from ``netdept.workorders.urls`` under ``portal/``
(namespace ``workorders``)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from netdept.core.context_processors import add_nav
from netdept.workorders import views_portal as v

# The portal's sidebar entry (the "workorders" group is declared in registry.py).
add_nav(
    "workorders",
    _("Service portal"),
    "workorders:portal_home",
    "workorders.add_workorder",
    "bi-phone",
    5,
)

urlpatterns = [
    path("", v.portal_home, name="portal_home"),
    path("new/", v.portal_new, name="portal_new"),
    path("orders/<str:number>/", v.portal_detail, name="portal_detail"),
    path("orders/<str:number>/comment/", v.portal_comment, name="portal_comment"),
    path("orders/<str:number>/attach/", v.portal_attach, name="portal_attach"),
    path("orders/<str:number>/confirm/", v.portal_confirm, name="portal_confirm"),
    path("orders/<str:number>/rate/", v.portal_rate, name="portal_rate"),
    path("orders/<str:number>/reopen/", v.portal_reopen, name="portal_reopen"),
    path("orders/<str:number>/resubmit/", v.portal_resubmit, name="portal_resubmit"),
    path("orders/<str:number>/withdraw/", v.portal_withdraw, name="portal_withdraw"),
    path("files/<str:token>/", v.portal_attachment, name="portal_attachment"),
]
