"""Benchmark of the working calendar: 10,000 ``add_working_time`` calls spread over a year.

    .venv/bin/python bench/bench_workcalendar.py [--calls 10000] [--seed 1]

Runs on a throw-away SQLite database unless NETDEPT_DATABASE_URL is set (then on that database,
inside a transaction that is rolled back: nothing is kept). Prints timings; asserts nothing.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("NETDEPT_DATABASE_URL"):
    _tmp = tempfile.mkdtemp(prefix="netdept-bench-")
    atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
    os.environ["NETDEPT_DATA_DIR"] = _tmp
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from netdept.workcal import schedule as workcalendar  # noqa: E402
from netdept.workcal.models import CalendarOverride, WorkCalendar  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def timed(label: str, n: int, fn: object) -> float:
    assert callable(fn)
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    print(f"{label:<62} {elapsed * 1000:9.1f} ms  {elapsed / n * 1e6:8.1f} µs/call")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.calls
    rng = random.Random(args.seed)

    if not os.environ.get("NETDEPT_DATABASE_URL"):
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {n} calls per line; year 2026, Asia/Shanghai")

    year_start = dt.datetime(2026, 1, 1, tzinfo=SH)
    starts = [year_start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(n)]
    # SLA-like deltas: 15 minutes to 5 working days.
    short = [dt.timedelta(minutes=rng.randrange(15, 5 * 450)) for _ in range(n)]
    # Long spans: one to three months of working time.
    long = [dt.timedelta(hours=rng.randrange(150, 500)) for _ in range(n)]

    with transaction.atomic():
        cal = WorkCalendar.objects.create(name="bench calendar")
        for day in ("2026-03-06", "2026-07-01", "2026-11-20"):
            CalendarOverride.objects.create(
                calendar=cal, date=dt.date.fromisoformat(day), is_working_day=False
            )
        CalendarOverride.objects.create(calendar=cal, date=dt.date(2026, 8, 8), is_working_day=True)
        cal.refresh_from_db()

        # Warm the per-day caches (package decisions and period instants) once.
        workcalendar.working_time_between(cal, year_start, year_start.replace(year=2028))

        ends: list[dt.datetime] = []

        def add_short() -> None:
            ends[:] = [
                workcalendar.add_working_time(cal, s, d) for s, d in zip(starts, short, strict=True)
            ]

        timed("add_working_time, 15 min – 5 days (one query per call)", n, add_short)

        schedule = workcalendar.WorkSchedule(cal)

        def add_short_batch() -> None:
            for s, d in zip(starts, short, strict=True):
                schedule.add(s, d)

        timed("WorkSchedule.add, same, one schedule reused", n, add_short_batch)

        def add_long() -> None:
            for s, d in zip(starts, long, strict=True):
                workcalendar.add_working_time(cal, s, d)

        timed("add_working_time, 1–3 months of working time", n, add_long)

        def between() -> None:
            for s, e in zip(starts, ends, strict=True):
                workcalendar.working_time_between(cal, s, e)

        timed("working_time_between (the add_working_time results)", n, between)

        def between_year() -> None:
            for s in starts[: n // 10]:
                schedule.between(s, s + dt.timedelta(days=365))

        timed("WorkSchedule.between, one-year spans", n // 10, between_year)

        def next_instant() -> None:
            for s in starts:
                schedule.next_working_instant(s)

        timed("WorkSchedule.next_working_instant", n, next_instant)

        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
