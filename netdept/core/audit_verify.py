"""Verifying the audit trail, and the exported checkpoints of its head.

``verify()`` walks the chain from the retention anchor and reports **every** broken stretch,
not only the first, each named by what it looks like (``Problem.kind``):

=================  ==============================================================================
``missing``        records deleted from the middle (a gap in the sequence numbers)
``tail_missing``   the last records deleted, the chain head still naming them
``beyond_head``    records after the one the chain head names (appended outside NetDept)
``unlinked``       a record that does not link to the one before it (inserted, replaced,
                   reordered)
``changed``        a record whose content no longer matches its hash (edited)
``resealed``       a record whose hash matches but whose seal does not: its hash was recomputed
                   without the key (edited or inserted, and every later hash recomputed)
``format``         a record in a hash format it cannot have at its place (a sealed record turned
                   into an unsealed one)
``head_missing``   records but no chain head
``head_mismatch``  the chain head does not name the last record's hash
``head_seal``      the chain head's seal does not match: it was moved (the tail was cut and the
                   head rewritten)
``anchor_seal``    the retention anchor's seal does not match: it was moved without the key
``anchor_young``   the anchor is younger than six calendar months: records were purged early
``anchor_purge``   no purge record names the anchor (it was moved outside a purge)
``below_anchor``   records at or below the anchor still exist (the anchor was moved forward)
``key``            the chain was sealed with another key: seals cannot be checked
``cp_*``           a checkpoint that does not match the chain (see ``check_checkpoints``)
=================  ==============================================================================

Consecutive records with the same problem are reported as one stretch (``#12–#40``).

Checkpoints: ``checkpoint()`` is the chain head (its sequence number, hash and the record's
time) plus the time it was taken and an HMAC with the audit key. ``netdept audit checkpoint``
writes it as one line of JSON to a file, and a daily job (``core.audit_checkpoint``) also sends
it to the auditors. Given such files, ``verify`` checks that the record each one names is still
there with the same hash: deleting the tail, even by someone who holds both the database and the
key and reseals the head, is caught by any checkpoint taken before, as long as it was kept out
of their reach.
"""

from __future__ import annotations

import datetime
import hmac
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netdept.core import audit_seal as seal
from netdept.core.models.audit import AuditAction, AuditChain, AuditRecord

MESSAGES: dict[str, Any] = {
    "missing": _("%(records)s: missing — deleted from the chain"),
    "tail_missing": _(
        "%(records)s: missing at the end — the tail was deleted (the chain head names #%(head)s)"
    ),
    "beyond_head": _(
        "%(records)s: after the last record the chain head names (#%(head)s) — written outside "
        "NetDept"
    ),
    "unlinked": _(
        "%(records)s: does not link to the record before it — inserted, replaced or reordered"
    ),
    "changed": _("%(records)s: changed after it was written — the hash does not match the content"),
    "resealed": _(
        "%(records)s: the seal does not match — the hash was recomputed without the audit key "
        "(edited or inserted, and the later hashes recomputed)"
    ),
    "format": _(
        "%(records)s: claims a hash format it cannot have here (a sealed record made to look "
        "like one written before the seal)"
    ),
    "head_missing": _("the chain head is missing, but %(records)s exist"),
    "head_mismatch": _(
        "the chain head does not match the last record #%(head)s — the head was rewritten"
    ),
    "head_seal": _(
        "the chain head (#%(head)s) does not carry a valid seal — it was rewritten without the "
        "audit key: the tail may have been cut and the head moved back"
    ),
    "anchor_seal": _(
        "the retention anchor (#%(seq)s) does not carry a valid seal — it was moved without "
        "the audit key"
    ),
    "anchor_young": _(
        "the retention anchor #%(seq)s (%(time)s) is younger than six calendar months — "
        "records were purged before the retention period"
    ),
    "anchor_purge": _(
        "no purge record names the retention anchor #%(seq)s — it was moved outside a purge"
    ),
    "below_anchor": _(
        "%(records)s: still present at or below the retention anchor #%(seq)s — the anchor "
        "was moved forward"
    ),
    "key": _(
        "the chain was sealed with another audit key (key %(expected)s; this machine has "
        "%(actual)s): the seals could not be checked — is NETDEPT_AUDIT_KEY or the data "
        "directory's audit_key the right one?"
    ),
    "cp_unreadable": _("checkpoint %(file)s cannot be read: %(error)s"),
    "cp_seal": _(
        "checkpoint %(file)s: its seal does not match — the file was altered or made with "
        "another key"
    ),
    "cp_truncated": _(
        "checkpoint %(file)s: record #%(seq)s existed at %(written)s, but the chain now ends at "
        "#%(end)s — the tail was deleted"
    ),
    "cp_rewritten": _(
        "checkpoint %(file)s: record #%(seq)s no longer has the hash it had at %(written)s — the "
        "chain was rewritten"
    ),
    "cp_young": _(
        "checkpoint %(file)s: record #%(seq)s (%(time)s) was purged although it is younger than "
        "six calendar months"
    ),
}


