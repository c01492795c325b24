"""The duty engine: occurrences materialised ahead (the sweep that finds them due is
``services.sweeping``).

``materialise`` writes one ``Occurrence`` per (duty, person, due instant) for the next
``horizon_days`` of each active duty — a bulk insert that ignores rows the unique constraint
``duties_occurrence_once`` already holds, so two schedulers running at once (or a task run
twice) never write one twice. Each occurrence knows its period (``period_start``: the duty's
previous due instant, or the start of the recurrence), when it is missed (``missed_at``: the due
instant plus the grace in working minutes) and the next instant the sweep must look at it
(``next_check_at``, set by ``schedule_next``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone

from netdept.approvals import resolve
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.duties import absence, recurrence
from netdept.duties.models import (
    AssigneeKind,
    AssigneeMode,
    Duty,
    Occurrence,
    OccurrenceStatus,
    ReviewerKind,
)
from netdept.org.models import Person, Team
from netdept.workcal.schedule import WorkSchedule, default_calendar

logger = logging.getLogger(__name__)

INSERT_BATCH: Final = 2000
OPEN: Final = frozenset({"pending", "returned", "overdue"})
WAITING: Final = frozenset({"pending", "returned"})


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def work_schedule() -> WorkSchedule:
    """The schedule duties are read on: the default working calendar."""
    return WorkSchedule(default_calendar())


# --- who ------------------------------------------------------------------------------------
def _active(qs: models.QuerySet[Person]) -> list[Person]:
    people = list(qs.filter(is_active=True).select_related("team").order_by("employee_no", "pk"))
    # each team (with its lead) read once and shared by its members
    team_ids = {p.team_id for p in people if p.team_id is not None}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids).select_related("lead")}
    for p in people:
        if p.team_id is not None:
            p.team = teams[p.team_id]
    return people


def candidates(duty: Duty) -> list[Person]:
    """The active people the duty's assignee names, by employee number."""
    kind = duty.assignee_kind
    if kind == AssigneeKind.PERSON:
        return _active(Person.objects.filter(pk=duty.person_id)) if duty.person_id else []
    if kind == AssigneeKind.POSITION:
        return (
            _active(Person.objects.filter(position_id=duty.position_id)) if duty.position_id else []
        )
    if kind == AssigneeKind.ROLE:
        if not duty.role_id:
            return []
        return _active(
            Person.objects.filter(
                user__is_active=True, user__role_assignments__role_id=duty.role_id
            ).distinct()
        )
    if kind == AssigneeKind.TEAM:
        return _active(Person.objects.filter(team_id=duty.team_id)) if duty.team_id else []
    if kind == AssigneeKind.DEPARTMENT:
        if not duty.department_id:
            return []
        return _active(Person.objects.filter(department_id=duty.department_id))
    return []


def _one_per_team(duty: Duty, people: list[Person]) -> list[Person]:
    """Each team's lead (when active), else its first member; people without a team are
    one group of their own."""
    groups: dict[int | None, list[Person]] = defaultdict(list)
    for p in people:
        groups[p.team_id].append(p)
    if duty.assignee_kind == AssigneeKind.DEPARTMENT and duty.department_id:
        for team in Team.objects.filter(department_id=duty.department_id).select_related("lead"):
            groups.setdefault(team.pk, [])
    chosen: list[Person] = []
    teams = {
        t.pk: t
        for t in Team.objects.filter(pk__in=[k for k in groups if k is not None]).select_related(
            "lead", "lead__team"
        )
    }
    for team_id, members in groups.items():
        found: Team | None = teams.get(team_id) if team_id is not None else None
        lead = found.lead if found is not None else None
        if lead is not None and lead.is_active:
            chosen.append(lead)
        elif members:
            chosen.append(members[0])
    unique = {p.pk: p for p in chosen}
    return sorted(unique.values(), key=lambda p: (p.employee_no, p.pk))


def assignees(duty: Duty, cache: dict[tuple[Any, ...], list[Person]] | None = None) -> list[Person]:
    """Who an occurrence goes to (for a rotation: everyone in it, in turn order). ``cache``:
    the candidates of the duties of one run, by what the duty names."""
    key = (
        duty.assignee_kind, duty.person_id, duty.position_id, duty.role_id, duty.team_id,
        duty.department_id,
    )  # fmt: skip
    if cache is None:
        people = candidates(duty)
    elif key in cache:
        people = cache[key]
    else:
        people = cache[key] = candidates(duty)
    if duty.assignee_mode == AssigneeMode.ONE_PER_TEAM:
        return _one_per_team(duty, people)
    return people


