"""The global search: what each app contributes, asked by the top bar, the search page and the API.

An app registers a *provider* per kind of thing it can find, in its ``AppConfig.ready()``::

    register_search_provider(OrderSearch())   # workorders/search.py

A provider answers three questions for a parsed :class:`Query` and a user: whether it applies
to the user at all (``applies``: the view permission, cheap, no query), the object a complete
identifier names (``exact``: a work-order number pasted in full goes straight to the order),
and the first hits (``search``), each narrowed by the same permissions as the lists
(``permissions.restrict``). Every generic :class:`~netdept.core.registry.Page` with ``search``
fields gets a default provider (:class:`PageSearchProvider`) unless an app registered
its own provider for the page's model (people: ``org/search.py``).

Bad input never reaches a query unbounded: the text is cleaned (control characters removed,
whitespace collapsed), cut at :data:`MAX_LENGTH` characters and at :data:`MAX_TERMS` words;
anything shorter than :data:`MIN_LENGTH` characters is answered with a hint without a query.
On PostgreSQL each provider's statements run under a statement timeout
(:data:`STATEMENT_TIMEOUT_MS`): a search that would scan too much is cancelled and its group
says so, instead of holding the page.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from netdept.core import permissions
from netdept.core.registry import PAGES

logger = logging.getLogger(__name__)

#: Fewer characters than this (after cleaning) find nothing: a hint instead of a query.
MIN_LENGTH = 2
#: The longest text searched; more is cut (and the answer says so).
MAX_LENGTH = 100
#: At most this many words are matched (each word must match; more words add nothing useful).
MAX_TERMS = 5
#: Hits per group: the top bar's type-ahead and the search page.
TYPEAHEAD_LIMIT = 5
PAGE_LIMIT = 10
#: PostgreSQL: the longest one statement of a provider may take before it is cancelled.
STATEMENT_TIMEOUT_MS = 1500

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    """A search text as the providers receive it."""

    text: str  # cleaned: no control characters, single spaces, at most MAX_LENGTH characters
    terms: tuple[str, ...]  # its distinct words (at most MAX_TERMS), in the order typed
    truncated: bool = False  # the text typed was longer than MAX_LENGTH (or had more words)

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def too_short(self) -> bool:
        return 0 < len(self.text) < MIN_LENGTH

    @property
    def searchable(self) -> bool:
        return len(self.text) >= MIN_LENGTH

    @property
    def single(self) -> str | None:
        """The text when it is one word (an identifier may be pasted), else None."""
        return self.terms[0] if len(self.terms) == 1 else None


def parse(raw: Any) -> Query:
    """Clean what was typed: any string (or None) gives a Query, never an error."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFKC", text[: MAX_LENGTH * 4])  # full-width → half-width
    text = _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()
    truncated = len(text) > MAX_LENGTH
    if truncated:
        text = text[:MAX_LENGTH].rstrip()
    terms: list[str] = []
    for word in text.split(" "):
        if word and word.casefold() not in (t.casefold() for t in terms):
            terms.append(word)
    if len(terms) > MAX_TERMS:
        terms, truncated = terms[:MAX_TERMS], True
    return Query(text=text, terms=tuple(terms), truncated=truncated)


@dataclass(frozen=True)
class Hit:
    """One thing found: what to show, where it leads, a second line and a badge."""

    label: str
    url: str
    detail: str = ""
    badge: str = ""


@dataclass
class Group:
    """The hits of one provider."""

    key: str
    label: str
    icon: str
    hits: list[Hit] = field(default_factory=list)
    more_url: str | None = None  # the full list, filtered by the same text
    has_more: bool = False
    timed_out: bool = False
    note: str = ""  # a provider's remark about this query (e.g. "names only for one character")


class SearchProvider:
    """What one app contributes to the search. Subclass and override; register an instance."""

    key: str = ""  # unique; "<app>.<thing>"
    label: str | Promise = ""  # the group's heading
    icon: str = "bi-search"
    order: int = 50  # groups are listed by order, then label
    #: a provider for a model replaces the default provider of that model's Page
    model: type[models.Model] | None = None
    #: PostgreSQL: run in a savepoint of its own, so that a statement cancelled by the timeout
    #: costs only this group; False for small tables (configuration), saving two round trips
    guarded: bool = True

    def applies(self, user: Any) -> bool:
        """Whether the user may see anything of this kind (no query: permissions are cached)."""
        return True

    def exact(self, query: Query, user: Any) -> Hit | None:
        """The object a complete identifier in ``query`` names, if the user may see it."""
        return None

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        """Up to ``limit + 1`` hits (one more than shown tells that there are more)."""
        raise NotImplementedError

    def more_url(self, query: Query, user: Any) -> str | None:
        """The page listing every hit (the list filtered by the text), if there is one."""
        return None

    def note(self, query: Query, user: Any) -> str:
        """A remark shown with the group for this query (empty: none)."""
        return ""


