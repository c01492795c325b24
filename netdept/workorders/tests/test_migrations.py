"""Migrations applied to tables that hold orders (an empty table hides what a real upgrade
meets: on PostgreSQL, a schema change after a data UPDATE in the same transaction is refused
while deferred foreign-key trigger events are pending)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from netdept.workorders import services
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.tests.test_services import World

BEFORE = ("workorders", "0004_percent_labels")


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_0005_upgrades_a_table_of_orders_and_fills_targets_and_next_checks() -> None:
    w = World()
    running = services.open_order(w.req, {"title": "无法上网", "category": w.category})
    services.accept(w.eng, running)
    done = services.open_order(w.req, {"title": "打印机卡纸", "category": w.category})
    services.accept(w.eng, done)
    services.resolve(w.eng, done, solution="已处理")
    merged = services.open_order(w.req, {"title": "重复", "category": w.category})
    services.merge(w.eng, merged, into=running)
    expected = {
        o.pk: (o.response_target_minutes, o.resolution_target_minutes, o.sla_next_check_at)
        for o in WorkOrder.objects.all()
    }
    assert expected[running.pk][2] is not None and expected[done.pk][2] is None
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("workorders")
    try:
        _migrate([BEFORE])  # drops the three columns; the rows stay
        _migrate(latest)
    finally:
        _migrate(latest)
    got = {
        o.pk: (o.response_target_minutes, o.resolution_target_minutes, o.sla_next_check_at)
        for o in WorkOrder.objects.all()
    }
    assert got == expected
    assert WorkOrder.objects.get(pk=done.pk).status == Status.RESOLVED
