"""``netdept web``: serve NetDept over HTTP (static files through whitenoise).

gunicorn with ``--workers`` processes (default: one per core) of ``--threads`` threads on Linux;
waitress (one process) elsewhere, when gunicorn cannot be imported, or with ``--server
waitress``. See ``netdept.core.webserver``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.core.servers.basehttp import get_internal_wsgi_application
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import webserver
from netdept.core.management.base import NetDeptCommand

logger = logging.getLogger("netdept.web")

STAMP = ".netdept-static-stamp"


def static_fingerprint() -> str:
    """A digest of every static file the finders see (path, size, mtime)."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            try:
                st = Path(storage.path(path)).stat()
            except (NotImplementedError, OSError):
                continue
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def collectstatic_if_needed(stdout: Any = None) -> bool:
    """Run ``collectstatic`` when STATIC_ROOT is missing or older than the sources."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP
    current = static_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == current:
        return False
    call_command("collectstatic", interactive=False, verbosity=0, stdout=stdout)
    root.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return True


def add_server_arguments(parser: CommandParser) -> None:
    """The web server's options (shared by ``netdept web``, ``run`` and ``demo``)."""
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    parser.add_argument("--port", type=int, default=8000, help=_("port to listen on"))
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=_("web server processes (default: one per core; gunicorn only)"),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=webserver.DEFAULT_THREADS,
        metavar="T",
        help=_("threads per web server process"),
    )
    parser.add_argument(
        "--server",
        choices=webserver.SERVERS,
        default="auto",
        help=_(
            "gunicorn (several processes, Linux) or waitress (one process, anywhere); "
            "auto: gunicorn where it can run"
        ),
    )


def server_argv(opts: dict[str, Any]) -> list[str]:
    """The web server options of ``opts`` as ``netdept web`` arguments."""
    argv = ["--host", opts["host"], "--port", str(opts["port"])]
    argv += ["--threads", str(opts["threads"]), "--server", opts["server"]]
    if opts.get("workers") is not None:
        argv += ["--workers", str(opts["workers"])]
    return argv


def choose_server(opts: dict[str, Any]) -> tuple[str, int, str]:
    """(server, processes, fallback notice) from the server options; CommandError if invalid.

    Also called by ``netdept run`` and ``demo`` before they start anything."""
    workers = opts["workers"]
    if workers is not None and workers < 1:
        raise CommandError(_("--workers must be at least 1."))
    if opts["threads"] < 1:
        raise CommandError(_("--%(option)s must be at least 1.") % {"option": "threads"})
    reason = webserver.gunicorn_unavailable_reason()
    if opts["server"] == "gunicorn" and reason:
        raise CommandError(_("gunicorn cannot serve here: %(reason)s") % {"reason": reason})
    if opts["server"] == "waitress" or (opts["server"] == "auto" and reason):
        if workers is not None and workers > 1:
            raise CommandError(
                _("waitress serves from one process: --workers %(n)d needs gunicorn.")
                % {"n": workers}
            )
        notice = ""
        if opts["server"] == "auto":
            notice = _("gunicorn cannot serve here (%(reason)s): serving with waitress.") % {
                "reason": reason
            }
        return "waitress", 1, notice
    return "gunicorn", workers or webserver.cpu_count(), ""


class Command(NetDeptCommand):
    help = gettext_lazy(
        "Serve the web application: gunicorn with several processes on Linux, else waitress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--timeout",
            type=int,
            default=webserver.DEFAULT_TIMEOUT,
            metavar="SECONDS",
            help=_("a silent gunicorn worker is restarted after this many seconds"),
        )
        parser.add_argument(
            "--backlog",
            type=int,
            default=webserver.DEFAULT_BACKLOG,
            help=_("connections waiting to be accepted"),
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help=_("never run collectstatic"),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        server, workers, fallback = choose_server(opts)
        if fallback:
            self.stderr.write(fallback)
        for name in ("timeout", "backlog"):
            if opts[name] < 1:
                raise CommandError(_("--%(option)s must be at least 1.") % {"option": name})
        if not opts["no_collectstatic"] and collectstatic_if_needed():
            self.stdout.write(_("Collected static files."))
        try:
            webserver.check_port_free(opts["host"], opts["port"])
        except (OSError, OverflowError) as exc:
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)s: %(error)s")
                % {"host": opts["host"], "port": opts["port"], "error": exc}
            ) from exc
        serve = webserver.ServeOptions(
            host=opts["host"],
            port=opts["port"],
            workers=workers,
            threads=opts["threads"],
            backlog=opts["backlog"],
            timeout=opts["timeout"],
            loglevel={0: "warning", 1: "info"}.get(opts["verbosity"], "debug"),
        )
        application = get_internal_wsgi_application()  # settings.WSGI_APPLICATION

        host = opts["host"] if ":" not in opts["host"] else f"[{opts['host']}]"
        self.stdout.write(
            _(
                "NetDept is serving on %(url)s (%(server)s; processes: %(workers)d, "
                "threads each: %(threads)d)."
            )
            % {
                "url": f"http://{host}:{opts['port']}/",
                "server": server,
                "workers": workers,
                "threads": opts["threads"],
            }
        )
        self.stdout.flush()
        pid = os.getpid()
        if server == "gunicorn":
            webserver.serve_gunicorn(application, serve)
        else:
            try:
                webserver.serve_waitress(application, serve)
            except OSError as exc:
                raise CommandError(
                    _("Cannot listen on %(host)s:%(port)s: %(error)s")
                    % {"host": opts["host"], "port": opts["port"], "error": exc}
                ) from exc
        if os.getpid() == pid:
            self.stdout.write(_("Web server stopped."))
