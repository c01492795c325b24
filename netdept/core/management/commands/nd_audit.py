"""``netdept audit verify`` and ``netdept audit purge``."""

from __future__ import annotations

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
        result = audit.verify()
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
