"""Two people deciding the same step at once: one wins, the other is told who was first, and
the request moves on exactly once. Real threads, each with its own database connection, start
together at a barrier.

On PostgreSQL the engine's row locks (the request, then the step) serialise the deciders; on
SQLite the transactions begin IMMEDIATE, so writers serialise at BEGIN. SQLite needs a database
file for that (``NETDEPT_TEST_SQLITE_NAME=/tmp/x.sqlite3``): the in-memory test database is
shared between connections with table locks that fail at once instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from netdept.approvals import services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.approvals.services import engine
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _real_concurrency() -> None:
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        pytest.skip(
            "concurrent writers need PostgreSQL or an SQLite file "
            "(NETDEPT_TEST_SQLITE_NAME): the in-memory database fails on table locks"
        )


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at the same instant in threads of their own (English messages); answer
    each one's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            translation.activate("en")
            barrier.wait(10)
            results[i] = call()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            translation.deactivate()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung (a deadlock?)"
    return results


def engineers_then_director(h: hospital.Hospital, code: str) -> Any:
    """Any one engineer (张伟 or 李娜), then the director."""
    r = hospital.rule(code=code)
    hospital.step(r, "工程师审核", "role", order=10, role=Role.objects.get(code="engineer"),
                  role_quorum="any")  # fmt: skip
    hospital.step(r, "主任审批", "director", order=20)
    return r


def submit(h: hospital.Hospital, r: Any, title: str) -> ApprovalRequest:
    return services.submit(h.user("huangli"), kind="approvals.general", rule=r, title=title)


def seat(req: ApprovalRequest, h: hospital.Hospital, who: str) -> ApprovalDecision:
    return req.decisions.get(approver=h[who], status=DecisionStatus.PENDING)


def approvals_audited(d: ApprovalDecision) -> int:
    return AuditRecord.objects.filter(
        object_type="approvals.approvaldecision", object_id=str(d.pk), extra__approval="approve"
    ).count()


def test_two_approvers_of_one_step_at_once_one_wins_the_other_is_told_who() -> None:
    h = hospital.build()
    r = engineers_then_director(h, "race")
    for n in range(ROUNDS):
        req = submit(h, r, f"机房门禁变更 {n}")
        a, b = seat(req, h, "zhangwei"), seat(req, h, "lina")
        results = race(
            partial(services.approve, h.user("zhangwei"), a, "同意"),
            partial(services.approve, h.user("lina"), b, "同意"),
        )
        won = [x for x in results if isinstance(x, ApprovalDecision)]
        lost = [x for x in results if isinstance(x, Exception)]
        assert len(won) == 1 and len(lost) == 1, results
        winner = won[0]
        assert isinstance(lost[0], engine.Conflict), repr(lost[0])
        message = lost[0].messages[0]
        assert message.startswith(f"Already decided: approved by {winner.approver.name}, ")
        assert message.endswith("Nothing was changed.")
        loser = b if winner.pk == a.pk else a
        loser.refresh_from_db()
        assert loser.status == DecisionStatus.NOT_NEEDED and loser.decided_at is None
        # The request moved on once: one step closed, one seat for the director.
        req.refresh_from_db()
        first, second = req.steps.order_by("position")
        assert first.status == StepStatus.APPROVED and second.status == StepStatus.PENDING
        assert list(second.decisions.values_list("approver__name", flat=True)) == ["王建国"]
        assert req.current_position == second.position and req.status == RequestStatus.PENDING
        assert approvals_audited(a) + approvals_audited(b) == 1


def test_approve_and_reject_at_once_only_one_outcome() -> None:
    h = hospital.build()
    r = engineers_then_director(h, "mixed")
    req = submit(h, r, "防火墙策略变更")
    a, b = seat(req, h, "zhangwei"), seat(req, h, "lina")
    results = race(
        lambda: services.approve(h.user("zhangwei"), a, "同意"),
        lambda: services.reject(h.user("lina"), b, "风险过高"),
    )
    lost = [x for x in results if isinstance(x, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], engine.Conflict), results
    req.refresh_from_db()
    if isinstance(results[0], ApprovalDecision):  # 张伟 first: on to the director
        assert "approved by 张伟" in lost[0].messages[0]
        assert req.status == RequestStatus.PENDING
        assert req.decisions.filter(status=DecisionStatus.PENDING).count() == 1
    else:  # 李娜 first: rejected, nothing pending, nobody else seated
        assert "rejected by 李娜" in lost[0].messages[0]
        assert req.status == RequestStatus.REJECTED
        assert not req.decisions.filter(status=DecisionStatus.PENDING).exists()
        assert req.steps.filter(status=StepStatus.CANCELLED).count() == 1


def test_a_double_click_decides_once() -> None:
    h = hospital.build()
    r = engineers_then_director(h, "double")
    req = submit(h, r, "新增VPN账号")
    a = seat(req, h, "zhangwei")
    results = race(
        lambda: services.approve(h.user("zhangwei"), a, "同意"),
        lambda: services.approve(h.user("zhangwei"), a, "同意"),
    )
    lost = [x for x in results if isinstance(x, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], engine.Conflict), results
    assert "approved by 张伟" in lost[0].messages[0]
    a.refresh_from_db()
    assert a.status == DecisionStatus.APPROVED and a.version == 2
    assert approvals_audited(a) == 1
    assert req.decisions.filter(status=DecisionStatus.PENDING).count() == 1  # the director's
    assert req.steps.filter(status=StepStatus.PENDING).count() == 1


def test_a_decision_and_a_withdrawal_at_once_never_deadlock() -> None:
    """Both take the request's lock first: whichever is second sees the other's result."""
    h = hospital.build()
    r = engineers_then_director(h, "withdraw")
    for n in range(ROUNDS):
        req = submit(h, r, f"撤回竞争 {n}")
        a = seat(req, h, "zhangwei")
        results = race(
            partial(services.approve, h.user("zhangwei"), a, "同意"),
            partial(services.withdraw, h.user("huangli"), req, "不需要了"),
        )
        req.refresh_from_db()
        assert req.status == RequestStatus.WITHDRAWN
        assert not req.decisions.filter(status=DecisionStatus.PENDING).exists()
        if isinstance(results[0], Exception):  # withdrawn first
            assert isinstance(results[0], engine.Conflict) and "withdrawn" in str(results[0])
        else:  # approved first, then withdrawn at the director's step
            assert isinstance(results[1], ApprovalRequest), results


def test_the_sweep_and_a_decision_at_the_limit_do_one_or_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = hospital.build()
    r = hospital.rule(code="limit")
    hospital.step(r, "组长审批", "team_lead", time_limit_hours=1, escalate_to="superior")
    start = dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)  # 17:00 in Beijing
    monkeypatch.setattr(engine, "now", lambda: start)
    limit = dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)  # 10-08 09:00 in Beijing
    for n in range(ROUNDS):
        req = services.submit(
            h.user("zhangwei"), kind="approvals.general", rule=r, title=f"超时竞争 {n}"
        )
        d = req.decisions.get()
        assert d.due_at == limit
        results = race(
            partial(services.approve, h.user("liuqiang"), d, "同意"),
            partial(services.sweep, limit),
        )
        req.refresh_from_db()
        if isinstance(results[0], ApprovalDecision):  # decided first: nothing to pass on
            assert req.status == RequestStatus.APPROVED
            assert not req.decisions.filter(status=DecisionStatus.PASSED_ON).exists()
        else:  # passed on first: the old holder is told so
            assert isinstance(results[0], ValidationError)
            assert "passed on" in str(results[0])
            assert req.decisions.get(status=DecisionStatus.PENDING).approver == h["wangjg"]
