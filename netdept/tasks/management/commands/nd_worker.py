"""``netdept worker [--queue Q ...]``: run background tasks.

With the database backend (the default) this runs django-tasks-db's worker, plus a heartbeat
(``WorkerHeartbeat``, every few seconds) and a reaper: a task left RUNNING by a worker whose
heartbeat stopped (killed, crashed, machine lost) is put back to READY and runs again. Tasks
are idempotent (see ``netdept.tasks.jobs.once``), so running one twice is safe.

With Redis configured (``NETDEPT_REDIS_URL``) this runs an RQ worker; RQ itself detects jobs
abandoned by a dead worker (its started-job registry cleanup).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends

from netdept.core.management.base import NetDeptCommand
from netdept.tasks.models import WorkerHeartbeat

logger = logging.getLogger("netdept.worker")

HEARTBEAT_SECONDS = 5.0
STALE_AFTER_SECONDS = 30.0
FORGET_HEARTBEAT_AFTER = datetime.timedelta(days=1)


def new_worker_id() -> str:
    host = socket.gethostname()[:30]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"[:64]


def reap(stale_after: float, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> int:
    """Put back to READY the tasks whose claiming worker has no recent heartbeat.

    A task qualifies when it is RUNNING, started more than ``stale_after`` seconds ago, and the
    last worker id in its ``worker_ids`` has no heartbeat newer than ``stale_after`` seconds.
    Each row is reset with a conditional UPDATE (same status and start time), so several
    reapers, or a worker that claims the task again meanwhile, never conflict.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after)
    candidates = list(
        DBTaskResult.objects.filter(
            backend_name=backend_name,
            status=TaskResultStatus.RUNNING,
            started_at__lt=cutoff,
        ).values_list("pk", "worker_ids", "started_at")
    )
    if not candidates:
        return 0
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = 0
    for pk, worker_ids, started_at in candidates:
        owner = worker_ids[-1] if worker_ids else None
        if owner in alive:
            continue
        with transaction.atomic():
            n = DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.READY)
        if n:
            requeued += 1
            logger.warning(
                "Task %s was left running by worker %s (no heartbeat); queued it again.",
                pk,
                owner,
            )
    # Forget workers gone for long (their tasks have been dealt with above).
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_HEARTBEAT_AFTER).delete()
    return requeued


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "seen_at": timezone.now(),
            "pid": os.getpid(),
            "hostname": socket.gethostname()[:255],
        },
    )


