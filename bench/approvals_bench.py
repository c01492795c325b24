"""Benchmark: "待我审批" — the director's approval inbox at 1,000,000 decided decisions.

    # generate first (bench/generate_approvals.py), then, on the same database:
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench11 \\
        .venv/bin/python bench/approvals_bench.py [--requests 50] [--explain] [--only TEXT]

Two measures (target, issue 11: p95 < 150 ms on PostgreSQL for a director holding 500 pending
decisions among 1,000,000 decided ones):

* **engine** — ``services.pending_for(director)``: the first page (25 rows, with the request,
  requester, step and delegator of each row) and its count, as any page or API built on it
  asks them; the same with the inbox's filters (overdue, kind, emergency);
* **HTTP** — the pages as the director sees them, through Django's test ``Client`` in this
  process (the server's work: routing, middleware, session, permissions, queries, rendering;
  no network), like ``bench_workorders.py``: the inbox (``approvals:inbox``) plain, filtered
  (overdue, kind, emergency) and its last page; the generic decisions list and the API list
  filtered to the director's pending decisions; the decisions he decided (≈ 200,000: the
  paginator's count over a large set); the home page (its "待我审批" widget).

Each case gets 5 warm-up requests, then ``--requests`` timed ones: p50 / p95 / max in
milliseconds and the queries of one request (number and database time). ``--explain`` prints
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of the inbox's row query and count (the partial
index ``approval_dec_inbox`` must serve them) and of the slowest query seen.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_workorders import Result, client_for, measure, percentile
from django.db import connection, reset_queries
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from netdept.approvals import services
from netdept.approvals.models import ApprovalDecision, DecisionStatus
from netdept.org.models import Person

TARGET_MS = 150.0
PAGE = 25


class CpuClient:
    """The test client, noting the CPU time of this process spent in each GET: the server's
    own work (the database's is in its own processes), which the machine's load inflates far
    less than the wall-clock time."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.cpu: list[float] = []

    def get(self, url: str) -> Any:
        t0 = time.process_time()
        resp = self.client.get(url)
        _ = resp.content
        self.cpu.append((time.process_time() - t0) * 1000)
        return resp


def cpu_note(cpu: list[float], n: int, warmup: int = 5) -> str:
    timed = cpu[warmup : warmup + n]
    return f"   cpu p50 {percentile(timed, 0.5):5.1f} ms" if timed else ""


def engine_case(
    name: str, make: Callable[[], QuerySet[ApprovalDecision]], n: int, warmup: int = 5
) -> Result:
    """Time the first page (rows with their related objects) and the count of a queryset."""

    def once() -> None:
        qs = make()
        for d in qs[:PAGE]:  # what a page reads of each row
            _ = (d.request.title, d.request.requester.name, d.step.name, d.on_behalf_of)
        qs.count()

    for _i in range(warmup):
        once()
    times = []
    for _i in range(n):
        t0 = time.perf_counter()
        once()
        times.append((time.perf_counter() - t0) * 1000)
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        once()
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    reset_queries()
    return Result(name, times, queries)


def explain(title: str, sql: str, params: Any = None) -> None:
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}\n{sql}\n")
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cur.fetchall()))


