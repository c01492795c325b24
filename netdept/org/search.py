"""Finding people: the global search and the phone desk's caller type-ahead share this.

A person is found by name, phone or employee number; every word typed must match one of them
(``张 8123`` finds 张三 whose phone holds 8123). Only active people the user may view (the scope
of ``org.view_person``) are found, best matches first: the employee number typed in full, then
the name typed in full, then names that start with the text, then the rest by name.
PostgreSQL reads trigram indexes on the three columns (``org/migrations/0005_search_indexes``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.core.search import Hit, Query, SearchProvider, parse
from netdept.org.models import Person

#: the fields a word is looked for in
FIELDS = ("name", "phone", "employee_no")


def term_q(term: str) -> Q:
    """One word: in the name or the phone, or the start of the employee number."""
    return Q(name__icontains=term) | Q(phone__icontains=term) | Q(employee_no__istartswith=term)


def matching_q(query: Query) -> Q:
    cond = Q()
    for term in query.terms:
        cond &= term_q(term)
    return cond


def people_matching(
    query: str, user: Any, *, limit: int = 10, among: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """Active people whose name, phone or employee number matches ``query``, as ``user`` may see
    them (restricted by the view permission's scope), best matches first, at most ``limit``.
    ``among``: search these people instead (a caller that has authorised them itself, e.g. the
    phone desk, which files for anyone)."""
    parsed = parse(query)
    if among is not None:
        qs = among.filter(is_active=True)
    else:
        qs = permissions.restrict(Person.objects.filter(is_active=True), user, "view")
    if not parsed.terms:
        return qs.none()
    text = parsed.text
    rank = Case(
        When(employee_no__iexact=text, then=Value(0)),
        When(name__iexact=text, then=Value(1)),
        When(name__istartswith=text, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        qs.filter(matching_q(parsed))
        .select_related("department", "team")
        .annotate(search_rank=rank)
        .order_by("search_rank", "name", "pk")[: max(0, limit)]
    )


class PeopleSearch(SearchProvider):
    """People in the global search (replaces the default provider of the people page)."""

    key = "org.person"
    label = _("People")
    icon = "bi-person-vcard"
    order = 20
    model = Person

    def applies(self, user: Any) -> bool:
        return permissions.has_perm(user, "org.view_person")

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        hits = []
        for person in people_matching(query.text, user, limit=limit + 1):
            where = " · ".join(str(x) for x in (person.department, person.team) if x)
            detail = " · ".join(x for x in (person.employee_no, person.phone, where) if x)
            hits.append(Hit(person.name, reverse("org:person_detail", args=[person.pk]), detail))
        return hits

    def more_url(self, query: Query, user: Any) -> str | None:
        return f"{reverse('org:person_list')}?{urlencode({'q': query.text})}"
