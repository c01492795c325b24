"""The SLA timeline of an order's page: its events as sentences in the active language."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.utils.translation import gettext as _

from netdept.workcal.schedule import WorkSchedule
from netdept.workorders.models import SlaEvent, WorkOrder
from netdept.workorders.sla.policies import RESPONSE, calendar_of

_ICONS: Final[dict[str, tuple[str, str]]] = {
    SlaEvent.Type.STARTED: ("bi-play-circle", "primary"),
    SlaEvent.Type.PAUSED: ("bi-pause-circle", "secondary"),
    SlaEvent.Type.RESUMED: ("bi-play-circle", "primary"),
    SlaEvent.Type.RECALCULATED: ("bi-arrow-repeat", "info"),
    SlaEvent.Type.RESPONDED: ("bi-reply", "success"),
    SlaEvent.Type.RESOLVED: ("bi-check-circle", "success"),
    SlaEvent.Type.REOPENED: ("bi-arrow-counterclockwise", "warning"),
    SlaEvent.Type.WARNING: ("bi-exclamation-triangle", "warning"),
    SlaEvent.Type.BREACHED: ("bi-alarm", "danger"),
    SlaEvent.Type.ESCALATED: ("bi-megaphone", "danger"),
}


def format_minutes(minutes: Any) -> str:
    """``2 h 05 min`` in the active language."""
    try:
        total = int(minutes)
    except (TypeError, ValueError):
        return ""
    sign = "-" if total < 0 else ""
    hours, mins = divmod(abs(total), 60)
    if hours:
        return sign + _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    return sign + _("%(minutes)d min") % {"minutes": mins}


def _when(value: Any, tz: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return dt.datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _describe(event: SlaEvent, tz: Any) -> str:
    d: dict[str, Any] = event.detail if isinstance(event.detail, dict) else {}
    target = _("response") if d.get("target") == RESPONSE else _("resolution")
    if event.type == SlaEvent.Type.STARTED:
        if d.get("policy") is None:
            return _("No SLA policy applies.")
        return _("Policy %(policy)s: respond by %(response)s, resolve by %(resolution)s.") % {
            "policy": d.get("policy_name", ""),
            "response": _when(d.get("response_due"), tz),
            "resolution": _when(d.get("resolution_due"), tz),
        }
    if event.type == SlaEvent.Type.PAUSED:
        return _("Clock paused after %(spent)s: %(reason)s") % {
            "spent": format_minutes(d.get("spent_minutes")),
            "reason": _("pending approval") if d.get("approval") else d.get("reason", ""),
        }
    if event.type == SlaEvent.Type.RESUMED:
        return _("Clock resumed after %(paused)s of working time; resolve by %(due)s.") % {
            "paused": format_minutes(d.get("paused_minutes")),
            "due": _when(d.get("resolution_due"), tz),
        }
    if event.type == SlaEvent.Type.RECALCULATED:
        return _("Priority P%(old)s → P%(new)s; %(spent)s already spent; resolve by %(due)s.") % {
            "old": d.get("old_priority", ""),
            "new": d.get("priority", ""),
            "spent": format_minutes(d.get("spent_minutes")),
            "due": _when(d.get("resolution_due"), tz) or "-",
        }
    if event.type in (SlaEvent.Type.RESPONDED, SlaEvent.Type.RESOLVED):
        if "met" not in d:
            return ""
        if d["met"]:
            return _("Within the target (%(spent)s spent).") % {
                "spent": format_minutes(d.get("spent_minutes"))
            }
        return _("Past the target (%(spent)s spent).") % {
            "spent": format_minutes(d.get("spent_minutes"))
        }
    if event.type == SlaEvent.Type.REOPENED:
        return _("The resolution clock continues after %(spent)s; resolve by %(due)s.") % {
            "spent": format_minutes(d.get("spent_minutes")),
            "due": _when(d.get("resolution_due"), tz) or "-",
        }
    if event.type == SlaEvent.Type.BREACHED:
        return _("The %(target)s target was due at %(due)s.") % {
            "target": target,
            "due": _when(d.get("due"), tz),
        }
    if event.type in (SlaEvent.Type.WARNING, SlaEvent.Type.ESCALATED):
        names = ", ".join(str(n) for n in d.get("recipients", [])) or _("nobody")
        return _("%(percent)s%% of the %(target)s target used; notified: %(names)s") % {
            "percent": d.get("percent", ""),
            "target": target,
            "names": names,
        }
    return ""


def timeline(order: WorkOrder) -> list[dict[str, Any]]:
    """The SLA events of ``order``, oldest first, ready for the order's page: ``ts``,
    ``type``, ``label``, ``text`` (a sentence in the active language), ``icon`` (a Bootstrap
    icon class), ``tone`` (a Bootstrap colour) and the raw ``detail``."""
    tz = WorkSchedule(calendar_of(order.sla_policy)).tz
    rows: list[dict[str, Any]] = []
    for event in order.sla_events.order_by("ts", "id"):
        icon, tone = _ICONS.get(event.type, ("bi-circle", "secondary"))
        rows.append(
            {
                "ts": event.ts,
                "type": event.type,
                "label": event.get_type_display(),
                "text": _describe(event, tz),
                "icon": icon,
                "tone": tone,
                "detail": event.detail,
            }
        )
    return rows
