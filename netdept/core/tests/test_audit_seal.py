"""The sealed audit chain: every way of tampering with it is caught and named, normal operation
(deleting an account, purging) leaves it intact, checkpoints catch a cut tail.

Tampering is done as someone with write access to the database would: through the ORM and with
raw SQL, recomputing every hash they can compute (SHA-256 needs no key), and — where a case is
about the holder of the audit key — re-sealing too. Each test asserts the exact problems found.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation

from netdept.core import audit, audit_seal, context
from netdept.core.models import AuditChain, AuditRecord
from netdept.notify.models import InboxMessage
from netdept.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
TABLE = AuditRecord._meta.db_table


@pytest.fixture
def english():
    """Messages in English: these tests read the wording (the configured language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path: Path) -> Path:
    directory = tmp_path / "checkpoints"
    settings.NETDEPT = {**settings.NETDEPT, "AUDIT_CHECKPOINT_DIR": str(directory)}
    return directory


def _chain(n: int = 8, actor: Any = None) -> list[AuditRecord]:
    actor = actor or user_with_role("director")
    with context.acting(actor, "10.1.2.3", "web"):
        for i in range(n):
            audit.record("update", None, object_type_label="org.team", object_id=str(i))
    return list(AuditRecord.objects.order_by("seq"))


def _found(**kwargs: Any) -> list[tuple[str, int, int]]:
    return [(p.kind, p.first, p.last) for p in audit.verify(**kwargs).problems]


def _sql(query: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(query.replace("T_", TABLE), params or [])


def _rehash_from(seq: int, *, key: bool = False) -> None:
    """Recompute the hashes of records ``seq``.. and the head's last hash, as anyone with the
    database can; with ``key``, re-seal them and the head as only the key's holder can."""
    before = AuditRecord.objects.filter(seq__lt=seq).order_by("-seq").first()
    head = AuditChain.objects.get(pk=1)
    prev = before.hash if before else head.anchor_hash
    last_seq = before.seq if before else head.anchor_seq
    for r in AuditRecord.objects.filter(seq__gte=seq).order_by("seq"):
        r.prev_hash = prev
        r.hash = audit.record_hash(r)
        if key:
            r.seal = audit_seal.record_seal(r.hash)
        r.save(update_fields=["prev_hash", "hash", "seal"])
        prev, last_seq = r.hash, r.seq
    head.seq, head.last_hash = last_seq, prev
    if key:
        head.head_seal = audit_seal.head_seal(head.seq, prev, head.sealed_from)
    head.save()


# --- normal operation ------------------------------------------------------------------------


def test_records_are_sealed_and_hash_the_actor_as_written():
    actor = user_with_role("engineer")
    recs = _chain(3, actor)
    assert all(r.hv == audit_seal.CURRENT for r in recs)
    assert all(r.seal == audit_seal.record_seal(r.hash) for r in recs)
    assert recs[0].actor_ref == str(actor.pk) and recs[0].actor_name == actor.username
    head = AuditChain.objects.get(pk=1)
    assert head.key_id == audit_seal.key_id() and head.seq == recs[-1].seq
    assert audit.verify().ok


def test_deleting_an_account_that_acted_leaves_the_chain_intact():
    user_model = get_user_model()
    gone = user_model.objects.create_user("leaver")
    raw_gone = user_model.objects.create_user("leaver2")
    _chain(2, gone)
    _chain(2, raw_gone)
    gone_pk = gone.pk
    gone.delete()  # the ORM nulls ``actor`` on its records
    from netdept.accounts.models import UserProfile

    _sql(f"DELETE FROM {UserProfile._meta.db_table} WHERE user_id = %s", [raw_gone.pk])
    _sql(f"DELETE FROM {user_model._meta.db_table} WHERE id = %s", [raw_gone.pk])
    assert AuditRecord.objects.filter(actor_ref=str(gone_pk), actor__isnull=True).count() == 2
    assert AuditRecord.objects.filter(actor_name="leaver").count() == 2
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:10.0.0.5", "::ffff:10.0.0.5"),
        ("not an address", None),
    ],
)
def test_source_addresses_are_hashed_as_stored(given, stored):
    with context.acting(None, given, "web"):
        rec = audit.record("login_failed", None, object_type_label="auth.user")
    fresh = AuditRecord.objects.get(pk=rec.pk)
    assert fresh.ip == stored
    if stored is None:
        assert fresh.extra["ip_raw"] == given
    assert audit.verify().ok


