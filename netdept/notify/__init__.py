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

Each recipient reads the message in their own language and time zone. Pass words as what
they are, not as text of the caller's language: a choice label as the lazy label itself
(``Status.OPEN.label``, not ``str(...)`` or ``get_status_display()``), several labels as
``listing(labels)``, an instant as an aware ``datetime`` (shown as "2026-12-01 09:30" in the
reader's zone). They are turned into text per reader (``engine.local_data``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.functional import lazy
from django.utils.translation import get_language

from netdept.notify.kinds import EventKind, event_kind

if TYPE_CHECKING:
    from netdept.notify.models import Notification  # type only

__all__ = ["EventKind", "event_kind", "listing", "notify"]


def _joined(items: tuple[Any, ...]) -> str:
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(i) for i in items)


_lazy_joined = lazy(_joined, str)


def listing(items: Iterable[Any]) -> Any:
    """``items`` (lazy labels) as one text, said when it is read: "重置密码、停用" for a Chinese
    reader, "reset the password, disable" for an English one."""
    return _lazy_joined(tuple(items))


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
