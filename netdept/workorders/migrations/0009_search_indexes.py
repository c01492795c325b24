"""Indexes of the global search on PostgreSQL (``netdept/workorders/search.py``).

* a trigram index (pg_trgm) on ``UPPER(title)``: the expression Django's ``icontains`` compares,
  so ``title__icontains`` of three characters or more reads the index instead of the table;
* a bigram index (``netdept_bigrams``: the distinct two-character pieces of a text) on the same
  expression, for the two-character words of Chinese (网络, 打印, 密码) that have no trigram.

Built ``CONCURRENTLY`` (the migration is not atomic): the orders stay writable while a large
table is indexed. Other databases need nothing (SQLite deployments are small; the search
works the same, by scanning). Without the right to create the extension (pg_trgm is a trusted
extension since PostgreSQL 13: the database's owner may create it) the trigram index is left
out with a warning and the search still works, more slowly.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import DatabaseError, migrations

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION netdept_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}'::text[])
  FROM generate_series(1, char_length($1) - 1) AS i
$$
"""
TRIGRAM = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS workorder_title_trgm "
    "ON workorders_workorder USING gin (UPPER(title) gin_trgm_ops)"
)
BIGRAM = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS workorder_title_bigram "
    "ON workorders_workorder USING gin (netdept_bigrams(UPPER(title)))"
)


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
    if _run(schema_editor, "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        _run(schema_editor, TRIGRAM)
    if _run(schema_editor, BIGRAMS_FUNCTION):
        _run(schema_editor, BIGRAM)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS workorder_title_trgm")
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS workorder_title_bigram")
        # the function stays: org's search index may use it too (it is harmless alone)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("workorders", "0008_field_limits"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