class Reviewers:
    """The reviewer of each person's occurrences of one duty (superiors looked up once)."""

    def __init__(
        self, duty: Duty, cache: dict[tuple[str, int | None, int], Person | None] | None = None
    ) -> None:
        self.duty = duty
        # shared by the duties of one run: the same reviewer rule finds the same people
        self._cache = cache if cache is not None else {}

    def of(self, person: Person) -> Person | None:
        key = (self.duty.reviewer_kind, self.duty.reviewer_id, person.pk)
        if key in self._cache:
            return self._cache[key]
        kind = self.duty.reviewer_kind
        found: Person | None = None
        if kind == ReviewerKind.PERSON:
            found = self.duty.reviewer
        elif kind == ReviewerKind.TEAM_LEAD:
            lead = person.team.lead if person.team_id and person.team is not None else None
            found = lead if lead is not None and lead.is_active and lead.pk != person.pk else None
            found = found or resolve.superior(person)
        elif kind == ReviewerKind.SUPERIOR:
            found = resolve.superior(person)
        if found is not None and found.pk == person.pk:
            found = None
        self._cache[key] = found
        return found


def lead_of(occ: Occurrence) -> Person | None:
    """Whom an escalation or a missed duty is told: the reviewer, else the team lead, else the
    person's superior."""
    if occ.reviewer_id and occ.reviewer is not None and occ.reviewer.is_active:
        return occ.reviewer
    person = occ.person
    if person.team_id and person.team is not None:
        lead = person.team.lead
        if lead is not None and lead.is_active and lead.pk != person.pk:
            return lead
    return resolve.superior(person)


# --- when -----------------------------------------------------------------------------------
def missed_instant(duty: Duty, due_at: dt.datetime, schedule: WorkSchedule) -> dt.datetime:
    if not duty.grace_minutes:
        return due_at
    return schedule.add(due_at, dt.timedelta(minutes=duty.grace_minutes), cap=True)


def escalation_instant(
    days: int, due_at: dt.datetime, schedule: WorkSchedule
) -> dt.datetime | None:
    """``days`` working days after ``due_at``, at the same time of day; None for 0."""
    if days <= 0:
        return None
    local = due_at.astimezone(schedule.tz)
    day = schedule.add_working_days(local.date(), days)
    return dt.datetime.combine(day, local.time(), tzinfo=schedule.tz)


def reminder_instant(duty: Duty, due_at: dt.datetime) -> dt.datetime | None:
    if not duty.remind_before_minutes:
        return None
    return due_at - dt.timedelta(minutes=duty.remind_before_minutes)


def next_check(occ: Occurrence, duty: Duty, schedule: WorkSchedule) -> dt.datetime | None:
    """The next instant the sweep must look at ``occ``: the earliest of what is still to
    happen to it (no queries)."""
    status = occ.status
    if status not in OPEN:
        return None
    found: list[dt.datetime] = []
    if status in WAITING:
        reminder = reminder_instant(duty, occ.due_at)
        if occ.reminded_at is None and reminder is not None and reminder < occ.due_at:
            found.append(reminder)
        found.append(occ.due_at)
    found.append(occ.missed_at)
    if occ.escalated_at is None:
        escalation = escalation_instant(duty.escalate_after_days, occ.due_at, schedule)
        if escalation is not None:
            found.append(escalation)
    return min(found)


def schedule_next(
    occ: Occurrence, now: dt.datetime | None = None, *, schedule: WorkSchedule | None = None
) -> None:
    """Set ``occ.next_check_at`` from its status and times, and save it (the caller's
    transaction). Doing duties (``services.occurrences``) calls this after every change."""
    del now  # the instants depend on the occurrence only; kept for the callers' symmetry
    occ.next_check_at = next_check(occ, occ.duty, schedule or work_schedule())
    if occ.pk is not None:
        Occurrence.objects.filter(pk=occ.pk).update(next_check_at=occ.next_check_at)


# --- materialisation --------------------------------------------------------------------------
def _day(value: dt.date | dt.datetime, schedule: WorkSchedule) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(schedule.tz).date()
    return value


def _start_of(day: dt.date, schedule: WorkSchedule) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=schedule.tz)


@dataclass(frozen=True)
class Instant:
    """One due instant of a duty and what every occurrence of it shares."""

    period_start: dt.datetime
    due_at: dt.datetime
    missed_at: dt.datetime
    next_check_at: dt.datetime | None
    people: tuple[Person, ...]