class Housekeeper(threading.Thread):
    """Heartbeat of this worker, and a periodic reaper of tasks of dead workers."""

    def __init__(
        self, worker_id: str, backend_name: str, interval: float, stale_after: float
    ) -> None:
        super().__init__(name="netdept-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.backend_name = backend_name
        self.interval = interval
        self.stale_after = stale_after
        self.stopping = threading.Event()

    def run(self) -> None:
        reap_every = max(self.stale_after / 2, self.interval)
        next_reap = time.monotonic() + reap_every
        try:
            while not self.stopping.wait(self.interval):
                try:
                    close_old_connections()
                    beat(self.worker_id)
                    if time.monotonic() >= next_reap:
                        next_reap = time.monotonic() + reap_every
                        reap(self.stale_after, self.backend_name)
                except Exception:
                    logger.exception("Worker heartbeat failed; retrying.")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()


def _db_worker_class() -> type[Any]:
    from django_tasks_db.management.commands.db_worker import Worker

    class NetDeptWorker(Worker):
        """django-tasks-db's worker with a heartbeat and a reaper around its loop."""

        def __init__(self, *, heartbeat: float, stale_after: float, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.heartbeat = heartbeat
            self.stale_after = stale_after

        def run(self) -> None:
            beat(self.worker_id)
            reap(self.stale_after, self.backend_name)
            keeper = Housekeeper(
                self.worker_id, self.backend_name, self.heartbeat, self.stale_after
            )
            keeper.start()
            try:
                super().run()
            finally:
                keeper.stop()
                keeper.join(timeout=self.heartbeat + 5)
                try:
                    close_old_connections()
                    WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
                except Exception:
                    logger.exception("Could not remove the heartbeat of %s.", self.worker_id)
                logger.info("Worker %s stopped.", self.worker_id)

    return NetDeptWorker


class Command(NetDeptCommand):
    help = gettext_lazy(
        "Run background tasks (database queue by default, Redis queue when configured)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            default=[],
            metavar="QUEUE",
            help=_("queue to work on (repeat or separate with commas; default: all queues)"),
        )
        parser.add_argument(
            "--burst", action="store_true", help=_("run the waiting tasks, then exit")
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=_("seconds between polls of an empty queue (database backend)"),
        )
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=HEARTBEAT_SECONDS,
            help=_("seconds between heartbeats (database backend)"),
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=STALE_AFTER_SECONDS,
            help=_("seconds without heartbeat after which a worker's tasks run again"),
        )
        parser.add_argument("--worker-id", default="", help=_("unique id of this worker"))
        parser.add_argument(
            "--backend", default=DEFAULT_TASK_BACKEND_ALIAS, help=_("task backend alias")
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            backend = task_backends[opts["backend"]]
        except Exception as exc:  # InvalidTaskBackendError
            raise CommandError(_("No task backend %(name)s.") % {"name": opts["backend"]}) from exc
        queues = [q.strip() for item in opts["queues"] for q in item.split(",") if q.strip()]
        known = sorted(backend.queues) if backend.queues else list(settings.TASK_QUEUES)
        unknown = [q for q in queues if q not in known]
        if unknown:
            raise CommandError(
                _("Unknown queue(s): %(unknown)s. Known queues: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
            )
        queues = queues or known
        if opts["heartbeat"] <= 0 or opts["stale_after"] <= opts["heartbeat"]:
            raise CommandError(_("--stale-after must be longer than --heartbeat (both > 0)."))

        from django_tasks_db.backend import DatabaseBackend

        if isinstance(backend, DatabaseBackend):
            self._run_db(queues, opts)
            return
        from django_tasks_rq.backend import RQBackend

        if isinstance(backend, RQBackend):
            self._run_rq(queues, opts)
            return
        raise CommandError(
            _("The task backend %(backend)s runs tasks itself; no worker is needed.")
            % {"backend": type(backend).__name__}
        )

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        for name in ("netdept.worker", "django_tasks_db", "django_tasks"):
            logging.getLogger(name).setLevel(level if verbosity < 2 else logging.DEBUG)

    def _run_db(self, queues: list[str], opts: dict[str, Any]) -> None:
        self._configure_logging(opts["verbosity"])
        worker_id = opts["worker_id"] or new_worker_id()
        worker = _db_worker_class()(
            queue_names=queues,
            interval=opts["interval"],
            batch=opts["burst"],
            backend_name=opts["backend"],
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
            heartbeat=opts["heartbeat"],
            stale_after=opts["stale_after"],
        )
        # First SIGTERM/SIGINT: finish the current task, then exit; a second one: stop now
        # (the reaper of another worker runs the task again).
        worker.configure_signals()
        logger.info("Worker %s on queues %s.", worker_id, ", ".join(queues))
        worker.run()

    def _run_rq(self, queues: list[str], opts: dict[str, Any]) -> None:
        import django_rq
        from django_tasks_rq.backend import Job

        self._configure_logging(opts["verbosity"])
        kwargs: dict[str, Any] = {"job_class": Job}
        if opts["worker_id"]:
            kwargs["name"] = opts["worker_id"]
        worker = django_rq.get_worker(*queues, **kwargs)
        # RQ handles SIGTERM/SIGINT itself: warm shutdown after the current job.
        worker.work(burst=opts["burst"], with_scheduler=not opts["burst"])
