"""``netdept run``: web server, task worker and scheduler in one command (three processes).

Migrations are applied first. Ctrl-C (SIGINT) or SIGTERM stops the three cleanly and exits 0;
if one of them dies, the others are stopped and the command exits non-zero.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core.management.base import NetDeptCommand
from netdept.core.management.commands.nd_web import (
    add_server_arguments,
    choose_server,
    server_argv,
)

STOP_TIMEOUT = 15.0


def prepare(verbosity: int = 1, stdout: Any = None) -> None:
    """Apply migrations and create the cache table when the database cache is used."""
    call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0), stdout=stdout)
    if any(
        cache.get("BACKEND", "").endswith("DatabaseCache") for cache in settings.CACHES.values()
    ):
        call_command("createcachetable", verbosity=0, stdout=stdout)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if ``netdept run`` itself is killed."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def child_commands(web_args: list[str]) -> list[tuple[str, list[str]]]:
    base = [sys.executable, "-m", "netdept.cli"]
    return [
        ("web", [*base, "web", *web_args]),
        ("worker", [*base, "worker"]),
        ("scheduler", [*base, "scheduler"]),
    ]


def stop_all(procs: list[tuple[str, subprocess.Popen[bytes]]], timeout: float) -> None:
    for _name, proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
    deadline = time.monotonic() + timeout
    for _name, proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()


def supervise(opts: dict[str, Any], stdout: OutputWrapper) -> int:
    """Start the three processes and watch them; returns the exit code for the command.

    ``opts`` holds the web server options (see ``nd_web.add_server_arguments``)."""
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
    env["PYTHONUNBUFFERED"] = "1"
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    failed: tuple[str, int] | None = None
    try:
        for name, argv in child_commands(server_argv(opts)):
            # Own session: a Ctrl-C in the terminal reaches only this process, which then
            # stops each child exactly once (a second signal would abort a running task).
            procs.append(
                (
                    name,
                    subprocess.Popen(
                        argv,
                        env=env,
                        start_new_session=True,
                        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                    ),
                )
            )
        host = opts["host"] if ":" not in opts["host"] else f"[{opts['host']}]"
        stdout.write(
            _("NetDept is running on %(url)s (web, worker, scheduler). Press Ctrl-C to stop.")
            % {"url": f"http://{host}:{opts['port']}/"}
        )
        while not stopping:
            for name, proc in procs:
                code = proc.poll()
                if code is not None:
                    failed = (name, code)
                    break
            if failed:
                break
            time.sleep(0.2)
    finally:
        stop_all(procs, STOP_TIMEOUT)
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if failed:
        stdout.write(
            _("The %(process)s process exited (code %(code)s); stopped the others.")
            % {"process": failed[0], "code": failed[1]}
        )
        return failed[1] or 1
    stdout.write(_("Stopped."))
    return 0


class Command(NetDeptCommand):
    help = gettext_lazy("Run the web server, a task worker and the scheduler together.")

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        choose_server(opts)  # bad web options: an error before anything starts
        prepare(opts["verbosity"], stdout=self.stdout)
        code = supervise(opts, self.stdout)
        if code:
            raise CommandError(_("A NetDept process stopped unexpectedly."), returncode=code)
