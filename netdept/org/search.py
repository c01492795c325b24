"""Finding people: the global search and the phone desk's caller type-ahead share this."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from netdept.core import permissions
from netdept.org.models import Person


def people_matching(query: str, user: Any, *, limit: int = 10) -> QuerySet[Person]:
    """Active people whose name, phone or employee number matches ``query``, as ``user`` may see
    them (restricted by the view permission's scope), best matches first, at most ``limit``."""
    q = query.strip()
    qs = permissions.restrict(Person.objects.filter(is_active=True), user, "view")
    if not q:
        return qs.none()
    cond = Q(name__icontains=q) | Q(phone__icontains=q) | Q(employee_no__iexact=q)
    return qs.filter(cond).select_related("department", "team").order_by("name", "pk")[:limit]
