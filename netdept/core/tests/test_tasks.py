"""Idempotent-task helpers, the housekeeping tasks and the reaper of the database worker."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from netdept.core import audit
from netdept.core.models.audit import AuditRecord
from netdept.core.tests import tasks_for_tests
from netdept.tasks import jobs as tasks
from netdept.tasks.management.commands.nd_worker import beat, reap
from netdept.tasks.models import TaskEffect, WorkerHeartbeat

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notify", "poller", "backup"],
    }
}


def test_once_needs_the_effects_transaction():
    # No django_db mark: the test is not wrapped in a transaction.
    with pytest.raises(TransactionManagementError):
        tasks.once("outside")


@pytest.mark.django_db
def test_once_marks_an_effect_done_exactly_once():
    with transaction.atomic():
        assert tasks.once("mail:1") is True
        assert tasks.once("mail:1") is False  # the caller's transaction stays usable
        assert tasks.once("mail:2") is True
    assert tasks.effect_done("mail:1")
    with tasks.effect("mail:1") as todo:
        assert todo is False
    with tasks.effect("mail:3") as todo:
        assert todo is True


@pytest.mark.django_db
def test_a_rolled_back_effect_is_not_marked_done():
    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        assert tasks.once("backup:7")
        raise Crash
    assert not TaskEffect.objects.filter(key="backup:7").exists()
    with transaction.atomic():
        assert tasks.once("backup:7")  # the re-run does the effect


@pytest.mark.django_db
def test_purge_audit_trail_task_keeps_the_chain_verifiable():
    for i in range(5):
        audit.record("task", object_type_label="test.thing", object_id=str(i))
    old = timezone.now() - datetime.timedelta(days=800)
    first_three = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)[:3])
    AuditRecord.objects.filter(seq__in=first_three).update(ts=old)

    result = tasks.purge_audit_trail.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 3
    assert not AuditRecord.objects.filter(seq__in=first_three).exists()
    assert audit.verify().ok


@pytest.mark.django_db
def test_prune_task_results_deletes_only_old_finished_results():
    from django_tasks_db.models import DBTaskResult

    # The immediate backend of the tests keeps no results: nothing to prune.
    assert tasks.prune_task_results.call() == 0
    with override_settings(TASKS=DB_TASKS):
        old = tasks_for_tests.add.enqueue(1, 2)
        recent = tasks_for_tests.add.enqueue(2, 3)
        waiting = tasks_for_tests.add.enqueue(3, 4)
        DBTaskResult.objects.filter(pk=old.id).update(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at=timezone.now() - datetime.timedelta(days=31),
        )
        DBTaskResult.objects.filter(pk=recent.id).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now() - datetime.timedelta(days=2)
        )
        assert tasks.prune_task_results.call() == 1
        remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert {str(pk) for pk in remaining} == {recent.id, waiting.id}


@pytest.mark.django_db
def test_reaper_requeues_only_tasks_of_workers_without_heartbeat():
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        dead = tasks_for_tests.add.enqueue(1, 1)
        alive = tasks_for_tests.add.enqueue(2, 2)
        just_started = tasks_for_tests.add.enqueue(3, 3)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=dead.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["w-dead"]
    )
    DBTaskResult.objects.filter(pk=alive.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["w-dead", "w-alive"]
    )
    DBTaskResult.objects.filter(pk=just_started.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["w-new"]
    )
    WorkerHeartbeat.objects.create(worker_id="w-dead", seen_at=long_ago)
    beat("w-alive")

    assert reap(stale_after=30) == 1
    status = {str(pk): s for pk, s in DBTaskResult.objects.values_list("pk", "status")}
    assert status[dead.id] == TaskResultStatus.READY
    assert status[alive.id] == TaskResultStatus.RUNNING
    assert status[just_started.id] == TaskResultStatus.RUNNING  # its worker may be starting up
    assert reap(stale_after=30) == 0
