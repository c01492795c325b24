"""The HTTP servers behind ``netdept web``: gunicorn (several processes) or waitress (one).

gunicorn runs NetDept in ``workers`` processes of ``threads`` threads each (the ``gthread``
worker: a worker accepts many keep-alive connections and hands requests to its threads), so a
machine's cores are used despite the GIL. It is the default on Linux. waitress (one process,
threads) serves where gunicorn cannot run: other systems, or when it is not installed.

gunicorn is started programmatically (``GunicornApplication``), inside the ``netdept web``
process, which becomes its arbiter: Django is set up once and the workers are forked from it.
Neither server names itself in a ``Server`` header.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WSGIApp = Callable[..., Any]

DEFAULT_THREADS = 4
DEFAULT_BACKLOG = 2048
DEFAULT_TIMEOUT = 60
DEFAULT_GRACEFUL_TIMEOUT = 10
# Seconds an idle keep-alive connection stays open. Longer than clients' own idle limits (5 s
# for most HTTP libraries, 60-75 s for proxies): the client then closes first, and never sends a
# request on a connection the server is closing at that instant (measured: a 5 s limit reset a
# few of 200 sessions that had waited while the others signed in). Idle connections wait in the
# poller, not in a thread, so holding them is cheap.
DEFAULT_KEEPALIVE = 75
WAITRESS_CONNECTION_LIMIT = 1000
SERVERS = ("auto", "gunicorn", "waitress")
SHM = Path("/dev/shm")  # noqa: S108


def cpu_count() -> int:
    """The cores this process may run on (its CPU affinity where the system tells)."""
    if hasattr(os, "sched_getaffinity"):
        with contextlib.suppress(OSError):
            return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def gunicorn_unavailable_reason() -> str | None:
    """None when gunicorn can serve here; otherwise why not (not translated: a log detail)."""
    if not sys.platform.startswith("linux"):
        return f"gunicorn runs on Linux only here (this is {sys.platform})"
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError as exc:
        return f"gunicorn cannot be imported ({exc})"
    return None


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    threads: int = DEFAULT_THREADS
    backlog: int = DEFAULT_BACKLOG
    timeout: int = DEFAULT_TIMEOUT
    graceful_timeout: int = DEFAULT_GRACEFUL_TIMEOUT
    keepalive: int = DEFAULT_KEEPALIVE
    loglevel: str = "info"

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def check_port_free(host: str, port: int) -> None:
    """Raise OSError when nothing can listen on host:port (gunicorn would retry, then exit)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))


def gunicorn_settings(opts: ServeOptions) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "bind": [opts.bind],
        "workers": opts.workers,
        "worker_class": "gthread",
        "threads": opts.threads,
        "worker_connections": 1000,
        "backlog": opts.backlog,
        "timeout": opts.timeout,
        "graceful_timeout": opts.graceful_timeout,
        "keepalive": opts.keepalive,
        "proc_name": "netdept-web",
        "loglevel": opts.loglevel,
        "errorlog": "-",
        "accesslog": None,
        # The application is loaded once, in the arbiter, and forked: less memory, fast boot.
        "preload_app": True,
        # One control socket per user ($HOME/.gunicorn) would be shared by every instance.
        "control_socket_disable": True,
    }
    # gunicorn's own advice: the workers' heartbeat files in memory, never a disk write (the
    # files are created with mkstemp, private to this user).
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        settings["worker_tmp_dir"] = str(SHM)
    return settings


def _hide_server_header() -> None:
    """gunicorn writes ``Server: gunicorn`` itself (no setting turns it off): drop that line."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "netdept_nameless", False):
        return

    class NamelessResponse(wsgi.Response):
        netdept_nameless = True

        def default_headers(self) -> list[str]:
            headers: list[str] = super().default_headers()
            return [h for h in headers if not h.lower().startswith("server:")]

    wsgi.Response = NamelessResponse


def _close_database_connections() -> None:
    """No database connection crosses a fork: each worker thread opens its own."""
    from django.db import connections

    connections.close_all()


def _pre_fork(server: Any, worker: Any) -> None:  # gunicorn checks the hook's arity
    _close_database_connections()
    # The loaded application's objects are never collected: a forked worker shares their
    # memory pages instead of copying each one the collector touches.
    gc.freeze()


def _worker_exit(server: Any, worker: Any) -> None:
    """The last thing a worker runs: leave at once with the worker's exit status.

    A worker's interpreter teardown frees every object of the forked application, which takes
    seconds on a busy machine (each page is copied before it is freed); nothing there is of
    use to a worker whose sockets gunicorn has closed, so the process ends here (logs flushed).
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    else:
        code = 0 if exc is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code & 0xFF)


def serve_gunicorn(application: WSGIApp, opts: ServeOptions) -> None:
    """Run gunicorn's arbiter in this process until SIGINT/SIGTERM; returns when it stopped.

    In a forked worker, the worker's own exit (SystemExit) propagates through here: callers
    must let SystemExit pass when ``os.getpid()`` is no longer theirs.
    """
    from gunicorn.app.base import BaseApplication

    _hide_server_header()
    settings = gunicorn_settings(opts)

    class GunicornApplication(BaseApplication):
        def load_config(self) -> None:
            known = self.cfg.settings
            for key, value in settings.items():
                if key in known:
                    self.cfg.set(key, value)
            self.cfg.set("pre_fork", _pre_fork)
            self.cfg.set("worker_exit", _worker_exit)

        def load(self) -> WSGIApp:
            return application

    arbiter_pid = os.getpid()
    _close_database_connections()
    try:
        GunicornApplication().run()
    except SystemExit as exc:
        if os.getpid() != arbiter_pid or exc.code not in (0, None):
            raise


def serve_waitress(application: WSGIApp, opts: ServeOptions) -> None:
    """Run waitress in this process until SIGINT/SIGTERM (raises OSError if it cannot listen)."""
    import signal
    from types import FrameType

    from waitress import create_server

    server = create_server(
        application,
        host=opts.host,
        port=opts.port,
        threads=opts.threads,
        backlog=opts.backlog,
        connection_limit=WAITRESS_CONNECTION_LIMIT,
        channel_timeout=max(opts.timeout, 30),
        ident="",  # no Server header
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)  # waitress' loop catches it and shuts down its threads

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.run()
