"""The base of the ``netdept`` commands (management commands ``nd_<command>``).

* Usage and errors name the user's command: ``netdept demo``, not ``netdept manage nd_demo``.
* An error is one line, ``netdept createadmin: <message>``, in the configured language (Django's
  default prints ``CommandError: <message>``).
* Django's generic options that only matter to developers (``--settings``, ``--pythonpath``,
  ``--traceback``, colours, ``--skip-checks``, ``--version``) still work but are left out of the
  help, whose every line goes through gettext.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    SystemCheckError,
    handle_default_options,
)
from django.db import connections
from django.utils.translation import gettext, gettext_noop, ngettext

PROG = "netdept"

# argparse's own messages (Python 3.11+), extracted by makemessages from here and translated
# through Django's catalog when the ``netdept`` console command runs (see translate_argparse).
ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("options"),
    gettext_noop("positional arguments"),
    gettext_noop("show this help message and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("ignored explicit argument %r"),
)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n)


def _argparse_plurals() -> list[str]:  # never called: marks argparse's plural for makemessages
    return [ngettext("expected %s argument", "expected %s arguments", 2)]


def translate_argparse() -> None:
    """Route argparse's messages (usage, errors) through Django's gettext, in this process.

    Called by the ``netdept`` console command only: its process exists to run one command, so
    its argparse speaks the configured language like the rest of the output.
    """
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]


HIDDEN_BASE_OPTIONS = {
    "--version",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}


def user_command(subcommand: str) -> str:
    """``nd_demo`` → ``netdept demo``."""
    return f"{PROG} {subcommand.removeprefix('nd_')}"


class NetDeptCommand(BaseCommand):
    """A ``netdept <command>``: user-facing usage, one-line translated errors."""

    suppressed_base_arguments = HIDDEN_BASE_OPTIONS
    help: Any = ""  # a lazy translation in each command

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = user_command(subcommand)
        if self.help:
            parser.description = str(self.help)
        for action in parser._actions:
            if action.dest == "verbosity":
                action.help = gettext("output: 0 = minimal, 1 = normal, 2 and 3 = verbose")
            elif action.dest == "help":
                action.help = gettext("show this help message and exit")
            elif action.dest == "skip_checks":
                action.help = argparse.SUPPRESS
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        """Django's run_from_argv, printing a CommandError as ``netdept <command>: message``."""
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = parser.parse_args(argv[2:])
        cmd_options = vars(options)
        args = cmd_options.pop("args", ())
        handle_default_options(options)
        try:
            self.execute(*args, **cmd_options)
        except CommandError as exc:
            if options.traceback:
                raise
            if isinstance(exc, SystemCheckError):
                self.stderr.write(str(exc), lambda x: x)
            else:
                self.stderr.write(f"{parser.prog}: {exc}")
            sys.exit(exc.returncode)
        except KeyboardInterrupt:
            self.stderr.write(f"{parser.prog}: {gettext('interrupted.')}")
            sys.exit(130)
        finally:
            connections.close_all()
