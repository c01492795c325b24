"""Benchmark: `audit verify` over N audit records (DESIGN target: 1,000,000 in < 30 s).

    NETDEPT_DATA_DIR=/tmp/bench-audit python bench/bench_audit.py [N]
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/bench_audit.py

Builds a valid, sealed hash chain of N realistic records with bulk inserts (in a fresh SQLite
database under a temporary data directory unless NETDEPT_DATABASE_URL is set; on PostgreSQL the
rows are removed afterwards), then times ``audit.verify()`` (hashes, links and seals) with one
process and with two (as ``netdept audit verify`` does).
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time

os.environ.setdefault("NETDEPT_DATA_DIR", tempfile.mkdtemp(prefix="netdept-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from netdept.core import audit, audit_seal  # noqa: E402
from netdept.core.models import AuditChain, AuditRecord  # noqa: E402


def build(n: int) -> None:
    AuditRecord.objects.all().delete()
    key = audit_seal.key()
    prev = audit.GENESIS
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    batch: list[AuditRecord] = []
    for seq in range(1, n + 1):
        rec = AuditRecord(
            seq=seq,
            ts=start + datetime.timedelta(seconds=seq),
            actor_id=None,
            actor_ref=str(seq % 50 + 1),
            actor_name=f"user{seq % 50}",
            ip=f"10.0.0.{seq % 250}",
            action="update",
            object_type="workorders.workorder",
            object_id=str(seq % 100_000),
            object_repr=f"工单 WO-{seq:07d}",
            changes={"status": ["accepted", "in_progress"], "assignee": [seq % 40, seq % 41]},
            extra={"via": "web"},
            prev_hash=prev,
        )
        rec.hash = audit.record_hash(rec)
        rec.seal = audit_seal.record_seal(rec.hash, key)
        prev = rec.hash
        batch.append(rec)
        if len(batch) == 5000:
            with transaction.atomic():
                AuditRecord.objects.bulk_create(batch)
            batch.clear()
    if batch:
        AuditRecord.objects.bulk_create(batch)
    AuditChain.objects.update_or_create(
        pk=1,
        defaults={
            "seq": n,
            "last_hash": prev,
            "anchor_seq": 0,
            "anchor_hash": audit.GENESIS,
            "anchor_ts": None,
            "anchor_seal": audit_seal.anchor_seal(0, audit.GENESIS, None, key),
            "sealed_from": 1,
            "key_id": audit_seal.key_id(key),
            "head_seal": audit_seal.head_seal(n, prev, 1, key),
        },
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    call_command("migrate", verbosity=0)
    t0 = time.monotonic()
    built = AuditRecord.objects.count() != n or not audit.verify(workers=2).ok
    if built:
        build(n)
    t1 = time.monotonic()
    one = audit.verify()
    t2 = time.monotonic()
    result = audit.verify(workers=2)
    t3 = time.monotonic()
    print(f"database: {connection.vendor}")
    if built:
        print(f"built {n:,} chained records in {t1 - t0:.1f} s")
    else:
        print(f"re-used the {n:,} chained records already in the database")
    print(f"verify, 1 process: ok={one.ok} checked={one.checked:,} in {t2 - t1:.1f} s")
    print(f"verify, 2 processes: ok={result.ok} checked={result.checked:,} in {t3 - t2:.1f} s")
    if connection.vendor == "postgresql":
        AuditRecord.objects.all().delete()
        AuditChain.objects.all().delete()


if __name__ == "__main__":
    main()
