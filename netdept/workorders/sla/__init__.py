"""The SLA engine of work orders: due times on the working calendar, pauses, recalculation,
warnings, breaches and escalation.

The services call the ``on_*`` hooks inside their transaction. Each hook changes the order's
SLA fields in memory and writes ``SlaEvent`` rows (the timeline of the order's page); the
caller saves the order. A hook called before the order's first save keeps its events on the
order and they are written right after that save.

How time is counted
-------------------
An order's policy (``policy_for``) gives a response and a resolution target in minutes of
*working time* on the policy's calendar (or the default calendar; a 7×24 calendar counts every
minute). The targets are fixed on the order when its due times are set from the policy (on
open and on a priority change; a reopened order keeps them): ``response_target_minutes`` and
``resolution_target_minutes``. Every reading of the clock uses the order's own targets
(``order_target``), so an administrator's later edit of the policy applies to the orders opened
or re-prioritised afterwards and never changes the share, the breach or the escalation of an
order already running (an order stored before the targets were falls back to its policy).

The due times are stored; the working time already spent is never stored but read back from
them: with ``T`` the order's target, ``due`` the due time and ``ref`` the instant the clock
reads (now, or when it stopped or was paused)::

    spent = T − working_time(ref → due)      while ref ≤ due
    spent = T + working_time(due → ref)      after the due time

So the due time alone says how much of the target is used, whatever happened before:

* **Pause** (waiting on the requester or a vendor): ``paused_at`` freezes the clock; on resume
  the due times move later by the working time spent waiting.
* **Priority change**: the new priority's policy gives new targets; the time already spent is
  kept: ``due = now + (new target − spent)`` (in the past when the new target is already used
  up: the order is breached at once).
* **Reopen**: the resolution clock continues from the time spent when it was resolved.

Escalation
----------
``check_all(now)`` (every minute) walks the escalation ladder of each running order: the
active ``EscalationRule`` rows, or by default 100 % → assignee + team lead, 150 % → director;
below 100 % the policy's ``warn_percent`` (75 % by default) warns the assignee unless rules
below 100 % are configured. A step below 100 % is a warning, 100 % the breach, above 100 % an
escalation. ``escalation_percent`` remembers the highest step notified, so each step is
notified once. Waiting, resolved and closed orders are never notified. A response not given
by its due time is notified once (assignee + team lead).

The next-check instant
----------------------
``sla_next_check_at`` (indexed) is the instant at which ``check_all`` has something to do for
the order: the earliest of the response due time (unanswered, not flagged) and the instant the
resolution share reaches the next step above ``escalation_percent`` — for a step of ``p`` %,
``add(due, T × (p/100 − 1))`` on the calendar, counted backwards below 100 % — or the breach at
100 % while it is not flagged. It is empty while the clock does not run (waiting, resolved,
closed, no policy) or no step is left. The hooks keep it, and ``check_all`` when it records a
step; ``check_all`` reads its candidates from one range of that index
(``sla_next_check_at <= now``), so an order is read exactly when it has something to record.
A change of the escalation rules, a policy, a working calendar or its overrides queues
``refresh_next_checks`` for the running orders concerned (``nextcheck``); a daily job
refreshes them all.

Modules: ``policies`` (policy, calendar, targets), ``clock`` (reading the clock), ``events``,
``hooks`` (the ``on_*`` hooks), ``ladder``, ``nextcheck``, ``escalation`` (``check_all``) and
``timeline``.
"""

from __future__ import annotations

from netdept.workorders.sla.clock import elapsed, reached, share, step_instant
from netdept.workorders.sla.escalation import check_all
from netdept.workorders.sla.hooks import (
    on_close,
    on_open,
    on_pause,
    on_priority_change,
    on_reopen,
    on_resolve,
    on_respond,
    on_resume,
)
from netdept.workorders.sla.ladder import DEFAULT_RULES, Step, active_rules, ladder, recipients
from netdept.workorders.sla.nextcheck import (
    clock_runs,
    next_check_at,
    refresh_next_checks,
    reschedule,
    running_orders,
)
from netdept.workorders.sla.policies import (
    ONE_MINUTE,
    RESOLUTION,
    RESPONSE,
    RUNNING_STATUSES,
    ZERO,
    Target,
    calendar_of,
    fix_targets,
    order_target,
    policy_for,
    schedule_of,
    target_of,
)
from netdept.workorders.sla.timeline import format_minutes, timeline

__all__ = [
    "DEFAULT_RULES",
    "ONE_MINUTE",
    "RESOLUTION",
    "RESPONSE",
    "RUNNING_STATUSES",
    "ZERO",
    "Step",
    "Target",
    "active_rules",
    "calendar_of",
    "check_all",
    "clock_runs",
    "elapsed",
    "fix_targets",
    "format_minutes",
    "ladder",
    "next_check_at",
    "on_close",
    "on_open",
    "on_pause",
    "on_priority_change",
    "on_reopen",
    "on_resolve",
    "on_respond",
    "on_resume",
    "order_target",
    "policy_for",
    "reached",
    "recipients",
    "refresh_next_checks",
    "reschedule",
    "running_orders",
    "schedule_of",
    "share",
    "step_instant",
    "target_of",
    "timeline",
]
