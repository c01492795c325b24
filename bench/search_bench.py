"""Benchmark: the global search (top-bar type-ahead, search page, API) on a generated database.

    # generate first (bench/generate_workorders.py), migrate (the search indexes), then:
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench10 \\
        .venv/bin/python bench/search_bench.py [--requests 30] [--explain]

Like ``bench_workorders.py``: requests through Django's test ``Client`` in this process (the
server's work: routing, middleware, permissions, queries, rendering), a few warm-up requests,
then ``--requests`` timed ones per case. Each case cycles through its texts; the figures are
p50 / p95 / max per case and **p95 over every search request** (the target: < 150 ms at
1,000,000 orders on PostgreSQL).

Who searches: the engineer ``bench-e002`` (scope: own team, ~216,000 orders), the director
(every order) and the requester ``bench-r001`` (their department's orders, on the portal).
What: words of titles that are everywhere (打印机 — the bench's titles come from a short list,
so a word matches up to 10 % of the orders, newest first), two-character words (蓝屏, 网络,
QQ — the bigram index), words found nowhere (键盘坏了, 键盘: the index must answer "none"
without reading the table), a requester's name, a number in full (the redirect's lookup),
the start of a number (a day), two words, and bad input (``%``, ``_``, quotes, 2,000
characters).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_workorders import client_for, measure, percentile
from django.db import connection
from django.test import Client
from django.utils.http import urlencode

from netdept.core.search import MAX_LENGTH
from netdept.org.models import Person
from netdept.workorders.models import WorkOrder

POPUP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "nd-search-popup"}


class HtmxClient:
    """A client whose GETs are the top bar's type-ahead requests (htmx, popup target)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str) -> object:
        return self.client.get(url, **POPUP)


def texts_for(engineer: Person) -> dict[str, list[str]]:
    team_orders = list(
        WorkOrder.objects.filter(team_id=engineer.team_id)
        .order_by("-created_at")
        .values_list("number", flat=True)[:2000]
    )
    rng = random.Random(7)
    numbers = [rng.choice(team_orders) for _ in range(20)]
    requesters = list(
        Person.objects.filter(requested_orders__team_id=engineer.team_id)
        .values_list("name", flat=True)
        .distinct()[:10]
    )
    newest = numbers[0]
    return {
        "common word (打印机, 无法上网)": ["打印机", "无法上网", "登录缓慢", "交换机端口"],
        "two characters (蓝屏, 网络, QQ)": ["蓝屏", "网络", "QQ", "账号", "VPN"],
        "found nowhere (键盘坏了, 键盘)": ["键盘坏了", "显示器闪烁", "键盘", "鼠标"],
        "a requester's name": requesters or ["职工001"],
        "number in full": numbers,
        "start of a number (a day)": [newest[:11], newest[:12], newest[3:11]],
        "two words (title + name)": [f"打印机 {n}" for n in requesters[:5]] or ["打印机 职工"],
        "bad input (%, _, quotes, 2,000 chars)": ["%", "_%_", "'\"", "x" * 2000, "%%%%"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the slowest query")
    parser.add_argument("--engineer", default="bench-e002")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()

    total = WorkOrder.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"work orders: {total:,}; requests per case: {args.requests} (after 5 warm-up)\n")
    person = Person.objects.get(user__username=args.engineer)
    users = {
        "engineer": client_for(args.engineer),
        "director": client_for("bench-director"),
        "requester": client_for("bench-r001"),
    }
    texts = texts_for(person)

    def urls(base: str, words: list[str]) -> Callable[[int], str]:
        return lambda i: f"{base}?{urlencode({'q': words[i % len(words)][: MAX_LENGTH * 20]})}"

    cases: list[tuple[str, object, Callable[[int], str]]] = []
    for what, words in texts.items():
        for who in ("engineer", "director"):
            cases.append(
                (f"type-ahead, {who}: {what}", HtmxClient(users[who]), urls("/search/", words))
            )
    for who in ("engineer", "director", "requester"):
        words = texts["common word (打印机, 无法上网)"] + texts["two characters (蓝屏, 网络, QQ)"]
        page_words = [w for w in words if len(w) > 1]
        cases.append((f"search page, {who}: words", users[who], urls("/search/", page_words)))
        cases.append((f"API, {who}: words", users[who], urls("/api/v1/search/", page_words)))
    cases.append(
        ("API, engineer: number in full", users["engineer"],
         urls("/api/v1/search/", texts["number in full"]))
    )  # fmt: skip

    results = []
    every: list[float] = []
    for name, client, make in cases:
        if args.only and args.only not in name:
            continue
        r = measure(name, client, make, args.requests)  # type: ignore[arg-type]
        if r is None:
            continue
        results.append(r)
        every += r.times
        print(r.line(), flush=True)
    if not results:
        return
    print(
        f"\nall {len(every):,} search requests: p50 {percentile(every, 0.5):.1f} ms, "
        f"p95 {percentile(every, 0.95):.1f} ms, max {max(every):.1f} ms"
    )
    worst = max(results, key=lambda r: r.slowest[0])
    print(f"\nslowest query ({worst.name}, {worst.slowest[0]:.1f} ms):\n{worst.slowest[1]}")
    if args.explain and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst.slowest[1])
            print("\n".join(row[0] for row in cur.fetchall()))
    _ = time


if __name__ == "__main__":
    main()