def plan_instants(
    duty: Duty,
    now: dt.datetime,
    until: dt.date | None,
    schedule: WorkSchedule,
    people_cache: dict[tuple[Any, ...], list[Person]] | None = None,
) -> list[Instant]:
    """The due instants ``duty`` should have occurrences for, from today (not before its
    version applies) to ``until`` (default: its horizon), each with its people."""
    today = schedule.local_date(now)
    last = until if until is not None else today + dt.timedelta(days=duty.horizon_days)
    if duty.ends_on is not None:
        last = min(last, duty.ends_on + recurrence.SHIFT_REACH)
    if last < today:
        return []
    applies_from = duty.rule_from or duty.created_at or now
    earliest = max(_start_of(today, schedule), applies_from)
    days = recurrence.due_days(duty, duty.starts_on, last, schedule)
    if not days:
        return []
    people = assignees(duty, people_cache)
    if not people:
        return []
    rotation = duty.assignee_mode == AssigneeMode.ROTATION
    out: list[Instant] = []
    for index, day in enumerate(days):
        due_at = recurrence.instant(duty, day, schedule)
        if due_at < earliest:
            continue
        previous = (
            recurrence.instant(duty, days[index - 1], schedule)
            if index
            else _start_of(duty.starts_on, schedule)
        )
        missed_at = missed_instant(duty, due_at, schedule)
        # the next check is the same for everyone of this instant: computed once
        first_check = next_check(
            Occurrence(due_at=due_at, missed_at=missed_at, status=OccurrenceStatus.PENDING),
            duty,
            schedule,
        )
        chosen = (people[index % len(people)],) if rotation else tuple(people)
        out.append(Instant(previous, due_at, missed_at, first_check, chosen))
    return out


def plan(
    duty: Duty,
    now: dt.datetime,
    until: dt.date | None,
    schedule: WorkSchedule,
    reviewers: Reviewers | None = None,
) -> list[Occurrence]:
    """The occurrences ``duty`` should have from today to ``until`` (default: its horizon),
    unsaved (``materialise`` writes the same rows without making model instances)."""
    reviewers = reviewers or Reviewers(duty)
    return [
        Occurrence(
            duty=duty,
            person=person,
            team_id=person.team_id,
            period_start=i.period_start,
            due_at=i.due_at,
            missed_at=i.missed_at,
            status=OccurrenceStatus.PENDING,
            duty_version=duty.version,
            reviewer=reviewers.of(person),
            next_check_at=i.next_check_at,
        )
        for i in plan_instants(duty, now, until, schedule)
        for person in i.people
    ]


#: the columns ``_insert`` writes; the others take their database defaults (nulls)
_COLUMNS: Final = (
    "created_at", "updated_at", "duty_id", "person_id", "team_id", "period_start", "due_at",
    "missed_at", "status", "duty_version", "next_check_at", "reviewer_id", "review_comment",
    "text", "checklist_done", "by_check", "version",
)  # fmt: skip