def test_purge_seals_the_anchor_and_keeps_the_chain_verifiable():
    recs = _chain(5)
    old = timezone.now() - datetime.timedelta(days=400)
    AuditRecord.objects.filter(seq__lte=recs[1].seq).update(ts=old)
    _rehash_from(recs[0].seq, key=True)  # real old records
    assert audit.purge(months=6) == 2
    head = AuditChain.objects.get(pk=1)
    assert head.anchor_seq == recs[1].seq and head.anchor_ts == old
    assert head.anchor_seal == audit_seal.anchor_seal(head.anchor_seq, head.anchor_hash, old)
    purge = AuditRecord.objects.get(action="purge")
    assert purge.extra["through_seq"] == recs[1].seq and purge.seal
    assert audit.verify().ok


# --- the tamper scenarios --------------------------------------------------------------------


def test_1_edit_one_field_through_the_orm():
    _chain(6)
    AuditRecord.objects.filter(seq=3).update(object_repr="forged")
    assert _found() == [("changed", 3, 3)]


def test_1b_edit_one_field_with_raw_sql():
    _chain(6)
    _sql("UPDATE T_ SET actor_name = %s WHERE seq = %s", ["mallory", 2])
    assert _found() == [("changed", 2, 2)]


def test_2_edit_and_recompute_every_later_hash():
    _chain(8)
    AuditRecord.objects.filter(seq=3).update(object_repr="forged")
    _rehash_from(3)
    assert _found() == [("resealed", 3, 8), ("head_seal", 0, 0)]


def test_3_delete_a_middle_record():
    _chain(8)
    _sql("DELETE FROM T_ WHERE seq = %s", [4])
    assert _found() == [("missing", 4, 4)]


def test_4_delete_the_tail():
    _chain(8)
    AuditRecord.objects.filter(seq__gte=7).delete()
    assert _found() == [("tail_missing", 7, 8)]


def test_4b_delete_the_tail_and_move_the_head_back():
    recs = _chain(8)
    _sql("DELETE FROM T_ WHERE seq >= %s", [7])
    AuditChain.objects.filter(pk=1).update(seq=6, last_hash=recs[5].hash)
    assert _found() == [("head_seal", 0, 0)]


@pytest.mark.usefixtures("english")
def test_4c_delete_the_tail_holding_the_key_is_caught_by_an_earlier_checkpoint(tmp_path):
    _chain(8)
    _cp, path = audit.write_checkpoint(tmp_path / "kept-by-the-auditor.json")
    _sql("DELETE FROM T_ WHERE seq >= %s", [7])
    _rehash_from(7, key=True)  # the head moved back and re-sealed with the key
    assert audit.verify().ok  # the database alone cannot tell (documented)
    assert _found(checkpoints=[path]) == [("cp_truncated", 0, 0)]
    problem = audit.verify(checkpoints=[path]).problems[0]
    assert "#8" in problem.message and "#6" in problem.message


def test_5_insert_a_record_and_recompute_the_rest():
    recs = _chain(8)
    _sql("UPDATE T_ SET seq = -seq WHERE seq > %s", [3])
    _sql("UPDATE T_ SET seq = 1 - seq WHERE seq < 0")
    forged = AuditRecord(
        seq=4,
        ts=recs[2].ts,
        actor_ref="1",
        actor_name="mallory",
        action="update",
        object_type="org.team",
        object_id="1",
        object_repr="forged",
        prev_hash=recs[2].hash,
        hv=audit_seal.CURRENT,
        seal="0" * 64,
    )
    forged.hash = audit.record_hash(forged)
    forged.save()
    _rehash_from(4)
    assert _found() == [("resealed", 4, 9), ("head_seal", 0, 0)]


def test_5b_append_a_record_after_the_head():
    recs = _chain(4)
    forged = AuditRecord(
        seq=5,
        ts=timezone.now(),
        action="login",
        prev_hash=recs[-1].hash,
        hv=audit_seal.CURRENT,
    )
    forged.hash = audit.record_hash(forged)
    forged.save()
    assert _found() == [("resealed", 5, 5), ("beyond_head", 5, 5)]


def test_6_move_the_anchor_forward_over_young_records():
    recs = _chain(8)
    _sql("DELETE FROM T_ WHERE seq <= %s", [3])
    AuditChain.objects.filter(pk=1).update(anchor_seq=3, anchor_hash=recs[2].hash)
    assert _found() == [("anchor_seal", 0, 0), ("anchor_purge", 0, 0)]


