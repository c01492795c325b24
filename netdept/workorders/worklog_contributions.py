"""What work orders tell the daily log (工作日志): the contributions of work orders
(``netdept.worklog.contributions``), declared when the app is ready.

- ``workorders.work``: each work record (处理记录) the person wrote that day, with its time
  spent — the order's number and title, what was done (in progress until the order is
  resolved);
- ``workorders.resolved``: each order assigned to the person and resolved that day;
- ``workorders.accepted``: each order assigned to the person and accepted (first response)
  that day, unless it was resolved the same day (the resolution says it).

One query per contribution for any number of people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.worklog.contributions import Contribution, Line, register_contribution
from netdept.workorders.models import Status, WorkOrder, WorkRecord

LIMIT = 20000  # lines of one call (a day of 1,000 people holds far fewer)
DONE = (Status.RESOLVED, Status.CLOSED)


def _order(o: WorkOrder) -> str:
    return f"{o.number} {o.title}"


def work_records(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    rows = (
        WorkRecord.objects.filter(
            person_id__in=list(person_ids), performed_at__gte=start, performed_at__lt=end
        )
        .select_related("order")
        .order_by("performed_at", "pk")[:LIMIT]
    )
    for r in rows:
        yield Line(
            person_id=r.person_id,
            at=r.performed_at,
            text=(_("%(order)s: %(work)s") % {"order": _order(r.order), "work": r.description})[
                :1000
            ],
            minutes=r.minutes,
            record=r,
            state="done" if r.order.status in DONE else "in_progress",
        )


def resolved(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    rows = WorkOrder.objects.filter(
        assignee_id__in=list(person_ids), resolved_at__gte=start, resolved_at__lt=end
    ).order_by("resolved_at", "pk")[:LIMIT]
    for o in rows:
        assert o.assignee_id is not None and o.resolved_at is not None
        yield Line(
            person_id=o.assignee_id,
            at=o.resolved_at,
            text=(_("Resolved work order %(order)s") % {"order": _order(o)})[:1000],
            record=o,
        )


def accepted(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    rows = (
        WorkOrder.objects.filter(
            assignee_id__in=list(person_ids), responded_at__gte=start, responded_at__lt=end
        )
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .order_by("responded_at", "pk")[:LIMIT]
    )
    for o in rows:
        assert o.assignee_id is not None and o.responded_at is not None
        yield Line(
            person_id=o.assignee_id,
            at=o.responded_at,
            text=(_("Accepted work order %(order)s") % {"order": _order(o)})[:1000],
            record=o,
            state="in_progress",
        )


register_contribution(Contribution("workorders.work", gettext_lazy("work records"), work_records))
register_contribution(
    Contribution("workorders.resolved", gettext_lazy("work orders resolved"), resolved)
)
register_contribution(
    Contribution("workorders.accepted", gettext_lazy("work orders accepted"), accepted)
)
