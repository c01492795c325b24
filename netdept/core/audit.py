"""The hash-chained, sealed audit trail.

Every record stores the hash of the one before it and an HMAC of its own hash with the audit
key, which lives outside the database (``NETDEPT_AUDIT_KEY`` or ``audit_key`` in the data
directory). Changing, deleting, inserting or renumbering a row directly in the database breaks
the chain or a seal, and ``verify()`` names every broken stretch. Records are appended under a
lock on the chain head, inside the caller's transaction: the record commits or rolls back
together with the change it describes.

What is hashed are the values as written, never a foreign key the database may rewrite: the
actor is kept as text (``actor_ref``, ``actor_name``), so deleting an account leaves the chain
intact. The formats, the seal, the key and the upgrade of records written before the seal are
described in ``netdept.core.audit_seal``; verification and the exported checkpoints of the
chain head (``netdept audit checkpoint``) in ``netdept.core.audit_verify``.
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from netdept.core import audit_seal as seal
from netdept.core import context
from netdept.core.audit_seal import GENESIS
from netdept.core.audit_verify import (  # verification and checkpoints: part of this API
    MIN_RETENTION_MONTHS,
    Checkpoint,
    Problem,
    VerifyResult,
    checkpoint,
    retention_cutoff,
    verify,
    write_checkpoint,
)
from netdept.core.models.audit import AuditAction, AuditChain, AuditRecord

MASK = "******"

__all__ = [
    "GENESIS",
    "MASK",
    "MIN_RETENTION_MONTHS",
    "Checkpoint",
    "Problem",
    "VerifyResult",
    "checkpoint",
    "history",
    "purge",
    "record",
    "record_hash",
    "retention_cutoff",
    "verify",
    "write_checkpoint",
]


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
    if isinstance(value, FieldFile):  # ``url`` of an empty one raises: read only the name
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


def record_hash(rec: AuditRecord) -> str:
    """The hash ``rec`` should carry, in its own format (``rec.hv``)."""
    return seal.digest(
        seal.hash_fields(
            rec.hv,
            rec.seq,
            rec.ts,
            rec.actor_ref,
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


def _clean_ip(ip: str | None) -> tuple[str | None, str]:
    """The address as the database stores it, or (None, the raw text) when it is none."""
    if not ip:
        return None, ""
    try:
        addr = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return None, str(ip)[:100]
    if addr.version == 6:
        if "%" in str(addr):  # a zone index: no database column keeps it
            return None, str(ip)[:100]
        return clean_ipv6_address(str(addr)), ""
    return str(addr), ""


def _seal_head(head: AuditChain, k: bytes) -> None:
    head.key_id = seal.key_id(k)
    head.head_seal = seal.head_seal(head.seq, head.last_hash, head.sealed_from, k)


def _lock_head() -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is None:
        k = seal.key()
        fresh = AuditChain(pk=1, sealed_from=1)
        _seal_head(fresh, k)
        fresh.anchor_seal = seal.anchor_seal(0, GENESIS, None, k)
        AuditChain.objects.get_or_create(
            pk=1,
            defaults={
                "sealed_from": 1,
                "key_id": fresh.key_id,
                "head_seal": fresh.head_seal,
                "anchor_seal": fresh.anchor_seal,
            },
        )
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
    actor_ref = "" if actor_id is None else str(actor_id)[:64]
    actor_name = (
        (user.get_username() if user is not None else "") or ("" if ctx.via == "web" else ctx.via)
    )[:150]
    otype = object_type_label or (object_type(obj) if obj is not None else "")
    oid = object_id if object_id is not None else (str(obj.pk) if obj is not None else "")
    orepr = (object_repr if object_repr is not None else (str(obj) if obj else ""))[:255]
    ip, ip_raw = _clean_ip(ctx.ip)
    payload_changes = _jsonable(changes or {})
    payload_extra = _jsonable(
        {
            **(extra or {}),
            **({"via": ctx.via} if ctx.via else {}),
            **({"ip_raw": ip_raw} if ip_raw else {}),
        }
    )
    ts = timezone.now()
    k = seal.key()
    with transaction.atomic():
        head = _lock_head()
        seq = head.seq + 1
        digest = seal.digest(
            seal.hash_fields(
                seal.CURRENT,
                seq,
                ts,
                actor_ref,
                actor_name,
                ip,
                action,
                otype,
                oid,
                orepr,
                payload_changes,
                payload_extra,
                head.last_hash,
            )
        )
        rec = AuditRecord.objects.create(
            seq=seq,
            ts=ts,
            actor_id=actor_id,
            actor_ref=actor_ref,
            actor_name=actor_name,
            ip=ip,
            action=action,
            object_type=otype,
            object_id=oid,
            object_repr=orepr,
            changes=payload_changes,
            extra=payload_extra,
            prev_hash=head.last_hash,
            hash=digest,
            hv=seal.CURRENT,
            seal=seal.record_seal(digest, k),
        )
        head.seq = seq
        head.last_hash = digest
        _seal_head(head, k)
        head.save(update_fields=["seq", "last_hash", "key_id", "head_seal"])
    return rec


#: Labels a model had before it moved to another app (the working calendar was labelled
#: ``core.<model>`` until issue 9). Audit records are sealed and never rewritten, so an object's
#: older records keep their old label; ``history()`` looks under every label the model ever had.
#: Filled by ``register_former_label`` (the moved apps call it in their ``ready()``).
FORMER_LABELS: dict[str, tuple[str, ...]] = {}


def register_former_label(model: type[models.Model], *labels: str) -> None:
    current = object_type(model)
    FORMER_LABELS[current] = tuple(dict.fromkeys([*FORMER_LABELS.get(current, ()), *labels]))


def register_former_app_label(config: AppConfig, old_app_label: str) -> None:
    """Every model of the app ``config`` was ``<old_app_label>.<model>`` before it moved."""
    for model in config.get_models():
        register_former_label(model, f"{old_app_label}.{model._meta.model_name}")


def object_types(obj: models.Model | type[models.Model]) -> list[str]:
    """The label of ``obj``'s model, then every label it had before (see ``FORMER_LABELS``)."""
    current = object_type(obj)
    return [current, *FORMER_LABELS.get(current, ())]