def test_6b_move_the_anchor_holding_the_key_is_still_named_young():
    recs = _chain(8)
    _sql("DELETE FROM T_ WHERE seq <= %s", [3])
    ts = recs[2].ts
    AuditChain.objects.filter(pk=1).update(
        anchor_seq=3,
        anchor_hash=recs[2].hash,
        anchor_ts=ts,
        anchor_seal=audit_seal.anchor_seal(3, recs[2].hash, ts),
    )
    assert _found() == [("anchor_young", 0, 0), ("anchor_purge", 0, 0)]


def test_6c_move_the_anchor_without_deleting():
    recs = _chain(6)
    AuditChain.objects.filter(pk=1).update(anchor_seq=2, anchor_hash=recs[1].hash)
    assert _found() == [("anchor_seal", 0, 0), ("anchor_purge", 0, 0), ("below_anchor", 1, 2)]


def test_7_two_separate_stretches_are_both_reported():
    _chain(10)
    AuditRecord.objects.filter(seq=2).update(object_repr="forged")
    _sql("UPDATE T_ SET action = %s WHERE seq IN (6, 7)", ["delete"])
    _sql("DELETE FROM T_ WHERE seq = %s", [9])
    assert _found() == [("changed", 2, 2), ("changed", 6, 7), ("missing", 9, 9)]


def test_8_reorder_two_records():
    _chain(8)
    _sql("UPDATE T_ SET seq = -1 WHERE seq = 3")
    _sql("UPDATE T_ SET seq = 3 WHERE seq = 5")
    _sql("UPDATE T_ SET seq = 5 WHERE seq = -1")
    assert _found() == [("unlinked", 3, 6)]


def test_9_renumber_to_close_a_gap():
    _chain(8)
    _sql("DELETE FROM T_ WHERE seq = 4")
    for seq in range(5, 9):
        _sql("UPDATE T_ SET seq = %s WHERE seq = %s", [seq - 1, seq])
    _rehash_from(4)
    assert _found() == [("resealed", 4, 7), ("head_seal", 0, 0)]


def test_10_a_sealed_record_made_to_look_unsealed():
    _chain(8)
    rec = AuditRecord.objects.get(seq=4)
    rec.hv, rec.seal = audit_seal.LEGACY, ""
    rec.save()
    _rehash_from(4)
    assert _found() == [("format", 4, 4), ("resealed", 5, 8), ("head_seal", 0, 0)]


def test_11_another_key_is_named_not_reported_as_tampering(settings):
    _chain(4)
    settings.NETDEPT = {**settings.NETDEPT, "AUDIT_KEY": "not-the-key"}
    result = audit.verify()
    assert result.kinds == ["key"]
    assert AuditChain.objects.get(pk=1).key_id in result.reason


def test_12_a_forged_checkpoint_is_refused(tmp_path):
    _chain(3)
    cp, path = audit.write_checkpoint(tmp_path / "cp.json")
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "seq": cp.seq + 5}))
    assert _found(checkpoints=[path]) == [("cp_seal", 0, 0)]


def test_13_rewriting_with_the_key_is_caught_by_a_checkpoint(tmp_path):
    _chain(8)
    _cp, path = audit.write_checkpoint(tmp_path / "cp.json")
    AuditRecord.objects.filter(seq=5).update(object_repr="forged")
    _rehash_from(5, key=True)
    assert audit.verify().ok
    assert _found(checkpoints=[path]) == [("cp_rewritten", 0, 0)]


def test_14_purging_young_records_past_a_checkpoint_holding_the_key(tmp_path):
    recs = _chain(6)
    _cp, path = audit.write_checkpoint(tmp_path / "cp.json")
    _sql("DELETE FROM T_ WHERE seq <= %s", [6])
    long_ago = timezone.now() - datetime.timedelta(days=400)
    AuditChain.objects.filter(pk=1).update(
        anchor_seq=6,
        anchor_hash=recs[5].hash,
        anchor_ts=long_ago,
        anchor_seal=audit_seal.anchor_seal(6, recs[5].hash, long_ago),
    )
    assert _found(checkpoints=[path]) == [("anchor_purge", 0, 0), ("cp_young", 0, 0)]


def test_sliced_walk_reports_the_same_stretches_as_one_walk():
    _chain(40)
    AuditRecord.objects.filter(seq__in=[1, 14, 15, 27]).update(object_repr="forged")
    _sql("DELETE FROM T_ WHERE seq IN (20, 21)")
    one = _found()
    assert one == [("changed", 1, 1), ("changed", 14, 15), ("missing", 20, 21), ("changed", 27, 27)]
    for slices in (2, 3, 5):
        assert _found(slices=slices, min_per_slice=5) == one


