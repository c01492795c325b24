"""``netdept createadmin USERNAME``: a system administrator account (no default password)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from netdept.core import context


class Command(BaseCommand):
    help = "Create a system administrator account (manages accounts and roles)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--role", default="sysadmin", help="role code to assign (default: sysadmin)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from netdept.org.models import Role
        from netdept.org.services import AccountService, RoleAssignmentService

        User = get_user_model()
        username = opts["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The account {username!r} exists already.")
        role = Role.objects.filter(code=opts["role"]).first()
        if role is None:
            raise CommandError(f"No role with code {opts['role']!r}. Run migrations first.")
        if opts["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with context.acting(None, None, "command"), transaction.atomic():
            user = AccountService().create(
                None,
                {
                    "username": username,
                    "email": opts["email"],
                    "is_active": True,
                    "password": password,
                },
                check=False,
            )
            RoleAssignmentService().create(None, {"user": user, "role": role}, check=False)
        self.stdout.write(self.style.SUCCESS(f"Created {username} with role {role.name}."))
