"""Benchmark: server time of the work-order pages on a generated database (p50/p95).

    # generate first (see bench/generate_workorders.py), then, on the same database:
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/netdept_bench \\
        .venv/bin/python bench/bench_workorders.py [--requests 50] [--explain]
    NETDEPT_DATA_DIR=/tmp/wo-bench .venv/bin/python bench/bench_workorders.py

Requests go through Django's test ``Client`` in this process: what is timed is the server's
work (URL routing, middleware, permission checks, queries, template rendering or JSON), without
a network or a web server in front. Each page gets a few warm-up requests, then ``--requests``
timed ones; the figures are p50 / p95 / max in milliseconds, and the number of queries of one
request. ``--explain`` prints PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of the slowest query seen.

Pages (as the engineer ``bench-e002`` of 网络运维组, scope: own team, and as the director):
desk — my team's open orders; desk (filtered) — status + priority + department; order page;
API list of 100; plus the service report of last month and the director's desk: breached,
page 4,000 (or the deepest page there is) and the page after it by the desk's keyset cursor.
Desk and API share one filter set (``netdept.workorders.filtersets``): ``queue``,
``requester_department`` (``department`` is still read), ``breached``…
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from html import unescape

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
if not os.environ.get("NETDEPT_DATABASE_URL") and not os.environ.get("NETDEPT_DATA_DIR"):
    sys.exit("set NETDEPT_DATABASE_URL or NETDEPT_DATA_DIR to the generated database")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from netdept.org.models import Person  # noqa: E402
from netdept.workorders.models import OPEN_STATUSES, WorkOrder  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
# the test client hashes no password: it logs in with force_login


def client_for(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    c = Client()
    c.force_login(user)
    return c


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Result:
    def __init__(self, name: str, times: list[float], queries: list[tuple[float, str]]):
        self.name = name
        self.times = times
        self.queries = len(queries)
        self.all_queries = queries
        self.db_ms = sum(q[0] for q in queries)
        self.slowest = max(queries, default=(0.0, ""))

    def line(self) -> str:
        t = self.times
        return (
            f"{self.name:<44} p50 {percentile(t, 0.5):7.1f} ms   p95 {percentile(t, 0.95):7.1f} ms"
            f"   max {max(t):7.1f} ms   {self.queries:3d} queries ({self.db_ms:.0f} ms)"
        )


def measure(
    name: str,
    client: Client,
    urls: Callable[[int], str],
    n: int,
    warmup: int = 5,
    profiler: cProfile.Profile | None = None,
) -> Result | None:
    for i in range(warmup):
        resp = client.get(urls(i))
        if resp.status_code != 200:
            print(f"{name}: HTTP {resp.status_code} for {urls(i)} — skipped", flush=True)
            return None
    times = []
    for i in range(n):
        url = urls(warmup + i)
        t0 = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        resp = client.get(url)
        if hasattr(resp, "render") and not getattr(resp, "is_rendered", True):
            resp.render()
        _ = resp.content
        if profiler is not None:
            profiler.disable()
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    # one more request with the queries captured: count and slowest
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        client.get(urls(0))
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    reset_queries()
    return Result(name, times, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the slowest query")
    parser.add_argument("--engineer", default="bench-e002")
    parser.add_argument("--only", default="", help="run the pages whose name contains this")
    parser.add_argument("--queries", action="store_true", help="print every query's time")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the timed requests of each page"
    )
    args = parser.parse_args()
    settings.DEBUG = False

    total = WorkOrder.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"work orders: {total:,}; requests per page: {args.requests} (after 5 warm-up)\n")
    engineer = client_for(args.engineer)
    person = Person.objects.get(user__username=args.engineer)
    director = client_for("bench-director")
    rng = random.Random(1)

    team_orders = list(
        WorkOrder.objects.filter(team_id=person.team_id)
        .order_by("-created_at")
        .values_list("number", flat=True)[:5000]
    )
    dept_id = (
        WorkOrder.objects.filter(team_id=person.team_id)
        .order_by("-created_at")
        .values_list("requester_department_id", flat=True)
        .first()
    )
    open_count = WorkOrder.objects.filter(team_id=person.team_id, status__in=OPEN_STATUSES).count()
    print(f"engineer {args.engineer}: team {person.team} ({open_count:,} open orders)\n")

    desk = reverse("workorders:desk")
    pages: list[tuple[str, Client, Callable[[int], str]]] = [
        ("desk: my team's orders", engineer, lambda i: f"{desk}?queue=team"),
        ("desk: my team's open (in progress)", engineer,
         lambda i: f"{desk}?queue=team&status=in_progress"),
        ("desk: filtered status+priority+dept", engineer,
         lambda i: f"{desk}?queue=team&status=closed&priority=2&requester_department={dept_id}"),
        ("desk: my team, page 20", engineer, lambda i: f"{desk}?queue=team&page=20"),
        ("desk: director, all, filtered", director,
         lambda i: f"{desk}?queue=all&status=closed&priority=2&requester_department={dept_id}"),
        ("desk: director, breached", director, lambda i: f"{desk}?queue=breached"),
        ("order page", engineer,
         lambda i: reverse("workorders:order", args=[rng.choice(team_orders)])),
    ]  # fmt: skip
    # the deep pages of the director's desk (25 rows a page): page 4,000 by its number, then
    # the next one by the cursor of the desk's own "next" link
    deep = max(1, min(4000, total // 25 - 1))
    deep_url = f"{desk}?queue=all&page={deep}"
    pages.append((f"desk: director, all, page {deep:,}", director, lambda i: deep_url))
    html = director.get(deep_url).content.decode()
    found = re.search(r'href="([^"]*)" rel="next"', html)
    if found:
        after_url = desk + unescape(found.group(1))
        pages.append((f"desk: director, page {deep + 1:,} (cursor)", director,
                      lambda i: after_url))  # fmt: skip
    api = "/api/v1/workorders/orders/?page_size=100"
    pages.append(("API list, 100 (engineer)", engineer, lambda i: api))
    pages.append(("API list, 100 (director)", director, lambda i: api))
    pages.append(("API list, breached (director)", director, lambda i: f"{api}&queue=breached"))
    try:
        reports = reverse("workorders:reports_home")
        pages.append(("service report, last month (director)", director,
                      lambda i: f"{reports}?period=last_month"))  # fmt: skip
    except NoReverseMatch:
        pass

    results = []
    for name, client, urls in pages:
        if args.only and args.only not in name:
            continue
        profiler = cProfile.Profile() if args.profile else None
        r = measure(name, client, urls, args.requests, profiler=profiler)
        if r is not None:
            results.append(r)
            print(r.line(), flush=True)
            if profiler is not None:
                stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
                stats.print_stats(40)
            if args.queries:
                for ms, sql in r.all_queries:
                    print(f"      {ms:7.1f} ms  {sql[:160]}")
    if not results:
        return
    worst = max(results, key=lambda r: r.slowest[0])
    print(f"\nslowest query ({worst.name}, {worst.slowest[0]:.1f} ms):\n{worst.slowest[1]}")
    if args.explain and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst.slowest[1])
            print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