_PROVIDERS: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> SearchProvider:
    """Add (or replace, by ``key``) a provider. Call it from ``AppConfig.ready()``."""
    if not provider.key:
        raise ValueError("a search provider needs a key")
    _PROVIDERS[provider.key] = provider
    return provider


def unregister_search_provider(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers() -> list[SearchProvider]:
    """The registered providers and a default one for every searchable generic page whose
    model has no provider of its own, in display order."""
    found = list(_PROVIDERS.values())
    claimed = {p.model for p in found if p.model is not None}
    for page in PAGES.values():
        if page.ui and page.search and page.model not in claimed:
            found.append(PageSearchProvider(page))
    return sorted(found, key=lambda p: (p.order, str(p.label)))


def like_q(fields: list[str], term: str) -> Q:
    """``term`` contained in any of ``fields``, case-insensitive. ``%``, ``_`` and ``\\`` are
    matched as themselves (Django escapes them in ``icontains``)."""
    cond = Q()
    for name in fields:
        cond |= Q(**{f"{name}__icontains": term})
    return cond


class PageSearchProvider(SearchProvider):
    """The default provider of a generic page: its ``search`` fields contain the text (as the
    list's own ``q`` filter), the rows the user may view, linked to their detail pages."""

    order = 80

    def __init__(self, page: Any) -> None:
        self.page = page
        self.key = f"page.{page.label}"
        self.label = page.verbose_name_plural
        self.icon = page.icon
        self.model = page.model
        self.guarded = not page.is_config  # configuration tables are small

    def applies(self, user: Any) -> bool:
        return permissions.has_perm(user, permissions.perm_name(self.page.model, "view"))

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        qs = permissions.restrict(self.page.queryset(), user, "view")
        qs = qs.filter(like_q(self.page.search, query.text))
        return [
            Hit(str(obj), reverse(self.page.url_name("detail"), args=[obj.pk]))
            for obj in qs[: limit + 1]
        ]

    def more_url(self, query: Query, user: Any) -> str | None:
        try:
            base = reverse(self.page.url_name("list"))
        except NoReverseMatch:  # pragma: no cover - every UI page has a list
            return None
        return f"{base}?{urlencode({'q': query.text})}"


@dataclass
class Result:
    query: Query
    groups: list[Group]
    exact: Hit | None = None  # a complete identifier named this object

    @property
    def hint(self) -> str:
        """What to tell the user besides the hits (empty when the hits say it all)."""
        if self.query.empty:
            return _("Type words of a title, a name, a phone number or a work-order number.")
        if self.query.too_short:
            return _("Type at least %(count)d characters.") % {"count": MIN_LENGTH}
        if self.query.truncated:
            return _("Only the first %(count)d characters and %(terms)d words are searched.") % {
                "count": MAX_LENGTH,
                "terms": MAX_TERMS,
            }
        return ""

    @property
    def found(self) -> bool:
        return any(g.hits for g in self.groups)

    @property
    def timed_out(self) -> bool:
        return any(g.timed_out for g in self.groups)


def run(raw: Any, user: Any, *, limit: int = PAGE_LIMIT, only: str | None = None) -> Result:
    """Search every provider that applies to ``user`` (or the one keyed ``only``)."""
    query = parse(raw)
    result = Result(query=query, groups=[])
    if not query.searchable or not getattr(user, "is_authenticated", False):
        return result
    chosen = [p for p in providers() if (only is None or p.key == only) and p.applies(user)]
    with _time_budget():
        for provider in chosen:
            group = Group(key=provider.key, label=str(provider.label), icon=provider.icon)
            try:
                with _savepoint(provider.guarded):
                    if result.exact is None and query.single is not None:
                        result.exact = provider.exact(query, user)
                    hits = provider.search(query, user, limit)
            except DatabaseError as exc:
                if not _is_timeout(exc):
                    raise
                logger.warning("search %s: %r cancelled after the timeout", provider.key, query)
                group.timed_out = True
                hits = []
            group.has_more = len(hits) > limit
            group.hits = hits[:limit]
            group.note = provider.note(query, user)
            if group.hits or group.timed_out:
                group.more_url = provider.more_url(query, user)
                result.groups.append(group)
    return result


# --- bounded time ---------------------------------------------------------------------------------
_CANCELLED = "57014"  # PostgreSQL's query_canceled


@contextmanager
def _time_budget() -> Iterator[None]:
    """PostgreSQL: every statement inside gets at most STATEMENT_TIMEOUT_MS (a transaction is
    opened when none is, so that ``SET LOCAL`` ends with it); the previous setting comes back
    after. Other databases: nothing (SQLite deployments are small)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # one statement: the old value is read (first in the target list), then the new set
        cursor.execute(
            "SELECT current_setting('statement_timeout'),"
            " set_config('statement_timeout', %s, true)",
            [str(STATEMENT_TIMEOUT_MS)],
        )
        previous = cursor.fetchone()[0]
        try:
            yield
        finally:
            if not connection.needs_rollback:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


@contextmanager
def _savepoint(guarded: bool = True) -> Iterator[None]:
    if not guarded or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        yield


def _is_timeout(exc: DatabaseError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == _CANCELLED
