"""The person of the org chart behind a signed-in account."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from netdept.org.models import Person


def person_of(user: Any) -> Person | None:
    """The person a signed-in account belongs to; None for an anonymous user, the system or
    an account without a person. Django keeps the answer on the user object, so a request
    asks the database once however many widgets, services and checks ask here."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return person if isinstance(person, Person) else None


def person_or_refuse(user: Any) -> Person:
    """``person_of(user)``, or a refusal saying the account has no person (an action only a
    person of the organisation can take: write a log, submit a duty, decide)."""
    person = person_of(user)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of the organisation."))
    return person
