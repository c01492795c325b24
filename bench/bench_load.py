"""Load test: ``netdept web`` with 1 process and with N processes, then 200 signed-in sessions.

    # on a database made by bench/generate_workorders.py (SQLite data directory or PostgreSQL)
    NETDEPT_DATA_DIR=/tmp/wo-bench .venv/bin/python bench/bench_load.py
    NETDEPT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/netdept_bench \\
        .venv/bin/python bench/bench_load.py [--workers 2] [--threads 4]

What it does, on 127.0.0.1 only (a free port; nothing else is ever contacted):

1. Starts ``netdept web`` (a real subprocess, gunicorn) with 1 process, signs in ``--sessions``
   sessions over HTTP (the login form, as the generator's engineers ``bench-e001``…, password
   ``Bench-Pass-1234!``), and for ``--seconds`` has them request the work-order desk
   (``/workorders/?queue=team``) back to back: throughput (pages per second) and latency. Then
   the same with ``--workers`` processes (default: one per core), and, unless
   ``--no-waitress``, with waitress (one process: the server before gunicorn), side by side.
2. With ``--workers`` processes: ``--concurrency`` (200) signed-in sessions, each on its own
   keep-alive connection, request the desk back to back for ``--duration`` (60) seconds with a
   ``--timeout`` (30 s) client timeout: p50 / p95 / p99 and the errors (refused or reset
   connections, timeouts, 5xx; any other status is counted apart).

The client is httpx (asyncio, one connection per session) in this process: it shares the
machine's cores with the server, so its CPU time is printed next to the server's. Every phase is
bounded in time; the servers are stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only
DESK = "/workorders/?queue=team"
LOGIN = "/accounts/login/"
PASSWORD = "Bench-Pass-1234!"
ENGINEERS = 60  # bench-e001 … bench-e060 (generate_workorders.py)
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and its children (the gunicorn workers), from /proc."""
    total = 0.0
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry.name))
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the server ----------------------------------------------------------------------------


@contextlib.contextmanager
def server(server_name: str, workers: int, threads: int, log: Path) -> Iterator[tuple[str, int]]:
    """``netdept web`` on a free loopback port until the block ends (SIGTERM, then SIGKILL)."""
    port = free_port()
    argv = [sys.executable, "-m", "netdept.cli", "web", "--host", HOST, "--port", str(port)]
    argv += ["--threads", str(threads), "--server", server_name, "-v", "0"]
    if server_name == "gunicorn":
        argv += ["--workers", str(workers)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
    with open(log, "ab") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"netdept web exited with {proc.returncode}; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + LOGIN, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"netdept web did not answer within 180 s; see {log}")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- the sessions --------------------------------------------------------------------------


async def sign_in(
    base: str, username: str, timeout: float, check_desk: bool = True
) -> httpx.AsyncClient:
    """An httpx client holding a signed-in session (one keep-alive connection)."""
    client = httpx.AsyncClient(
        base_url=base,
        timeout=timeout,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        trust_env=False,
        headers={"Accept-Language": "zh-hans"},
    )
    page = await client.get(LOGIN)
    match = CSRF_RE.search(page.content)
    if page.status_code != 200 or not match:
        await client.aclose()
        raise SystemExit(f"no login form at {base}{LOGIN} (HTTP {page.status_code})")
    answer = await client.post(
        LOGIN,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": match.group(1).decode(),
        },
        headers={"Referer": base + LOGIN},
    )
    if answer.status_code != 302 or "sessionid" not in client.cookies:
        await client.aclose()
        raise SystemExit(
            f"{username} could not sign in (HTTP {answer.status_code}); "
            "is this a database made by bench/generate_workorders.py?"
        )
    if not check_desk:
        return client
    desk = await client.get(DESK)
    if desk.status_code != 200:
        await client.aclose()
        raise SystemExit(f"{username}: the desk answered HTTP {desk.status_code}")
    return client


