from __future__ import annotations

from django.db import models


class SchedulerLease(models.Model):
    """Leader lock of the scheduler: the holder renews it; others wait until it expires."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "core_schedulerlease"  # kept when the model left core
        default_permissions = ()


class JobRun(models.Model):
    """One firing of a periodic job. The unique key makes a double fire impossible."""

    job = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(auto_now_add=True)
    fired_by = models.CharField(max_length=100)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "core_jobrun"  # kept when the model left core
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["job", "due_at"], name="jobrun_once")]
        indexes = [models.Index(fields=["job", "-due_at"])]


class WorkerHeartbeat(models.Model):
    """Liveness of a database-backend worker, so tasks of a dead worker can be run again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)
    pid = models.IntegerField(default=0)
    hostname = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "core_workerheartbeat"  # kept when the model left core
        default_permissions = ()


class TaskEffect(models.Model):
    """Marks a side effect as done, written in the same transaction as the effect itself."""

    key = models.CharField(max_length=255, primary_key=True)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_taskeffect"  # kept when the model left core
        default_permissions = ()
