"""URLs of sanctions (namespace ``duties``): record a violation, grant a reward, my penalties
and rewards. The lists, details, buttons (appeal, withdraw) and API of violations, penalties,
appeals and rewards are the generic pages of their ``Page`` (``registry_sanctions``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.duties import views_sanctions

urlpatterns: list[URLPattern | URLResolver] = [
    path("violations/record/", views_sanctions.record_violation_view, name="violation_record"),
    path("rewards/grant/", views_sanctions.grant_reward_view, name="reward_grant"),
    path("sanctions/mine/", views_sanctions.my_sanctions_view, name="my_sanctions"),
]
