"""What the worklog app registers when Django is ready (pages, API, kinds, checks, tasks,
home widgets, daily-log contributions, pack sections, demo data). Each part lives in its own
module; this list is the one place that imports them."""

from __future__ import annotations

import importlib

#: modules imported for their registrations, in order
PARTS: tuple[str, ...] = (
    "registry",  # the navigation group
)


def ready() -> None:
    for name in PARTS:
        importlib.import_module(f"netdept.worklog.{name}")
