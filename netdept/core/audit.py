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


_FIELDS = (
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


def _iter_records(first: int, last: int | None, chunk: int = 10000) -> Iterator[tuple[Any, ...]]:
    """Rows of the chain in order, read with a plain cursor (the ORM's per-row converters
    would cost more than the hashing) and normalised to what ``_hash_fields`` expects."""
    from django.db import connection

    meta = AuditRecord._meta
    quote = connection.ops.quote_name
    column = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(str(column[f])) for f in _FIELDS)
    seq_col = quote(str(column["seq"]))
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {seq_col} > %s"  # noqa: S608
    if last is not None:
        sql += f" AND {seq_col} <= %s"
    sql += f" ORDER BY {seq_col} LIMIT %s"
    utc = datetime.UTC
    loads = json.loads
    after = first - 1
    while True:
        params = [after, last, chunk] if last is not None else [after, chunk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return
        for row in rows:
            ts = row[1]
            if isinstance(ts, str):  # SQLite keeps UTC text
                ts = datetime.datetime.fromisoformat(ts).replace(tzinfo=utc)
            elif ts.tzinfo is None:
                ts = ts.replace(tzinfo=utc)
            changes, extra = row[9], row[10]
            yield (
                row[0],
                ts,
                row[2],
                row[3],
                None if row[4] is None else str(row[4]),
                row[5],
                row[6],
                row[7],
                row[8],
                loads(changes) if isinstance(changes, str | bytes) else changes,
                loads(extra) if isinstance(extra, str | bytes) else extra,
                row[11],
                row[12],
            )
        after = rows[-1][0]


@dataclass(frozen=True)
class _Slice:
    """The result of checking records first..last on their own."""

    first: int
    checked: int
    first_prev: str | None  # prev_hash stored in the first record found
    first_seq: int | None  # seq of the first record found
    last_seq: int | None
    last_hash: str | None
    bad_seq: int | None = None
    reason: str = ""


def _check_slice(first: int, last: int | None, expected_prev: str | None) -> _Slice:
    """Check that records first..last are consecutive, each links to the one before and each
    hash matches. ``expected_prev`` None: take the first record's link on trust (the caller
    joins the slices)."""
    expected_seq = first
    checked = 0
    first_prev: str | None = None
    first_seq: int | None = None
    prev = expected_prev
    for row in _iter_records(first, last):
        seq, prev_hash, stored_hash = row[0], row[11], row[12]
        if first_seq is None:
            first_seq, first_prev = seq, prev_hash
            if prev is None:
                prev = prev_hash
        if seq != expected_seq:
            return _Slice(
                first,
                checked,
                first_prev,
                first_seq,
                expected_seq - 1,
                prev,
                expected_seq,
                f"record #{expected_seq} is missing (next found is #{seq})",
            )
        if prev_hash != prev:
            return _Slice(
                first,
                checked,
                first_prev,
                first_seq,
                seq - 1,
                prev,
                seq,
                f"record #{seq} does not link to the record before it",
            )
        if _digest(_hash_fields(*row[:12])) != stored_hash:
            return _Slice(
                first,
                checked,
                first_prev,
                first_seq,
                seq - 1,
                prev,
                seq,
                f"record #{seq} was changed after it was written",
            )
        prev = stored_hash
        expected_seq += 1
        checked += 1
    return _Slice(
        first, checked, first_prev, first_seq, expected_seq - 1 if checked else None, prev
    )


def _check_slice_in_child(args: tuple[int, int | None]) -> _Slice:
    from django.db import connections

    try:
        return _check_slice(args[0], args[1], None)
    finally:
        connections.close_all()


def verify(workers: int = 1, slices: int | None = None, min_per_slice: int = 1000) -> VerifyResult:
    """Walk the chain from the anchor; report the first record that does not link or hash.

    With ``workers`` > 1 the chain is cut into slices checked by that many processes at once
    (each slice on its own, then the joins between slices), with the same result as one walk.
    """
    head = AuditChain.objects.filter(pk=1).first()
    anchor_prev = head.anchor_hash if head else GENESIS
    start = (head.anchor_seq if head else 0) + 1
    end = head.seq if head is not None else None
    n = max(1, slices if slices is not None else workers)
    if end is None or end - start < min_per_slice * n:
        n = 1
    if n == 1:
        parts = [_check_slice(start, None, anchor_prev)]
    else:
        size = (end - start + 1) // n  # type: ignore[operator]
        bounds: list[tuple[int, int | None]] = [
            (start + i * size, start + (i + 1) * size - 1) for i in range(n)
        ]
        bounds[-1] = (bounds[-1][0], None)  # the last slice runs to whatever is there
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from django.db import connection, connections

            in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
            if connection.vendor == "sqlite" and in_memory:
                parts = [_check_slice(a, b, None) for a, b in bounds]
            else:
                connections.close_all()
                ctx = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                    parts = list(pool.map(_check_slice_in_child, bounds))
        else:
            parts = [_check_slice(a, b, None) for a, b in bounds]
    return _join(parts, anchor_prev, head)


def _join(parts: list[_Slice], anchor_prev: str, head: AuditChain | None) -> VerifyResult:
    checked = 0
    prev_hash, prev_seq = anchor_prev, parts[0].first - 1
    for part in parts:
        if part.first_seq is not None:
            # The join: the slice's first record must follow and link to the one before it.
            if part.first_seq != prev_seq + 1:
                missing = prev_seq + 1
                return VerifyResult(
                    False,
                    checked,
                    missing,
                    f"record #{missing} is missing (next found is #{part.first_seq})",
                )
            if part.first_prev != prev_hash:
                return VerifyResult(
                    False,
                    checked,
                    part.first_seq,
                    f"record #{part.first_seq} does not link to the record before it",
                )
        checked += part.checked
        if part.bad_seq is not None:
            return VerifyResult(False, checked, part.bad_seq, part.reason)
        if part.last_seq is not None and part.last_hash is not None:
            prev_seq, prev_hash = part.last_seq, part.last_hash
    if head is not None and head.seq != prev_seq:
        return VerifyResult(
            False,
            checked,
            prev_seq + 1,
            f"records after #{prev_seq} are missing (the chain head says #{head.seq})",
        )
    if head is not None and head.seq and head.last_hash != prev_hash:
        return VerifyResult(
            False, checked, head.seq, "the chain head does not match the last record"
        )
    return VerifyResult(True, checked)


def retention_cutoff(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The instant before which records may be purged; never less than six calendar months."""
    months = max(months, MIN_RETENTION_MONTHS)
    now = now or timezone.now()
    cutoff: datetime.datetime = now - relativedelta(months=months)  # dateutil is untyped here
    return cutoff


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
