"""The duties' demo: duties of the demo hospital, occurrences done on time, one late, one
missed that became a violation with the rule's fine, a reward — all through the services; and
loading again adds nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from netdept.duties import demo as duties_demo
from netdept.duties.models import Penalty, Reward
from netdept.duties.services import statements
from netdept.org import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_duties(monkeypatch: pytest.MonkeyPatch) -> None:
    """The organisation and the duties' loader alone (the other apps' demos are theirs)."""
    monkeypatch.setattr(demo, "DEMO_LOADERS", [])
    monkeypatch.setattr(demo, "LATE_LOADERS", [duties_demo.load])


def test_demo_duties(tmp_path: Path, only_duties: None) -> None:
    assert duties_demo.load in demo.LATE_LOADERS
    result = demo.load(tmp_path)
    assert result.created > 0
    rows = duties_demo.demo_rows()
    assert rows["duties"] == 3
    assert rows["done"] >= 3
    assert rows["done_late"] == 1
    assert rows["missed"] == 1
    assert rows["violations"] == 1
    assert rows["rewards"] == 1
    fine = Penalty.objects.get(violation__occurrence__duty__code=duties_demo.INSPECTION)
    assert fine.person.name == "李娜"
    assert fine.amount == Decimal("50.00") and fine.sanction == "fine"
    reward = Reward.objects.get(reason__startswith="巡检中及时发现")
    st = statements.person_statement(reward.person, reward.month)
    assert st.totals.reward_amount == Decimal("200.00")
    assert st.totals.fines == Decimal("0.00")  # 张伟 was late once, never missed
    lina = statements.person_statement(fine.person, fine.month)
    assert lina.totals.fines + lina.totals.fines_open == Decimal("50.00")


def test_loading_again_adds_nothing(tmp_path: Path, only_duties: None) -> None:
    demo.load(tmp_path)
    rows = duties_demo.demo_rows()
    again = demo.load(tmp_path)
    assert again.created == 0
    assert duties_demo.demo_rows() == rows
