"""``netdept audit verify`` and ``netdept audit purge``."""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from netdept.core import audit, context


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or purge records past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "purge"])
        parser.add_argument(
            "--months",
            type=int,
            default=settings.NETDEPT["AUDIT_RETENTION_MONTHS"],
            help="retention in calendar months for purge (at least 6)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes that verify slices of the chain at once",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "purge":
            with context.acting(None, None, "command"):
                n = audit.purge(opts["months"])
            self.stdout.write(
                f"Purged {n} audit records older than "
                f"{max(opts['months'], audit.MIN_RETENTION_MONTHS)} months."
            )
            return
        started = time.monotonic()
        result = audit.verify(workers=max(1, opts["workers"]))
        took = time.monotonic() - started
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit trail intact: {result.checked} records verified in {took:.1f} s."
                )
            )
            return
        raise CommandError(
            f"Audit trail BROKEN at record #{result.first_bad_seq}: "
            f"{result.reason} ({result.checked} records verified before it)."
        )
