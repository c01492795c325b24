"""The ``netdept`` console command.

Each command is a Django management command ``nd_<command>`` (in any app's management/commands)
whose usage and errors name ``netdept <command>``; ``netdept --help`` lists the commands with
their main options, read from their own parsers, in the configured language (LANGUAGE_CODE).
``netdept manage ...`` runs any Django management command.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any

# (command, management command) in the order of ``netdept --help``.
COMMANDS: list[tuple[str, str]] = [
    ("demo", "nd_demo"),
    ("run", "nd_run"),
    ("web", "nd_web"),
    ("worker", "nd_worker"),
    ("scheduler", "nd_scheduler"),
    ("createadmin", "nd_createadmin"),
    ("audit", "nd_audit"),
    ("pack", "nd_pack"),
]
HELP_FLAGS = {"-h", "--help", "help"}
WIDTH = 100


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
    import django

    django.setup()
    from netdept.core.management.base import translate_argparse  # needs settings: after setup()

    translate_argparse()


def _manage(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["netdept manage", *argv])
    return 0


def _option_parts(parser: argparse.ArgumentParser) -> list[str]:
    """``USERNAME``, ``[--password-stdin]``, ``[--email EMAIL]``: the command's own arguments."""
    from netdept.core.management.base import HIDDEN_BASE_OPTIONS  # needs settings (see _django)

    parts: list[str] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or action.dest in {"help", "verbosity"}:
            continue
        if set(action.option_strings) & HIDDEN_BASE_OPTIONS:
            continue
        if action.choices is not None and not action.metavar:
            metavar = "{" + ",".join(str(c) for c in action.choices) + "}"
        else:
            metavar = str(action.metavar or action.dest.upper())
        if not action.option_strings:
            parts.append(metavar)
            continue
        flag = max(action.option_strings, key=len)
        parts.append(f"[{flag}]" if action.nargs == 0 else f"[{flag} {metavar}]")
    return parts


def _wrap_parts(parts: list[str]) -> list[str]:
    """Lines of at most WIDTH characters, broken between arguments only."""
    lines = ["  " + parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) > WIDTH:
            lines.append("      " + part)
        else:
            lines[-1] += " " + part
    return lines


def overview() -> str:
    """``netdept --help``: every command with its main options and what it does."""
    from django.core.management import get_commands, load_command_class
    from django.utils.translation import gettext as _

    apps = get_commands()  # command name → the app whose management/commands holds it
    lines = [_("Usage: netdept COMMAND [OPTIONS]"), "", _("Commands:")]
    for name, target in COMMANDS:
        command: Any = load_command_class(apps[target], target)
        parser = command.create_parser("netdept", target)
        lines += _wrap_parts([f"netdept {name}", *_option_parts(parser)])
        lines += textwrap.wrap(
            str(command.help), WIDTH, initial_indent="      ", subsequent_indent="      "
        )
    lines += [
        "  netdept manage COMMAND [...]",
        "      " + _("any Django management command (migrate, createcachetable, shell, …)"),
        "",
        _("“netdept COMMAND --help” shows every option of a command."),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _django()
    from django.utils.translation import gettext as _

    if not args or (args[0] in HELP_FLAGS and len(args) == 1):
        print(overview())
        return 0
    if args[0] == "help":  # netdept help web → netdept web --help
        args = [args[1], "--help"]
    command, rest = args[0], args[1:]
    if command == "manage":
        return _manage(rest)
    targets = dict(COMMANDS)
    if command not in targets:
        print(
            _("netdept: unknown command %(command)s; “netdept --help” lists the commands.")
            % {"command": command},
            file=sys.stderr,
        )
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["netdept", targets[command], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
