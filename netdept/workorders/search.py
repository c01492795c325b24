"""Work orders in the global search: by number, by words of the title and by the requester.

* A number typed in full (``WO-20261201-0003``, any case, or ``20261201-0003``) names one order:
  the search page goes straight to it, the API answers its ``url``.
* Every other word must match the order somewhere: in the title, in the requester's name or
  employee number, or as the start of the number (``WO-20261201`` or ``20261201``: that day's
  orders).
* Only the orders the user may see (``services.visible_orders``: the scope of
  ``view_workorder`` and the orders they filed), newest first; a requester's hits lead to the
  portal, everyone else's to the order page.

Indexes (PostgreSQL, ``migrations/0009_search_indexes``): a trigram index on ``UPPER(title)``
serves words of three characters or more (Django's ``icontains`` is ``UPPER(title) LIKE
UPPER(%word%)``); two-character words — most Chinese words — have no trigram and use the bigram
index (``netdept_bigrams(UPPER(title)) @> ARRAY[word]``); a word of one character is not looked
for in titles (only in names). The number's prefix uses the number's own ``LIKE`` index; the
requester's name is looked up in the (small, indexed) people table first and the orders by
their indexed ``requester_id``. On SQLite the same conditions run by scanning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.core.search import Hit, Query, SearchProvider
from netdept.org.models import Person
from netdept.workorders import services, tabs
from netdept.workorders.models import WorkOrder

#: the prefix of order numbers (``services.opening``: WO-YYYYMMDD-NNNN)
NUMBER_PREFIX = "WO-"
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as pg_trgm splits words
_NUMBER = re.compile(r"^(WO-)?\d{8}-\d{1,10}$", re.IGNORECASE)
_NUMBER_START = re.compile(r"^(WO-?)?\d[\d-]{0,19}$|^WO-?$", re.IGNORECASE)
#: the newest orders searched first (see ``OrderSearch.search``)
WINDOW = 5_000
#: requesters matched per word (by name or employee number): more are left out
MAX_PEOPLE = 200


def full_number(term: str) -> str | None:
    """The order number ``term`` spells out in full (with or without its prefix), else None."""
    if not _NUMBER.match(term):
        return None
    term = term.upper()
    return term if term.startswith(NUMBER_PREFIX) else NUMBER_PREFIX + term


def number_start(term: str) -> str | None:
    """The start of order numbers ``term`` may be (``WO-2026``, ``20261201-00``), else None."""
    if not _NUMBER_START.match(term):
        return None
    term = term.upper()
    if term.startswith("WO") and not term.startswith(NUMBER_PREFIX):
        term = NUMBER_PREFIX + term[2:]
    return term if term.startswith(NUMBER_PREFIX) else NUMBER_PREFIX + term


def number_prefix_q(prefix: str) -> Q:
    """Numbers starting with ``prefix``, read from the number's index: PostgreSQL's ``LIKE
    'WO-2026%'`` uses its pattern index; SQLite's ``LIKE`` ignores case and no index, so there
    a range of the (binary-ordered) index instead."""
    if connection.vendor == "postgresql":
        return Q(number__startswith=prefix)
    return Q(number__gte=prefix, number__lt=prefix + "\U0010ffff")


class Bigrams(Func):
    """``netdept_bigrams(text)``: the distinct two-character pieces (PostgreSQL function of the
    migration)."""

    function = "netdept_bigrams"
    output_field = ArrayField(TextField())


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of ``text`` (as ``netdept_bigrams`` in the database)."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def title_q(term: str, n: int = 0) -> tuple[Q | None, dict[str, Any]]:
    """``term`` in the title, as an index serves it on each database (None: too short).

    pg_trgm takes trigrams from the runs of letters and digits of a pattern: a word of three
    or more gives some, and the trigram index answers. Shorter runs (``网络``, ``QQ``, ``%%``,
    ``a-b``) give none — a LIKE would read the whole trigram index — so the bigram index
    answers (every two-character piece present), and ``strpos`` (which no index serves)
    checks the order of the pieces. Returns the condition and the aliases it reads (``n``
    numbers the word: one alias per word)."""
    if len(term) < 2:
        return None, {}
    if connection.vendor != "postgresql" or max(map(len, _WORD.findall(term)), default=0) >= 3:
        return Q(title__icontains=term), {}
    upper = term.upper()
    aliases: dict[str, Any] = {"search_bigrams": Bigrams(Upper(F("title")))}
    # strpos also when the pieces are one (a two-character word): the cheap check, which the
    # planner runs first, spares computing the title's bigrams on rows read another way
    aliases[f"search_pos{n}"] = StrIndex(Upper(F("title")), Value(upper))
    cond = Q(search_bigrams__contains=bigrams(upper)) & Q(**{f"search_pos{n}__gt": 0})
    return cond, aliases


def requester_ids(term: str) -> list[int]:
    """The people (active or not: old orders keep their requester) whose name contains ``term``
    or whose employee number is ``term``, at most MAX_PEOPLE (only ids: the orders are then
    narrowed to the user's visible ones)."""
    if len(term) < 2 and not ("\u4e00" <= term <= "\u9fff"):
        return []
    cond = Q(employee_no__iexact=term)
    if len(term) >= 2:
        cond |= Q(name__icontains=term)
    else:  # one Chinese character: a surname
        cond |= Q(name__startswith=term)
    return list(Person.objects.filter(cond).order_by().values_list("pk", flat=True)[:MAX_PEOPLE])


def matching(qs: QuerySet[WorkOrder], query: Query) -> QuerySet[WorkOrder] | None:
    """``qs`` narrowed to the orders every word of ``query`` matches (None: no word usable)."""
    used = False
    for n, term in enumerate(query.terms):
        number = full_number(term)
        if number is not None:  # a number in full is no word of a title or a name
            qs = qs.filter(number_prefix_q(number))
            used = True
            continue
        cond = Q()
        title, aliases = title_q(term, n)
        if title is not None:
            qs = qs.alias(**aliases)
            cond |= title
        start = number_start(term)
        if start is not None:
            cond |= number_prefix_q(start)
        people = requester_ids(term)
        if people:
            cond |= Q(requester_id__in=people)
        if cond == Q():
            continue  # one character that is no surname: left out
        qs = qs.filter(cond)
        used = True
    return qs if used else None


@contextmanager
def planner(**switches: bool) -> Iterator[None]:
    """PostgreSQL: the planner's ``enable_<name>`` switches inside (``planner(seqscan=False)``),
    back to what they were after (``SET LOCAL``: inside a transaction; one statement to read
    and set them, one to set them back)."""
    names = [f"enable_{name}" for name in switches]
    values = ["on" if on else "off" for on in switches.values()]
    pairs = [x for pair in zip(names, values, strict=True) for x in pair]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # the target list is evaluated in order: the old values are read before they are set
        reads = ", ".join(["current_setting(%s)"] * len(names))
        sets = ", ".join(["set_config(%s, %s, true)"] * len(names))
        cursor.execute(f"SELECT {reads}, {sets}", [*names, *pairs])
        before = cursor.fetchone()[: len(names)]
        try:
            yield
        finally:
            if not connection.needs_rollback:
                back = [x for pair in zip(names, before, strict=True) for x in pair]
                cursor.execute(f"SELECT {sets}", back)


class OrderSearch(SearchProvider):
    key = "workorders.workorder"
    label = _("Work orders")
    icon = "bi-tools"
    order = 10
    model = WorkOrder

    def applies(self, user: Any) -> bool:
        return permissions.has_perm(user, "workorders.view_workorder")

    def _base(self, user: Any) -> QuerySet[WorkOrder]:
        return (
            services.visible_orders(user)
            .select_related(None)
            .select_related("requester", "requester_department")
            .only(
                "id",
                "number",
                "title",
                "status",
                "priority",
                "created_at",
                "requester__name",
                "requester_department__name",
            )
        )

    def _hit(self, order: WorkOrder, staff: bool) -> Hit:
        url = (
            reverse("workorders:order", args=[order.number])
            if staff
            else reverse("workorders:portal_detail", args=[order.number])
        )
        who = order.requester.name if order.requester else ""
        dept = order.requester_department.name if order.requester_department else ""
        when = formats.date_format(order.created_at, "SHORT_DATE_FORMAT")
        detail = " · ".join(x for x in (f"P{order.priority}", who, dept, when) if x)
        return Hit(f"{order.number} {order.title}", url, detail, order.get_status_display())

    def exact(self, query: Query, user: Any) -> Hit | None:
        number = full_number(query.single or "")
        if number is None:
            return None
        order = self._base(user).filter(number=number).first()
        return self._hit(order, tabs.may_read(user)) if order is not None else None

    def search(self, query: Query, user: Any, limit: int) -> list[Hit]:
        qs = matching(self._base(user), query)
        if qs is None:
            return []
        staff = tabs.may_read(user)
        ordered = qs.order_by("-created_at", "-id")
        if connection.vendor != "postgresql":
            return [self._hit(order, staff) for order in ordered[: limit + 1]]
        # Newest first, in bounded time, whatever the planner guesses (it takes a rare word for
        # a common one and would walk the whole table from the newest order to find nothing):
        # 1. among the WINDOW newest orders only, walking them newest first (a word found on
        #    many orders ends here, early);
        # 2. else the indexes alone (bitmap scans: a rare word has few matches), then sorted.
        # the WINDOW-th newest order's time, read in the same statement (an index-only scan)
        cutoff = Subquery(
            WorkOrder.objects.order_by("-created_at").values("created_at")[WINDOW - 1 : WINDOW]
        )
        rows = list(ordered.filter(created_at__gte=cutoff)[: limit + 1])
        if len(rows) <= limit:
            with planner(indexscan=False, seqscan=False):
                rows = list(ordered[: limit + 1])
        return [self._hit(order, staff) for order in rows]

    def more_url(self, query: Query, user: Any) -> str | None:
        if not tabs.may_read(user):
            return None  # requesters follow their orders on the portal (no search there)
        return f"{reverse('workorders:desk')}?{urlencode({'queue': 'all', 'q': query.text})}"

    def note(self, query: Query, user: Any) -> str:
        if any(len(t) == 1 for t in query.terms):
            return gettext("Words of one character are looked for in names only.")
        return ""
