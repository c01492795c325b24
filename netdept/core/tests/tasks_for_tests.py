"""Tasks used by the tests of the worker, the scheduler and the RQ backend."""

from __future__ import annotations

import time
import uuid

from django.db import transaction
from django_tasks import TaskContext, task

from netdept.core.context import acting
from netdept.tasks.jobs import once


@task(queue_name="default", takes_context=True)
def effect_then_sleep(context: TaskContext, key: str, first_attempt_sleep: float) -> str:
    """Create a department named ``key`` once (guarded by ``once``), then sleep on attempt 1.

    The department is the side effect: nothing in the schema prevents a second one with the
    same name, so only ``once`` keeps a re-run from creating it again.
    """
    from netdept.org.models import Department
    from netdept.org.services import DepartmentService

    with acting(None, None, "task"), transaction.atomic():
        if once(f"test-effect:{key}"):
            DepartmentService(Department).create(
                None, {"name": key, "code": f"T{uuid.uuid4().hex[:12]}"}, check=False
            )
    if context.attempt <= 1:
        time.sleep(first_attempt_sleep)
    return f"done after {context.attempt} attempts"


@task(queue_name="default")
def add(a: int, b: int) -> int:
    return a + b


@task(queue_name="default")
def mark_fired() -> str:
    """Leave one TaskEffect per run, so tests can count how often a job really ran."""
    from netdept.tasks.models import TaskEffect

    key = f"fired:{uuid.uuid4().hex}"
    TaskEffect.objects.create(key=key)
    return key
