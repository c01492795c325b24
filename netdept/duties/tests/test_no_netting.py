"""功过不能相抵: nothing nets penalties against rewards — not the statement page, the printable
statement, the payroll workbook, the statements API, the compliance report page, its workbook,
nor its API.

张伟's October: a ¥130 fine in effect and an ¥80 bonus. Every output must show ¥130 and ¥80 in
separate places, and never ¥50 (130 − 80) or −¥50 (80 − 130) or ¥210 (130 + 80), nor a column
or field called net, balance or offset."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from netdept.duties.tests.test_statements import World, build_world, client_for
from netdept.duties.tests.test_statements import urlpatterns as urlpatterns  # the API's routes

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

NETTED_TEXT = re.compile(r"(?<![\d.,])(?:-|−)?¥?\s?(?:50|210)\.00(?![\d])")
NETTED_VALUES = {Decimal("50"), Decimal("-50"), Decimal("210")}
RULE_NOTE = re.compile(r'<p class="[^"]*dr-rule-note[^"]*">.*?</p>', re.DOTALL)
NETTING_WORDS = re.compile(r"\bnet\b|balance|offset|净额|抵扣|相抵后|余额", re.IGNORECASE)


@pytest.fixture
def world() -> World:
    return build_world()


def _person_query(world: World) -> dict[str, Any]:
    return {"month": "2026-10", "person": world.h["zhangwei"].pk}


def _team_query(world: World) -> dict[str, Any]:
    return {"month": "2026-10", "team": world.h.ops.pk}


def assert_not_netted_text(text: str, where: str) -> None:
    assert "130.00" in text, where
    assert "80.00" in text, where
    assert not NETTED_TEXT.search(text), (where, NETTED_TEXT.search(text))
    # the notes that state the rule (class dr-rule-note) may name it; anything else that
    # speaks of netting would be a column or a figure that nets
    stated = RULE_NOTE.sub(" ", text)
    assert len(stated) < len(text), where  # the rule is stated on every page
    visible = re.sub(r"<[^>]+>", " ", stated)
    assert not NETTING_WORDS.search(visible), (where, NETTING_WORDS.search(visible))


def _cells(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    return [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]


def assert_not_netted_workbook(content: bytes, where: str) -> None:
    cells = _cells(content)
    numbers = {Decimal(str(v)) for v in cells if isinstance(v, (int, float, Decimal))}
    assert Decimal("130") in numbers and Decimal("80") in numbers, where
    assert not numbers & NETTED_VALUES, (where, numbers & NETTED_VALUES)
    for v in cells:
        if isinstance(v, str):
            assert not NETTING_WORDS.search(v.replace("功过不能相抵", "")), (where, v)


def _walk(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k, v
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def assert_not_netted_json(data: Any, where: str) -> None:
    text = json.dumps(data, ensure_ascii=False)
    assert "130.00" in text and "80.00" in text, where
    for path, key, value in _walk(data):
        assert not NETTING_WORDS.search(str(key)), (where, path)
        if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d\d", value):
            assert Decimal(value) not in NETTED_VALUES, (where, path, value)


def _get(c: Client, url: str, params: dict[str, Any]) -> Any:
    with translation.override("zh-hans"):
        resp = c.get(url, params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200, (url, resp.status_code)
    return resp


def test_nothing_nets_anywhere(world: World) -> None:
    c = client_for(world.user("wangjg"))
    person, team = _person_query(world), _team_query(world)
    october = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}
    # the statement pages and the printable statement, of a person and of the team
    for url in ("/duties/statements/", "/duties/statements/print/"):
        for params in (person, team):
            html = _get(c, url, params).content.decode()
            assert_not_netted_text(html, f"{url} {params}")
    # the payroll workbook, of a person and of the team
    for params in (person, team):
        content = _get(c, "/duties/statements/export/", params).content
        assert_not_netted_workbook(content, f"payroll {params}")
    # the statements API
    for params in (person, team):
        data = _get(c, "/api/v1/duties/statements/", params).json()
        assert_not_netted_json(data, f"statements API {params}")
    # the compliance report: page, workbook, API
    html = _get(c, "/duties/reports/", october).content.decode()
    assert_not_netted_text(html, "report page")
    assert_not_netted_workbook(_get(c, "/duties/reports/export/", october).content, "report xlsx")
    data = _get(c, "/api/v1/duties/compliance/", {"start": "2026-10-01", "end": "2026-10-31"})
    assert_not_netted_json(data.json(), "compliance API")


def test_a_reward_leaves_the_fines_unchanged(world: World) -> None:
    """A bigger reward changes the rewards' figures and nothing of the penalties'."""
    c = client_for(world.user("wangjg"))
    before = _get(c, "/api/v1/duties/statements/", _person_query(world)).json()
    from netdept.duties.tests.test_statements import reward

    reward(world, "zhangwei", "500.00", day=28)
    after = _get(c, "/api/v1/duties/statements/", _person_query(world)).json()
    assert after["totals"]["penalties"] == before["totals"]["penalties"]
    assert after["totals"]["rewards"]["amount"] == "580.00"
    assert after["penalties"] == before["penalties"]
