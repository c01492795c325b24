"""The tasks' contribution to daily logs and reports (``contributions``): per person and
period, one line per task —

* done in the period (``done_at``): "完成任务：…", state ``done`` (with the result's first line);
* else worked on in the period (in progress, changed in it): "推进任务：…（60%）", ``in_progress``;
* else became overdue in the period (still open after its due date): "任务逾期：…", ``problem``.

Three queries for any number of people (the indexes ``owner, status, due_on``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netdept.worklog.contributions import Contribution, Line, register_contribution
from netdept.worklog.models import OPEN_TASK_STATUSES, Task, TaskStatus

CODE = "worklog.tasks"


def _first_line(text: str, limit: int = 120) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def collect(person_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> Iterable[Line]:
    seen: set[int] = set()
    base = Task.objects.filter(owner_id__in=list(person_ids)).only(
        "pk", "title", "owner_id", "status", "progress", "done_at", "updated_at", "due_on",
        "result",
    )  # fmt: skip
    for t in base.filter(status=TaskStatus.DONE, done_at__gte=start, done_at__lt=end):
        seen.add(t.pk)
        result = _first_line(t.result)
        text = (
            _("Task done: %(title)s — %(result)s") % {"title": t.title, "result": result}
            if result
            else _("Task done: %(title)s") % {"title": t.title}
        )
        assert t.done_at is not None
        yield Line(person_id=t.owner_id, at=t.done_at, text=text, record=t, state="done")
    for t in base.filter(status=TaskStatus.DOING, updated_at__gte=start, updated_at__lt=end):
        if t.pk in seen:
            continue
        seen.add(t.pk)
        yield Line(
            person_id=t.owner_id,
            at=t.updated_at,
            text=_("Task in progress: %(title)s (%(progress)s%%)")
            % {"title": t.title, "progress": t.progress},
            record=t,
            state="in_progress",
        )
    tz = timezone.get_current_timezone()
    first = timezone.localtime(start, tz).date() - dt.timedelta(days=1)
    last = timezone.localtime(end, tz).date()
    for t in base.filter(status__in=OPEN_TASK_STATUSES, due_on__gte=first, due_on__lte=last):
        if t.pk in seen:
            continue
        late_at = dt.datetime.combine(t.due_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if not start <= late_at < end:
            continue
        yield Line(
            person_id=t.owner_id,
            at=late_at,
            text=_("Task overdue: %(title)s (due %(date)s)")
            % {"title": t.title, "date": t.due_on.isoformat()},
            record=t,
            state="problem",
        )


register_contribution(Contribution(code=CODE, label=gettext_lazy("tasks"), collect=collect))
