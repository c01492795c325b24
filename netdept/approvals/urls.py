"""URLs of approvals (namespace ``approvals``), before the generated pages of its ``Page``
declarations (``netdept/urls.py`` appends them): the decision and request pages take the
paths of the generic detail pages (``decisions/<pk>/``, ``requests/<pk>/``), so that every
link to a decision or a request — the lists', the notifications' — opens the page where
people approve."""

from __future__ import annotations

from django.urls import URLPattern, path

from netdept.approvals import views, views_inbox

urlpatterns: list[URLPattern] = [
    path("inbox/", views_inbox.inbox_view, name="inbox"),
    path("inbox/approve/", views_inbox.bulk_approve_view, name="inbox_bulk_approve"),
    path("mine/", views_inbox.my_requests_view, name="mine"),
    path("decisions/<int:pk>/", views.decision_view, name="decision"),
    path("decisions/<int:pk>/decide/<str:name>/", views.decision_action_view, name="decision_do"),
    path("requests/<int:pk>/", views.request_view, name="request"),
    path("requests/<int:pk>/act/<str:name>/", views.request_action_view, name="request_do"),
]
