"""Benchmark: a person's monthly statement (月度奖惩明细), target p95 < 150 ms (issue 12).

    # SQLite: a data directory of its own
    NETDEPT_DATA_DIR=/tmp/bench12 .venv/bin/python bench/duties_statements.py
    # PostgreSQL: a database of its own
    createdb -h 127.0.0.1 -U postgres bench12_statements
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench12_statements \\
        .venv/bin/python bench/duties_statements.py [--people 1000] [--months 6] [--per-day 4]

The script migrates the database, generates (once; ``--reset`` deletes the generated rows
first) and measures. Generated (prefix ``BS-``): one network department, ``--people`` people
in teams of 20 (each team's lead has a login with the built-in team-lead role; the director
one with the director's), 20 duties of the teams, and for ``--months`` months up to the
current one: ``--per-day`` occurrences per person per working day (Mon–Fri) — 90 % done on
time, 5 % late, 3 % missed, 2 % excused —, a violation and a penalty for each missed or late
one (fines of ¥10–¥200, a few pay cuts; 10 % under appeal, 5 % withdrawn), and a reward for
one person in three each month. At the defaults: ≈ 520,000 occurrences, ≈ 42,000 violations
and penalties, ≈ 2,000 rewards. Rows are written with ``bulk_create`` (no audit records).

Measured, each ``--requests`` times after 5 warm-up runs, over people and months drawn at
random (seeded): wall-clock p50 / p95 / max in ms, the CPU time of this process (the server's
own work, which a loaded machine inflates far less than the wall clock; the database's work is
in the wall-clock figure only on PostgreSQL) and the number of queries of one:

* **service** — ``statements.person_statement(person, month, user=director)``;
* **page** — ``/duties/statements/?month=…&person=…`` as the director (the whole request:
  middleware, session, permissions, queries, rendering), through Django's test ``Client``;
* **page as the lead** — the same for a person of the lead's team (team scope);
* **print** — the printable statement; **API** — ``GET /api/v1/duties/statements/``
  (when the lead has registered ``api_reports.ROUTES``); **payroll** — the team's workbook;
* **team statement** — the page of a team of 20 (context, not the target).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATABASE_URL") and not os.environ.get("NETDEPT_DATA_DIR"):
    sys.exit("set NETDEPT_DATABASE_URL or NETDEPT_DATA_DIR to a database of its own")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from netdept.duties.models import (  # noqa: E402
    Duty,
    Occurrence,
    Penalty,
    PenaltyRule,
    Reward,
    Violation,
)
from netdept.duties.services import statements  # noqa: E402
from netdept.org.models import Department, Person, Role, RoleAssignment, Team  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
PREFIX = "BS-"
TARGET_MS = 150.0
BATCH = 5000


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- generation ------------------------------------------------------------------------------


def month_starts(months: int, today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    out = [first]
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def generate(people_n: int, months: int, per_day: int, seed: int) -> None:
    rng = random.Random(seed)
    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    User = get_user_model()
    t0 = time.perf_counter()
    with transaction.atomic():
        dept = Department.objects.create(code=f"{PREFIX}NET", name="基准网络部", kind="network")
        director_user = User.objects.create(username="bs-director", first_name="主任")
        RoleAssignment.objects.create(user=director_user, role=Role.objects.get(code="director"))
        director = Person.objects.create(
            name="基准主任", employee_no=f"{PREFIX}0000", department=dept, user=director_user
        )
        dept.head = director
        dept.save()
        teams: list[Team] = []
        people: list[Person] = []
        lead_role = Role.objects.get(code="team_lead")
        for t in range((people_n + 19) // 20):
            team = Team.objects.create(name=f"基准{t + 1:03d}组", department=dept)
            teams.append(team)
            members = []
            for i in range(min(20, people_n - t * 20)):
                n = t * 20 + i + 1
                members.append(
                    Person(
                        name=f"员工{n:04d}",
                        employee_no=f"{PREFIX}{n:04d}",
                        department=dept,
                        team=team,
                    )
                )
            Person.objects.bulk_create(members)
            members = list(Person.objects.filter(team=team).order_by("employee_no"))
            lead = members[0]
            user = User.objects.create(username=f"bs-lead-{t + 1:03d}", first_name=lead.name)
            RoleAssignment.objects.create(user=user, role=lead_role)
            lead.user = user
            lead.save()
            team.lead = lead
            team.save()
            people += members
        rule = PenaltyRule.objects.create(code="bs-rule", name="基准：职责未完成", family="bs")
        duties = [
            Duty.objects.create(
                code=f"bs-duty-{d:02d}",
                name=f"基准职责 {d:02d}",
                assignee_kind="team",
                team=teams[d % len(teams)],
                rrule="FREQ=DAILY",
                starts_on=month_starts(months, today)[0],
                due_time=dt.time(9 + d % 8, 0),
                penalty_rule=rule,
            )
            for d in range(20)
        ]
    print(f"org: {len(people)} people, {len(teams)} teams ({time.perf_counter() - t0:.1f} s)")
    starts = month_starts(months, today)
    occ_n = viol_n = rew_n = 0
    for first in starts:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        days = [
            first + dt.timedelta(days=i)
            for i in range((following - first).days)
            if (first + dt.timedelta(days=i)).weekday() < 5
            and first + dt.timedelta(days=i) <= today
        ]
        with transaction.atomic():
            occs: list[Occurrence] = []
            for p in people:
                for day in days:
                    for k in range(per_day):
                        duty = duties[(p.pk + k) % len(duties)]
                        due = dt.datetime.combine(day, dt.time(9 + k * 2, 0), tzinfo=tz)
                        r = rng.random()
                        status = (
                            "done" if r < 0.90 else "done_late" if r < 0.95
                            else "missed" if r < 0.98 else "excused"
                        )  # fmt: skip
                        occs.append(
                            Occurrence(
                                duty=duty, person=p, team_id=p.team_id,
                                period_start=due - dt.timedelta(days=1), due_at=due,
                                missed_at=due + dt.timedelta(hours=2), status=status,
                            )
                        )  # fmt: skip
            Occurrence.objects.bulk_create(occs, batch_size=BATCH)
            occ_n += len(occs)
            bad = list(
                Occurrence.objects.filter(
                    person__employee_no__startswith=PREFIX,
                    due_at__gte=dt.datetime.combine(first, dt.time(0), tzinfo=tz),
                    due_at__lt=dt.datetime.combine(following, dt.time(0), tzinfo=tz),
                    status__in=("missed", "done_late"),
                ).values_list("pk", "person_id", "due_at", "status")
            )
            viols = [
                Violation(
                    person_id=pid, source="missed" if st == "missed" else "late", occurrence_id=oid,
                    penalty_rule=rule, occurred_at=due, status="penalised",
                )
                for oid, pid, due, st in bad
            ]  # fmt: skip
            Violation.objects.bulk_create(viols, batch_size=BATCH)
            saved = Violation.objects.filter(occurrence_id__in=[b[0] for b in bad]).values_list(
                "pk", "person_id"
            )
            pens = []
            for vid, pid in saved:
                r = rng.random()
                status = "appealed" if r < 0.10 else "withdrawn" if r < 0.15 else "effective"
                cut = rng.random() < 0.01
                pens.append(
                    Penalty(
                        violation_id=vid, person_id=pid, rule=rule, family="bs",
                        offence_no=1 + int(rng.random() * 3),
                        sanction="pay_cut" if cut else "fine",
                        amount=None if cut else Decimal(rng.choice([10, 20, 50, 100, 200])),
                        percent=Decimal("20.00") if cut else None,
                        month=first, status=status,
                    )
                )  # fmt: skip
            Penalty.objects.bulk_create(pens, batch_size=BATCH)
            viol_n += len(pens)
            rews = [
                Reward(
                    person=p, kind="bonus", amount=Decimal(rng.choice([100, 200, 500])),
                    reason="月度评议表现优秀", awarded_on=first, month=first, source="review",
                )
                for p in people
                if rng.random() < 1 / 3
            ]  # fmt: skip
            Reward.objects.bulk_create(rews, batch_size=BATCH)
            rew_n += len(rews)
        print(
            f"{first:%Y-%m}: {occ_n:,} occurrences, {viol_n:,} penalties, {rew_n:,} rewards "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Occurrence, Violation, Penalty, Reward, Person):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def reset() -> None:
    with transaction.atomic():
        people = Person.objects.filter(employee_no__startswith=PREFIX)
        Penalty.objects.filter(person__in=people).delete()
        Violation.objects.filter(person__in=people).delete()
        Reward.objects.filter(person__in=people).delete()
        Occurrence.objects.filter(person__in=people).delete()
        Duty.objects.filter(code__startswith="bs-duty-").delete()
        PenaltyRule.objects.filter(code="bs-rule").delete()
        Team.objects.filter(department__code=f"{PREFIX}NET").update(lead=None)
        Department.objects.filter(code=f"{PREFIX}NET").update(head=None)
        users = [p.user_id for p in people if p.user_id]
        people.delete()
        get_user_model().objects.filter(pk__in=users).delete()
        Team.objects.filter(department__code=f"{PREFIX}NET").delete()
        Department.objects.filter(code=f"{PREFIX}NET").delete()


# --- measuring -------------------------------------------------------------------------------


def timed(name: str, run: Callable[[int], Any], n: int, warmup: int = 5) -> list[float]:
    for i in range(warmup):
        run(i)
    times, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        run(warmup + i)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        run(0)
    ok = "ok " if percentile(times, 0.95) < TARGET_MS else "SLOW"
    print(
        f"{ok} {name:<34} p50 {percentile(times, 0.5):6.1f}  p95 {percentile(times, 0.95):6.1f}"
        f"  max {max(times):6.1f} ms   cpu p50 {percentile(cpu, 0.5):5.1f} p95 "
        f"{percentile(cpu, 0.95):5.1f} ms   {len(ctx.captured_queries)} queries",
        flush=True,
    )
    return times


def get(client: Client, url: str) -> Any:
    resp = client.get(url)
    _ = resp.content
    assert resp.status_code == 200, (url, resp.status_code)
    return resp


def reverse_api() -> str:
    """The statements endpoint; until ``netdept/api/urls.py`` registers ``api_reports.ROUTES``
    the bench mounts them itself, in front of the site's URLs, as the tests do."""
    try:
        return reverse("duties-statements-list")
    except NoReverseMatch:
        pass
    import types

    from django.urls import clear_url_caches, include, path
    from rest_framework.routers import DefaultRouter

    import netdept.urls
    from netdept.duties import api_reports

    router = DefaultRouter()
    for prefix, viewset, basename in api_reports.ROUTES:
        router.register(prefix, viewset, basename=basename)
    module = types.ModuleType("bench_duties_urls")
    patterns = [path("api/v1/", include(router.urls)), *netdept.urls.urlpatterns]
    setattr(module, "urlpatterns", patterns)  # noqa: B010 (a module built here)
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    print("API: mounted by the bench (api_reports.ROUTES not yet in netdept/api/urls.py)")
    return reverse("duties-statements-list")


