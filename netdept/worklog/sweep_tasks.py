"""The overdue sweep of tasks (任务逾期): a task still open after its due date is marked
``overdue_at`` once, its owner and whoever assigned it (or the owner's lead) are told once, and
— when the department's rhythm policy names a penalty rule for an overdue task
(``WorklogPolicy.task_overdue_penalty_rule``: "完不成者扣20元/次") — a violation is recorded
through ``duties.services.violations`` (one per task: the violation names the task as its
record; a later due date lets the sweep tell again but never fines the same task twice).

Runs hourly (``worklog.task_overdue``) and is safe to run again or twice at once (rows locked,
``overdue_at`` set in the same transaction; the notification deduplicated per task and due date).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from netdept.core import audit, context
from netdept.core.models.audit import AuditAction
from netdept.org.models import Department, Person
from netdept.tasks.scheduler import periodic
from netdept.worklog.models import OPEN_TASK_STATUSES, Task, WorklogPolicy
from netdept.worklog.services.tasks import notify_on_commit

logger = logging.getLogger(__name__)
BATCH = 500


def policy_for(department: Department | None) -> WorklogPolicy | None:
    """The active rhythm policy of ``department`` or of the nearest department above it; else
    the site's default (no department)."""
    seen: set[int] = set()
    dept = department
    while dept is not None and dept.pk not in seen:
        seen.add(dept.pk)
        found = WorklogPolicy.objects.filter(department=dept, is_active=True).first()
        if found is not None:
            return found
        dept = dept.parent
    return WorklogPolicy.objects.filter(department__isnull=True, is_active=True).first()


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` (local time): when a task due that day is late."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _lead_of(task: Task) -> Person | None:
    from netdept.approvals.resolve import superior

    if task.assigned_by_id and task.assigned_by_id != task.owner_id and task.assigned_by:
        return task.assigned_by
    return superior(task.owner)


def _fine(task: Task, rule: Any) -> None:
    from netdept.duties.models import ViolationSource
    from netdept.duties.services import violations

    with override("zh-hans"):  # the ledger's text is the department's language
        text = _("Task “%(title)s” not done by %(date)s.") % {
            "title": task.title,
            "date": task.due_on.isoformat(),
        }
    violation = violations.record_violation(
        task.owner,
        ViolationSource.TASK,
        penalty_rule=rule,
        record=task,
        occurred_at=_end_of(task.due_on),
        description=text,
    )
    task.violation = violation


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark, tell and (by rule) fine the tasks overdue at ``now``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {"overdue": 0, "violations": 0}
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today, overdue_at__isnull=True)
                .select_related("owner", "owner__team", "owner__department", "assigned_by",
                                "department")
                .order_by("due_on", "pk")[:BATCH]
            )  # fmt: skip
            if not batch:
                break
            policies: dict[int, WorklogPolicy | None] = {}
            for t in batch:
                before = audit.snapshot(t)
                t.overdue_at = now
                if t.department_id not in policies:
                    policies[t.department_id] = policy_for(t.department)
                policy = policies[t.department_id]
                rule = policy.task_overdue_penalty_rule if policy is not None else None
                if rule is not None and rule.is_active and t.violation_id is None:
                    try:
                        with transaction.atomic():
                            _fine(t, rule)
                    except ValidationError as exc:  # told in the log, the task still marked
                        logger.warning("Task %s: no violation recorded: %s", t.pk, exc.messages)
                    else:
                        done["violations"] += 1
                t.save(update_fields=["overdue_at", "violation", "updated_at"])
                audit.record(
                    AuditAction.UPDATE, t, changes=audit.diff(before, audit.snapshot(t)),
                    extra={"sweep": "overdue"},
                )  # fmt: skip
                lead = _lead_of(t)
                notify_on_commit(
                    "worklog.task_overdue",
                    t,
                    [p for p in (t.owner, lead) if p is not None],
                    dedupe_key=f"task-overdue-{t.pk}-{t.due_on.isoformat()}",
                    by=t.assigned_by.name if t.assigned_by else "",
                )
                done["overdue"] += 1
        if len(batch) < BATCH:
            break
    return done


@task(queue_name="default")
def sweep_overdue_tasks() -> dict[str, int]:
    with context.acting(None, None, "task"):
        done = sweep()
    if any(done.values()):
        logger.info("Tasks overdue sweep: %s", done)
    return done


periodic("worklog.task_overdue", "12 * * * *", sweep_overdue_tasks, queue="default")
