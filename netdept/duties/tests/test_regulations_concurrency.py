"""Two daily jobs (or a job and a person pressing 「发布生效」) putting the same approved
version into effect at once: it takes effect once, the previous version is superseded once,
each person is asked once. Real threads with their own connections, started at a barrier
(PostgreSQL, or an SQLite file: see netdept/approvals/tests/test_concurrency.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from netdept.approvals.tests import hospital
from netdept.approvals.tests.test_concurrency import race
from netdept.duties import importer
from netdept.duties.models import ReadConfirmation, Regulation, RegulationVersion, VersionStatus
from netdept.duties.services import regulations as rs

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "第一条每天写工作日志。\n第二条每周一交两篇新闻稿。"


@pytest.fixture(autouse=True)
def _real_concurrency() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )


def approved(reg: Regulation, label: str, on: dt.date) -> RegulationVersion:
    version = rs.create_version_from_import(
        None, regulation=reg, label=label, parsed=importer.split_text(TEXT), source_text=TEXT,
        effective_date=on,
    )  # fmt: skip
    return rs.VERSIONS.update(None, version, {"status": VersionStatus.APPROVED}, check=False)


def test_two_daily_jobs_put_a_version_into_effect_once() -> None:
    h = hospital.build()
    reg = rs.REGULATIONS.create(None, {"code": "netdept", "title": "网络部管理制度"}, check=False)
    today = timezone.localdate()
    old = approved(reg, "2025版", today)
    rs.take_effect(old)
    new = approved(reg, "2026版", today)
    results: list[Any] = race(rs.make_due_effective, rs.make_due_effective)
    assert sorted(results) == [0, 1], results
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == VersionStatus.EFFECTIVE and old.status == VersionStatus.SUPERSEDED
    assert RegulationVersion.objects.filter(regulation=reg, status="effective").count() == 1
    assert ReadConfirmation.objects.filter(version=new).count() == len(h.people)
