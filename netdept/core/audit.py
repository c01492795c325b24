"""The hash-chained audit trail.

Every record stores the hash of the one before it, so changing, deleting or inserting a row
directly in the database breaks the chain, and ``verify()`` names the first broken link.
Records are appended under a lock on the chain head, inside the caller's transaction: the
record commits or rolls back together with the change it describes.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.utils import timezone

from netdept.core import context
from netdept.core.models.audit import AuditAction, AuditChain, AuditRecord

GENESIS = "0" * 64
MASK = "******"
MIN_RETENTION_MONTHS = 6


def _jsonable(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL cannot store NUL in text or JSON
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return str(value.name or "")
    return str(value)


# Audit settings of models NetDept does not own.
EXTRA_EXCLUDE: dict[str, tuple[str, ...]] = {
    "auth.user": ("last_login", "groups", "user_permissions", "is_superuser", "is_staff"),
}
EXTRA_MASK: dict[str, tuple[str, ...]] = {"auth.user": ("password",)}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited field values of ``obj``: foreign keys by id, many-to-many as sorted ids."""
    label = obj._meta.label_lower
    exclude = set(getattr(obj, "audit_exclude", ())) | set(EXTRA_EXCLUDE.get(label, ()))
    mask = set(getattr(obj, "audit_mask", ())) | set(EXTRA_MASK.get(label, ()))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        value = getattr(obj, field.attname)
        data[field.name] = MASK if field.name in mask and value else _jsonable(value)
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if m2m.name in exclude:
                continue
            data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def secret_values(obj: models.Model) -> dict[str, Any]:
    """The raw values of ``obj``'s masked fields, to tell whether a secret changed."""
    label = obj._meta.label_lower
    mask = set(getattr(obj, "audit_mask", ())) | set(EXTRA_MASK.get(label, ()))
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name in mask}


