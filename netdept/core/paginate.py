"""One paginator for the list pages and the API: cheap page numbers for the first pages, a
keyset cursor beyond them, and a count that stops at a cap.

    window = Paginator(queryset, per_page=25).page(page=3)            # OFFSET (first pages)
    window = Paginator(queryset, per_page=25).page(after=cursor)      # keyset (deep pages)
    window.rows, window.number, window.next_params, window.previous_params, window.count_text

The order is made total and explicit: the queryset's ordering (or the model's) with relations
expanded to the related model's ordering, NULLs always sorting as the largest value (last when
ascending, first when descending, on every database) and the primary key last. OFFSET pages
and keyset pages therefore return exactly the same rows.

A cursor holds the sort values and the pk of the row it starts after (or before), and the page
number, signed (``django.core.signing``) together with the ordering: a tampered, foreign or
stale-ordering cursor raises ``InvalidCursor`` (the API answers 400, the pages go back to page
1), never a 500.
"""

from __future__ import annotations

import binascii
import datetime
import decimal
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.utils.formats import number_format

COUNT_CAP = 10_000
OFFSET_PAGES = 10  # pages 1..OFFSET_PAGES get numbered links (OFFSET); beyond: cursors
_SALT = "netdept.paginate"
_KEY = "_nd_key%d"


class InvalidCursor(ValueError):
    """A cursor that was not made by this paginator for this ordering."""


class EmptyPage(ValueError):
    """A page number beyond the last row."""


@dataclass
class Window:
    """One page of rows and how to reach its neighbours."""

    rows: list[Any]
    number: int
    per_page: int
    count: int  # capped at ``cap``
    capped: bool
    has_next: bool
    has_previous: bool
    next_params: dict[str, str] | None = None
    previous_params: dict[str, str] | None = None
    keyset: bool = False
    cap: int = COUNT_CAP
    first_params: dict[str, str] = field(default_factory=lambda: {"page": "1"})

    @property
    def num_pages(self) -> int:
        """Pages of the counted rows (at least 1); with a capped count, of the first ``cap``."""
        return max(1, math.ceil(self.count / self.per_page)) if self.per_page else 1

    @property
    def count_text(self) -> str:
        """The count as shown: "10,000+" when capped."""
        text = number_format(self.count, force_grouping=True)
        return text + "+" if self.capped else text

    @property
    def start_index(self) -> int:
        return 0 if not self.rows else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    # Django Paginator-compatible names used by older templates.
    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def object_list(self) -> list[Any]:
        return self.rows


@dataclass(frozen=True)
class _Key:
    path: str  # a lookup path (``name``, ``department__name``, ``pk``)
    descending: bool


def _model_ordering(model: type[models.Model]) -> list[Any]:
    return list(model._meta.ordering or [])


def _expand(model: type[models.Model], term: str, descending: bool, depth: int = 0) -> list[_Key]:
    """``term`` (a field path, maybe a relation) as concrete sort keys, the way Django orders
    by a relation: by the related model's ordering, else its pk."""
    parts = term.split("__")
    current: type[models.Model] = model
    for i, part in enumerate(parts):
        if part == "pk":
            return [_Key(term, descending)]
        try:
            f = current._meta.get_field(part)
        except Exception:
            return [_Key(term, descending)]  # an annotation or a transform: order by it as is
        if not f.is_relation:
            return [_Key(term, descending)]
        related = f.related_model
        if related is None or f.many_to_many or f.one_to_many:
            raise InvalidCursor("to-many ordering")
        if i == len(parts) - 1:
            ordering = _model_ordering(related) if depth < 2 else []
            if not ordering or not all(isinstance(o, str) for o in ordering):
                return [_Key(f"{term}__pk", descending)]
            keys: list[_Key] = []
            for o in ordering:
                desc = o.startswith("-")
                keys += _expand(model, f"{term}__{o.lstrip('-')}", descending != desc, depth + 1)
            return keys
        current = related
    return [_Key(term, descending)]


def ordering_keys(queryset: models.QuerySet[Any]) -> list[_Key] | None:
    """The total order of ``queryset`` as keys ending with the pk, or None when it cannot be
    expressed (random order, expressions): such lists are paged by OFFSET only."""
    query = queryset.query
    terms: Sequence[Any] = list(query.order_by) or (
        _model_ordering(queryset.model) if query.default_ordering else []
    )
    keys: list[_Key] = []
    try:
        for term in terms:
            if isinstance(term, OrderBy) and isinstance(term.expression, F):
                name = str(getattr(term.expression, "name", ""))
                keys += _expand(queryset.model, name, term.descending)
                continue
            if not isinstance(term, str) or term == "?" or "." in term:
                return None
            desc = term.startswith("-")
            name = term.lstrip("-+")
            keys += _expand(queryset.model, name, desc)
    except InvalidCursor:
        return None
    out: list[_Key] = []
    seen: set[str] = set()
    pk_name = queryset.model._meta.pk.name if queryset.model._meta.pk else "pk"
    for k in keys:
        path = "pk" if k.path == pk_name else k.path
        if path in seen:
            continue
        seen.add(path)
        out.append(_Key(path, k.descending))
        if path == "pk":
            return out  # the pk is unique: whatever follows changes nothing
    out.append(_Key("pk", False))
    return out