def what_if(variant: str) -> None:
    """Patch a proposed change into this process (nothing is written to the code), to measure
    it before its owner makes it: ``slim-people`` — the filters' lists of people load only the
    id and name of each person (as the work-order desk does, ``slim_choices``); ``no-people`` —
    the inbox does not render the requester / on-behalf-of lists at all (the filters still work
    from links and the API)."""
    from netdept.approvals import views_inbox
    from netdept.core.registry import page_for

    print(f"what-if: {variant}\n")
    if variant == "no-people":
        views_inbox.NOT_IN_INBOX = views_inbox.NOT_IN_INBOX | {"requester", "on_behalf_of"}
        return
    page = page_for(ApprovalDecision)
    assert page is not None and page.filterset_class is not None
    cls = page.filterset_class
    original = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, QuerySet) and qs.model is Person:
                f.queryset = qs.only("pk", "name")

    cls.__init__ = init


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--director", default="appr-director")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the inbox's queries")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--queries", action="store_true", help="print every query's time")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests")
    parser.add_argument(
        "--what-if",
        choices=["slim-people", "no-people"],
        help="measure a proposed fix, patched in this process only (see what_if)",
    )
    args = parser.parse_args()
    if args.what_if:
        what_if(args.what_if)

    director = Person.objects.get(user__username=args.director)
    decisions = ApprovalDecision.objects
    pending = decisions.filter(approver=director, status=DecisionStatus.PENDING).count()
    decided = decisions.exclude(status=DecisionStatus.PENDING).count()
    mine = decisions.filter(approver=director).exclude(status=DecisionStatus.PENDING).count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"decisions: {decisions.count():,} ({decided:,} decided, {mine:,} of them by "
        f"{director.name}); pending held by {director.name}: {pending:,}"
    )
    print(f"requests per case: {args.requests} (after 5 warm-up)\n")

    now = timezone.now()
    kind = "approvals.general"
    engine: list[tuple[str, Callable[[], QuerySet[ApprovalDecision]]]] = [
        ("engine: pending_for, 25 rows + count", lambda: services.pending_for(director)),
        ("engine: pending_for, overdue",
         lambda: services.pending_for(director).filter(due_at__lt=now)),
        ("engine: pending_for, kind",
         lambda: services.pending_for(director).filter(request__kind=kind)),
        ("engine: pending_for, emergency",
         lambda: services.pending_for(director).filter(request__emergency=True)),
    ]  # fmt: skip

    client = client_for(args.director)
    pages: list[tuple[str, Callable[[int], str]]] = []
    try:
        inbox = reverse("approvals:inbox")
        last = max(1, (pending + 19) // 20)
        pages += [
            ("inbox (待我审批)", lambda i: inbox),
            ("inbox, overdue", lambda i: f"{inbox}?overdue=true"),
            ("inbox, kind", lambda i: f"{inbox}?kind={kind}"),
            ("inbox, emergency", lambda i: f"{inbox}?emergency=true"),
            ("inbox, overdue + kind", lambda i: f"{inbox}?overdue=true&kind={kind}"),
            (f"inbox, page {last} (the last)", lambda i: f"{inbox}?page={last}"),
        ]
    except NoReverseMatch:
        print("approvals:inbox does not resolve yet: the inbox page is not measured\n")
    listing = f"?status=pending&approver={director.pk}"
    pages.append(
        ("decisions list, pending + approver", lambda i: f"/approvals/decisions/{listing}")
    )
    try:
        api = reverse("approvals-decisions-list")
    except NoReverseMatch:
        api = "/api/v1/approvals/decisions/"
    pages.append(("API decisions, pending + approver", lambda i: f"{api}{listing}"))
    done = f"?status=approved&approver={director.pk}"
    approved = decisions.filter(approver=director, status=DecisionStatus.APPROVED).count()
    pages.append(
        (f"decisions list, his {approved:,} approved", lambda i: f"/approvals/decisions/{done}")
    )
    pages.append((f"API decisions, his {approved:,} approved", lambda i: f"{api}{done}"))
    pages.append(("home page (待我审批 widget)", lambda i: "/"))

    results: list[Result] = []
    inbox_times: list[float] = []
    inbox_cpu: list[float] = []
    for name, make in engine:
        if args.only and args.only not in name:
            continue
        r = engine_case(name, make, args.requests)
        results.append(r)
        print(r.line(), flush=True)
    for name, url in pages:
        if args.only and args.only not in name:
            continue
        profiler = cProfile.Profile() if args.profile else None
        timer = CpuClient(client)
        res = measure(name, timer, url, args.requests, profiler=profiler)  # type: ignore[arg-type]
        if res is None:
            continue
        results.append(res)
        if name.startswith("inbox"):
            inbox_times += res.times
            inbox_cpu += timer.cpu[5 : 5 + args.requests]
        print(res.line() + cpu_note(timer.cpu, args.requests), flush=True)
        if profiler is not None:
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(45)
        if args.queries:
            for ms, sql in res.all_queries:
                print(f"      {ms:7.1f} ms  {sql[:160]}")
    if not results:
        return
    if inbox_times:
        p95 = percentile(inbox_times, 0.95)
        verdict = "met" if p95 < TARGET_MS else "NOT met"
        print(
            f"\nall {len(inbox_times):,} inbox requests: p50 {percentile(inbox_times, 0.5):.1f} "
            f"ms, p95 {p95:.1f} ms, max {max(inbox_times):.1f} ms — target p95 < "
            f"{TARGET_MS:.0f} ms {verdict}"
        )
        print(
            f"their CPU time in this process (the server's own work): p50 "
            f"{percentile(inbox_cpu, 0.5):.1f} ms, p95 {percentile(inbox_cpu, 0.95):.1f} ms"
        )
    worst = max(results, key=lambda r: r.slowest[0])
    print(f"\nslowest query ({worst.name}, {worst.slowest[0]:.1f} ms):\n{worst.slowest[1]}")
    if args.explain and connection.vendor == "postgresql":
        qs = services.pending_for(director)
        sql, params = qs[:PAGE].query.sql_with_params()
        explain("the inbox's rows (pending_for, first page)", sql, params)
        sql, params = qs.order_by().values("pk").query.sql_with_params()
        explain("the inbox's count", f"SELECT COUNT(*) FROM ({sql}) AS rows", params)
        page = next((r for r in results if r.name.startswith("inbox (")), None)
        for _ms, sql in page.all_queries if page is not None else []:
            if "approvals_approvaldecision" in sql and not sql.startswith("DECLARE"):
                explain("a query of the inbox page", sql)
        if not worst.slowest[1].startswith("DECLARE"):
            explain(f"the slowest query seen ({worst.name})", worst.slowest[1])


if __name__ == "__main__":
    main()
