"""``netdept demo``: migrate, load the demo hospital, print the logins, then run NetDept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core.management.base import NetDeptCommand
from netdept.core.management.commands.nd_run import prepare, supervise
from netdept.core.management.commands.nd_web import add_server_arguments, choose_server
from netdept.org import demo


def logins_text(result: Any, url: str) -> str:
    """The demo's address, password and accounts, in the configured language."""
    lines = [
        _("NetDept demo: %(url)s") % {"url": url},
        _("Password of every demo account: %(password)s") % {"password": result.password},
        _("(kept in %(path)s)") % {"path": result.password_file},
        _("sysadmin, secadmin and the auditor set up a TOTP authenticator app at first sign-in."),
        "",
    ]
    width = max((len(login.username) for login in result.logins), default=0)
    for login in result.logins:
        lines.append(
            f"  {login.username.ljust(width)}  {result.password}  {login.role} {login.name}"
        )
    return "\n".join(lines)


class Command(NetDeptCommand):
    help = gettext_lazy(
        "Load the demo hospital network department and run NetDept (web, worker, scheduler)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--no-run",
            action="store_true",
            help=_("load the demo data and print the logins only"),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        choose_server(opts)  # bad web options: an error before anything starts
        prepare(opts["verbosity"], stdout=self.stdout)
        try:
            result = demo.load()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if result.created:
            self.stdout.write(self.style.SUCCESS(_("Loaded the demo data.")))
        host = opts["host"] if opts["host"] not in {"0.0.0.0", "::"} else "127.0.0.1"  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        self.stdout.write(logins_text(result, url=f"http://{host}:{opts['port']}"))
        if opts["no_run"]:
            return
        code = supervise(opts, self.stdout)
        if code:
            raise CommandError(_("A NetDept process stopped unexpectedly."), returncode=code)
