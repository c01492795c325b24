"""Indexes of the people search on PostgreSQL (``netdept/org/search.py``): trigram indexes
(pg_trgm) on ``UPPER(name)``, ``UPPER(phone)`` and ``UPPER(employee_no)`` — the expressions
Django's ``icontains`` / ``istartswith`` compare. The people table is small next to the orders,
but a hospital of several thousand staff is searched on every keystroke of the type-ahead.

Not atomic (``CREATE INDEX CONCURRENTLY``); other databases need nothing; without the right to
create the extension the indexes are left out with a warning (the search still works).
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import DatabaseError, migrations

COLUMNS = ("name", "phone", "employee_no")


def _run(schema_editor: Any, sql: str) -> bool:
    try:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        sys.stderr.write(f"\n  search index skipped ({exc}); the search works, more slowly\n")
        return False
    return True


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    if not _run(schema_editor, "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        return
    for column in COLUMNS:
        _run(
            schema_editor,
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS person_{column}_trgm "
            f"ON org_person USING gin (UPPER({column}) gin_trgm_ops)",
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS person_{column}_trgm")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("org", "0004_config_not_work"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