MIN_RETENTION_MONTHS = 6


def retention_cutoff(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The instant before which records may be purged; never less than six calendar months."""
    months = max(months, MIN_RETENTION_MONTHS)
    now = now or timezone.now()
    cutoff: datetime.datetime = now - relativedelta(months=months)  # dateutil is untyped here
    return cutoff


@dataclass(frozen=True)
class Problem:
    """One broken stretch ``first``..``last`` (0..0 when it concerns the chain as a whole)."""

    kind: str
    first: int = 0
    last: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> str:
        if self.first == self.last:
            return f"#{self.first}"
        return f"#{self.first}–#{self.last}"

    @property
    def message(self) -> str:
        return str(MESSAGES[self.kind]) % {"records": self.records, **self.params}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: tuple[Problem, ...] = ()
    checkpoints: int = 0

    @property
    def first_bad_seq(self) -> int | None:
        return self.problems[0].first if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].message if self.problems else ""

    @property
    def kinds(self) -> list[str]:
        return [p.kind for p in self.problems]


def _add(problems: list[Problem], kind: str, first: int, last: int | None = None) -> None:
    """Append a stretch, merging it with the one before when they touch and are alike."""
    last = first if last is None else last
    if problems:
        before = problems[-1]
        if before.kind == kind and before.last + 1 == first and not before.params:
            problems[-1] = Problem(kind, before.first, last)
            return
    problems.append(Problem(kind, first, last))


# --- the walk --------------------------------------------------------------------------------

_FIELDS = (
    "seq",
    "ts",
    "actor_ref",
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
    "hv",
    "seal",
)


def _iter_records(first: int, last: int | None, chunk: int = 10000) -> Iterator[tuple[Any, ...]]:
    """Rows of the chain in order, read with a plain cursor (the ORM's per-row converters
    would cost more than the hashing) and normalised to what ``hash_fields`` expects."""
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
                row[2] or "",
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
                row[13],
                row[14],
            )
        after = rows[-1][0]


@dataclass(frozen=True)
class _Slice:
    """Records first..last checked on their own. The first record's link to the one before is
    left to the caller (``first_prev``), which joins the slices; ``first_kind`` is what is
    wrong with the first record itself, if anything."""

    first: int
    checked: int
    first_seq: int | None = None
    first_prev: str | None = None
    first_kind: str | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    problems: tuple[Problem, ...] = ()


def _check_slice(first: int, last: int | None, sealed_from: int, key: bytes | None) -> _Slice:
    digest, fields, mac, equal = seal.digest, seal.hash_fields, hmac.digest, hmac.compare_digest
    prefix = seal.RECORD_PREFIX
    current, formats = seal.CURRENT, seal.FORMATS
    problems: list[Problem] = []
    checked = 0
    first_seq: int | None = None
    first_prev: str | None = None
    first_kind: str | None = None
    prev_seq = 0
    prev_hash = ""
    for row in _iter_records(first, last):
        seq, link, stored, hv, sealed = row[0], row[11], row[12], row[13], row[14]
        kind: str | None = None
        if first_seq is not None:
            if seq != prev_seq + 1:
                _add(problems, "missing", prev_seq + 1, seq - 1)  # the link after a gap is moot
            elif link != prev_hash:
                kind = "unlinked"
        if kind is None:
            if hv != (current if seq >= sealed_from else seal.LEGACY) or hv not in formats:
                kind = "format"
            elif digest(fields(hv, *row[:12])) != stored:
                kind = "changed"
            elif (
                hv == current
                and key is not None
                and not equal(sealed or "", mac(key, prefix + stored.encode(), "sha256").hex())
            ):
                kind = "resealed"
        if first_seq is None:
            first_seq, first_prev, first_kind = seq, link, kind
        elif kind is not None:
            _add(problems, kind, seq)
        prev_seq, prev_hash = seq, stored
        checked += 1
    return _Slice(
        first,
        checked,
        first_seq,
        first_prev,
        first_kind,
        prev_seq if checked else None,
        prev_hash if checked else None,
        tuple(problems),
    )


def _check_slice_in_child(args: tuple[int, int | None, int, bytes | None]) -> _Slice:
    try:
        return _check_slice(*args)
    finally:
        connections.close_all()


def _walk(
    start: int, end: int | None, sealed_from: int, key: bytes | None, workers: int, n: int
) -> list[_Slice]:
    if end is None or n == 1:
        return [_check_slice(start, None, sealed_from, key)]
    size = (end - start + 1) // n
    bounds: list[tuple[int, int | None, int, bytes | None]] = [
        (start + i * size, start + (i + 1) * size - 1, sealed_from, key) for i in range(n)
    ]
    bounds[-1] = (bounds[-1][0], None, sealed_from, key)  # the last runs to whatever is there
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    if workers <= 1 or (connection.vendor == "sqlite" and in_memory):
        return [_check_slice(*b) for b in bounds]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(_check_slice_in_child, bounds))


def _join(parts: list[_Slice], start: int, anchor_hash: str) -> tuple[list[Problem], int, str]:
    """Join the slices: each one's first record must follow and link to the one before it.
    Returns the problems in order, and the last record's sequence number and hash."""
    problems: list[Problem] = []
    prev_seq, prev_hash = start - 1, anchor_hash
    for part in parts:
        if part.first_seq is None:
            continue
        kind = part.first_kind
        if part.first_seq != prev_seq + 1:
            _add(problems, "missing", prev_seq + 1, part.first_seq - 1)
        elif part.first_prev != prev_hash:
            kind = "unlinked"
        if kind is not None:
            _add(problems, kind, part.first_seq)
        for p in part.problems:
            _add(problems, p.kind, p.first, p.last)
        prev_seq, prev_hash = part.last_seq or prev_seq, part.last_hash or prev_hash
    return problems, prev_seq, prev_hash


def verify(
    workers: int = 1,
    slices: int | None = None,
    min_per_slice: int = 1000,
    checkpoints: Iterable[str | os.PathLike[str]] = (),
    now: datetime.datetime | None = None,
) -> VerifyResult:
    """Walk the chain from the anchor and report every broken stretch; check the chain head,
    the anchor, and the given checkpoint files.

    With ``workers`` > 1 the chain is cut into slices checked by that many processes at once
    (each slice on its own, then the joins between slices), with the same result as one walk.
    """
    head = AuditChain.objects.filter(pk=1).first()
    k = seal.key()
    problems: list[Problem] = []
    key: bytes | None = k
    if head is not None and head.key_id != seal.key_id(k):
        problems.append(
            Problem("key", params={"expected": head.key_id or "-", "actual": seal.key_id(k)})
        )
        key = None
    anchor_seq = head.anchor_seq if head else 0
    anchor_hash = head.anchor_hash if head else seal.GENESIS
    start = anchor_seq + 1
    end = head.seq if head is not None else None
    n = max(1, slices if slices is not None else workers)
    if end is None or end - start < min_per_slice * n:
        n = 1
    parts = _walk(start, end, head.sealed_from if head else 1, key, workers, n)
    walked, last_seq, last_hash = _join(parts, start, anchor_hash)
    problems.extend(walked)
    checked = sum(p.checked for p in parts)

    if head is None:
        if checked:
            problems.append(Problem("head_missing", start, last_seq))
    else:
        if head.seq > last_seq:
            problems.append(Problem("tail_missing", last_seq + 1, head.seq, {"head": head.seq}))
        elif head.seq < last_seq:
            problems.append(Problem("beyond_head", head.seq + 1, last_seq, {"head": head.seq}))
        elif head.last_hash != last_hash:
            problems.append(Problem("head_mismatch", params={"head": head.seq}))
        head_ok = seal.head_seal(head.seq, head.last_hash, head.sealed_from, k)
        if key is not None and not seal.matches(head.head_seal, head_ok):
            problems.append(Problem("head_seal", params={"head": head.seq}))
        problems.extend(_check_anchor(head, key, retention_cutoff(MIN_RETENTION_MONTHS, now)))
    paths = list(checkpoints)
    if paths:
        problems.extend(check_checkpoints(paths, head, last_seq, now))
    return VerifyResult(not problems, checked, tuple(problems), len(paths))


def _check_anchor(head: AuditChain, key: bytes | None, cutoff: datetime.datetime) -> list[Problem]:
    found: list[Problem] = []
    seq = head.anchor_seq
    expected = seal.anchor_seal(seq, head.anchor_hash, head.anchor_ts, key) if key else ""
    if key is not None and not seal.matches(head.anchor_seal, expected):
        found.append(Problem("anchor_seal", params={"seq": seq}))
    if seq <= 0:
        return found
    if head.anchor_ts is not None and head.anchor_ts >= cutoff:
        when = timezone.localtime(head.anchor_ts).strftime("%Y-%m-%d %H:%M")
        found.append(Problem("anchor_young", params={"seq": seq, "time": when}))
    purge = (
        AuditRecord.objects.filter(action=AuditAction.PURGE, seq__gt=seq)
        .order_by("-seq")
        .values_list("extra", flat=True)
        .first()
    )
    if not isinstance(purge, dict) or purge.get("through_seq") != seq:
        found.append(Problem("anchor_purge", params={"seq": seq}))
    below = AuditRecord.objects.filter(seq__lte=seq).order_by("seq").values_list("seq", flat=True)
    lowest = below.first()
    if lowest is not None:
        highest = below.last()
        found.append(Problem("below_anchor", lowest, highest or lowest, {"seq": seq}))
    return found


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain head at one moment: record ``seq`` had ``hash`` and was written at ``ts``;
    taken at ``written``; sealed with the key ``key_id``."""

    seq: int
    hash: str
    ts: str
    written: str
    key_id: str
    seal: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "ts": self.ts,
            "written": self.written,
            "key_id": self.key_id,
        }

    def to_json(self) -> str:
        return seal.canonical({**self.payload(), "seal": self.seal})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        seq = data["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise ValueError("seq")
        return cls(
            seq=seq,
            hash=str(data["hash"]),
            ts=str(data.get("ts") or ""),
            written=str(data["written"]),
            key_id=str(data.get("key_id") or ""),
            seal=str(data["seal"]),
        )


def checkpoint(now: datetime.datetime | None = None) -> Checkpoint:
    """The sealed chain head as it is now."""
    head = AuditChain.objects.filter(pk=1).first()
    seq = head.seq if head else 0
    last_hash = head.last_hash if head else seal.GENESIS
    ts = AuditRecord.objects.filter(seq=seq).values_list("ts", flat=True).first() if seq else None
    k = seal.key()
    cp = Checkpoint(
        seq=seq,
        hash=last_hash,
        ts=seal.iso(ts) if ts else "",
        written=seal.iso(now or timezone.now()),
        key_id=seal.key_id(k),
    )
    return Checkpoint(**{**cp.payload(), "seal": seal.checkpoint_seal(cp.payload(), k)})


def checkpoint_dir() -> Path:
    return Path(str(settings.NETDEPT["AUDIT_CHECKPOINT_DIR"]))


def stored_checkpoints() -> list[Path]:
    """The checkpoint files written to the default directory, oldest first."""
    directory = checkpoint_dir()
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def write_checkpoint(
    output: str | os.PathLike[str] | None = None, now: datetime.datetime | None = None
) -> tuple[Checkpoint, Path]:
    """Write the sealed chain head to ``output`` (default: a new file in the checkpoint
    directory, named by time and sequence number). Returns the checkpoint and the path."""
    cp = checkpoint(now)
    if output is None:
        directory = checkpoint_dir()
        directory.mkdir(parents=True, exist_ok=True)
        stamp = cp.written[:19].replace("-", "").replace(":", "")
        path = directory / f"checkpoint-{stamp}Z-{cp.seq}.json"
    else:
        path = Path(output)
    path.write_text(cp.to_json() + "\n", encoding="utf-8")
    return cp, path


def read_checkpoints(path: str | os.PathLike[str]) -> list[Checkpoint]:
    """Every checkpoint in a file: one JSON object per line, possibly surrounded by other text
    (a saved message), so that the daily messages can be kept and checked as they came."""
    found: list[Checkpoint] = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        begin, stop = line.find("{"), line.rfind("}")
        if begin < 0 or stop < begin:
            continue
        try:
            data = json.loads(line[begin : stop + 1])
            if isinstance(data, dict):
                found.append(Checkpoint.from_dict(data))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def check_checkpoints(
    paths: Sequence[str | os.PathLike[str]],
    head: AuditChain | None,
    last_seq: int,
    now: datetime.datetime | None = None,
) -> list[Problem]:
    """Compare each checkpoint with the chain: ``last_seq`` is the last record found."""
    k = seal.key()
    cutoff = retention_cutoff(MIN_RETENTION_MONTHS, now)
    anchor_seq = head.anchor_seq if head else 0
    problems: list[Problem] = []
    wanted: list[tuple[str, Checkpoint]] = []
    for path in paths:
        name = str(path)
        try:
            cps = read_checkpoints(path)
        except OSError as exc:
            problems.append(Problem("cp_unreadable", params={"file": name, "error": exc.strerror}))
            continue
        if not cps:
            error = gettext("no checkpoint found in it")
            problems.append(Problem("cp_unreadable", params={"file": name, "error": error}))
        for cp in cps:
            if not seal.matches(cp.seal, seal.checkpoint_seal(cp.payload(), k)):
                problems.append(Problem("cp_seal", params={"file": name}))
            else:
                wanted.append((name, cp))
    hashes = dict(
        AuditRecord.objects.filter(
            seq__in=[cp.seq for _n, cp in wanted if cp.seq > anchor_seq]
        ).values_list("seq", "hash")
    )
    for name, cp in wanted:
        params = {"file": name, "seq": cp.seq, "written": cp.written[:19].replace("T", " ")}
        if cp.seq > max(last_seq, anchor_seq):
            end = max(last_seq, anchor_seq)
            problems.append(Problem("cp_truncated", params={**params, "end": end}))
        elif cp.seq == anchor_seq and head is not None:
            if cp.hash != head.anchor_hash:
                problems.append(Problem("cp_rewritten", params=params))
        elif cp.seq > anchor_seq and cp.seq in hashes and hashes[cp.seq] != cp.hash:
            problems.append(Problem("cp_rewritten", params=params))
        if cp.seq and cp.seq <= anchor_seq and cp.ts:
            ts = datetime.datetime.fromisoformat(cp.ts)
            if ts >= cutoff:
                when = timezone.localtime(ts).strftime("%Y-%m-%d %H:%M")
                problems.append(Problem("cp_young", params={**params, "time": when}))
    return problems