def _order_by(keys: list[_Key], reverse: bool = False) -> list[OrderBy]:
    result = []
    for k in keys:
        desc = k.descending != reverse
        expr = F(k.path)
        # NULLs are the largest value: last ascending, first descending (as PostgreSQL does).
        result.append(expr.desc(nulls_first=True) if desc else expr.asc(nulls_last=True))
    return result


def _after(path: str, value: Any, descending: bool) -> Q | None:
    """Rows strictly after ``value`` in this key's order (None: no row can be)."""
    if not descending:
        if value is None:
            return None
        return Q(**{f"{path}__gt": value}) | Q(**{f"{path}__isnull": True})
    if value is None:
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__lt": value})


def _equal(path: str, value: Any) -> Q:
    return Q(**{f"{path}__isnull": True}) if value is None else Q(**{path: value})


def keyset_q(keys: list[_Key], values: Sequence[Any], reverse: bool = False) -> Q:
    """Rows after (or, reversed, before) the row whose key values are ``values``."""
    result = Q(pk__in=[])
    prefix = Q()
    for k, v in zip(keys, values, strict=True):
        step = _after(k.path, v, k.descending != reverse)
        if step is not None:
            result |= prefix & step
        prefix &= _equal(k.path, v)
    return result


# --- cursors -------------------------------------------------------------------------------
def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, datetime.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    if isinstance(value, datetime.time):
        return ["t", value.isoformat()]
    if isinstance(value, decimal.Decimal):
        return ["dec", str(value)]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    if isinstance(value, datetime.timedelta):
        return ["td", value.total_seconds()]
    return ["s", str(value)]


def _decode_value(raw: Any) -> Any:
    if raw is None or isinstance(raw, bool | int | str):
        return raw
    if not (isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str)):
        raise InvalidCursor("value")
    tag, text = raw
    try:
        if tag == "f":
            return float(text)
        if tag == "dt":
            return datetime.datetime.fromisoformat(text)
        if tag == "d":
            return datetime.date.fromisoformat(text)
        if tag == "t":
            return datetime.time.fromisoformat(text)
        if tag == "dec":
            return decimal.Decimal(text)
        if tag == "uuid":
            return uuid.UUID(text)
        if tag == "td":
            return datetime.timedelta(seconds=float(text))
        if tag == "s":
            return str(text)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidCursor("value") from exc
    raise InvalidCursor("tag")


def _salt(model: type[models.Model], keys: list[_Key]) -> str:
    order = ",".join(("-" if k.descending else "") + k.path for k in keys)
    return f"{_SALT}:{model._meta.label_lower}:{order}"


def make_cursor(
    model: type[models.Model], keys: list[_Key], values: Sequence[Any], number: int
) -> str:
    payload = {"v": [_encode_value(v) for v in values], "n": number}
    return signing.dumps(payload, salt=_salt(model, keys), compress=True)


def read_cursor(model: type[models.Model], keys: list[_Key], cursor: str) -> tuple[list[Any], int]:
    if not isinstance(cursor, str) or not cursor or len(cursor) > 4000:
        raise InvalidCursor("empty")
    try:
        payload = signing.loads(cursor, salt=_salt(model, keys))
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, binascii.Error) as e:
        raise InvalidCursor("signature") from e
    if not isinstance(payload, dict):
        raise InvalidCursor("payload")
    values, number = payload.get("v"), payload.get("n")
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor("values")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 10**9:
        raise InvalidCursor("number")
    return [_decode_value(v) for v in values], number


