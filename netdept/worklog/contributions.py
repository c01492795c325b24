"""What the day's records show: the contributions modules register for daily logs and reports.

A module declares how to read what people did from its own records::

    register_contribution(Contribution(
        code="workorders.resolved",
        label=_("work orders resolved"),
        collect=lambda person_ids, start, end: [Line(...), ...],   # people, [start, end)
    ))

``collect`` is batched by design: one call answers for many people (a weekly drafting run
asks for 1,000 at once), so it should run one query (or a few) per call, never one per
person. It must not change anything. Each ``Line`` names the person, when it happened (that
decides the day), one line of text in the reader's language (the active language at drafting
time), the minutes spent, the record it comes from (a daily log drafts a record once: the
record is the link and the uniqueness) and its state (reports sort by it).

Modules above worklog (work orders) register theirs from their own module (e.g.
``netdept/workorders/worklog_contributions.py``); worklog's own parts from ``contrib_*.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import models, transaction

logger = logging.getLogger(__name__)

#: the states a line may have (reports sort by them)
STATES: Final = ("done", "in_progress", "problem")


@dataclass(frozen=True)
class Line:
    person_id: int
    at: dt.datetime  # when it happened (decides the day)
    text: str  # one line, in the reader's language at drafting time
    minutes: int = 0
    record: models.Model | None = None  # the record it comes from (link + uniqueness)
    state: str = "done"  # "done" | "in_progress" | "problem"


Collect = Callable[[Sequence[int], dt.datetime, dt.datetime], Iterable[Line]]


@dataclass(frozen=True)
class Contribution:
    code: str  # "workorders.resolved"
    label: Any  # lazy, shown as the entry's source
    collect: Collect  # people, [start, end)


_contributions: dict[str, Contribution] = {}


def register_contribution(c: Contribution) -> Contribution:
    """Declare a contribution (a second declaration under the same code replaces the first:
    a module reloaded in a test process)."""
    if not c.code or len(c.code) > 60:  # LogEntry.source holds the code
        raise ValueError(f"A contribution needs a code of 1-60 characters: {c.code!r}")
    _contributions[c.code] = c
    return c


def unregister(code: str) -> None:
    """Forget a contribution (a test's own, once the test is over)."""
    _contributions.pop(code, None)


def get(code: str) -> Contribution | None:
    return _contributions.get(code)


def all_contributions() -> list[Contribution]:
    return sorted(_contributions.values(), key=lambda c: c.code)


def label_of(code: str) -> str:
    """The label of a contribution's code (the code itself once the module is gone; empty
    for a hand-written entry)."""
    c = _contributions.get(code)
    return str(c.label) if c is not None else code


def collect(
    person_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[str, Line]]]:
    """Every registered contribution's lines for these people in ``[start, end)``:
    person id → [(contribution code, line)], in time order. Every asked person has a key.

    Lines of people not asked, or outside the period, are dropped; a contribution that fails
    is logged and skipped (one broken module must not stop everyone's drafting).
    """
    wanted = {int(p) for p in person_ids}
    out: dict[int, list[tuple[str, Line]]] = {p: [] for p in wanted}
    if not wanted or start >= end:
        return out
    ids = sorted(wanted)
    for c in all_contributions():
        try:
            with transaction.atomic():  # a failed query must not poison the caller's transaction
                lines = list(c.collect(ids, start, end))
        except Exception:
            logger.exception("worklog contribution %s failed", c.code)
            continue
        for line in lines:
            if line.person_id in out and start <= line.at < end:
                out[line.person_id].append((c.code, line))
    for rows in out.values():
        rows.sort(key=lambda row: (row[1].at, row[0]))
    return out


__all__ = [
    "STATES", "Collect", "Contribution", "Line", "all_contributions", "collect", "get",
    "label_of", "register_contribution", "unregister",
]  # fmt: skip
