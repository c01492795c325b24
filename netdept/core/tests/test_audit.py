"""The audit trail: what is recorded, the hash chain, tampering, retention."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from netdept.core import audit, context
from netdept.core.models import AuditChain, AuditRecord
from netdept.core.models.audit import AuditAction
from netdept.core.services import service_for
from netdept.org.models import Team
from netdept.testing.factories import PASSWORD, DepartmentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    """Messages in English: these tests read the wording (the configured language is Chinese)."""
    with translation.override("en"):
        yield


def _make_records(n: int = 5) -> list[AuditRecord]:
    dept = DepartmentFactory()
    actor = user_with_role("director")
    svc = service_for(Team)
    with context.acting(actor, "10.1.2.3", "web"):
        for i in range(n):
            svc.create(actor, {"name": f"组{i}", "department": dept})
    return list(AuditRecord.objects.order_by("seq"))


def test_service_change_records_who_when_ip_object_and_before_after():
    dept = DepartmentFactory()
    actor = user_with_role("director")
    svc = service_for(Team)
    with context.acting(actor, "192.0.2.7", "web"):
        team = svc.create(actor, {"name": "网络运维组", "department": dept})
        svc.update(actor, team, {"name": "运维组"})
        svc.delete(actor, Team.objects.get(pk=team.pk))
    recs = list(audit.history(team).order_by("seq"))
    assert [r.action for r in recs] == ["create", "update", "delete"]
    create, update, delete = recs
    assert create.actor == actor and create.ip == "192.0.2.7"
    assert create.changes["name"] == [None, "网络运维组"]
    assert update.changes == {"name": ["网络运维组", "运维组"]}
    assert delete.changes["name"] == ["运维组", None]
    assert delete.object_repr == "运维组"
    assert all(r.ts <= timezone.now() for r in recs)


def test_update_without_change_writes_nothing():
    dept = DepartmentFactory()
    actor = user_with_role("director")
    team = service_for(Team).create(actor, {"name": "A", "department": dept})
    before = AuditRecord.objects.count()
    service_for(Team).update(actor, team, {"name": "A"})
    assert AuditRecord.objects.count() == before


def test_logins_failed_logins_logouts_and_denials_are_recorded():
    user = user_with_role("requester")
    c = Client(REMOTE_ADDR="198.51.100.9")
    c.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    c.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert c.get("/org/team/").status_code == 403
    c.post("/accounts/logout/")
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", "ip"))
    assert ("login_failed", "198.51.100.9") in actions
    assert ("login", "198.51.100.9") in actions
    assert ("denied", "198.51.100.9") in actions
    assert ("logout", "198.51.100.9") in actions
    assert audit.verify().ok


def test_secret_fields_are_masked():
    sysadmin = user_with_role("sysadmin")
    user = service_for(UserFactory._meta.model).create(
        sysadmin,
        {"username": "newbie", "email": "", "is_active": True, "password": "Xy-12345678ab"},
    )
    rec = audit.history(user).get(action="create")
    assert rec.changes["password"] == [None, audit.MASK]
    assert "Xy-12345678ab" not in str(AuditRecord.objects.values_list("changes", flat=True))


def test_verify_intact_chain():
    recs = _make_records()
    result = audit.verify()
    assert result.ok and result.checked == len(recs)


def test_verify_detects_a_changed_record():
    recs = _make_records()
    victim = recs[2]
    AuditRecord.objects.filter(pk=victim.pk).update(object_repr="forged")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == victim.seq
    assert result.kinds == ["changed"]


def test_verify_detects_a_changed_record_via_raw_sql():
    recs = _make_records()
    victim = recs[1]
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditRecord._meta.db_table} SET actor_name = %s WHERE seq = %s",
            ["mallory", victim.seq],
        )
    assert audit.verify().first_bad_seq == victim.seq


def test_verify_detects_a_deleted_record():
    recs = _make_records()
    victim = recs[3]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditRecord._meta.db_table} WHERE seq = %s", [victim.seq])
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == victim.seq
    assert result.kinds == ["missing"]


def test_verify_detects_deleting_the_newest_record():
    recs = _make_records()
    AuditRecord.objects.filter(pk=recs[-1].pk).delete()
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == recs[-1].seq


def test_verify_detects_an_inserted_record():
    recs = _make_records()
    after = recs[1]
    # Shift later records up by one and insert a forged one in the gap, re-using hashes.
    with connection.cursor() as cur:
        table = AuditRecord._meta.db_table
        for r in reversed(recs[2:]):
            cur.execute(f"UPDATE {table} SET seq = seq + 1 WHERE seq = %s", [r.seq])
    forged = AuditRecord(
        seq=after.seq + 1,
        ts=after.ts,
        actor_name="mallory",
        action="update",
        object_type="org.team",
        object_id="1",
        object_repr="forged",
        changes={},
        extra={},
        prev_hash=after.hash,
        hash="f" * 64,
    )
    forged.save()
    AuditChain.objects.filter(pk=1).update(seq=recs[-1].seq + 1)
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == after.seq + 1


@pytest.mark.usefixtures("english")
def test_audit_verify_command_reports_the_first_broken_link(capsys):
    recs = _make_records()
    call_command("nd_audit", "verify")
    assert "intact" in capsys.readouterr().out
    AuditRecord.objects.filter(pk=recs[1].pk).update(changes={"name": [None, "x"]})
    with pytest.raises(CommandError, match=f"#{recs[1].seq}"):
        call_command("nd_audit", "verify")


def test_retention_never_deletes_records_younger_than_six_months():
    recs = _make_records(4)
    now = timezone.now()
    # Age the first two records: 7 and 5 calendar months.
    AuditRecord.objects.filter(pk=recs[0].pk).update(ts=now - datetime.timedelta(days=215))
    AuditRecord.objects.filter(pk=recs[1].pk).update(ts=now - datetime.timedelta(days=160))
    # Re-hash them so the chain stays valid after the direct edit (simulating real old rows).
    _rehash_all()
    deleted = audit.purge(months=1)  # asks for 1 month: the floor of 6 applies
    assert deleted == 1
    assert not AuditRecord.objects.filter(pk=recs[0].pk).exists()
    assert AuditRecord.objects.filter(pk=recs[1].pk).exists()
    assert audit.verify().ok  # the anchor keeps the chain verifiable
    assert AuditRecord.objects.filter(action=AuditAction.PURGE).exists()


def test_retention_cutoff_is_calendar_months():
    now = datetime.datetime(2026, 8, 31, 12, tzinfo=datetime.UTC)
    assert audit.retention_cutoff(3, now) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert audit.retention_cutoff(12, now) == datetime.datetime(
        2025, 8, 31, 12, tzinfo=datetime.UTC
    )


def _rehash_all() -> None:
    """Re-hash and re-seal the whole chain, as only the holder of the audit key can."""
    from netdept.core import audit_seal

    prev = audit.GENESIS
    for r in AuditRecord.objects.order_by("seq"):
        r.prev_hash = prev
        r.hash = audit.record_hash(r)
        r.seal = audit_seal.record_seal(r.hash)
        r.save(update_fields=["prev_hash", "hash", "seal"])
        prev = r.hash
    head = AuditChain.objects.get(pk=1)
    head.last_hash = prev
    head.head_seal = audit_seal.head_seal(head.seq, prev, head.sealed_from)
    head.save()


def test_audit_list_for_auditor_with_filters_and_export():
    _make_records(3)
    auditor = user_with_role("auditor")
    c = Client()
    c.force_login(auditor)
    r = c.get("/audit/", {"action": "create"})
    assert r.status_code == 200
    assert "组1" in r.content.decode()
    r = c.get("/audit/", {"format": "csv", "action": "create"})
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    assert AuditRecord.objects.filter(action="export", object_type="core.auditrecord").exists()


def test_nobody_can_change_the_audit_trail_through_the_api():
    _make_records(1)
    auditor = user_with_role("auditor")
    c = Client()
    c.force_login(auditor)
    assert c.post("/audit/", {}).status_code == 405
    assert AuditRecord.objects.filter(action="delete", object_type="core.auditrecord").count() == 0


def test_audit_api_is_read_only_and_for_auditors():
    _make_records(2)
    auditor = user_with_role("auditor")
    sysadmin = user_with_role("sysadmin")
    c = Client()
    c.force_login(auditor)
    r = c.get("/api/v1/core/auditrecords/?action=create")
    assert r.status_code == 200 and r.json()["count"] == 2
    seq = r.json()["results"][0]["seq"]
    assert c.get(f"/api/v1/core/auditrecords/{seq}/").status_code == 200
    assert c.delete(f"/api/v1/core/auditrecords/{seq}/").status_code == 405
    assert c.post("/api/v1/core/auditrecords/", {}).status_code == 405
    c.force_login(sysadmin)
    assert c.get("/api/v1/core/auditrecords/").status_code == 403
    assert audit.verify().ok


def test_history_tab_shows_readable_values_and_the_persons_name():
    dept = DepartmentFactory(name="信息科")
    other = DepartmentFactory(name="内科")
    director = user_with_role("director", department=dept)
    director.person.name = "王主任"
    director.person.save()
    svc = service_for(Team)
    team = svc.create(director, {"name": "网络运维组", "department": dept, "is_active": True})
    svc.update(director, team, {"department": other, "is_active": False})
    c = Client()
    c.force_login(director)
    html = c.get(f"/org/team/{team.pk}/history/").content.decode()
    assert "信息科" in html and "内科" in html  # names, not ids
    assert "王主任" in html
    assert ">True<" not in html


def test_history_tab_denied_to_sysadmin_and_recorded():
    dept = DepartmentFactory()
    team = service_for(Team).create(None, {"name": "A", "department": dept}, check=False)
    sysadmin = user_with_role("sysadmin")
    c = Client()
    c.force_login(sysadmin)
    assert c.get(f"/org/team/{team.pk}/history/").status_code == 403
    denial = AuditRecord.objects.filter(action="denied", actor=sysadmin).last()
    assert denial.extra["permission"] == "core.view_history"


@pytest.mark.parametrize("slices", [2, 3])
def test_sliced_verify_agrees_with_one_walk(slices):
    from django.db import transaction as tx

    recs = _make_records(4)
    with tx.atomic():  # grow the chain past the slicing threshold cheaply
        for i in range(slices * 10 + 7):
            audit.record("update", None, object_type_label="bench.x", object_id=str(i))

    def sliced():
        return audit.verify(slices=slices, min_per_slice=10)

    assert sliced().ok
    assert sliced().checked == AuditRecord.objects.count()
    # Tamper at the very start, at a slice boundary and in the middle of the last slice.
    head = AuditChain.objects.get(pk=1)
    size = (head.seq - head.anchor_seq) // slices
    for victim_seq in (recs[0].seq, head.anchor_seq + 1 + size, head.seq - 3):
        original = AuditRecord.objects.get(seq=victim_seq).object_repr
        AuditRecord.objects.filter(seq=victim_seq).update(object_repr="forged")
        one, cut = audit.verify(), sliced()
        assert (one.ok, one.first_bad_seq) == (cut.ok, cut.first_bad_seq) == (False, victim_seq)
        AuditRecord.objects.filter(seq=victim_seq).update(object_repr=original)
    # A deleted record right at a boundary.
    boundary = head.anchor_seq + 1 + size
    AuditRecord.objects.filter(seq=boundary).delete()
    assert sliced().first_bad_seq == audit.verify().first_bad_seq == boundary


def test_parallel_verify_in_processes(transactional_db):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("processes cannot share the in-memory test database; runs on PostgreSQL")
    from django.db import transaction as tx

    _make_records(3)
    with tx.atomic():
        for i in range(60):
            audit.record("update", None, object_type_label="bench.x", object_id=str(i))
    assert audit.verify(workers=2, min_per_slice=10).ok
    victim = AuditRecord.objects.order_by("seq")[45]
    AuditRecord.objects.filter(pk=victim.pk).update(object_repr="forged")
    assert audit.verify(workers=2, min_per_slice=10).first_bad_seq == victim.seq