async def sign_in_all(base: str, count: int, timeout: float) -> list[httpx.AsyncClient]:
    """``count`` sessions, 8 sign-ins at a time (each hashes a password with Argon2)."""
    gate = asyncio.Semaphore(8)

    async def one(i: int) -> httpx.AsyncClient:
        async with gate:
            # The first sessions open the desk once: the sign-in worked and the caches are warm.
            return await sign_in(base, f"bench-e{i % ENGINEERS + 1:03d}", timeout, i < 8)

    return list(await asyncio.gather(*(one(i) for i in range(count))))


@dataclass
class Outcome:
    times: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: Counter[str] = field(default_factory=Counter)
    other: Counter[int] = field(default_factory=Counter)  # non-200, non-5xx statuses
    samples: list[str] = field(default_factory=list)  # the first errors, as the client saw them
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.times)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def error_text(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
        return f"{self.error_count} ({kinds})" if kinds else "0"

    def rate(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def classify(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "refused"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return "reset"
    return type(exc).__name__


async def hammer(
    clients: list[httpx.AsyncClient], seconds: float, server_pid: int, think: float = 0.0
) -> Outcome:
    """Every client requests the desk until ``seconds`` have passed, pausing a random
    0…2×``think`` seconds between an answer and its next request (0: back to back)."""
    outcome = Outcome()
    stop_at = time.monotonic() + seconds
    rng = random.Random(8)

    async def loop(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            if think > 0:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            t0 = time.perf_counter()
            try:
                response = await client.get(DESK)
                await response.aread()
            except httpx.HTTPError as exc:
                outcome.errors[classify(exc)] += 1
                if len(outcome.samples) < 5:
                    outcome.samples.append(f"{type(exc).__name__}: {exc}")
                continue
            if response.status_code >= 500:
                outcome.errors[f"HTTP {response.status_code}"] += 1
            elif response.status_code != 200:
                outcome.other[response.status_code] += 1
            else:
                outcome.times.append(time.perf_counter() - t0)

    cpu0, server0, t0 = client_cpu_seconds(), tree_cpu_seconds(server_pid), time.monotonic()
    await asyncio.gather(*(loop(c) for c in clients))
    outcome.wall = time.monotonic() - t0
    outcome.client_cpu = client_cpu_seconds() - cpu0
    outcome.server_cpu = tree_cpu_seconds(server_pid) - server0
    return outcome


async def run_phase(
    base: str, pid: int, sessions: int, seconds: float, timeout: float, think: float = 0.0
) -> Outcome:
    clients = await sign_in_all(base, sessions, timeout)
    try:
        return await hammer(clients, seconds, pid, think)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# --- output --------------------------------------------------------------------------------


def describe_database() -> str:
    url = os.environ.get("NETDEPT_DATABASE_URL")
    if url:
        return "PostgreSQL " + url.rsplit("/", 1)[-1]
    return "SQLite in " + os.environ.get("NETDEPT_DATA_DIR", "?")


def count_orders() -> str:
    code = (
        "import django; django.setup()\n"
        "from netdept.workorders.models import WorkOrder\n"
        "print(WorkOrder.objects.count())"
    )
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return f"{int(done.stdout.strip()):,}" if done.returncode == 0 else "?"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def latency_line(o: Outcome) -> str:
    ms = [t * 1000 for t in o.times]
    return (
        f"p50 {percentile(ms, 0.5):7.0f} ms  p95 {percentile(ms, 0.95):7.0f} ms  "
        f"p99 {percentile(ms, 0.99):7.0f} ms  max {max(ms, default=0):7.0f} ms"
    )


def cpu_line(o: Outcome) -> str:
    """CPU used by the server and the client; pages per server CPU-second do not depend on how
    much of the machine other processes take (PostgreSQL's own processes are not counted)."""
    per_cpu = o.ok / o.server_cpu if o.server_cpu else float("nan")
    return (
        f"server CPU {o.server_cpu / o.wall:4.2f} cores ({per_cpu:.1f} pages/CPU-s), "
        f"client CPU {o.client_cpu / o.wall:4.2f} cores (of {os.cpu_count()} shared)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser.add_argument("--workers", type=int, default=cores or 1, help="N processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--sessions", type=int, default=16, help="sessions, throughput phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="throughput phase length")
    parser.add_argument("--concurrency", type=int, default=200, help="sessions, load phase")
    parser.add_argument("--duration", type=float, default=60.0, help="load phase length")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout (s)")
    parser.add_argument(
        "--think", type=float, default=0.0, help="load phase: mean pause between requests (s)"
    )
    parser.add_argument("--no-waitress", action="store_true", help="skip the waitress column")
    parser.add_argument("--only-load", action="store_true", help="skip the throughput phase")
    parser.add_argument("--no-load", action="store_true", help="skip the 200-session phase")
    parser.add_argument("--log", default="/tmp/netdept-bench-load.log", help="server output")
    args = parser.parse_args()
    if not os.environ.get("NETDEPT_DATABASE_URL") and not os.environ.get("NETDEPT_DATA_DIR"):
        sys.exit("set NETDEPT_DATABASE_URL or NETDEPT_DATA_DIR to the generated database")
    args.seconds = min(args.seconds, 300.0)  # bounded, whatever is asked
    args.duration = min(args.duration, 600.0)
    log = Path(args.log)

    print(f"database: {describe_database()}, {count_orders()} work orders")
    print(f"machine: {os.cpu_count()} cores, load average {load_average()} (before)")
    print(f"page: {DESK} as engineers bench-e001…bench-e{ENGINEERS:03d}; client: httpx asyncio")
    print(f"server output: {log}\n")

    if not args.only_load:
        configs = [("gunicorn", 1), ("gunicorn", args.workers)]
        if not args.no_waitress:
            configs.append(("waitress", 1))
        results: list[tuple[str, Outcome]] = []
        print(
            f"throughput: {args.sessions} sessions back to back for {args.seconds:.0f} s, "
            f"{args.threads} threads per process"
        )
        for name, workers in configs:
            with server(name, workers, args.threads, log) as (base, pid):
                o = asyncio.run(run_phase(base, pid, args.sessions, args.seconds, args.timeout))
            label = f"{name}, {workers} process{'es' if workers > 1 else ''}"
            results.append((label, o))
            print(
                f"  {label:<24} {o.rate():6.1f} pages/s  {latency_line(o)}  "
                f"errors {o.error_text()}  {cpu_line(o)}",
                flush=True,
            )
            for sample in o.samples:
                print(f"    error seen: {sample}")
        one, many = results[0][1], results[1][1]
        if one.rate():
            print(
                f"  → {args.workers} processes / 1 process: {many.rate() / one.rate():.2f}× "
                f"(load average now {load_average()})\n"
            )

    if args.no_load:
        return
    print(
        f"load: {args.concurrency} signed-in sessions, "
        + (f"pausing 0–{2 * args.think:.0f} s, " if args.think else "back to back, ")
        + f"{args.duration:.0f} s, "
        f"gunicorn {args.workers} processes × {args.threads} threads, "
        f"client timeout {args.timeout:.0f} s"
    )
    with server("gunicorn", args.workers, args.threads, log) as (base, pid):
        o = asyncio.run(
            run_phase(base, pid, args.concurrency, args.duration, args.timeout, args.think)
        )
    print(f"  requests answered 200: {o.ok} ({o.rate():.1f}/s)   {latency_line(o)}")
    print(f"  errors: {o.error_text()}   {cpu_line(o)}")
    if o.other:
        print(f"  other statuses: {dict(o.other)}")
    for sample in o.samples:
        print(f"    error seen: {sample}")
    if o.times:
        print(f"  mean {statistics.fmean(o.times) * 1000:.0f} ms")
    print(f"machine load average after: {load_average()}")


if __name__ == "__main__":
    main()