def measure(n: int, months: int, seed: int) -> None:
    rng = random.Random(seed + 1)
    director = get_user_model().objects.get(username="bs-director")
    people = list(Person.objects.filter(employee_no__startswith=PREFIX, team__isnull=False))
    firsts = month_starts(months, timezone.localdate())
    picks = [(rng.choice(people), rng.choice(firsts)) for _ in range(n + 10)]
    counts = (
        f"{Occurrence.objects.count():,} occurrences, {Penalty.objects.count():,} penalties, "
        f"{Reward.objects.count():,} rewards"
    )
    print(f"{connection.vendor}: {len(people):,} people, {counts}")

    def service(i: int) -> Any:
        person, month = picks[i]
        return statements.person_statement(person, month, user=director)

    sample = service(0)
    print(
        f"a statement: {len(sample.penalties)} penalties, {len(sample.rewards)} rewards, "
        f"{sample.duties.due} duties due"
    )
    results = {"service": timed("service person_statement", service, n)}
    c = Client()
    c.force_login(director)

    def url(name: str, i: int) -> str:
        person, month = picks[i]
        return f"{reverse(name)}?month={month:%Y-%m}&person={person.pk}"

    results["page"] = timed("page (director)", lambda i: get(c, url("duties:statement", i)), n)
    lead_person = people[0].team.lead if people[0].team else None
    if lead_person is not None and lead_person.user is not None:
        lc = Client()
        lc.force_login(lead_person.user)
        team_people = [p for p in people if p.team_id == lead_person.team_id]
        lead_picks = [(rng.choice(team_people), rng.choice(firsts)) for _ in range(n + 10)]

        def lead_url(i: int) -> str:
            person, month = lead_picks[i]
            return f"{reverse('duties:statement')}?month={month:%Y-%m}&person={person.pk}"

        results["lead"] = timed("page (team lead, team scope)", lambda i: get(lc, lead_url(i)), n)
    timed("printable statement", lambda i: get(c, url("duties:statement_print", i)), n)
    api = reverse_api()
    if api:

        def api_url(i: int) -> str:
            person, month = picks[i]
            return f"{api}?month={month:%Y-%m}&person={person.pk}"

        results["api"] = timed("API statement", lambda i: get(c, api_url(i)), n)
    timed("payroll workbook (one person)", lambda i: get(c, url("duties:statement_export", i)), n)
    team = people[0].team
    assert team is not None
    team_url = f"{reverse('duties:statement')}?month={firsts[-1]:%Y-%m}&team={team.pk}"
    timed("team statement page (20 people)", lambda i: get(c, team_url), max(10, n // 5))
    worst = max(percentile(t, 0.95) for t in results.values())
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"person's monthly statement: worst p95 {worst:.1f} ms — {verdict} < {TARGET_MS:.0f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--per-day", type=int, default=4, help="occurrences per working day")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--reset", action="store_true", help="delete the generated rows first")
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    if args.reset:
        reset()
    if not args.measure_only and not Person.objects.filter(employee_no__startswith=PREFIX):
        generate(args.people, args.months, args.per_day, args.seed)
    measure(args.requests, args.months, args.seed)


if __name__ == "__main__":
    main()
