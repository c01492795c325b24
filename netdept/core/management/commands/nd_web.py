"""``netdept web``: serve NetDept over HTTP with waitress (static files through whitenoise)."""

from __future__ import annotations

import hashlib
import logging
import signal
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

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


class Command(BaseCommand):
    help = "Serve the web application with waitress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="worker threads")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="never run collectstatic"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from waitress import create_server

        from netdept.wsgi import application

        if opts["threads"] < 1:
            raise CommandError("--threads must be at least 1.")
        if not opts["no_collectstatic"] and collectstatic_if_needed():
            self.stdout.write("Collected static files.")
        try:
            server = create_server(
                application, host=opts["host"], port=opts["port"], threads=opts["threads"]
            )
        except OSError as exc:
            raise CommandError(f"Cannot listen on {opts['host']}:{opts['port']}: {exc}") from exc

        def stop(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(0)  # waitress' loop catches it and shuts down its threads

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        host = opts["host"] if ":" not in opts["host"] else f"[{opts['host']}]"
        self.stdout.write(f"NetDept is serving on http://{host}:{opts['port']}/", ending="\n")
        self.stdout.flush()
        server.run()
        self.stdout.write("Web server stopped.")
