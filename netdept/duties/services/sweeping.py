"""The sweep: the minute's task that finds the duty occurrences due and moves them on.

``sweep`` reads only the rows whose ``next_check_at`` has come, through the partial index
``duties_occ_next_check`` (a minute with nothing due costs one index probe), in batches of
``BATCH`` rows locked for the batch's transaction (on PostgreSQL, ``SKIP LOCKED`` past rows a
person is submitting, and an advisory lock so two sweeps take turns by batch). For each row, in
order: the reminder before due; at the due instant, a duty that checks itself asks its records
(done, with the records as its evidence) or the occurrence is overdue (missed at once without
grace); at ``missed_at`` it is missed; the duty's ``violation_on`` decides whether a late or
missed occurrence is a violation (``services.violations.record_violation``, idempotent per
occurrence); still undone ``escalate_after_days`` working days after due, its reviewer or team
lead is told. Markers (``reminded_at``, ``escalated_at``, the status) make a second run for the
same instant change nothing and tell nobody twice. Each person hears once per run, whatever
number of their occurrences moved (see ``notifications_engine``). The instants themselves
(``next_check``, ``escalation_instant``…) are the engine's.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.registry import page_for
from netdept.duties import checks
from netdept.duties.models import (
    Duty,
    Evidence,
    EvidenceKind,
    Occurrence,
    OccurrenceStatus,
    ViolationOn,
)
from netdept.duties.services.engine import (
    OPEN,
    WAITING,
    escalation_instant,
    lead_of,
    next_check,
    reminder_instant,
    work_schedule,
)
from netdept.notify import notify
from netdept.org.models import Person, Team
from netdept.workcal.schedule import WorkSchedule

logger = logging.getLogger(__name__)

BATCH: Final = 500
#: a sweep stops taking new batches after this long (the next minute's run goes on)
TIME_BUDGET: Final = 50.0


# --- the notices --------------------------------------------------------------------------------
@dataclass
class _Notices:
    """Messages of one sweep, one per (kind, recipient)."""

    items: dict[tuple[str, int], list[Occurrence]] = field(
        default_factory=lambda: defaultdict(list)
    )
    people: dict[int, Person] = field(default_factory=dict)

    def add(self, kind: str, recipient: Person | None, occ: Occurrence) -> None:
        if recipient is None or not recipient.is_active:
            return
        self.people[recipient.pk] = recipient
        self.items[(kind, recipient.pk)].append(occ)

    def send(self, schedule: WorkSchedule, now: dt.datetime) -> None:
        for (kind, pk), occs in self.items.items():
            occs.sort(key=lambda o: o.due_at)
            first = occs[0]
            lines = "\n".join(
                f"· {o.person.name} {o.duty.name} {o.due_at.astimezone(schedule.tz):%Y-%m-%d %H:%M}"
                for o in occs
            )
            days = 0
            if kind == "duties.escalated":
                days = first.duty.escalate_after_days
            try:
                notify(
                    kind,
                    obj=first if len(occs) == 1 else None,
                    recipients=[self.people[pk]],
                    data={
                        "count": len(occs),
                        "duty": first.duty.name,
                        "due": first.due_at,
                        "person": first.person.name,
                        "items": lines,
                        "days": days,
                    },
                    link=_link(first, len(occs)),
                )
            except Exception:  # a message never blocks the sweep's state changes
                logger.exception("Duties: could not send %s to person %s.", kind, pk)


def _link(occ: Occurrence, count: int) -> str | None:
    """The occurrence's page, or the list of occurrences for several (None before the pages
    of doing duties are registered)."""
    page = page_for(Occurrence)
    if page is None:
        return None
    try:
        if count == 1:
            return reverse(page.url_name("detail"), args=[occ.pk])
        return reverse(page.url_name("list"))
    except NoReverseMatch:
        return None


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    missed: int = 0
    escalated: int = 0
    done_by_check: int = 0
    violations: int = 0
    checked: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _record_violation(occ: Occurrence, source: str, at: dt.datetime) -> bool:
    """Hand a late or missed occurrence to the violations service (part C); idempotent there."""
    try:
        from netdept.duties.services import violations  # the sanctions part; may be absent
    except ImportError:
        logger.warning("Duties: no violations service; occurrence %s not recorded.", occ.pk)
        return False
    try:
        with transaction.atomic():
            violations.record_violation(
                occ.person,
                source,
                occurrence=occ,
                penalty_rule=occ.duty.penalty_rule,
                occurred_at=at,
            )
    except (ValidationError, ValueError):
        logger.exception("Duties: the violation of occurrence %s was refused.", occ.pk)
        return False
    return True


def _run_check(occ: Occurrence, end: dt.datetime) -> tuple[bool, Sequence[models.Model]]:
    """(satisfied, records) of a duty that checks itself, counting the records of
    ``period_start``…``end``."""
    check = checks.get(occ.duty.check_code)
    if check is None:
        return False, ()
    params = occ.duty.check_params or {}
    try:
        records = list(check.records(occ.person, occ.period_start, end, params))
        return bool(check.satisfied(records, params)), records
    except Exception:  # a module's query must not stop the sweep
        logger.exception("Duties: check %s failed for occurrence %s.", check.code, occ.pk)
        return False, ()


def _link_records(occ: Occurrence, records: Sequence[models.Model]) -> None:
    rows = [
        Evidence(
            occurrence=occ,
            kind=EvidenceKind.RECORD,
            record_type=ContentType.objects.get_for_model(r),
            record_id=str(r.pk),
            record_label=str(r)[:200],
            note="",
        )
        for r in records[:200]
    ]
    Evidence.objects.bulk_create(rows)


def _violation_due(duty: Duty, source: str) -> bool:
    if duty.violation_on == ViolationOn.LATE:
        return True
    return duty.violation_on == ViolationOn.MISSED and source == "missed"


def _step(
    occ: Occurrence,
    now: dt.datetime,
    schedule: WorkSchedule,
    notices: _Notices,
    result: SweepResult,
    changed: dict[str, list[int]],
) -> None:
    """Everything that has come for ``occ`` by ``now``, in order."""
    duty = occ.duty
    if occ.status in WAITING and occ.reminded_at is None:
        reminder = reminder_instant(duty, occ.due_at)
        if reminder is not None and reminder <= now:
            occ.reminded_at = now
            if now < occ.due_at:
                notices.add("duties.reminder", occ.person, occ)
                result.reminded += 1
    if occ.status in OPEN and now >= occ.due_at and duty.check_code:
        # at the due instant: the records of the period up to it (done on time); at the
        # missed instant: those up to it (done late)
        ends: list[tuple[dt.datetime, bool]] = []
        if occ.status in WAITING:
            ends.append((occ.due_at, True))
        if now >= occ.missed_at and occ.missed_at > occ.due_at:
            ends.append((occ.missed_at, False))
        for end, on_time in ends:
            result.checked += 1
            ok, records = _run_check(occ, end)
            if not ok:
                continue
            occ.status = OccurrenceStatus.DONE if on_time else OccurrenceStatus.DONE_LATE
            occ.done_at = now
            occ.by_check = True
            _link_records(occ, records)
            notices.add("duties.done_by_check", occ.person, occ)
            result.done_by_check += 1
            changed[occ.status].append(occ.pk)
            if not on_time and _violation_due(duty, "late"):
                result.violations += _record_violation(occ, "late", occ.due_at)
            return
    if occ.status in WAITING and now >= occ.due_at:
        if occ.missed_at > occ.due_at and now < occ.missed_at:
            occ.status = OccurrenceStatus.OVERDUE
            changed["overdue"].append(occ.pk)
            notices.add("duties.overdue", occ.person, occ)
            result.overdue += 1
            if _violation_due(duty, "late"):
                result.violations += _record_violation(occ, "late", occ.due_at)
        else:
            occ.status = OccurrenceStatus.OVERDUE  # passes through overdue to missed below
    if occ.status == "overdue" and now >= occ.missed_at:
        occ.status = OccurrenceStatus.MISSED
        changed["missed"].append(occ.pk)
        notices.add("duties.missed", occ.person, occ)
        notices.add("duties.missed", lead_of(occ), occ)
        result.missed += 1
        if _violation_due(duty, "missed"):
            result.violations += _record_violation(occ, "missed", occ.missed_at)
        return
    if occ.status in OPEN and occ.escalated_at is None:
        escalation = escalation_instant(duty.escalate_after_days, occ.due_at, schedule)
        if escalation is not None and escalation <= now:
            occ.escalated_at = now
            notices.add("duties.escalated", lead_of(occ), occ)
            changed["escalated"].append(occ.pk)
            result.escalated += 1


def due_now(now: dt.datetime) -> models.QuerySet[Occurrence]:
    """The rows whose next check has come (through the partial index)."""
    return Occurrence.objects.filter(next_check_at__lte=now)


def _due_ids(now: dt.datetime) -> list[int]:
    """The next batch of rows due (one probe of the partial index; no lock)."""
    # a person's rows together: one message per person and kind, not one per batch
    return list(
        due_now(now)
        .order_by("next_check_at", "person_id", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


#: the advisory lock that lets one sweep batch at a time run on PostgreSQL ("duty")
SWEEP_LOCK: Final = 0x64757479


def _serialise_batches() -> None:
    """Take the sweep's lock for this transaction (PostgreSQL). Two sweeps of one minute (a
    task run again while the first still runs) then take turns batch by batch: without it,
    one could hold its rows and wait for a lock the other took while recording (the audit
    chain, a person's penalties), and the other the reverse. SQLite serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


def _locked(ids: list[int], now: dt.datetime) -> list[Occurrence]:
    """The rows of ``ids`` still due, locked for the transaction (rows another sweep holds
    are skipped on PostgreSQL), with their people; their duties and teams (with the leads)
    are read once per batch and shared."""
    qs = due_now(now).filter(pk__in=ids).order_by("next_check_at", "person_id", "pk")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    rows = list(qs.select_related("person", "reviewer"))
    duties = Duty.objects.select_related("penalty_rule").in_bulk({o.duty_id for o in rows})
    team_ids = {o.person.team_id for o in rows if o.person.team_id is not None}
    teams = Team.objects.select_related("lead").in_bulk(team_ids)
    for occ in rows:
        occ.duty = duties[occ.duty_id]
        if occ.person.team_id is not None:
            occ.person.team = teams[occ.person.team_id]
    return rows


def _save(rows: Sequence[Occurrence], now: dt.datetime) -> None:
    """Write what the sweep changed: one UPDATE per set of equal new values (the rows of one
    due instant move together), far cheaper than a CASE per row and field."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for occ in rows:
        groups[tuple(getattr(occ, name) for name in FIELDS[:-1])].append(occ.pk)
    for values, ids in groups.items():
        Occurrence.objects.filter(pk__in=ids).update(
            **dict(zip(FIELDS[:-1], values, strict=True)), updated_at=now
        )


FIELDS: Final = [
    "status",
    "reminded_at",
    "escalated_at",
    "done_at",
    "by_check",
    "next_check_at",
    "updated_at",
]


def sweep(*, now: dt.datetime | None = None, budget: float = TIME_BUDGET) -> dict[str, int]:
    """Everything due by ``now``: reminders, overdue, missed (violations by the duty's rule),
    escalations, self-checks. Answers the counts."""
    now = now or timezone.now()
    result = SweepResult()
    schedule: WorkSchedule | None = None
    started = time.monotonic()
    while time.monotonic() - started < budget:
        ids = _due_ids(now)
        if not ids:
            break
        schedule = schedule or work_schedule()
        notices = _Notices()
        with transaction.atomic():
            _serialise_batches()
            rows = _locked(ids, now)
            changed: dict[str, list[int]] = defaultdict(list)
            for occ in rows:
                _step(occ, now, schedule, notices, result, changed)
                occ.next_check_at = next_check(occ, occ.duty, schedule)
                if occ.next_check_at is not None and occ.next_check_at <= now:
                    # nothing more can happen by ``now``: look again at the next minute
                    occ.next_check_at = now + dt.timedelta(minutes=1)
                occ.updated_at = now
            _save(rows, now)
            if any(changed.values()):
                audit.record(
                    AuditAction.UPDATE,
                    None,
                    object_type_label="duties.occurrence",
                    object_id="",
                    object_repr="duty sweep",
                    extra={"duties": "sweep", "at": now.isoformat(), **dict(changed)},
                )
            transaction.on_commit(partial(notices.send, schedule, now))
        if len(ids) < BATCH:
            break
    return result.as_dict()


__all__ = ["BATCH", "SweepResult", "due_now", "sweep"]