def secret_changes(before: dict[str, Any], obj: models.Model) -> dict[str, list[Any]]:
    """``{field: [MASK, MASK]}`` for each masked field whose value changed."""
    after = secret_values(obj)
    return {
        k: [MASK if before.get(k) else None, MASK if after.get(k) else None]
        for k in after
        if after.get(k) != before.get(k)
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def object_type(obj: models.Model | type[models.Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _digest(fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _hash_fields(
    seq: int,
    ts: datetime.datetime,
    actor_id: int | None,
    actor_name: str,
    ip: str | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    extra: Any,
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "ts": ts.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_name": actor_name,
        "ip": ip or "",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "extra": extra,
        "prev": prev_hash,
    }


def record_hash(rec: AuditRecord) -> str:
    return _digest(
        _hash_fields(
            rec.seq,
            rec.ts,
            rec.actor_id,
            rec.actor_name,
            rec.ip,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.object_repr,
            rec.changes,
            rec.extra,
            rec.prev_hash,
        )
    )


def _lock_head() -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChain.objects.get_or_create(pk=1)
        head = AuditChain.objects.select_for_update().get(pk=1)
    return head


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    actor: Any = None,
    object_repr: str | None = None,
    object_type_label: str | None = None,
    object_id: str | None = None,
) -> AuditRecord:
    """Append one record. ``actor`` and the source IP default to the current context."""
    ctx = context.current()
    user = actor if actor is not None else ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    actor_id = user.pk if user is not None else None
    actor_name = (user.get_username() if user is not None else "") or (
        "" if ctx.via == "web" else ctx.via
    )
    otype = object_type_label or (object_type(obj) if obj is not None else "")
    oid = object_id if object_id is not None else (str(obj.pk) if obj is not None else "")
    orepr = object_repr if object_repr is not None else (str(obj)[:255] if obj else "")
    payload_changes = _jsonable(changes or {})
    payload_extra = _jsonable({**(extra or {}), **({"via": ctx.via} if ctx.via else {})})
    ts = timezone.now()
    with transaction.atomic():
        head = _lock_head()
        seq = head.seq + 1
        fields = _hash_fields(
            seq,
            ts,
            actor_id,
            actor_name,
            ctx.ip,
            action,
            otype,
            oid,
            orepr[:255],
            payload_changes,
            payload_extra,
            head.last_hash,
        )
        digest = _digest(fields)
        rec = AuditRecord.objects.create(
            seq=seq,
            ts=ts,
            actor_id=actor_id,
            actor_name=actor_name[:150],
            ip=ctx.ip,
            action=action,
            object_type=otype,
            object_id=oid,
            object_repr=orepr[:255],
            changes=payload_changes,
            extra=payload_extra,
            prev_hash=head.last_hash,
            hash=digest,
        )
        head.seq = seq
        head.last_hash = digest
        head.save(update_fields=["seq", "last_hash"])
    return rec


def history(obj: models.Model) -> models.QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(object_type=object_type(obj), object_id=str(obj.pk))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def _iter_records(chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
    fields = (
        "seq",
        "ts",
        "actor_id",
        "actor_name",
        "ip",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "extra",
        "prev_hash",
        "hash",
    )
    last = -1
    while True:
        rows = list(
            AuditRecord.objects.filter(seq__gt=last).order_by("seq").values_list(*fields)[:chunk]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify() -> VerifyResult:
    """Walk the chain from the anchor; report the first record that does not link or hash."""
    head = AuditChain.objects.filter(pk=1).first()
    expected_prev = head.anchor_hash if head else GENESIS
    expected_seq = (head.anchor_seq if head else 0) + 1
    checked = 0
    for row in _iter_records():
        (
            seq,
            ts,
            actor_id,
            actor_name,
            ip,
            action,
            otype,
            oid,
            orepr,
            changes,
            extra,
            prev_hash,
            stored_hash,
        ) = row
        if seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                expected_seq,
                f"record #{expected_seq} is missing (next found is #{seq})",
            )
        if prev_hash != expected_prev:
            return VerifyResult(
                False, checked, seq, f"record #{seq} does not link to the record before it"
            )
        actual = _digest(
            _hash_fields(
                seq,
                ts,
                actor_id,
                actor_name,
                ip,
                action,
                otype,
                oid,
                orepr,
                changes,
                extra,
                prev_hash,
            )
        )
        if actual != stored_hash:
            return VerifyResult(
                False, checked, seq, f"record #{seq} was changed after it was written"
            )
        expected_prev = stored_hash
        expected_seq += 1
        checked += 1
    if head is not None and head.seq != expected_seq - 1:
        return VerifyResult(
            False,
            checked,
            expected_seq,
            f"records after #{expected_seq - 1} are missing (the chain head says #{head.seq})",
        )
    if head is not None and head.seq and head.last_hash != expected_prev:
        return VerifyResult(
            False, checked, head.seq, "the chain head does not match the last record"
        )
    return VerifyResult(True, checked)


def retention_cutoff(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The instant before which records may be purged; never less than six calendar months."""
    months = max(months, MIN_RETENTION_MONTHS)
    now = now or timezone.now()
    return now - relativedelta(months=months)


def purge(months: int, now: datetime.datetime | None = None) -> int:
    """Delete records older than the retention period, keeping the chain verifiable.

    The hash of the last purged record becomes the chain's anchor. Records younger than six
    calendar months are never deleted, whatever ``months`` says.
    """
    cutoff = retention_cutoff(months, now)
    with transaction.atomic():
        head = _lock_head()
        last = (
            AuditRecord.objects.filter(ts__lt=cutoff)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if last is None:
            return 0
        last_seq, last_hash = last
        deleted, _detail = AuditRecord.objects.filter(seq__lte=last_seq).delete()
        head.anchor_seq = last_seq
        head.anchor_hash = last_hash
        head.save(update_fields=["anchor_seq", "anchor_hash"])
    record(
        AuditAction.PURGE,
        extra={"deleted": deleted, "through_seq": last_seq, "cutoff": cutoff.isoformat()},
        object_type_label="core.auditrecord",
    )
    return deleted


def record_many(action: str, objs: Iterable[models.Model], **kwargs: Any) -> None:
    for obj in objs:
        record(action, obj, **kwargs)
