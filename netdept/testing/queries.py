"""Query counts against a baseline: per list page and per API list of every registered page
(the generated tests of ``netdept.testing.crud``), and of the work-order desk, order page and
API list (``netdept/testing/test_query_baselines.py``).

The baseline is ``netdept/testing/query_baselines.json``: ``{"<key>": <queries>}``, with keys
``"<page label> list"`` and ``"<page label> api"`` (``"org.person list"``). A test asserts

- that a list answers with the same number of queries at 3 rows as at 20 (no N+1), and
- that this number does not exceed the baseline.

To write the baseline (all of it, or the keys of the tests selected), run::

    pytest --update-query-baselines -n 0 -k "queries" netdept
    # or: NETDEPT_UPDATE_QUERY_BASELINES=1 pytest ...

and commit the file; the update records what it measures (lower or higher) and keeps the
other keys. Review a rise before committing it: it is the point of the baseline.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

BASELINE_FILE = Path(__file__).with_name("query_baselines.json")
UPDATE_ENV = "NETDEPT_UPDATE_QUERY_BASELINES"
#: row counts of the N+1 check
FEW, MANY = 3, 20


def updating() -> bool:
    """True when the run writes the baseline (``--update-query-baselines`` sets the variable,
    so that xdist workers see it too)."""
    return os.environ.get(UPDATE_ENV, "") not in ("", "0")


def load() -> dict[str, int]:
    if not BASELINE_FILE.exists():
        return {}
    data: dict[str, int] = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    return data


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    lock = BASELINE_FILE.with_suffix(".lock")
    with open(lock, "w") as fh:  # several xdist workers may record at once
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        lock.unlink()


def record(key: str, count: int) -> None:
    with _locked():
        data = load()
        data[key] = count
        text = json.dumps(dict(sorted(data.items())), indent=2, ensure_ascii=False)
        BASELINE_FILE.write_text(text + "\n", encoding="utf-8")


def how_to_update(key: str) -> str:
    return (
        f"run `pytest --update-query-baselines -n 0 -k queries <this test>` (or set "
        f"{UPDATE_ENV}=1) to write {key!r} into {BASELINE_FILE.name}, review it and commit it"
    )


def check(key: str, count: int) -> None:
    """``count`` queries for ``key``: at most the baseline (or recorded, when updating)."""
    if updating():
        record(key, count)
        return
    baselines = load()
    if key not in baselines:
        pytest.fail(
            f"No query baseline for {key!r} in netdept/testing/{BASELINE_FILE.name}: "
            + how_to_update(key)
        )
    allowed = baselines[key]
    assert count <= allowed, (
        f"{key}: {count} queries, the baseline allows {allowed}. Remove the new queries "
        f"(select_related / prefetch_related?) or, if they are intended, {how_to_update(key)}"
    )


def count_queries(request: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> int:
    """The number of queries ``request()`` makes; it must answer 200."""
    with CaptureQueriesContext(connections[using]) as ctx:
        response = request()
    status = getattr(response, "status_code", 200)
    assert status == 200, f"answered {status}"
    return len(ctx.captured_queries)


def assert_constant_and_within(
    key: str, request: Callable[[], Any], add_rows: Callable[[int], Any]
) -> int:
    """The N+1 check and the baseline for one list.

    ``request()`` fetches the list (it must show every row: ask for a big page); ``add_rows(n)``
    makes ``n`` more rows the list shows. The list is fetched once to warm the session and
    caches, then counted with ``FEW`` rows made and again with ``MANY``."""
    request()
    add_rows(FEW)
    few = count_queries(request)
    add_rows(MANY - FEW)
    many = count_queries(request)
    assert few == many, (
        f"{key}: {few} queries with {FEW} rows but {many} with {MANY}: a query per row (N+1); "
        "add select_related / prefetch_related for what the list shows"
    )
    check(key, many)
    return many
