"""The ``netdept`` console command.

netdept demo                 migrate, load the demo hospital, run web + worker + scheduler
netdept run                  web + task worker + scheduler in one command
netdept web | worker | scheduler
netdept createadmin NAME     a system administrator (asks for the password)
netdept audit verify         prove the audit trail's hash chain intact
netdept manage ...           any Django management command
"""

from __future__ import annotations

import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netdept.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["netdept manage", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "manage":
        return _manage(rest)
    known = {"demo", "run", "web", "worker", "scheduler", "createadmin", "audit"}
    if command not in known:
        print(f"netdept: unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    # Each command is a Django management command named netdept_<command>.
    return _manage([f"nd_{command}", *rest])


if __name__ == "__main__":
    sys.exit(main())
