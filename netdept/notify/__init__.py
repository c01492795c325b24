"""The one notification service every module calls.

    from netdept.notify import notify

    notify(
        "workorders.assigned",
        obj=order,
        recipients=[order.assignee, "role:director", order.team],
        severity="info",
        data={"number": order.number, "title": order.title},
    )

Recipients may be users, people (their login), teams (their active members with a login),
roles, or ``"role:<code>"`` / ``"user:<username>"`` strings; duplicates and inactive users
are dropped. ``notify()`` runs in the caller's transaction and queues the sending on commit.
Event kinds are declared with ``event_kind()`` (see ``kinds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netdept.notify.kinds import EventKind, event_kind

if TYPE_CHECKING:
    from netdept.notify.models import Notification  # type only

__all__ = ["EventKind", "event_kind", "notify"]


def notify(
    kind: str,
    *,
    obj: Any = None,
    recipients: Iterable[Any],
    severity: str | None = None,
    data: dict[str, Any] | None = None,
    urgent: bool | None = None,
    link: str | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    """Raise the event ``kind`` for ``recipients``. Returns the Notification, or None when
    ``dedupe_key`` was already used for this kind. ``severity`` defaults to the kind's;
    ``urgent`` (delivered in quiet hours) to the kind's or the administrator's setting;
    ``link`` to the object's page."""
    # This package is imported while the app registry loads (it holds NotifyConfig): the
    # engine imports models, so it is imported on the first call.
    from netdept.notify import engine  # no models at import (above)

    return engine.notify(
        kind,
        obj=obj,
        recipients=recipients,
        severity=severity,
        data=data,
        urgent=urgent,
        link=link,
        dedupe_key=dedupe_key,
    )
