"""Benchmark: the duty engine (issue 12) — materialisation and the overdue sweep.

    # SQLite: a data directory of its own
    NETDEPT_DATA_DIR=/tmp/bench12_engine .venv/bin/python bench/duties_engine.py
    # PostgreSQL: a database of its own
    createdb -h 127.0.0.1 -U postgres bench12_engine
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench12_engine \\
        .venv/bin/python bench/duties_engine.py [--people 1000] [--duties 20] [--open 1000000]

Targets: materialise a day for 1,000 people × 20 duties in < 5 s; the sweep over 1,000,000 open
occurrences with nothing due in < 50 ms, and with 10,000 due in < 10 s.

The script migrates the database and generates (once; ``--reset`` deletes the generated rows
first; prefix ``BE-``): a department of ``--people`` people in teams of 20 (each team with its
lead), ``--duties`` duties of the department (every working day at 17:00, an hour's grace, a
reminder an hour before, the team lead reviews, escalation after one working day). Then:

* **materialise** — ``engine.materialise(now=Mon 2 Mar 2026 00:00, until=that day)``: every
  duty for every person that day (1,000 × 20 = 20,000 rows, with their periods, grace,
  reviewers and next checks), timed once on an empty day, then again (nothing new: the run
  that every hour makes); the day's rows are deleted afterwards;
* **open rows** — ``--open`` open occurrences written directly (``bulk_create``) for the days
  after, each with its next check (the reminder, an hour before due); on the first day only
  10,000 of them (the first half of the people), and their reminder already sent, so that at
  17:00 on that day exactly 10,000 are due;
* **sweep, nothing due** — ``sweeping.sweep(now=that day 12:00)``, ``--runs`` times after 3
  warm-up runs: p50 / p95 / max in ms and the queries of one run (one: the probe of the partial
  index ``duties_occ_next_check``); ``--explain`` prints the probe's plan;
* **sweep, 10,000 due** — ``sweeping.sweep(now=that day 17:00)``: 10,000 occurrences become
  overdue, each person is told once (500 messages); timed ``--due-runs`` times, the rows put
  back between runs. The duties' ``violation_on`` is "never" here (the violations service and
  its penalties are measured by ``bench/duties_statements.py``); ``--violations`` sets it to
  "late" so that each of the 10,000 also records a violation (and its penalty, by rule).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATABASE_URL") and not os.environ.get("NETDEPT_DATA_DIR"):
    sys.exit("set NETDEPT_DATABASE_URL or NETDEPT_DATA_DIR to a database of its own")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from zoneinfo import ZoneInfo  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from netdept.core import context  # noqa: E402
from netdept.duties.models import Duty, Occurrence, PenaltyRule, Violation  # noqa: E402
from netdept.duties.services import engine, sweeping  # noqa: E402
from netdept.org.models import Department, Person, Team  # noqa: E402
from netdept.workcal.schedule import default_calendar  # noqa: E402

PREFIX = "BE-"
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)  # Monday: the materialised day
FIRST = dt.date(2026, 3, 3)  # the first day of the open rows
BATCH = 5000
DUE_AT_ONCE = 10_000


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- generation ------------------------------------------------------------------------------
def reset() -> None:
    Violation.objects.filter(occurrence__duty__code__startswith=PREFIX.lower()).delete()
    Occurrence.objects.filter(duty__code__startswith=PREFIX.lower()).delete()
    Duty.objects.filter(code__startswith=PREFIX.lower()).delete()
    PenaltyRule.objects.filter(code__startswith=PREFIX.lower()).delete()
    Team.objects.filter(department__code=f"{PREFIX}NET").update(lead=None)
    Person.objects.filter(employee_no__startswith=PREFIX).delete()
    Team.objects.filter(department__code=f"{PREFIX}NET").delete()
    Department.objects.filter(code=f"{PREFIX}NET").delete()


def generate_org(people_n: int, duties_n: int) -> tuple[list[Person], list[Duty]]:
    dept = Department.objects.filter(code=f"{PREFIX}NET").first()
    if dept is not None:
        found = list(Person.objects.filter(department=dept).order_by("employee_no"))
        return found, list(Duty.objects.filter(code__startswith=PREFIX.lower()).order_by("code"))
    with transaction.atomic():
        dept = Department.objects.create(code=f"{PREFIX}NET", name="基准网络部", kind="network")
        people: list[Person] = []
        for t in range((people_n + 19) // 20):
            team = Team.objects.create(name=f"引擎基准{t + 1:03d}组", department=dept)
            Person.objects.bulk_create(
                Person(
                    name=f"员工{t * 20 + i + 1:04d}",
                    employee_no=f"{PREFIX}{t * 20 + i + 1:04d}",
                    department=dept,
                    team=team,
                )
                for i in range(min(20, people_n - t * 20))
            )
            members = list(Person.objects.filter(team=team).order_by("employee_no"))
            team.lead = members[0]
            team.save()
            people += members
        rule = PenaltyRule.objects.create(code=f"{PREFIX.lower()}rule", name="基准：职责逾期")
        duties = [
            Duty.objects.create(
                code=f"{PREFIX.lower()}{d + 1:02d}",
                name=f"基准职责{d + 1:02d}",
                assignee_kind="department",
                department=dept,
                rrule="FREQ=DAILY",
                shift="skip",
                starts_on=dt.date(2026, 1, 1),
                due_time=dt.time(17, 0),
                grace_minutes=60,
                horizon_days=1,
                remind_before_minutes=60,
                escalate_after_days=1,
                reviewer_kind="team_lead",
                violation_on="",
                penalty_rule=rule,
            )
            for d in range(duties_n)
        ]
        Duty.objects.filter(pk__in=[d.pk for d in duties]).update(
            created_at=at(dt.date(2026, 1, 1), 0)
        )
    duties = list(Duty.objects.filter(code__startswith=PREFIX.lower()).order_by("code"))
    return people, duties


def generate_open(people: list[Person], duties: list[Duty], total: int) -> None:
    """``total`` open occurrences from FIRST on: 10,000 on FIRST (reminder sent, due at
    17:00), then whole days of every duty for every person."""
    have = Occurrence.objects.filter(duty__in=duties, due_at__gte=at(FIRST, 0)).count()
    if have >= total:
        print(f"open rows: {have:,} already there")
        return
    Occurrence.objects.filter(duty__in=duties, due_at__gte=at(FIRST, 0)).delete()
    t0 = time.perf_counter()
    rows: list[Occurrence] = []
    written = 0
    sched = engine.work_schedule()

    def flush() -> None:
        nonlocal rows, written
        Occurrence.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
        rows = []

    first_people = people[: max(1, DUE_AT_ONCE // len(duties))]
    day = FIRST
    previous = at(DAY, 17)
    while written + len(rows) < total:
        due = at(day, 17)
        missed = engine.missed_instant(duties[0], due, sched)
        on_first = day == FIRST
        for duty in duties:
            for person in first_people if on_first else people:
                rows.append(
                    Occurrence(
                        duty=duty,
                        person=person,
                        team_id=person.team_id,
                        period_start=previous,
                        due_at=due,
                        missed_at=missed,
                        status="pending",
                        duty_version=1,
                        reviewer_id=None,
                        reminded_at=due - dt.timedelta(hours=1) if on_first else None,
                        next_check_at=due if on_first else due - dt.timedelta(hours=1),
                    )
                )
                if written + len(rows) >= total:
                    break
            if written + len(rows) >= total:
                break
            if len(rows) >= BATCH:
                flush()
        previous = due
        day += dt.timedelta(days=1)
    flush()
    print(f"open rows: {written:,} written in {time.perf_counter() - t0:.1f} s")


# --- measures --------------------------------------------------------------------------------
def measure_materialise(duties: list[Duty]) -> None:
    Occurrence.objects.filter(duty__in=duties, due_at__date__lte=DAY).delete()
    now = at(DAY, 0)
    t0 = time.perf_counter()
    created = engine.materialise(now=now, duties=duties, until=DAY)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = engine.materialise(now=now, duties=duties, until=DAY)
    second = time.perf_counter() - t0
    verdict = "OK" if first < 5 else "SLOW"
    print(
        f"materialise one day: {created:,} occurrences in {first:.2f} s (target < 5 s: "
        f"{verdict}); again (nothing new, {again} rows): {second:.2f} s"
    )
    Occurrence.objects.filter(duty__in=duties, due_at__lte=at(DAY, 23, 59)).delete()


def measure_nothing_due(runs: int, explain: bool) -> None:
    now = at(FIRST, 12)
    for _ in range(3):
        sweeping.sweep(now=now)
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = sweeping.sweep(now=now)
        times.append((time.perf_counter() - t0) * 1000)
        assert not any(done.values()), done
    with CaptureQueriesContext(connection) as q:
        sweeping.sweep(now=now)
    p95 = percentile(times, 0.95)
    print(
        f"sweep, nothing due, {Occurrence.objects.filter(next_check_at__isnull=False).count():,}"
        f" open: p50 {percentile(times, 0.5):.2f} ms, p95 {p95:.2f} ms, max {max(times):.2f} ms;"
        f" {len(q.captured_queries)} query (target < 50 ms: {'OK' if p95 < 50 else 'SLOW'})"
    )
    if explain:
        probe = sweeping.due_now(now).order_by("next_check_at", "person_id", "pk")
        print(probe.values_list("pk")[: sweeping.BATCH].explain())


def put_back(duties: list[Duty]) -> None:
    due = at(FIRST, 17)
    Occurrence.objects.filter(duty__in=duties, due_at=due).update(
        status="pending", next_check_at=due, escalated_at=None
    )
    Violation.objects.filter(occurrence__duty__in=duties).delete()


def measure_due(duties: list[Duty], runs: int, violations: bool) -> None:
    Duty.objects.filter(pk__in=[d.pk for d in duties]).update(
        violation_on="late" if violations else ""
    )
    due = at(FIRST, 17)
    n = Occurrence.objects.filter(duty__in=duties, due_at=due).count()
    for r in range(runs):
        put_back(duties)
        t0 = time.perf_counter()
        with context.acting(None, None, "task"):
            done = sweeping.sweep(now=due)
        took = time.perf_counter() - t0
        print(
            f"sweep, {n:,} due (run {r + 1}): {took:.2f} s "
            f"(target < 10 s: {'OK' if took < 10 else 'SLOW'}) — {done}"
        )
    put_back(duties)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--duties", type=int, default=20)
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--due-runs", type=int, default=2)
    parser.add_argument("--violations", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reset", action="store_true")
    args: Any = parser.parse_args()
    call_command("migrate", verbosity=0)
    default_calendar()
    print(f"database: {connection.vendor}")
    if args.reset:
        reset()
    people, duties = generate_org(args.people, args.duties)
    with context.acting(None, None, "bench"):
        measure_materialise(duties)
    generate_open(people, duties, args.open)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE duties_occurrence")
    measure_nothing_due(args.runs, args.explain)
    measure_due(duties, args.due_runs, args.violations)


if __name__ == "__main__":
    main()
