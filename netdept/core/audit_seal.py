"""What the audit trail hashes, and the keyed seal that makes rewriting it detectable.

**Hash formats.** Every record stores ``hash`` = SHA-256 of a canonical JSON of its values and
the previous record's hash (``prev_hash``), and ``hv``, the format of that JSON:

* ``hv=2`` (current): the values as written. The actor is hashed as the text columns
  ``actor_ref`` (their id) and ``actor_name`` (their login), never through the ``actor`` foreign
  key, which the database rewrites (deleting an account nulls it). The source IP is hashed as
  stored (normalised), every text as truncated to its column.
* ``hv=1``: records written before the seal existed. They hashed the actor's foreign key as an
  integer; the upgrade (migration ``core.0004_audit_seal``) copied it into ``actor_ref``, and the
  integer is rebuilt from there, so these records keep verifying after an account is deleted.
  The upgrade rewrites no hash: rewriting history would also launder any tampering done before.

**Seal.** From ``AuditChain.sealed_from`` on (1 on a new install, the first record after the
upgrade otherwise) each record carries ``seal`` = HMAC-SHA256(key, its hash). Every record is
sealed, not one checkpoint in N: the HMAC costs about a microsecond per record against the
hashing's ten, it names the very record that was rewritten, and it leaves no unsealed tail.
Because a record's hash covers the previous hash, the first sealed record also seals the
unsealed ``hv=1`` part before it. The chain head (``seq``, ``last_hash``, ``sealed_from``) and
the retention anchor (``anchor_seq``, ``anchor_hash``, ``anchor_ts``) are sealed too
(``head_seal``, ``anchor_seal``). Each message is prefixed with what it seals, so that no seal
can be copied from one place to another.

**Key.** ``NETDEPT_AUDIT_KEY``, else the file ``audit_key`` generated (0600) in the data
directory (``netdept.config.audit_key``); it is never stored in the database. Back it up with
the data directory: with another key, verify names the key mismatch instead of checking seals.
``key_id`` (a hash of the key, stored on the chain head and in checkpoints) tells keys apart.

**What this detects.** Someone with write access to the database alone cannot produce a seal:
an edited record whose hash was recomputed, an inserted or renumbered record, a head moved back
over a deleted tail, and an anchor moved forward over deleted records all fail their seal. What
a database-only attacker can still do is put back a whole earlier copy of the head row (tail
deletion by replay); the exported checkpoints (``netdept.core.audit_verify``) catch that, and
they also catch truncation by someone who holds both the database and the key, as long as a
checkpoint written before the truncation is kept outside their reach (the daily one sent to
the auditors). Records written after the last checkpoint that left the machine can be deleted
unnoticed by such a person: no scheme inside one machine prevents that.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
LEGACY = 1
CURRENT = 2
FORMATS = (LEGACY, CURRENT)


def key() -> bytes:
    """The audit key (``NETDEPT_AUDIT_KEY`` or the data directory's ``audit_key``)."""
    value = str(settings.NETDEPT.get("AUDIT_KEY") or "")
    if not value:
        raise RuntimeError("The audit key is not configured (NETDEPT['AUDIT_KEY']).")
    return value.encode()


def key_id(k: bytes | None = None) -> str:
    """A short public fingerprint of the key: tells which key sealed a chain or checkpoint."""
    return hashlib.sha256(b"netdept-audit-key-id:" + (k or key())).hexdigest()[:16]


def _mac(k: bytes, purpose: str, message: str) -> str:
    return hmac.digest(k, f"netdept-audit-{purpose}:{message}".encode(), "sha256").hex()


RECORD_PREFIX = b"netdept-audit-record:"  # what ``_mac(k, "record", h)`` prefixes


def record_seal(record_hash: str, k: bytes | None = None) -> str:
    return _mac(k or key(), "record", record_hash)


def head_seal(seq: int, last_hash: str, sealed_from: int, k: bytes | None = None) -> str:
    return _mac(k or key(), "head", f"{seq}:{last_hash}:{sealed_from}")


def anchor_seal(
    seq: int, anchor_hash: str, ts: datetime.datetime | None, k: bytes | None = None
) -> str:
    return _mac(k or key(), "anchor", f"{seq}:{anchor_hash}:{iso(ts) if ts else ''}")


def checkpoint_seal(payload: dict[str, Any], k: bytes | None = None) -> str:
    return _mac(k or key(), "checkpoint", canonical(payload))


def matches(stored: str | None, expected: str) -> bool:
    return hmac.compare_digest(stored or "", expected)


def iso(ts: datetime.datetime) -> str:
    return ts.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def hash_fields(
    hv: int,
    seq: int,
    ts: datetime.datetime,
    actor_ref: str,
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
    """The values a record's hash covers, in the record's format ``hv``."""
    fields: dict[str, Any] = {
        "seq": seq,
        "ts": iso(ts),
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
    if hv == LEGACY:  # the foreign key, as an integer, as it was hashed before the seal
        fields["actor"] = int(actor_ref) if actor_ref.isdigit() else (actor_ref or None)
    else:
        fields["actor"] = actor_ref
        fields["v"] = hv
    return fields
