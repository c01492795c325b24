"""The person of the org chart behind a signed-in account."""

from __future__ import annotations

from typing import Any

from netdept.org.models import Person


def person_of(user: Any) -> Person | None:
    """The person a signed-in account belongs to; None for an anonymous user, the system or
    an account without a person. Django keeps the answer on the user object, so a request
    asks the database once however many widgets, services and checks ask here."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return person if isinstance(person, Person) else None
