"""Benchmark: weekly reports (issue 13, point 10) — drafting everyone's reports in the
background, and a team's report page.

    # SQLite: a data directory of its own
    NETDEPT_DATA_DIR=/tmp/bench13_worklog .venv/bin/python bench/worklog_bench.py
    # PostgreSQL: a database of its own
    createdb -h 127.0.0.1 -U postgres bench13_worklog
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench13_worklog \\
        .venv/bin/python bench/worklog_bench.py [--people 1000] [--requests 200]

Targets: the weekly reports of 1,000 people drafted from a week of records in < 30 s in a
background task with its progress shown; a team's report page p95 < 150 ms.

The script migrates the database and generates (once; ``--reset`` deletes the generated rows
first; prefix ``WB-``): a department of ``--people`` people in teams of 20 (each team with its
lead; the first team's lead has a login), and for the week of Monday 2 March 2026 (five working
days): a submitted daily log a person a working day with three entries (one drafted from a work
record), and two work orders a person and day with their work records (the work orders'
contributions read them: records of the week, orders resolved that day). Then:

* **drafting** — a ``DraftRun`` for the department is started (``services.drafting.start_run``)
  and its task (``tasks_reports.draft_reports``) is run by a worker of this process, while a
  second thread reads the run's progress every half second as the page does; the reports are
  deleted first, so each run drafts all of them (``--runs`` times; the last time the reports
  are drafted again over themselves: the re-draft of a week everyone already has);
* **the team's page** — ``GET /worklog/reports/team/?kind=weekly&day=2026-03-02`` signed in as
  the first team's lead (20 members, their reports, 待我审阅, the run's progress),
  ``--requests`` times after 5 warm-up requests: p50 / p95 / max in ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATA_DIR") and not os.environ.get("NETDEPT_DATABASE_URL"):
    sys.exit("set NETDEPT_DATABASE_URL or NETDEPT_DATA_DIR to a database of its own")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from zoneinfo import ZoneInfo  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from netdept.core import context  # noqa: E402
from netdept.org.models import (  # noqa: E402
    Department,
    Person,
    Role,
    RoleAssignment,
    Team,
)
from netdept.worklog.models import DailyLog, DraftRun, LogEntry, Report  # noqa: E402
from netdept.worklog.services import drafting  # noqa: E402
from netdept.worklog.tasks_reports import draft_reports  # noqa: E402
from netdept.workorders.models import WorkOrder, WorkRecord  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
PREFIX = "WB-"
SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 2)
DAYS = [MONDAY + dt.timedelta(days=i) for i in range(5)]
BATCH = 5000
PASSWORD = "Bench-Pass-1234!"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


# --- generation ------------------------------------------------------------------------------
def reset() -> None:
    dept = Department.objects.filter(code=f"{PREFIX}NET").first()
    if dept is None:
        return
    people = Person.objects.filter(department=dept)
    Report.objects.filter(person__in=people).delete()
    DraftRun.objects.filter(department=dept).delete()
    DailyLog.objects.filter(person__in=people).delete()
    WorkRecord.objects.filter(person__in=people).delete()
    WorkOrder.objects.filter(number__startswith=PREFIX).delete()
    Team.objects.filter(department=dept).update(lead=None)
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="wb-").delete()
    people.delete()
    Team.objects.filter(department=dept).delete()
    dept.delete()


def generate(people_n: int) -> tuple[Department, Any]:
    from django.contrib.auth import get_user_model

    dept = Department.objects.filter(code=f"{PREFIX}NET").first()
    if dept is not None:
        user = get_user_model().objects.get(username="wb-lead")
        return dept, user
    t0 = time.perf_counter()
    with transaction.atomic():
        dept = Department.objects.create(code=f"{PREFIX}NET", name="日志基准网络部", kind="network")
        for t in range((people_n + 19) // 20):
            team = Team.objects.create(name=f"日志基准{t + 1:03d}组", department=dept)
            Person.objects.bulk_create(
                Person(
                    name=f"员工{t * 20 + i + 1:04d}",
                    employee_no=f"{PREFIX}{t * 20 + i + 1:04d}",
                    department=dept,
                    team=team,
                )
                for i in range(min(20, people_n - t * 20))
            )
            team.lead = Person.objects.filter(team=team).order_by("employee_no").first()
            team.save()
        user = get_user_model().objects.create_user("wb-lead", password=PASSWORD)
        lead = Team.objects.filter(department=dept).order_by("name").first().lead  # type: ignore[union-attr]
        lead.user = user
        lead.save()
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code="team_lead"))
        people = list(Person.objects.filter(department=dept).order_by("pk"))
        orders: list[WorkOrder] = []
        for d, day in enumerate(DAYS):
            for p in people:
                for k in range(2):
                    orders.append(
                        WorkOrder(
                            number=f"{PREFIX}{d}{p.pk:06d}{k}",
                            title=f"办公室无法上网（{p.name}）",
                            requester=p,
                            assignee=p,
                            status="resolved" if k == 0 else "in_progress",
                            responded_at=at(day, 9, 10),
                            resolved_at=at(day, 11, 30) if k == 0 else None,
                        )
                    )
        WorkOrder.objects.bulk_create(orders, batch_size=BATCH)
        by_number = dict(
            WorkOrder.objects.filter(number__startswith=PREFIX).values_list("number", "pk")
        )
        records = [
            WorkRecord(
                order_id=by_number[o.number],
                person_id=o.assignee_id,
                description="排查交换机端口，更换网线",
                minutes=40,
                performed_at=at(DAYS[int(o.number[len(PREFIX)])], 10 + int(o.number[-1])),
            )
            for o in orders
        ]
        WorkRecord.objects.bulk_create(records, batch_size=BATCH)
        logs = [
            DailyLog(
                person=p, team_id=p.team_id, day=day, status="submitted",
                submitted_at=at(day, 17, 30), summary="日常运维", drafted_at=at(day, 8),
            )
            for day in DAYS
            for p in people
        ]  # fmt: skip
        DailyLog.objects.bulk_create(logs, batch_size=BATCH)
        ct = ContentType.objects.get_for_model(WorkRecord)
        first_record = dict(
            WorkRecord.objects.filter(person__in=people)
            .order_by("person_id", "performed_at", "pk")
            .values_list("person_id", "pk")
        )
        entries = []
        for log in DailyLog.objects.filter(person__in=people).only("pk", "person_id", "day"):
            entries += [
                LogEntry(log_id=log.pk, text="巡检核心交换机与机房环境", minutes=30, position=0),
                LogEntry(log_id=log.pk, text="处理用户报修", minutes=60, position=1,
                         source="workorders.work", record_type=ct,
                         record_id=str(first_record.get(log.person_id, 0)) + str(log.day.day)),
                LogEntry(log_id=log.pk, text="整理配置备份", minutes=20, position=2),
            ]  # fmt: skip
        LogEntry.objects.bulk_create(entries, batch_size=BATCH)
    print(
        f"generated {people_n:,} people, {len(orders):,} work orders and records, "
        f"{len(logs):,} daily logs, {len(entries):,} entries in {time.perf_counter() - t0:.1f} s"
    )
    return dept, user


# --- measurements ----------------------------------------------------------------------------
def bench_drafting(dept: Department, runs: int) -> None:
    people = Person.objects.filter(department=dept)
    for i in range(runs):
        redraft = i == runs - 1 and runs > 1
        if not redraft:
            Report.objects.filter(person__in=people, period_start=MONDAY).delete()
        DraftRun.objects.filter(department=dept).delete()
        with context.acting(None, None, "bench"):
            run = drafting.start_run(
                None, kind="weekly", day=MONDAY, department=dept, enqueue=False
            )
        seen: list[tuple[float, int]] = []
        stop = threading.Event()

        def poll(
            run_pk: int = run.pk,
            stop: threading.Event = stop,
            seen: list[tuple[float, int]] = seen,
        ) -> None:
            try:
                while not stop.is_set():
                    r = DraftRun.objects.filter(pk=run_pk).values("done", "total").first()
                    if r:
                        seen.append((time.perf_counter(), r["done"]))
                    stop.wait(0.5)
            finally:
                close_old_connections()
                connection.close()

        watcher = threading.Thread(target=poll)
        t0 = time.perf_counter()
        watcher.start()
        draft_reports.call(run.pk)  # the task's body, as a worker runs it
        elapsed = time.perf_counter() - t0
        stop.set()
        watcher.join()
        run.refresh_from_db()
        steps = sorted({d for _t, d in seen})
        n = Report.objects.filter(person__in=people, period_start=MONDAY).count()
        what = "re-drafted over themselves" if redraft else "drafted"
        print(
            f"drafting ({what}): {run.done:,}/{run.total:,} people in {elapsed:.2f} s "
            f"(status {run.status}; {n:,} reports; progress seen: "
            f"{', '.join(str(s) for s in steps[:8])}{' …' if len(steps) > 8 else ''})"
        )


def bench_team_page(user: Any, requests: int) -> None:
    c = Client()
    assert c.login(username=user.get_username(), password=PASSWORD)
    url = "/worklog/reports/team/?kind=weekly&day=2026-03-02"
    for _ in range(5):
        r = c.get(url)
        assert r.status_code == 200, r.status_code
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        r = c.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    print(
        f"team report page: p50 {statistics.median(times):.1f} ms, "
        f"p95 {p95(times):.1f} ms, max {max(times):.1f} ms "
        f"({requests} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; language {settings.LANGUAGE_CODE}")
    if args.reset:
        reset()
    dept, user = generate(args.people)
    bench_drafting(dept, args.runs)
    bench_team_page(user, args.requests)


if __name__ == "__main__":
    main()
