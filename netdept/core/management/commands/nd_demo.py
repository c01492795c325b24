"""``netdept demo``: migrate, load the demo hospital, print the logins, then run NetDept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from netdept.core.management.commands.nd_run import prepare, supervise


class Command(BaseCommand):
    help = "Load the demo hospital network department and run NetDept (web, worker, scheduler)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="web server threads")
        parser.add_argument(
            "--no-run", action="store_true", help="load the demo data and print the logins only"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from netdept.org import demo

        prepare(opts["verbosity"], stdout=self.stdout)
        try:
            result = demo.load()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if result.created:
            self.stdout.write(self.style.SUCCESS("Loaded the demo data."))
        host = opts["host"] if opts["host"] not in {"0.0.0.0", "::"} else "127.0.0.1"  # noqa: S104
        self.stdout.write(demo.format_logins(result, url=f"http://{host}:{opts['port']}"))
        if opts["no_run"]:
            return
        code = supervise(opts["host"], opts["port"], opts["threads"], self.stdout)
        if code:
            raise CommandError("A NetDept process stopped unexpectedly.", returncode=code)