# --- the paginator -------------------------------------------------------------------------
class Paginator:
    """Pages of ``queryset``; see the module docstring."""

    def __init__(
        self,
        queryset: models.QuerySet[Any],
        per_page: int,
        *,
        cap: int = COUNT_CAP,
        offset_pages: int = OFFSET_PAGES,
        count: bool = True,
    ) -> None:
        self.per_page = max(1, int(per_page))
        self.cap = cap
        self.offset_pages = offset_pages
        self.want_count = count
        self.model = queryset.model
        self.keys = ordering_keys(queryset)
        if self.keys is not None:
            queryset = queryset.order_by(*_order_by(self.keys))
        elif not queryset.ordered:
            queryset = queryset.order_by("pk")
        self.queryset = queryset
        self._count: int | None = None

    # counting ---------------------------------------------------------------------------
    def _counted(self) -> int:
        if self._count is None:
            self._count = int(self.queryset.order_by()[: self.cap + 1].count())
        return self._count

    @property
    def count(self) -> int:
        return min(self._counted(), self.cap)

    @property
    def capped(self) -> bool:
        return self._counted() > self.cap

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_page))

    # fetching ---------------------------------------------------------------------------
    def _annotated(self, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        assert self.keys is not None
        annotated: models.QuerySet[Any] = qs.annotate(
            **{_KEY % i: F(k.path) for i, k in enumerate(self.keys)}
        )
        return annotated

    def _values(self, obj: Any) -> list[Any]:
        assert self.keys is not None
        return [getattr(obj, _KEY % i) for i in range(len(self.keys))]

    def page(
        self, *, page: int | None = None, after: str | None = None, before: str | None = None
    ) -> Window:
        """The page by number (OFFSET), or the page after / before a cursor (keyset).
        Raises InvalidCursor and EmptyPage (a page number > 1 without rows)."""
        if (after or before) and self.keys is None:
            raise InvalidCursor("no keyset for this ordering")
        if after:
            return self._keyset(after, reverse=False)
        if before:
            return self._keyset(before, reverse=True)
        return self._offset(page or 1)

    def _offset(self, number: int) -> Window:
        number = max(1, number)
        start = (number - 1) * self.per_page
        qs = self._annotated(self.queryset) if self.keys is not None else self.queryset
        if self.want_count and self._count is None and start + self.per_page <= self.cap:
            rows = self._counted_window(qs, start)
        else:
            rows = list(qs[start : start + self.per_page + 1])
        has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and number > 1:
            raise EmptyPage(number)
        return self._window(rows, number, has_next, has_previous=number > 1)

    def _counted_window(self, qs: models.QuerySet[Any], start: int) -> list[Any]:
        """A page inside the counted window, in two queries instead of the rows and a count:
        the ordered primary keys up to the cap (their number is the count; no joins, no
        columns), then the page's rows by primary key."""
        pks = list(self.queryset.values_list("pk", flat=True)[: self.cap + 1])
        self._count = len(pks)
        wanted = pks[start : start + self.per_page + 1]
        if not wanted:
            return []
        by_pk = {obj.pk: obj for obj in qs.filter(pk__in=wanted)}
        return [by_pk[pk] for pk in wanted if pk in by_pk]

    def _keyset(self, cursor: str, reverse: bool) -> Window:
        assert self.keys is not None
        values, number = read_cursor(self.model, self.keys, cursor)
        qs = self._annotated(self.queryset).filter(keyset_q(self.keys, values, reverse))
        if reverse:
            qs = qs.order_by(*_order_by(self.keys, reverse=True))
        rows = list(qs[: self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if reverse:
            rows.reverse()
            if not more:  # reached the start: this is page 1 (filled up if rows were removed)
                return self._offset(1)
            return self._window(rows, max(2, number), has_next=True, has_previous=True)
        if not rows and number > 1:
            raise EmptyPage(number)
        return self._window(rows, number, has_next=more, has_previous=number > 1)

    def _window(self, rows: list[Any], number: int, has_next: bool, has_previous: bool) -> Window:
        win = Window(
            rows=rows,
            number=number,
            per_page=self.per_page,
            count=self.count if self.want_count else 0,
            capped=self.capped if self.want_count else False,
            has_next=has_next,
            has_previous=has_previous,
            keyset=self.keys is not None,
            cap=self.cap,
        )
        use_cursor = self.keys is not None and rows
        if has_next:
            if number + 1 <= self.offset_pages or not use_cursor:
                win.next_params = {"page": str(number + 1)}
            else:
                values = self._values(rows[-1])
                win.next_params = {
                    "after": make_cursor(self.model, self.keys or [], values, number + 1)
                }
        if has_previous:
            if number - 1 <= self.offset_pages or not use_cursor:
                win.previous_params = {"page": str(number - 1)}
            else:
                values = self._values(rows[0])
                win.previous_params = {
                    "before": make_cursor(self.model, self.keys or [], values, number - 1)
                }
        return win


def parse_positive(raw: str | None, default: int, maximum: int) -> int:
    """A page number or size from a query string: whole ASCII digits from 1, else ``default``
    (pages are forgiving; the API validates strictly)."""
    text = (raw or "").strip()
    if text.isascii() and text.isdecimal() and len(text) <= 9 and int(text) >= 1:
        return min(int(text), maximum)
    return default


__all__ = [
    "COUNT_CAP",
    "OFFSET_PAGES",
    "EmptyPage",
    "InvalidCursor",
    "Paginator",
    "Window",
    "keyset_q",
    "make_cursor",
    "ordering_keys",
    "parse_positive",
    "read_cursor",
]
