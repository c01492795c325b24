"""The packs shipped in the repository's packs/ folder: each validates, loads into the test
hospital's network department, has NO missing article in its coverage (every article encoded
or not automatable with a reason), and loads a second time with 0 changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.duties.models import Pack
from netdept.duties.packs import available
from netdept.duties.packs.coverage import MISSING, coverage
from netdept.duties.packs.load import load

SHIPPED = available()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.skipif(not SHIPPED, reason="no pack in the packs folder")
@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_pack_loads_with_complete_coverage(name: str) -> None:
    hospital.build()
    report = load(name, department="XXK")
    assert report.changes > 0 and not report.kept
    cov = coverage(Pack.objects.get(name=name))
    assert cov.rows, "a pack without articles"
    missing = [f"{r.regulation} {r.article.label}" for r in cov.rows if r.status == MISSING]
    assert missing == [], f"articles neither encoded nor marked not automatable: {missing}"
    for row in cov.rows:
        if row.status == "not_automatable":
            assert row.article.not_automatable_reason.strip()
    again = load(name)
    assert again.changes == 0 and not again.kept and not again.edited


def test_the_shipped_packs_are_there() -> None:
    assert {"marketing", "telecom"} <= set(SHIPPED)
