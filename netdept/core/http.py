"""Request types for view annotations (typing only: the middleware sets the attributes)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's ``HtmxMiddleware``: ``request.htmx`` is set."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request of a signed-in user (a ``login_required`` view)."""

    user: User
