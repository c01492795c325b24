"""Who approves: the org chart's relations (逐级), roles, people, committees — and who holds a
person's approvals while they are away (delegation, absence).

Every function answers people (``org.Person``) and, where a relation cannot be followed, a
reason in the reader's language: the engine routes such a step to the director with that
reason rather than letting it stall (``services.engine``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from netdept.approvals.models import Delegation
from netdept.org.models import Department, DepartmentKind, Person

#: ``provider(person, at) -> bool``: is ``person`` away at ``at`` (on approved leave…)? A
#: module that knows (leave, later) registers one; an away person's steps go to their
#: delegate, or else to their own superior.
AbsenceProvider = Callable[[Person, dt.datetime], bool]
_ABSENCE: list[AbsenceProvider] = []

#: How far a chain of delegations is followed (A → B → C); a loop stops it.
MAX_HOPS = 5


def register_absence_provider(provider: AbsenceProvider) -> None:
    if provider not in _ABSENCE:
        _ABSENCE.append(provider)


def unregister_absence_provider(provider: AbsenceProvider) -> None:
    if provider in _ABSENCE:
        _ABSENCE.remove(provider)


def _active(p: Person | None) -> Person | None:
    return p if p is not None and p.is_active else None


def director() -> Person | None:
    """The director of the network department: its head, or else whoever holds the built-in
    director role (the first by employee number)."""
    dept = (
        Department.objects.filter(
            kind=DepartmentKind.NETWORK, is_active=True, head__isnull=False, head__is_active=True
        )
        .select_related("head")
        .order_by("parent_id", "code")
        .first()
    )
    if dept is not None:
        return dept.head
    return role_holders_q(Q(user__role_assignments__role__code="director")).first()


def role_holders_q(q: Q) -> QuerySet[Person]:
    return (
        Person.objects.filter(q, is_active=True, user__isnull=False, user__is_active=True)
        .distinct()
        .order_by("employee_no")
    )


def role_holders(role_id: int) -> list[Person]:
    return list(role_holders_q(Q(user__role_assignments__role_id=role_id)))


def department_head(dept: Department | None) -> Person | None:
    if dept is None:
        return None
    return _active(dept.head)


def head_above(dept: Department | None, exclude: Person) -> Person | None:
    """The first active head of ``dept`` or a department above it who is not ``exclude``."""
    seen: set[int] = set()
    while dept is not None and dept.pk not in seen:
        seen.add(dept.pk)
        head = department_head(dept)
        if head is not None and head.pk != exclude.pk:
            return head
        dept = dept.parent
    return None


def superior(p: Person) -> Person | None:
    """One level up the org chart: the manager; else the team lead; else the head of the
    department (or of a department above); else the director. Never ``p`` itself."""
    for candidate in (
        _active(p.manager),
        _active(p.team.lead) if p.team_id and p.team is not None else None,
        head_above(p.department, p),
        director(),
    ):
        if candidate is not None and candidate.pk != p.pk:
            return candidate
    return None


def superiors(p: Person, levels: int) -> list[Person]:
    """``levels`` people up the chain, level by level (逐级), fewer when the top is reached."""
    chain: list[Person] = []
    seen = {p.pk}
    node = p
    for _level in range(levels):
        up = superior(node)
        if up is None or up.pk in seen:
            break
        chain.append(up)
        seen.add(up.pk)
        node = up
    return chain


def is_away(person: Person, at: dt.datetime) -> bool:
    return any(provider(person, at) for provider in _ABSENCE)


def delegation_of(person: Person, at: dt.datetime) -> Delegation | None:
    return (
        Delegation.objects.filter(
            delegator=person, is_active=True, starts_at__lte=at, ends_at__gt=at
        )
        .select_related("delegate")
        .order_by("-starts_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Holder:
    """Who holds a place meant for ``meant_for``: themselves, or a delegate for them."""

    person: Person
    on_behalf_of: Person | None = None
    note: str = ""


def holder(meant_for: Person, at: dt.datetime, requester: Person) -> Holder | None:
    """Follow ``meant_for``'s delegations (to a named person, or to their own approver) and
    absences. Nobody decides their own request, directly or as a delegate: a delegate who is
    the requester is passed over for the delegator's superior. None: nobody can hold it."""
    person, seen, notes = meant_for, {meant_for.pk}, []
    for _hop in range(MAX_HOPS):
        d = delegation_of(person, at)
        if d is None and not is_away(person, at):
            break
        nxt = d.delegate if d is not None and d.delegate_id else superior(person)
        if nxt is not None and nxt.pk == requester.pk:
            notes.append(_("the delegate is the requester"))
            nxt = superior(person)
        if nxt is None or nxt.pk in seen or not nxt.is_active:
            break
        seen.add(nxt.pk)
        person = nxt
    if person.pk == requester.pk:
        return None
    if person.pk == meant_for.pk:
        return Holder(person)
    return Holder(person, on_behalf_of=meant_for, note="; ".join(notes))


def exclude_requester(people: Iterable[Person], requester: Person) -> list[Person]:
    out: list[Person] = []
    for p in people:
        if p.pk != requester.pk and all(q.pk != p.pk for q in out):
            out.append(p)
    return out
