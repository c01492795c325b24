# The audit trail's seal (see netdept/core/audit_seal.py).
#
# Records written before this migration keep their hashes (format 1): rewriting them would also
# launder any tampering done before the upgrade. The migration
#
# * copies each record's actor id into the text column ``actor_ref`` (what format 1 hashed),
#   and for records whose account was deleted before the upgrade (the database nulled
#   ``actor``), finds the id that makes the stored hash match again among the ids no account
#   holds any more — a hash can only match the value it was made from, so this launders nothing;
# * seals the chain head and the retention anchor with the audit key, and sets ``sealed_from``
#   to the next record: every record from there on is sealed, and the first of them seals the
#   unsealed ones before it through its link.

import datetime

from django.conf import settings
from django.db import migrations, models

# Stop looking for deleted accounts' ids after this many hashes (a tampered record matches no
# id; it stays reported by verify).
RECOVERY_BUDGET = 2_000_000


def _recover_deleted_actors(apps, db):
    from netdept.core import audit_seal as seal

    Record = apps.get_model("core", "AuditRecord")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    orphans = (
        Record.objects.using(db)
        .filter(actor__isnull=True, actor_ref="", hv=seal.LEGACY)
        .exclude(actor_name="")
        .order_by("seq")
    )
    if not orphans.exists():
        return
    existing = set(User.objects.using(db).values_list("pk", flat=True))
    if not all(isinstance(pk, int) for pk in existing):
        return
    top = max(existing, default=0) + 1000
    candidates = [i for i in range(1, top) if i not in existing][:200_000]
    by_name: dict[str, int] = {}
    budget = RECOVERY_BUDGET

    def fields(rec, actor_ref):
        return seal.hash_fields(
            seal.LEGACY, rec.seq, rec.ts, actor_ref, rec.actor_name, rec.ip, rec.action,
            rec.object_type, rec.object_id, rec.object_repr, rec.changes, rec.extra,
            rec.prev_hash,
        )

    for rec in orphans.iterator(chunk_size=2000):
        if seal.digest(fields(rec, "")) == rec.hash:
            continue  # a record without an actor (a command, a task, a failed sign-in)
        guess = by_name.get(rec.actor_name)
        order = ([guess] if guess else []) + candidates
        for pk in order:
            if budget <= 0:
                return
            budget -= 1
            if seal.digest(fields(rec, str(pk))) == rec.hash:
                by_name[rec.actor_name] = pk
                Record.objects.using(db).filter(pk=rec.pk).update(actor_ref=str(pk))
                break


def upgrade(apps, schema_editor):
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from netdept.core import audit_seal as seal

    db = schema_editor.connection.alias
    Record = apps.get_model("core", "AuditRecord")
    Chain = apps.get_model("core", "AuditChain")
    Record.objects.using(db).filter(actor__isnull=False).update(
        actor_ref=Cast("actor_id", CharField())
    )
    _recover_deleted_actors(apps, db)
    head = Chain.objects.using(db).filter(pk=1).first()
    if head is None:
        return  # a new install: the first record creates a sealed head
    k = seal.key()
    head.sealed_from = head.seq + 1
    if head.anchor_seq:
        # Before the seal the anchor's time was not kept: the cutoff of the purge that set it
        # is a bound (the anchor record is older) good enough for the retention check.
        for extra in (
            Record.objects.using(db)
            .filter(action="purge")
            .order_by("-seq")
            .values_list("extra", flat=True)
        ):
            if isinstance(extra, dict) and extra.get("through_seq") == head.anchor_seq:
                try:
                    head.anchor_ts = datetime.datetime.fromisoformat(str(extra.get("cutoff")))
                except ValueError:
                    pass
                break
    head.key_id = seal.key_id(k)
    head.head_seal = seal.head_seal(head.seq, head.last_hash, head.sealed_from, k)
    head.anchor_seal = seal.anchor_seal(head.anchor_seq, head.anchor_hash, head.anchor_ts, k)
    head.save()


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('core', '0003_delivery_claim'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='actor_ref',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='actor ID'),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='hv',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='hash format'),
        ),
        migrations.AlterField(
            model_name='auditrecord',
            name='hv',
            field=models.PositiveSmallIntegerField(default=2, verbose_name='hash format'),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='seal',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditchain',
            name='anchor_ts',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditchain',
            name='sealed_from',
            field=models.BigIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='auditchain',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='auditchain',
            name='head_seal',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditchain',
            name='anchor_seal',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(upgrade, migrations.RunPython.noop),
    ]
