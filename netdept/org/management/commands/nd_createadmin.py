"""``netdept createadmin USERNAME``: a system administrator account (no default password).

The password is asked twice on the terminal, or read from standard input with
``--password-stdin`` (scripts). Without a terminal and without ``--password-stdin`` the command
stops with a one-line error instead of waiting for input nobody can type.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.core import context
from netdept.core.management.base import NetDeptCommand
from netdept.org.models import Role
from netdept.org.services import AccountService, RoleAssignmentService


def _has_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


class Command(NetDeptCommand):
    help = gettext_lazy(
        "Create a system administrator account (manages accounts; roles are granted by the "
        "security administrator)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="USERNAME", help=_("account name"))
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=_("read the password from standard input"),
        )
        parser.add_argument("--email", default="", help=_("e-mail address"))
        parser.add_argument(
            "--role",
            default="sysadmin",
            help=_("role code to assign (default: sysadmin)"),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        User = get_user_model()
        username = opts["username"]
        try:
            exists = User.objects.filter(username=username).exists()
            role = Role.objects.filter(code=opts["role"]).first()
        except DatabaseError as exc:
            raise CommandError(
                _("The database is not ready (run “netdept manage migrate” first): %(error)s")
                % {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
            ) from exc
        if exists:
            raise CommandError(
                _("The account %(username)s exists already.") % {"username": username}
            )
        if role is None:
            raise CommandError(
                _("No role with code %(code)s. Run migrations first.") % {"code": opts["role"]}
            )
        password = self._password(opts["password_stdin"])
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self._create(username, opts["email"], password, role)
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(username)s with role %(role)s.")
                % {"username": username, "role": role.name}
            )
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n") if sys.stdin is not None else ""
        if not _has_terminal():
            raise CommandError(
                _(
                    "No terminal to ask the password on: give it on standard input with "
                    "--password-stdin."
                )
            )
        try:
            password = getpass.getpass(_("Password: "))
            again = getpass.getpass(_("Password (again): "))
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError(_("Cancelled: no account was created.")) from exc
        if password != again:
            raise CommandError(_("The passwords do not match."))
        return password

    def _create(self, username: str, email: str, password: str, role: Any) -> None:
        with context.acting(None, None, "command"), transaction.atomic():
            user = AccountService().create(
                None,
                {"username": username, "email": email, "is_active": True, "password": password},
                check=False,
            )
            RoleAssignmentService().create(None, {"user": user, "role": role}, check=False)