def test_parallel_walk_in_processes_reports_every_stretch(transactional_db):
    if connection.vendor == "sqlite":
        pytest.skip("processes cannot share the in-memory test database; runs on PostgreSQL")
    _chain(60)
    AuditRecord.objects.filter(seq__in=[3, 31, 32, 58]).update(object_repr="forged")
    expected = [("changed", 3, 3), ("changed", 31, 32), ("changed", 58, 58)]
    assert _found() == expected
    assert _found(workers=2, min_per_slice=10) == expected


# --- the command and the daily checkpoint ----------------------------------------------------


@pytest.mark.usefixtures("english")
def test_verify_command_lists_every_problem(capsys):
    _chain(8)
    call_command("nd_audit", "verify")
    assert "intact" in capsys.readouterr().out
    AuditRecord.objects.filter(seq=2).update(object_repr="forged")
    _sql("DELETE FROM T_ WHERE seq = 6")
    with pytest.raises(CommandError) as caught:
        call_command("nd_audit", "verify")
    lines = str(caught.value).splitlines()
    assert "BROKEN" in lines[0] and len(lines) == 3
    assert lines[1].startswith("  - #2:") and lines[2].startswith("  - #6:")


@pytest.mark.usefixtures("english")
def test_checkpoint_command_and_verify_with_stored_and_given_files(
    capsys, checkpoint_dir, tmp_path
):
    _chain(5)
    call_command("nd_audit", "checkpoint")
    out = capsys.readouterr().out
    stored = list(checkpoint_dir.glob("*.json"))
    assert len(stored) == 1 and "#5" in out
    line = json.loads(stored[0].read_text())
    assert line["seq"] == 5 and line["hash"] == AuditRecord.objects.get(seq=5).hash
    kept = tmp_path / "mail.txt"  # the auditor's saved message: text around the line
    call_command("nd_audit", "checkpoint", "--output", str(tmp_path / "cp.json"))
    kept.write_text("Subject: checkpoint\n\n" + (tmp_path / "cp.json").read_text() + "bye\n")
    call_command("nd_audit", "verify", "--checkpoint", str(kept))
    assert "2 checkpoint files" in capsys.readouterr().out
    # The tail cut and the head re-sealed by the key's holder, who also removed the stored file.
    _sql("DELETE FROM T_ WHERE seq >= 4")
    _rehash_from(4, key=True)
    stored[0].unlink()
    call_command("nd_audit", "verify")
    with pytest.raises(CommandError, match="#5"):
        call_command("nd_audit", "verify", "--checkpoint", str(kept))
    with pytest.raises(CommandError, match="no-such-file"):
        call_command("nd_audit", "verify", "--checkpoint", str(tmp_path / "no-such-file"))


def test_daily_checkpoint_job_writes_the_file_and_tells_the_auditors_once(checkpoint_dir):
    from netdept.notify.audit_jobs import send_audit_checkpoint
    from netdept.tasks import scheduler

    assert scheduler.jobs()["core.audit_checkpoint"].cron == "30 6 * * *"
    auditor = user_with_role("auditor")
    _chain(3)
    seq = send_audit_checkpoint.call()
    assert seq == AuditChain.objects.get(pk=1).seq
    assert len(list(checkpoint_dir.glob("*.json"))) == 1
    inbox = InboxMessage.objects.get(user=auditor, notification__kind="core.audit_checkpoint")
    line = next(ln for ln in inbox.body.splitlines() if ln.startswith("{"))
    assert json.loads(line)["seq"] == seq
    send_audit_checkpoint.call()  # a re-run the same day sends nothing more
    assert InboxMessage.objects.filter(notification__kind="core.audit_checkpoint").count() == 1


def test_daily_checkpoint_can_be_kept_local(settings, checkpoint_dir):
    from netdept.notify.audit_jobs import send_audit_checkpoint

    settings.NETDEPT = {**settings.NETDEPT, "AUDIT_CHECKPOINT_NOTIFY": False}
    user_with_role("auditor")
    _chain(2)
    send_audit_checkpoint.call()
    assert len(list(checkpoint_dir.glob("*.json"))) == 1
    assert not InboxMessage.objects.filter(notification__kind="core.audit_checkpoint").exists()