def history(obj: models.Model) -> models.QuerySet[AuditRecord]:
    labels = object_types(obj)
    if len(labels) == 1:
        return AuditRecord.objects.filter(object_type=labels[0], object_id=str(obj.pk))
    return AuditRecord.objects.filter(object_type__in=labels, object_id=str(obj.pk))


def purge(months: int, now: datetime.datetime | None = None) -> int:
    """Delete records older than the retention period, keeping the chain verifiable.

    The last purged record becomes the chain's anchor (its sequence, hash and time, sealed with
    the audit key), and a purge record naming it is appended in the same transaction. Records
    younger than six calendar months are never deleted, whatever ``months`` says.
    """
    cutoff = retention_cutoff(months, now)
    k = seal.key()
    with transaction.atomic():
        head = _lock_head()
        last = (
            AuditRecord.objects.filter(ts__lt=cutoff)
            .order_by("-seq")
            .values_list("seq", "hash", "ts")
            .first()
        )
        if last is None:
            return 0
        last_seq, last_hash, last_ts = last
        deleted, _detail = AuditRecord.objects.filter(seq__lte=last_seq).delete()
        head.anchor_seq = last_seq
        head.anchor_hash = last_hash
        head.anchor_ts = last_ts
        head.anchor_seal = seal.anchor_seal(last_seq, last_hash, last_ts, k)
        head.save(update_fields=["anchor_seq", "anchor_hash", "anchor_ts", "anchor_seal"])
        record(
            AuditAction.PURGE,
            extra={"deleted": deleted, "through_seq": last_seq, "cutoff": cutoff.isoformat()},
            object_type_label="core.auditrecord",
        )
    return deleted


def record_many(action: str, objs: Iterable[models.Model], **kwargs: Any) -> None:
    for obj in objs:
        record(action, obj, **kwargs)
