"""Data built once per test class: a transaction on every database, opened before the class's
first test and rolled back after its last one.

pytest-django runs each ``django_db`` test in ``TestCase`` atomics; opened inside this one they
are savepoints, so a test sees the class's rows and everything it does itself is rolled back
when it ends (the same as Django's ``TestCase.setUpTestData``, for plain pytest classes)::

    @pytest.fixture(scope="class", autouse=True)
    def _shared(self, request, django_db_setup, django_db_blocker):
        with class_transaction(django_db_blocker):
            request.cls.rows = build_rows()
            yield

Objects kept on the class are shared by its tests: a test must not change them in memory
(read them again from the database when it needs them changed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connections, transaction


@contextlib.contextmanager
def class_transaction(django_db_blocker: Any) -> Iterator[None]:
    """Open an atomic block on every database (with database access allowed while it opens),
    and roll it back on exit."""
    blocks: list[tuple[str, transaction.Atomic]] = []
    with django_db_blocker.unblock():
        try:
            for alias in connections:
                block = transaction.atomic(using=alias)
                # Django's durable-block check skips the atomics of test cases: this is one.
                block._from_testcase = True  # type: ignore[attr-defined]
                block.__enter__()
                blocks.append((alias, block))
        except BaseException:
            _roll_back(blocks)
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            _roll_back(blocks)


def _roll_back(blocks: list[tuple[str, transaction.Atomic]]) -> None:
    for alias, block in reversed(blocks):
        transaction.set_rollback(True, using=alias)
        block.__exit__(None, None, None)
    blocks.clear()
