"""Upgrading a database written before the seal (migration core.0004_audit_seal)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from netdept.core import audit, audit_seal
from netdept.core.models import AuditChain, AuditRecord

BEFORE = [("core", "0003_delivery_claim")]
AFTER = [("core", "0004_audit_seal")]


def _old_hash(
    seq: int, ts: datetime.datetime, actor_id: int | None, actor_name: str, prev: str, **kw: Any
) -> str:
    """The hash exactly as NetDept computed it before the seal (the foreign key as integer)."""
    fields = {
        "seq": seq,
        "ts": ts.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_name": actor_name,
        "ip": "10.0.0.9",
        "action": kw.get("action", "update"),
        "object_type": "org.team",
        "object_id": str(seq),
        "object_repr": f"组{seq}",
        "changes": {"name": [None, f"组{seq}"]},
        "extra": kw.get("extra", {"via": "web"}),
        "prev": prev,
    }
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _write_legacy_chain(apps: Any) -> dict[str, Any]:
    record = apps.get_model("core", "AuditRecord")
    chain = apps.get_model("core", "AuditChain")
    user = apps.get_model("auth", "User")
    alice = user.objects.create(username="alice")
    bob = user.objects.create(username="bob")
    long_ago = timezone.now() - datetime.timedelta(days=500)
    cutoff = timezone.now() - datetime.timedelta(days=365)
    actors = [alice, bob, None, bob, alice, None]
    prev, hashes = audit_seal.GENESIS, {}
    for seq, actor in enumerate(actors, start=1):
        ts = long_ago if seq <= 2 else timezone.now() - datetime.timedelta(days=7 - seq)
        purge = seq == 6
        extra = {"through_seq": 2, "cutoff": cutoff.isoformat(), "via": "task"} if purge else None
        name = actor.username if actor else ("task" if purge else "command")
        kw: dict[str, Any] = {"action": "purge", "extra": extra} if purge else {}
        digest = _old_hash(seq, ts, actor.pk if actor else None, name, prev, **kw)
        record.objects.create(
            seq=seq,
            ts=ts,
            actor_id=actor.pk if actor else None,
            actor_name=name,
            ip="10.0.0.9",
            action=kw.get("action", "update"),
            object_type="org.team",
            object_id=str(seq),
            object_repr=f"组{seq}",
            changes={"name": [None, f"组{seq}"]},
            extra=kw.get("extra") or {"via": "web"},
            prev_hash=prev,
            hash=digest,
        )
        prev, hashes[seq] = digest, digest
    # Records 1-2 were purged by the old code; its anchor had no time and no seal.
    record.objects.filter(seq__lte=2).delete()
    chain.objects.create(pk=1, seq=6, last_hash=prev, anchor_seq=2, anchor_hash=hashes[2])
    # Bob's account was deleted before the upgrade: the database nulled his records' actor.
    bob_pk = bob.pk
    record.objects.filter(actor_id=bob_pk).update(actor_id=None)
    user.objects.filter(pk=bob_pk).delete()
    return {"bob": bob_pk, "alice": alice.pk, "cutoff": cutoff}


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_old_records_verifiable_and_seals_from_then_on():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = _write_legacy_chain(executor.loader.project_state(BEFORE).apps)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        call_command("migrate", verbosity=0)

    # Old records kept their hashes and format; the deleted account's id was found again.
    assert set(AuditRecord.objects.values_list("hv", flat=True)) == {audit_seal.LEGACY}
    assert AuditRecord.objects.get(seq=4).actor_ref == str(old["bob"])
    assert AuditRecord.objects.get(seq=5).actor_ref == str(old["alice"])
    assert AuditRecord.objects.get(seq=3).actor_ref == ""
    head = AuditChain.objects.get(pk=1)
    assert head.sealed_from == 7 and head.key_id == audit_seal.key_id()
    assert head.anchor_ts == old["cutoff"]
    assert audit.verify().ok

    new = audit.record("update", None, object_type_label="org.team", object_id="7")
    assert new.seq == 7 and new.hv == audit_seal.CURRENT and new.seal
    assert audit.verify().ok

    # Rewriting an old record and every later hash is caught at the first sealed record.
    AuditRecord.objects.filter(seq=4).update(object_repr="forged")
    prev = AuditRecord.objects.get(seq=3).hash
    for rec in AuditRecord.objects.filter(seq__gte=4).order_by("seq"):
        rec.prev_hash = prev
        rec.hash = audit.record_hash(rec)
        rec.save(update_fields=["prev_hash", "hash"])
        prev = rec.hash
    AuditChain.objects.filter(pk=1).update(last_hash=prev)
    found = [(p.kind, p.first, p.last) for p in audit.verify().problems]
    assert found == [("resealed", 7, 7), ("head_seal", 0, 0)]
