"""``netdept audit verify | checkpoint | purge``."""

from __future__ import annotations

import os
import time
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from netdept.core import audit, context
from netdept.core.audit_verify import stored_checkpoints
from netdept.core.management.base import NetDeptCommand


def _lazy(text: Any) -> str:
    return cast(str, text)  # argparse and Django take the lazy strings; mypy wants str


class Command(NetDeptCommand):
    help = _lazy(
        gettext_lazy(
            "Verify the audit trail's hash chain and seals, write a sealed checkpoint of its "
            "head, or purge records past the retention period."
        )
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "purge"])
        parser.add_argument(
            "--months",
            type=int,
            default=settings.NETDEPT["AUDIT_RETENTION_MONTHS"],
            help=_lazy(gettext_lazy("retention in calendar months for purge (at least 6)")),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help=_lazy(gettext_lazy("processes that verify slices of the chain at once")),
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help=_lazy(
                gettext_lazy(
                    "verify: also check the chain against this checkpoint file (a file written by "
                    "'checkpoint', or saved checkpoint messages); may be repeated"
                )
            ),
        )
        parser.add_argument(
            "--no-stored-checkpoints",
            action="store_true",
            help=_lazy(
                gettext_lazy(
                    "verify: do not check the checkpoints stored in the checkpoint directory"
                )
            ),
        )
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=_lazy(
                gettext_lazy(
                    "checkpoint: the file to write (default: a new file in the checkpoint "
                    "directory)"
                )
            ),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "purge":
            with context.acting(None, None, "command"):
                n = audit.purge(opts["months"])
            months = max(opts["months"], audit.MIN_RETENTION_MONTHS)
            self.stdout.write(
                _("Purged %(count)d audit records older than %(months)d months.")
                % {"count": n, "months": months}
            )
            return
        if opts["action"] == "checkpoint":
            self._checkpoint(opts.get("output"))
            return
        files = [*opts["checkpoint"]]
        if not opts["no_stored_checkpoints"]:
            files = [*map(str, stored_checkpoints()), *files]
        for name in opts["checkpoint"]:
            if not os.path.isfile(name):
                raise CommandError(_("--checkpoint: no such file: %(file)s") % {"file": name})
        started = time.monotonic()
        result = audit.verify(workers=max(1, opts["workers"]), checkpoints=files)
        took = time.monotonic() - started
        cps = ngettext(
            "%(cps)d checkpoint file", "%(cps)d checkpoint files", result.checkpoints
        ) % {"cps": result.checkpoints}
        summary = {"count": result.checked, "seconds": f"{took:.1f}", "files": cps}
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Audit trail intact: %(count)d records verified in %(seconds)s s, "
                        "%(files)s checked."
                    )
                    % summary
                )
            )
            return
        header = ngettext(
            "Audit trail BROKEN: %(n)d problem (%(count)d records checked in %(seconds)s s, "
            "%(files)s):",
            "Audit trail BROKEN: %(n)d problems (%(count)d records checked in %(seconds)s s, "
            "%(files)s):",
            len(result.problems),
        ) % {**summary, "n": len(result.problems)}
        raise CommandError("\n".join([header, *(f"  - {p.message}" for p in result.problems)]))

    def _checkpoint(self, output: str | None) -> None:
        try:
            cp, path = audit.write_checkpoint(output)
        except OSError as exc:
            raise CommandError(
                _("Cannot write the checkpoint to %(file)s: %(error)s")
                % {"file": output or str(exc.filename or ""), "error": exc.strerror}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint of record #%(seq)d written to %(file)s.")
                % {"seq": cp.seq, "file": path}
            )
        )
        self.stdout.write(cp.to_json())
