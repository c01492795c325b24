"""Event kinds of the duties app (imported automatically by the notification engine); each
part of the app declares its own in a ``notifications_*`` module."""

from __future__ import annotations

from netdept.duties import (  # noqa: F401  (imported for their declarations)
    notifications_engine,
    notifications_regulations,
    notifications_sanctions,
    notifications_work,
)
