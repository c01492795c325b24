"""Pages show times in the time zone of the viewer's preferences (UserLanguageMiddleware)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from netdept.accounts.models import UserProfile
from netdept.core.middleware import UserLanguageMiddleware
from netdept.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _zone_seen_by(user: object) -> str:
    def view(request: object) -> HttpResponse:
        return HttpResponse(timezone.get_current_timezone_name())

    request = RequestFactory().get("/")
    request.user = user  # type: ignore[attr-defined]
    return UserLanguageMiddleware(view)(request).content.decode()


def test_the_viewers_zone_is_active_while_the_page_renders_and_only_then() -> None:
    user = UserFactory.create()
    profile, _ = UserProfile.objects.get_or_create(user=user)
    profile.time_zone = "Asia/Urumqi"
    profile.save()
    user.refresh_from_db()
    assert _zone_seen_by(user) == "Asia/Urumqi"
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
    profile.time_zone = "Nowhere/Atlantis"  # a zone that no longer exists: the site's
    profile.save()
    user.refresh_from_db()
    assert _zone_seen_by(user) == timezone.get_default_timezone_name()