def _insert(
    duty: Duty,
    instants: Sequence[Instant],
    reviewers: Reviewers,
    existing: set[tuple[int, dt.datetime]],
    now: dt.datetime,
) -> int:
    """Insert the occurrences of ``instants`` not in ``existing``, ignoring any the unique
    constraint already holds (a concurrent scheduler's); answers how many were new. Values are
    converted for the database once per instant, not per row (20,000 rows in well under a
    second where model instances take several)."""
    alias = router.db_for_write(Occurrence)
    conn = connections[alias]

    def prep(name: str, value: Any) -> Any:
        field = Occurrence._meta.get_field(name)
        assert isinstance(field, models.Field)
        return field.get_db_prep_save(value, conn)

    stamp = prep("created_at", now)
    fixed_tail = (
        OccurrenceStatus.PENDING.value,
        duty.version,
    )
    tail = ("", "", prep("checklist_done", []), prep("by_check", False), 1)
    values: list[tuple[Any, ...]] = []
    for i in instants:
        times = (prep("period_start", i.period_start), prep("due_at", i.due_at))
        missed, check = prep("missed_at", i.missed_at), prep("next_check_at", i.next_check_at)
        for person in i.people:
            if (person.pk, i.due_at) in existing:
                continue
            reviewer = reviewers.of(person)
            values.append(
                (stamp, stamp, duty.pk, person.pk, person.team_id, *times, missed, *fixed_tail,
                 check, reviewer.pk if reviewer is not None else None, *tail)
            )  # fmt: skip
    if not values:
        return 0
    if conn.vendor == "postgresql":
        return _insert_pg(conn, values)
    table = conn.ops.quote_name(Occurrence._meta.db_table)
    columns = ", ".join(conn.ops.quote_name(c) for c in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    limit = conn.features.max_query_params or 32766
    per = max(1, min(INSERT_BATCH, limit // len(_COLUMNS)))
    inserted = 0
    with conn.cursor() as cursor:
        for start in range(0, len(values), per):
            chunk = values[start : start + per]
            # many rows per statement (one round trip); the names come from the model and the
            # constant column list: nothing of the input is in the text
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                + ", ".join([row] * len(chunk))
                + " ON CONFLICT DO NOTHING"
            )
            cursor.execute(sql, [v for r in chunk for v in r])
            inserted += max(cursor.rowcount, 0)
    return inserted


#: on PostgreSQL the columns that differ from row to row go as arrays (``unnest``): one
#: short statement per chunk, parsed once, whatever the number of rows
_VARYING: Final = {
    "person_id": "bigint", "team_id": "bigint", "period_start": "timestamptz",
    "due_at": "timestamptz", "missed_at": "timestamptz", "next_check_at": "timestamptz",
    "reviewer_id": "bigint",
}  # fmt: skip


def _insert_pg(conn: Any, values: list[tuple[Any, ...]]) -> int:
    table = conn.ops.quote_name(Occurrence._meta.db_table)
    columns = ", ".join(conn.ops.quote_name(c) for c in _COLUMNS)
    index = {name: i for i, name in enumerate(_COLUMNS)}
    select = ", ".join(f"u.{c}" if c in _VARYING else "%s" for c in _COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for kind in _VARYING.values())
    names = ", ".join(_VARYING)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {select} "  # noqa: S608
        f"FROM unnest({arrays}) AS u({names}) ON CONFLICT DO NOTHING"
    )
    inserted = 0
    with conn.cursor() as cursor:
        for start in range(0, len(values), INSERT_BATCH * 5):
            chunk = values[start : start + INSERT_BATCH * 5]
            first = chunk[0]
            scalars = [first[index[c]] for c in _COLUMNS if c not in _VARYING]
            columns_of = [[r[index[c]] for r in chunk] for c in _VARYING]
            cursor.execute(sql, [*scalars, *columns_of])
            inserted += max(cursor.rowcount, 0)
    return inserted


def materialise(
    *,
    now: dt.datetime | None = None,
    duties: Iterable[Duty] | None = None,
    until: dt.date | dt.datetime | None = None,
) -> int:
    """Write the occurrences of the active duties (or of ``duties``) from today to their
    horizon (or ``until``); answers how many rows were new. Never writes one twice."""
    now = _now(now)
    schedule = work_schedule()
    last = _day(until, schedule) if until is not None else None
    if duties is None:
        duties = Duty.objects.filter(is_active=True).filter(
            Q(ends_on__isnull=True)
            | Q(ends_on__gte=schedule.local_date(now) - recurrence.SHIFT_REACH)
        )
    created = 0
    shared: dict[tuple[str, int | None, int], Person | None] = {}
    people_cache: dict[tuple[Any, ...], list[Person]] = {}
    for duty in duties:
        if not duty.is_active:
            continue
        try:
            instants = plan_instants(duty, now, last, schedule, people_cache)
        except ValidationError:
            logger.exception(
                "Duty %s: its recurrence cannot be read; nothing materialised.", duty.pk
            )
            continue
        if not instants:
            continue
        first, end = instants[0].due_at, instants[-1].due_at
        existing = set(
            Occurrence.objects.filter(duty=duty, due_at__gte=first, due_at__lte=end).values_list(
                "person_id", "due_at"
            )
        )
        existing |= absence.away_pairs(instants, schedule)  # nobody is due while away
        with transaction.atomic():
            new = _insert(duty, instants, Reviewers(duty, shared), existing, now)
            if new:
                audit.record(
                    AuditAction.CREATE,
                    None,
                    object_type_label="duties.occurrence",
                    object_id="",
                    object_repr=str(duty)[:200],
                    extra={
                        "duties": "materialised",
                        "duty": duty.pk,
                        "occurrences": new,
                        "from": first.isoformat(),
                        "to": end.isoformat(),
                    },
                )
        created += new
    return created


def untouched_future(duty: Duty, now: dt.datetime) -> models.QuerySet[Occurrence]:
    """The duty's occurrences not yet due that nobody has touched (to be made again when its
    rule changes): pending, nothing submitted, no evidence."""
    return Occurrence.objects.filter(
        duty=duty,
        due_at__gt=now,
        status=OccurrenceStatus.PENDING,
        submitted_at__isnull=True,
    ).exclude(evidence__isnull=False)


def rematerialise(duty: Duty, now: dt.datetime | None = None) -> tuple[int, int]:
    """After a change of the duty's rule: its untouched future occurrences are made again by
    the new version (past ones stay as they were). Answers (removed, created)."""
    now = _now(now)
    with transaction.atomic():
        ids = list(untouched_future(duty, now).values_list("pk", flat=True))
        Occurrence.objects.filter(pk__in=ids).delete()
        created = materialise(now=now, duties=[duty]) if duty.is_active else 0
    return len(ids), created


__all__ = [
    "Reviewers",
    "assignees",
    "candidates",
    "escalation_instant",
    "lead_of",
    "materialise",
    "missed_instant",
    "next_check",
    "plan",
    "rematerialise",
    "schedule_next",
    "untouched_future",
]
