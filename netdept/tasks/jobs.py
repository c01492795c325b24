"""Background jobs of the kernel, and the helpers that make any task safe to run again.

A worker can die in the middle of a task (killed, out of memory, power cut). The database
backend's reaper (``netdept worker``) then runs the task again, so every task must be
idempotent: a side effect that must not happen twice is guarded by ``once(key)``, which writes a
``TaskEffect`` marker in the same transaction as the effect. Either both commit or neither does,
so a re-run sees the marker and skips the effect.

    @task()
    def notify_overdue(occurrence_id: int) -> None:
        with transaction.atomic():
            if once(f"notify-overdue:{occurrence_id}"):
                send_and_record(...)
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django_tasks import task, task_backends

from netdept.core import audit, context
from netdept.tasks.models import TaskEffect
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)

TASK_RESULT_RETENTION = datetime.timedelta(days=30)


def once(key: str, using: str | None = None) -> bool:
    """Mark the effect ``key`` as done; True if it was not done before.

    Must be called inside the transaction that performs the effect, so that the marker and the
    effect commit (or roll back) together. A concurrent run with the same key waits for the
    first one's transaction and then sees the marker.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise TransactionManagementError(
            "once() must run inside the transaction that performs the effect."
        )
    if len(key) > TaskEffect._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ValueError(f"The effect key {key!r} is too long.")
    try:
        with transaction.atomic(using=using):  # a savepoint: a duplicate leaves the caller's
            TaskEffect.objects.using(using).create(key=key)  # transaction usable
    except IntegrityError:
        return False
    return True


@contextlib.contextmanager
def effect(key: str, using: str | None = None) -> Iterator[bool]:
    """A transaction holding the marker of ``key``; yields whether the effect is still to do.

    with effect(f"welcome-mail:{user.pk}") as todo:
        if todo:
            send_welcome(user)
    """
    with transaction.atomic(using=using):
        yield once(key, using=using)


def effect_done(key: str) -> bool:
    return TaskEffect.objects.filter(key=key).exists()


# --- Periodic housekeeping -------------------------------------------------------------------


@task(queue_name="default")
def purge_audit_trail() -> int:
    """Delete audit records past the retention period (never younger than six months)."""
    months = int(settings.NETDEPT["AUDIT_RETENTION_MONTHS"])
    with context.acting(None, None, "task"):
        deleted = audit.purge(months)
    logger.info("Purged %d audit records older than %d months.", deleted, months)
    return deleted


@task(queue_name="default")
def prune_task_results() -> int:
    """Delete finished results of the database task backend older than 30 days."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    aliases = [
        alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)
    ]
    if not aliases:
        return 0
    cutoff = timezone.now() - TASK_RESULT_RETENTION
    deleted, _detail = (
        DBTaskResult.objects.finished()
        .filter(backend_name__in=aliases, finished_at__lt=cutoff)
        .delete()
    )
    logger.info("Pruned %d finished task results.", deleted)
    return deleted


periodic("core.purge_audit_trail", "10 3 * * *", purge_audit_trail, queue="default")
periodic("core.prune_task_results", "40 3 * * 0", prune_task_results, queue="default")
