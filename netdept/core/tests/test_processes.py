"""The real processes: a killed worker's task runs again, two schedulers elect one leader,
``netdept run`` serves and stops cleanly, the RQ backend runs tasks, and the demo data loads.

Process tests run ``python -m netdept.cli`` in subprocesses on a file-based SQLite database in
their own data directory (a copy of one migrated once per session), and inspect it with sqlite3.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from netdept.core import audit

ROOT = Path(__file__).resolve().parents[3]
DB_NAME = "netdept.sqlite3"
REDIS_URL = "redis://127.0.0.1:6379/15"


# --- helpers ---------------------------------------------------------------------------------


def child_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NETDEPT_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        NETDEPT_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="netdept.settings",
        PYTHONUNBUFFERED="1",
        NETDEPT_LOG_LEVEL="INFO",
    )
    return env


def netdept(data_dir: Path, *args: str, log: Path | None = None, **kwargs: Any) -> subprocess.Popen:
    out = open(log or data_dir / "out.log", "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "netdept.cli", *args],
        cwd=ROOT,
        env=child_env(data_dir),
        stdout=out,
        stderr=subprocess.STDOUT,
        **kwargs,
    )


def python(data_dir: Path, code: str) -> str:
    """Run ``code`` after ``django.setup()`` in a subprocess on ``data_dir``; its stdout."""
    prelude = "import django; django.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=ROOT,
        env=child_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def query(data_dir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(data_dir / DB_NAME, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def log_text(data_dir: Path) -> str:
    path = data_dir / "out.log"
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory migrated once per session (copied by each test)."""
    data_dir = tmp_path_factory.mktemp("netdept-migrated")
    done = subprocess.run(
        [sys.executable, "-m", "netdept.cli", "manage", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=child_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.fixture
def data_dir(tmp_path: Path, migrated_template: Path) -> Iterator[Path]:
    target = tmp_path / "data"
    target.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = migrated_template / f"{DB_NAME}{suffix}"
        if source.exists():
            shutil.copy2(source, target / source.name)
    yield target


@contextlib.contextmanager
def running(proc: subprocess.Popen, data_dir: Path) -> Iterator[subprocess.Popen]:
    try:
        yield proc
    except BaseException:
        print(log_text(data_dir))
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- a killed worker -------------------------------------------------------------------------


def task_row(data_dir: Path, task_id: str) -> tuple[str, str] | None:
    rows = query(
        data_dir,
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?",
        (uuid.UUID(task_id).hex,),
    )
    return rows[0] if rows else None


def effects(data_dir: Path, key: str) -> int:
    return query(data_dir, "SELECT count(*) FROM org_department WHERE name = ?", (key,))[0][0]


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
def test_a_task_of_a_killed_worker_runs_again_and_its_effect_happens_once(data_dir: Path):
    key = f"effect-{uuid.uuid4().hex[:8]}"
    task_id = python(
        data_dir,
        "from netdept.core.tests.tasks_for_tests import effect_then_sleep\n"
        f"print(effect_then_sleep.enqueue({key!r}, 120).id)",
    )
    fast = ["--heartbeat", "0.5", "--stale-after", "2", "--interval", "0.2"]
    first = netdept(data_dir, "worker", "--queue", "default", *fast, start_new_session=True)
    with running(first, data_dir):
        # The effect committed and the task sleeps: kill the worker without warning.
        wait_for(
            lambda: effects(data_dir, key) == 1 and task_row(data_dir, task_id)[0] == "RUNNING",
            60,
            "the first worker to run the task",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    time.sleep(1)
    assert task_row(data_dir, task_id)[0] == "RUNNING"  # nothing else recovers it

    second = netdept(data_dir, "worker", *fast, start_new_session=True)
    with running(second, data_dir):
        wait_for(
            lambda: task_row(data_dir, task_id)[0] == "SUCCESSFUL",
            60,
            "the reaper to queue the task again and a worker to finish it",
        )
        assert stop(second) == 0
    assert effects(data_dir, key) == 1
    assert query(
        data_dir, "SELECT count(*) FROM core_taskeffect WHERE key = ?", (f"test-effect:{key}",)
    ) == [(1,)]
    _status, worker_ids = task_row(data_dir, task_id)
    assert len(json.loads(worker_ids)) == 2  # two attempts, two workers
    assert "Task" in log_text(data_dir) and "queued it again" in log_text(data_dir)
    # The second worker removed its heartbeat when it stopped.
    assert query(
        data_dir, "SELECT count(*) FROM core_workerheartbeat WHERE pid = ?", (second.pid,)
    ) == [(0,)]


# --- two scheduler processes ---------------------------------------------------------------


def lease_holder(data_dir: Path) -> str | None:
    rows = query(data_dir, "SELECT holder FROM core_schedulerlease WHERE name = 'scheduler'")
    return rows[0][0] if rows else None


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
def test_two_scheduler_processes_elect_one_leader_and_the_standby_takes_over(data_dir: Path):
    fast = ["--tick", "0.3", "--lease", "2"]
    a = netdept(data_dir, "scheduler", *fast)
    b = netdept(data_dir, "scheduler", *fast)
    with running(a, data_dir), running(b, data_dir):
        holder = wait_for(lambda: lease_holder(data_dir), 60, "a scheduler to take the lease")
        time.sleep(1.5)  # both tick several times; the holder does not change
        assert lease_holder(data_dir) == holder
        pid = int(holder.split(":")[1])
        leader, standby = (a, b) if pid == a.pid else (b, a)
        assert pid == leader.pid
        leader.send_signal(signal.SIGKILL)  # no release: the standby must wait for expiry
        leader.wait(timeout=10)
        new_holder = wait_for(
            lambda: (h := lease_holder(data_dir)) and h != holder and h, 30, "the takeover"
        )
        assert int(new_holder.split(":")[1]) == standby.pid
        assert stop(standby) == 0
    assert lease_holder(data_dir) is None  # released on a clean stop


# --- netdept run -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    """Children, grandchildren… (``netdept run`` → web arbiter → gunicorn workers)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = children_of(todo.pop())
        found += kids
        todo += kids
    return found


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def http_head(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return {k.lower(): v for k, v in response.headers.items()}


def translated(message: str) -> str:
    """``message`` in the language the processes speak (netdept.settings: zh-hans)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(message)


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find child processes")
def test_netdept_run_serves_and_stops_cleanly_on_ctrl_c(data_dir: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = netdept(data_dir, "run", "--port", str(port), "--threads", "2", "--workers", "2")
    with running(proc, data_dir):
        wait_for(lambda: http_get(f"{base}/accounts/login/")[0] == 200, 120, "the login page")
        status, body = http_get(f"{base}/static/vendor/htmx/htmx.min.js")
        assert status == 200 and b"htmx" in body
        kids = children_of(proc.pid)
        assert len(kids) == 3
        everyone = wait_for(
            lambda: d if len(d := descendants_of(proc.pid)) >= 5 else None,
            60,
            "the web server's two worker processes",
        )
        assert stop(proc, signal.SIGINT) == 0
    for pid in everyone:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} still runs"
    assert translated("Stopped.") in log_text(data_dir)


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
def test_netdept_run_stops_everything_when_a_child_dies(data_dir: Path):
    port = free_port()
    proc = netdept(data_dir, "run", "--port", str(port), "--threads", "2")
    with running(proc, data_dir):
        wait_for(lambda: http_get(f"http://127.0.0.1:{port}/accounts/login/")[0], 120, "web")
        kids = children_of(proc.pid)
        os.kill(kids[0], signal.SIGKILL)
        assert proc.wait(timeout=60) != 0
    for pid in kids:
        assert not Path(f"/proc/{pid}").exists()


# --- netdept web: gunicorn with several processes -----------------------------------------


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def worker_pids(arbiter: int, count: int) -> list[int]:
    return wait_for(
        lambda: k if len(k := children_of(arbiter)) == count else None,
        60,
        f"{count} gunicorn workers",
    )


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gunicorn runs on Linux")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_netdept_web_serves_from_two_gunicorn_processes_and_stops_cleanly(data_dir: Path, sig: int):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = netdept(data_dir, "web", "--port", str(port), "--workers", "2", "--threads", "2")
    with running(proc, data_dir):
        wait_for(lambda: http_get(f"{base}/accounts/login/")[0] == 200, 120, "the login page")
        workers = worker_pids(proc.pid, 2)
        # Both processes serve: concurrent requests on fresh connections go to whichever
        # worker accepts first, so rounds of them are sent until each worker has spent CPU
        # time on some (an idle worker spends none).
        before = {pid: cpu_ticks(pid) for pid in workers}
        with ThreadPoolExecutor(8) as pool:
            for _round in range(15):
                answers = list(pool.map(http_get, [f"{base}/accounts/login/"] * 16))
                assert all(st == 200 and b"csrfmiddlewaretoken" in b for st, b in answers)
                if all(cpu_ticks(pid) - before[pid] >= 5 for pid in workers):
                    break
            else:
                raise AssertionError("one gunicorn worker served nothing")
        status, body = http_get(f"{base}/static/vendor/htmx/htmx.min.js")
        assert status == 200 and b"htmx" in body
        headers = http_head(f"{base}/accounts/login/")
        assert "server" not in headers, headers  # the banner names nothing
        for pid in workers:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            assert state != "Z"
        started = time.monotonic()
        assert stop(proc, sig) == 0
        took = time.monotonic() - started
    for pid in [proc.pid, *workers]:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} still runs"
    assert took < 20, f"stopping took {took:.1f} s"
    text = log_text(data_dir)
    assert "gunicorn" in text and translated("Web server stopped.") in text


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
def test_netdept_web_falls_back_to_waitress_on_request(data_dir: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = netdept(data_dir, "web", "--port", str(port), "--server", "waitress", "--threads", "2")
    with running(proc, data_dir):
        wait_for(lambda: http_get(f"{base}/accounts/login/")[0] == 200, 120, "the login page")
        assert "server" not in http_head(f"{base}/accounts/login/")
        assert children_of(proc.pid) == []  # one process
        assert stop(proc, signal.SIGTERM) == 0
    assert translated("Web server stopped.") in log_text(data_dir)


# once: the processes run on a SQLite file of their own (child_env drops NETDEPT_DATABASE_URL),
# so the PostgreSQL run of scripts/test.sh would repeat them unchanged; it deselects them.
@pytest.mark.once
def test_waitress_refuses_several_workers(data_dir: Path):
    proc = netdept(data_dir, "web", "--server", "waitress", "--workers", "3")
    with running(proc, data_dir):
        assert proc.wait(timeout=120) == 1
    assert "--workers 3" in log_text(data_dir)


# --- RQ backend ----------------------------------------------------------------------------


@pytest.fixture
def redis_connection() -> Iterator[Any]:
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.RedisError:
        if os.environ.get("NETDEPT_REQUIRE_SERVICES") == "1":
            pytest.fail("Redis at 127.0.0.1:6379 is required (NETDEPT_REQUIRE_SERVICES=1)")
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    yield conn
    conn.close()


# every database: no subprocess (the worker runs in this process, with the test database
# configured), and it is quick; not a process test
@pytest.mark.redis
@pytest.mark.django_db
def test_rq_backend_runs_tasks_enqueued_through_django_tasks(redis_connection: Any):
    from netdept.core.tests import tasks_for_tests

    queue = f"ndtest-{uuid.uuid4().hex[:8]}"
    tasks_settings = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    result = None
    try:
        with override_settings(
            TASKS=tasks_settings,
            RQ_QUEUES={queue: {"URL": REDIS_URL}, "default": {"URL": REDIS_URL}},
        ):
            result = tasks_for_tests.add.using(queue_name=queue).enqueue(2, 3)
            assert result.status == "READY"
            call_command("nd_worker", "--queue", queue, "--burst", "--worker-id", f"{queue}-w")
            result.refresh()
            assert result.status == "SUCCESSFUL"
            assert result.return_value == 5
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        patterns = [f"*{queue}*"] + ([f"*{result.id}*"] if result is not None else [])
        for pattern in patterns:
            for key in redis_connection.scan_iter(match=pattern):
                redis_connection.delete(key)
        for key in ("rq:workers", "rq:queues"):
            members = [m for m in redis_connection.smembers(key) if queue.encode() in m]
            if members:
                redis_connection.srem(key, *members)


# --- demo data -------------------------------------------------------------------------------


# every database: the demo data is loaded in this process into the test database (what it
# tests is the database's contents: once, idempotent, the sign-ins)
@pytest.mark.django_db
def test_demo_data_loads_once_and_every_demo_account_signs_in(tmp_path: Path):
    from netdept.org import demo
    from netdept.org.models import Department, Person, Position, RoleAssignment, Team

    first = demo.load(data_dir=tmp_path)
    password_file = tmp_path / "demo-password.txt"
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert password_file.read_text().strip() == first.password
    assert first.created > 0

    network = Department.objects.get(name="信息科/网络部")
    assert network.kind == "network"
    assert network.parent.name == "某市人民医院"
    served = set(
        Department.objects.filter(kind="served", parent=network.parent).values_list(
            "name", flat=True
        )
    )
    assert served == {"内科", "外科", "财务科", "护理部", "检验科"}
    teams = {t.name: t for t in Team.objects.filter(department=network)}
    assert set(teams) == {"网络运维组", "系统开发组", "网络安全组"}
    for team in teams.values():
        assert (
            team.lead is not None
            and team.lead.user.role_assignments.filter(role__code="team_lead").exists()
        )
    positions = set(Position.objects.filter(department=network).values_list("name", flat=True))
    assert positions >= {"网络运维工程师", "系统开发工程师", "网络安全工程师", "主任", "组长"}
    assert all(p.responsibilities for p in Position.objects.all())

    roles = {}
    for ra in RoleAssignment.objects.select_related("user", "role"):
        roles.setdefault(ra.role.code, set()).add(ra.user.username)
    assert roles["director"] == {"director"}
    assert len(roles["team_lead"]) == 3
    assert len(roles["engineer"]) >= 5
    assert {"auditor", "sysadmin", "secadmin"} <= set(roles)
    requester_departments = set(
        Person.objects.filter(user__role_assignments__role__code="requester").values_list(
            "department__name", flat=True
        )
    )
    assert requester_departments == {"内科", "外科", "财务科"}

    counts = (Department.objects.count(), Person.objects.count(), get_user_model().objects.count())
    second = demo.load(data_dir=tmp_path)
    assert second.password == first.password
    assert second.created == 0
    assert (
        Department.objects.count(),
        Person.objects.count(),
        get_user_model().objects.count(),
    ) == counts
    assert RoleAssignment.objects.count() == sum(len(v) for v in roles.values())

    text = demo.format_logins(second)
    assert "http://127.0.0.1:8000" in text and first.password in text
    for login in second.logins:
        assert login.username in text
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": first.password}
        )
        assert response.status_code == 302, login.username
        assert client.session.get("_auth_user_id"), login.username

    assert audit.verify().ok
    assert audit.history(network).filter(action="create").exists()
