"""A worker killed mid-send loses nothing and does not send twice for one delivery.

Real processes: ``netdept worker`` on a file SQLite database (as in test_processes), a real
webhook receiver in this process, SIGKILL at the worst moments. The claim timeout is set to a
few seconds for the child processes (``NETDEPT_NOTIFY_CLAIM_TIMEOUT``).
"""

# ruff: noqa: F811  (pytest fixtures imported from a helper module)

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from netdept.core.tests.test_processes import (  # noqa: F401  (fixtures)
    ROOT,
    child_env,
    data_dir,
    log_text,
    migrated_template,
    query,
    running,
    stop,
    wait_for,
)
from netdept.testing.receivers import RobotServer

# once: the workers run in subprocesses on a SQLite file of their own (child_env), never on the
# test database, so the PostgreSQL run of scripts/test.sh deselects them
pytestmark = pytest.mark.once

CLAIM_TIMEOUT = 3
FAST = ["--queue", "notify", "--heartbeat", "0.5", "--stale-after", "2", "--interval", "0.2"]

SETUP = """
from django.db import transaction
from netdept.core import crypto
from netdept.notify.models import AllowedHost, Delivery, NotificationChannel
from netdept.notify.models import NotificationPreference
from netdept.notify import notify
from netdept.testing.factories import UserFactory
AllowedHost.objects.get_or_create(host="127.0.0.1")
ch = NotificationChannel.objects.create(
    name="kill-hook", kind="webhook", url_encrypted=crypto.encrypt({url!r}), url_host="127.0.0.1"
)
user = UserFactory(username="oncall")
pref = NotificationPreference.objects.create(user=user, kind="core.test", inbox=True)
pref.channels.set([ch])
with transaction.atomic():
    note = notify("core.test", recipients=[user], data={{"message": "kill test"}})
print(Delivery.objects.get(notification=note, channel=ch).pk)
"""


def env(data_dir: Path) -> dict[str, str]:
    return {
        **child_env(data_dir),
        "NETDEPT_NOTIFY_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
        # the receiver listens on this machine, which production settings refuse to call
        "NETDEPT_OUTBOUND_ALLOW_LOOPBACK": "1",
    }


def python(data_dir: Path, code: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def worker(data_dir: Path) -> subprocess.Popen[bytes]:
    out = open(data_dir / "out.log", "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "netdept.cli", "worker", *FAST],
        cwd=ROOT,
        env=env(data_dir),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def delivery(data_dir: Path, pk: int) -> tuple[Any, ...]:
    return query(
        data_dir, "SELECT status, attempts, claimed_at FROM core_delivery WHERE id = ?", (pk,)
    )[0]


def dispatch(data_dir: Path) -> None:
    """What the scheduler does every minute: queue the dispatcher (a worker runs it)."""
    python(
        data_dir,
        "from netdept.notify.tasks import dispatch_due_deliveries\n"
        "dispatch_due_deliveries.enqueue()",
    )


@pytest.mark.timeout(180)
def test_a_worker_killed_while_the_receiver_holds_the_request(data_dir: Path):
    with RobotServer() as srv:
        srv.delay = 30  # the receiver has the request and sits on it
        pk = int(python(data_dir, SETUP.format(url=srv.url("/hooks/kill"))).stdout.split()[-1])
        first = worker(data_dir)
        with running(first, data_dir):
            wait_for(lambda: srv.of("webhook"), 60, "the first worker to send the request")
            assert delivery(data_dir, pk)[:2] == ("sending", 1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        srv.delay = 0
        time.sleep(CLAIM_TIMEOUT + 0.5)  # the dead worker's claim expires
        second = worker(data_dir)
        with running(second, data_dir):
            dispatch(data_dir)
            wait_for(lambda: delivery(data_dir, pk)[0] == "sent", 60, "the resend")
            time.sleep(1)  # the re-run of the killed task (reaper) must not send again
            assert stop(second) == 0
        got = srv.of("webhook")
        assert len(got) == 2, log_text(data_dir)
        ids = {r.headers.get("X-NetDept-Delivery") for r in got}
        assert ids == {str(pk)}  # the receiver can drop the duplicate
        status, attempts, _claimed = delivery(data_dir, pk)
        assert (status, attempts) == ("sent", 2)


@pytest.mark.timeout(180)
def test_a_worker_killed_before_the_request_leads_to_exactly_one_request(data_dir: Path):
    with RobotServer() as srv:
        pk = int(python(data_dir, SETUP.format(url=srv.url("/hooks/kill"))).stdout.split()[-1])
        # A real process claims the delivery and dies before it sends anything.
        died = python(
            data_dir,
            "import os, signal\n"
            "from netdept.notify import sending\n"
            f"assert sending.claim({pk}) is not None\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
            check=False,
        )
        assert died.returncode == -signal.SIGKILL
        assert delivery(data_dir, pk)[:2] == ("sending", 1)
        w = worker(data_dir)
        with running(w, data_dir):
            # The queued task runs while the claim is fresh: it must not send.
            time.sleep(1.5)
            assert srv.of("webhook") == []
            time.sleep(CLAIM_TIMEOUT)
            dispatch(data_dir)
            wait_for(lambda: delivery(data_dir, pk)[0] == "sent", 60, "the send after expiry")
            dispatch(data_dir)  # nothing left to do
            time.sleep(1.5)
            assert stop(w) == 0
        got = srv.of("webhook")
        assert len(got) == 1, log_text(data_dir)
        assert got[0].headers.get("X-NetDept-Delivery") == str(pk)
        assert delivery(data_dir, pk)[:2] == ("sent", 2)
