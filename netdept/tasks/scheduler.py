"""Periodic jobs and the scheduler process that fires them.

Apps declare their periodic jobs in their ``tasks.py``::

    periodic("core.purge_audit_trail", "10 3 * * *", purge_audit_trail, queue="default")

``netdept scheduler`` runs ``Scheduler.run()``. Any number of scheduler processes may run; one of
them holds the leader lease (a ``SchedulerLease`` row, renewed every few seconds) and fires
jobs, the others wait until the lease expires and then take it over. Taking the lease is a
single conditional UPDATE (or an INSERT when no row exists), so two schedulers can never both
hold it. Firing a job inserts ``JobRun(job, due_at)`` first: its unique key makes a double fire
impossible even if two schedulers overlapped, and with the database task backend the task is
enqueued in the same transaction as the ``JobRun``.

Cron expressions are read in the configured ``TIME_ZONE``. After downtime a job fires once, for
its most recent due time only, never once per missed time.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any, TypeAlias

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string
from django_tasks.base import Task

from netdept.tasks.models import JobRun, SchedulerLease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
# A job never fired before fires at start-up only if it fell due this recently; otherwise it
# waits for its next due time (a fresh install does not run every weekly job at once).
FIRST_RUN_GRACE = datetime.timedelta(minutes=5)

TaskRef: TypeAlias = Task[Any, Any] | str


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str
    task: TaskRef  # a Task, or the dotted path of one
    queue: str | None = None

    def resolve_task(self) -> Task[Any, Any]:
        found = import_string(self.task) if isinstance(self.task, str) else self.task
        if not isinstance(found, Task):
            raise TypeError(f"Periodic job {self.name!r}: {self.task!r} is not a task.")
        return found.using(queue_name=self.queue) if self.queue else found

    def last_due(self, now: datetime.datetime) -> datetime.datetime:
        """The most recent due time at or before ``now`` (aware, in UTC)."""
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        # croniter's get_prev excludes its start, so start one second after ``now``.
        base = now.astimezone(tz).replace(microsecond=0) + datetime.timedelta(seconds=1)
        due: datetime.datetime = croniter(self.cron, base).get_prev(datetime.datetime)
        return due.astimezone(datetime.UTC)

    def next_due(self, now: datetime.datetime) -> datetime.datetime:
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        due: datetime.datetime = croniter(self.cron, now.astimezone(tz)).get_next(datetime.datetime)
        return due.astimezone(datetime.UTC)


_registry: dict[str, PeriodicJob] = {}
_discovered = False


def periodic(name: str, cron: str, task: TaskRef, queue: str | None = None) -> PeriodicJob:
    """Register (or replace) the periodic job ``name``, fired on the cron expression ``cron``."""
    if not croniter.is_valid(cron):
        raise ValueError(f"Periodic job {name!r}: invalid cron expression {cron!r}.")
    if len(name) > JobRun._meta.get_field("job").max_length:  # type: ignore[operator]
        raise ValueError(f"Periodic job name {name!r} is too long.")
    job = PeriodicJob(name=name, cron=cron, task=task, queue=queue)
    _registry[name] = job
    return job


def unregister(name: str) -> None:
    _registry.pop(name, None)


def discover() -> None:
    """Import every installed app's ``tasks`` module, where periodic jobs are declared."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def jobs() -> dict[str, PeriodicJob]:
    discover()
    return dict(_registry)


def default_holder_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    """One scheduler process: keeps (or waits for) the leader lease and fires due jobs."""

    def __init__(
        self,
        *,
        holder: str | None = None,
        lease_seconds: float = 30.0,
        tick_seconds: float = 5.0,
        job_list: list[PeriodicJob] | None = None,
        lease_name: str = LEASE_NAME,
    ) -> None:
        if tick_seconds >= lease_seconds:
            raise ValueError("The tick must be shorter than the lease, or the lease lapses.")
        self.holder = holder or default_holder_id()
        self.lease = datetime.timedelta(seconds=lease_seconds)
        self.tick_seconds = tick_seconds
        self.lease_name = lease_name
        self._jobs = job_list
        self.is_leader = False
        self._stop = threading.Event()

    # --- the leader lease --------------------------------------------------------------------
    def acquire(self, now: datetime.datetime | None = None) -> bool:
        """Renew our lease, or take it if free or expired. True if we hold it afterwards."""
        now = now or timezone.now()
        expires = now + self.lease
        updated = (
            SchedulerLease.objects.filter(name=self.lease_name)
            .filter(Q(holder=self.holder) | Q(expires_at__lt=now))
            .update(holder=self.holder, expires_at=expires)
        )
        if updated:
            held = True
        else:
            try:
                with transaction.atomic():
                    SchedulerLease.objects.create(
                        name=self.lease_name, holder=self.holder, expires_at=expires
                    )
                held = True
            except IntegrityError:
                held = False
        if held != self.is_leader:
            logger.info(
                "Scheduler %s %s the leader lease.",
                self.holder,
                "took" if held else "lost",
            )
        self.is_leader = held
        return held

    def release(self) -> None:
        SchedulerLease.objects.filter(name=self.lease_name, holder=self.holder).delete()
        self.is_leader = False

    # --- firing --------------------------------------------------------------------------------
    def jobs(self) -> list[PeriodicJob]:
        return list(self._jobs) if self._jobs is not None else list(jobs().values())

    def fire(self, job: PeriodicJob, due_at: datetime.datetime) -> JobRun | None:
        """Fire ``job`` for ``due_at`` unless it was fired for it already (by anyone)."""
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, due_at=due_at, fired_by=self.holder)
                result = job.resolve_task().enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            return None
        logger.info("Fired %s (due %s) as task %s.", job.name, due_at.isoformat(), run.task_id)
        return run

    def due_jobs(self, now: datetime.datetime) -> list[tuple[PeriodicJob, datetime.datetime]]:
        due: list[tuple[PeriodicJob, datetime.datetime]] = []
        for job in self.jobs():
            when = job.last_due(now)
            last = (
                JobRun.objects.filter(job=job.name)
                .order_by("-due_at")
                .values_list("due_at", flat=True)
                .first()
            )
            if last is None:
                if now - when <= FIRST_RUN_GRACE:
                    due.append((job, when))
            elif when > last:
                due.append((job, when))  # only the latest missed time: no storm after downtime
        return due

    def tick(self, now: datetime.datetime | None = None) -> list[JobRun]:
        """One round: renew or take the lease; if leader, fire what is due."""
        now = now or timezone.now()
        if not self.acquire(now):
            return []
        fired: list[JobRun] = []
        for job, when in self.due_jobs(now):
            try:
                run = self.fire(job, when)
            except Exception:
                logger.exception("Could not fire %s (due %s).", job.name, when.isoformat())
                continue
            if run is not None:
                fired.append(run)
        return fired

    # --- the loop ----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Tick until ``stop()``; release the lease on the way out so a standby takes over."""
        logger.info(
            "Scheduler %s started with jobs: %s",
            self.holder,
            ", ".join(sorted(job.name for job in self.jobs())) or "-",
        )
        try:
            while not self._stop.is_set():
                close_old_connections()
                try:
                    self.tick()
                except Exception:
                    logger.exception("Scheduler tick failed; retrying.")
                self._stop.wait(self.tick_seconds)
        finally:
            try:
                self.release()
            except Exception:
                logger.exception("Could not release the scheduler lease.")
            logger.info("Scheduler %s stopped.", self.holder)
