"""URLs of doing duties (namespace ``duties``): my duties, 待我复核, an occurrence's page (on
the generic detail path of the ``occurrences`` Page, so every link to an occurrence opens the
page where it is done), its submission and its reviewer's actions, and evidence files."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.duties import views_work

urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", views_work.mine_view, name="mine"),
    path("review/", views_work.review_queue_view, name="review_queue"),
    path("occurrences/<int:pk>/", views_work.occurrence_view, name="occurrence"),
    path("occurrences/<int:pk>/submit/", views_work.submit_view, name="occurrence_submit"),
    path(
        "occurrences/<int:pk>/act/<str:name>/",
        views_work.occurrence_action_view,
        name="occurrence_do",
    ),
    path("evidence/<int:pk>/file/", views_work.evidence_file_view, name="evidence_file"),
]
