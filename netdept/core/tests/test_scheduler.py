"""The scheduler: leader lease, exactly-once firing, catch-up after downtime, time zone."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from netdept.tasks import scheduler as sched
from netdept.tasks.models import JobRun, SchedulerLease, TaskEffect
from netdept.tasks.scheduler import PeriodicJob, Scheduler, periodic

UTC = datetime.UTC
T0 = datetime.datetime(2025, 3, 3, 2, 0, 30, tzinfo=UTC)  # 10:00:30 in Shanghai, a Monday


def job(name: str = "test.every_minute", cron: str = "* * * * *") -> PeriodicJob:
    return PeriodicJob(name=name, cron=cron, task="netdept.core.tests.tasks_for_tests.mark_fired")


def fired_count() -> int:
    """How often a job's task really ran (each run of ``mark_fired`` leaves one marker)."""
    return TaskEffect.objects.filter(key__startswith="fired:").count()


@pytest.mark.django_db
def test_only_one_scheduler_is_leader_and_the_standby_takes_over_after_expiry():
    a = Scheduler(holder="a", lease_seconds=30, tick_seconds=5, job_list=[])
    b = Scheduler(holder="b", lease_seconds=30, tick_seconds=5, job_list=[])

    assert a.acquire(T0) is True
    assert b.acquire(T0) is False
    assert b.acquire(T0 + datetime.timedelta(seconds=20)) is False
    assert a.acquire(T0 + datetime.timedelta(seconds=25)) is True  # renewed until T0+55s
    assert b.acquire(T0 + datetime.timedelta(seconds=50)) is False
    assert SchedulerLease.objects.get().holder == "a"

    # a stops renewing (killed): once the lease expired, b takes it, and a is out.
    later = T0 + datetime.timedelta(seconds=56)
    assert b.acquire(later) is True
    assert a.acquire(later) is False
    assert (a.is_leader, b.is_leader) == (False, True)
    assert SchedulerLease.objects.get().holder == "b"
    assert SchedulerLease.objects.count() == 1


@pytest.mark.django_db
def test_release_lets_the_standby_take_over_at_once():
    a = Scheduler(holder="a", job_list=[])
    b = Scheduler(holder="b", job_list=[])
    assert a.acquire(T0)
    a.release()
    assert b.acquire(T0)


@pytest.mark.django_db
def test_standby_fires_nothing():
    every_minute = job()
    a = Scheduler(holder="a", lease_seconds=120, job_list=[every_minute])
    b = Scheduler(holder="b", lease_seconds=120, job_list=[every_minute])
    assert len(a.tick(T0)) == 1
    next_minute = T0 + datetime.timedelta(seconds=40)  # 02:01 is due; a's lease still runs
    assert b.tick(next_minute) == []
    assert [r.fired_by for r in a.tick(next_minute)] == ["a"]
    assert set(JobRun.objects.values_list("fired_by", flat=True)) == {"a"}


@pytest.mark.django_db
def test_job_run_uniqueness_prevents_a_double_fire():
    every_minute = job()
    a = Scheduler(holder="a", job_list=[every_minute])
    b = Scheduler(holder="b", job_list=[every_minute])
    due = every_minute.last_due(T0)
    # Both believe they lead (say, a's lease lapsed during a long pause) and fire the same time.
    first = a.fire(every_minute, due)
    second = b.fire(every_minute, due)
    assert first is not None and second is None
    assert JobRun.objects.filter(job=every_minute.name, due_at=due).count() == 1
    assert fired_count() == 1  # the task ran once
    assert first.task_id


@pytest.mark.django_db
def test_after_downtime_a_job_fires_once_for_the_latest_due_time():
    hourly = job("test.hourly", "0 * * * *")
    s = Scheduler(holder="a", job_list=[hourly])
    JobRun.objects.create(job=hourly.name, due_at=T0 - datetime.timedelta(days=3), fired_by="old")
    fired = s.tick(T0)
    assert [r.due_at for r in fired] == [datetime.datetime(2025, 3, 3, 2, 0, tzinfo=UTC)]
    assert s.tick(T0 + datetime.timedelta(seconds=5)) == []
    assert JobRun.objects.filter(job=hourly.name).count() == 2
    assert fired_count() == 1


@pytest.mark.django_db
def test_a_new_job_waits_for_its_time_unless_just_due():
    daily = job("test.daily", "10 3 * * *")  # 03:10 Shanghai = 19:10 UTC the day before
    s = Scheduler(holder="a", job_list=[daily])
    assert s.tick(T0) == []  # fell due hours ago, never fired before: no surprise run
    at_due = datetime.datetime(2025, 3, 3, 19, 11, 0, tzinfo=UTC)
    fired = s.tick(at_due)
    assert [r.due_at for r in fired] == [datetime.datetime(2025, 3, 3, 19, 10, tzinfo=UTC)]


def test_cron_is_read_in_the_configured_time_zone():
    daily = job("test.daily", "10 3 * * *")
    now = datetime.datetime(2025, 1, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert daily.last_due(now) == datetime.datetime(2025, 1, 1, 19, 10, tzinfo=UTC)
    assert daily.next_due(now) == datetime.datetime(2025, 1, 2, 19, 10, tzinfo=UTC)
    exactly = datetime.datetime(2025, 1, 1, 19, 10, tzinfo=UTC)
    assert daily.last_due(exactly) == exactly
    with override_settings(TIME_ZONE="UTC"):
        assert daily.last_due(now) == datetime.datetime(2025, 1, 1, 3, 10, tzinfo=UTC)


def test_periodic_validates_and_registers_jobs():
    with pytest.raises(ValueError):
        periodic("test.bad", "61 * * * *", "x.y")
    try:
        registered = periodic("test.ok", "*/5 * * * *", "netdept.tasks.jobs.prune_task_results")
        assert sched.jobs()["test.ok"] is registered
    finally:
        sched.unregister("test.ok")
    jobs = sched.jobs()
    assert jobs["core.purge_audit_trail"].cron == "10 3 * * *"
    assert jobs["core.prune_task_results"].cron == "40 3 * * 0"
    for registered_job in jobs.values():
        registered_job.resolve_task()  # every registered task resolves to a Task


def test_tick_must_be_shorter_than_the_lease():
    with pytest.raises(ValueError):
        Scheduler(lease_seconds=5, tick_seconds=5)
