"""``netdept scheduler``: fire periodic jobs (one active scheduler; others stand by)."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core.management.base import NetDeptCommand
from netdept.tasks.scheduler import Scheduler, jobs


class Command(NetDeptCommand):
    help = gettext_lazy(
        "Run the scheduler of periodic jobs (a leader lease keeps one active at a time)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help=_("seconds between checks (default 5)"),
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=30.0,
            help=_("seconds a leader lease lasts (default 30)"),
        )
        parser.add_argument(
            "--list", action="store_true", help=_("list the periodic jobs and exit")
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            from django.utils import timezone

            now = timezone.now()
            for job in sorted(jobs().values(), key=lambda j: j.name):
                self.stdout.write(
                    _("%(name)s %(cron)s next %(due)s")
                    % {
                        "name": f"{job.name:40}",
                        "cron": f"{job.cron:20}",
                        "due": timezone.localtime(job.next_due(now)),
                    }
                )
            return
        if opts["tick"] <= 0 or opts["tick"] >= opts["lease"]:
            raise CommandError(_("--tick must be positive and shorter than --lease."))
        if opts["verbosity"] >= 1:
            logging.getLogger("netdept.tasks.scheduler").setLevel(
                logging.DEBUG if opts["verbosity"] > 1 else logging.INFO
            )
        scheduler = Scheduler(tick_seconds=opts["tick"], lease_seconds=opts["lease"])

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        scheduler.run()
