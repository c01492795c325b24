"""Work orders in the global search (``netdept/workorders/search.py``): by number (in full: to
the order; its start: that day's orders), words of the title (three characters and more, two —
the bigram index on PostgreSQL —, one: names only) and the requester; narrowed to the orders
the user may see; requesters are sent to the portal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from netdept.core import search
from netdept.org.models import Person
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders.models import WorkOrder
from netdept.workorders.search import bigrams, full_number, number_start
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

POPUP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "nd-search-popup"}


@dataclass
class World:
    engineer: Any  # team A
    other_engineer: Any  # team B
    director: Any
    requester: Any  # 门诊部
    outsider: Any  # a requester of another department
    a1: WorkOrder  # team A, filed by the requester
    a2: WorkOrder  # team A, filed by 李四 of 门诊部
    b1: WorkOrder  # team B, filed by the outsider


@pytest.fixture
def w() -> World:
    net = DepartmentFactory(name="网络部")
    team_a = TeamFactory(department=net, name="运维组")
    team_b = TeamFactory(department=net, name="安全组")
    clinic = DepartmentFactory(name="门诊部")
    lab = DepartmentFactory(name="检验科")
    requester = user_with_role("requester", department=clinic)
    requester.person.name = "张三丰"
    requester.person.save()
    outsider = user_with_role("requester", department=lab)
    li = Person.objects.create(name="李四", employee_no="E-LI-4", department=clinic)
    cat_a, cat_b = CategoryFactory(default_team=team_a), CategoryFactory(default_team=team_b)
    return World(
        engineer=user_with_role("engineer", team=team_a),
        other_engineer=user_with_role("engineer", team=team_b),
        director=user_with_role("director", department=net),
        requester=requester,
        outsider=outsider,
        a1=WorkOrderFactory(
            number="WO-20261201-0003", title="三楼打印机卡纸", category=cat_a,
            requester=requester.person,
        ),
        a2=WorkOrderFactory(
            number="WO-20261201-0004", title="门诊网络时断时续", category=cat_a, requester=li
        ),
        b1=WorkOrderFactory(
            number="WO-20261130-0001", title="检验科打印机无法打印", category=cat_b,
            requester=outsider.person,
        ),
    )  # fmt: skip


def numbers(user: Any, q: str) -> list[str]:
    result = search.run(q, user)
    groups = [g for g in result.groups if g.key == "workorders.workorder"]
    return [h.label.split()[0] for g in groups for h in g.hits]


def test_number_helpers() -> None:
    assert full_number("wo-20261201-0003") == "WO-20261201-0003"
    assert full_number("20261201-0003") == "WO-20261201-0003"
    assert full_number("WO-20261201") is None and full_number("打印机") is None
    assert number_start("wo-2026") == "WO-2026"
    assert number_start("20261201") == "WO-20261201"
    assert number_start("WO") == "WO-" and number_start("打印") is None
    assert number_start("12a") is None
    assert bigrams("网络网络") == ["络网", "网络"]


def test_a_number_in_full_goes_to_the_order(w: World) -> None:
    staff = ui_client(w.engineer)
    r = staff.get("/search/", {"q": "wo-20261201-0003"})
    assert r.status_code == 302
    assert r["Location"] == reverse("workorders:order", args=["WO-20261201-0003"])
    assert staff.get("/search/", {"q": "20261201-0003"})["Location"] == r["Location"]
    # a requester is sent to the portal's page of the order
    mine = ui_client(w.requester).get("/search/", {"q": "WO-20261201-0003"})
    assert mine["Location"] == reverse("workorders:portal_detail", args=["WO-20261201-0003"])
    # the API answers the address
    body = api_client(w.engineer).get("/api/v1/search/", {"q": "WO-20261201-0003"}).json()
    assert body["url"] == r["Location"]
    # an order the user may not see is not named (no redirect, no hit, no url)
    other = ui_client(w.other_engineer).get("/search/", {"q": "WO-20261201-0003"})
    assert other.status_code == 200
    assert (
        r["Location"] not in other.content.decode() and "三楼打印机" not in other.content.decode()
    )
    assert (
        api_client(w.outsider).get("/api/v1/search/", {"q": "WO-20261201-0003"}).json()["url"]
        is None
    )


def test_the_start_of_a_number_finds_that_days_orders(w: World) -> None:
    assert numbers(w.director, "WO-20261201") == ["WO-20261201-0004", "WO-20261201-0003"]
    assert numbers(w.director, "20261130") == ["WO-20261130-0001"]
    assert numbers(w.engineer, "wo-2026") == ["WO-20261201-0004", "WO-20261201-0003"]
    assert numbers(w.director, "20261201-0003") == ["WO-20261201-0003"]  # in full: that one
    assert numbers(w.director, "WO-20261201-0003 打印机") == ["WO-20261201-0003"]
    assert numbers(w.director, "WO-20261201-0003 网络") == []


def test_words_of_the_title_narrowed_to_what_the_user_may_see(w: World) -> None:
    assert numbers(w.director, "打印机") == ["WO-20261130-0001", "WO-20261201-0003"]
    assert numbers(w.engineer, "打印机") == ["WO-20261201-0003"]
    assert numbers(w.other_engineer, "打印机") == ["WO-20261130-0001"]
    assert numbers(w.requester, "打印机") == ["WO-20261201-0003"]  # their department's
    assert numbers(w.outsider, "打印机") == ["WO-20261130-0001"]
    # every word must match; case does not matter; two-character words
    assert numbers(w.director, "打印机 三楼") == ["WO-20261201-0003"]
    assert numbers(w.director, "打印 检验") == ["WO-20261130-0001"]
    assert numbers(w.director, "网络") == ["WO-20261201-0004"]
    assert numbers(w.director, "打印机 网络") == []
    assert numbers(w.director, "键盘") == [] and numbers(w.director, "键盘坏了") == []


def test_two_character_words_keep_their_order_and_punctuation(w: World) -> None:
    WorkOrderFactory(number="WO-20261201-0009", title="QQ 无法登录 (100%)", category=w.a1.category)
    WorkOrderFactory(number="WO-20261201-0010", title="Q 盘满了 10%", category=w.a1.category)
    assert numbers(w.director, "qq") == ["WO-20261201-0009"]
    assert numbers(w.director, "0%)") == ["WO-20261201-0009"]
    assert numbers(w.director, "%)") == ["WO-20261201-0009"]
    assert numbers(w.director, "0%") == ["WO-20261201-0010", "WO-20261201-0009"]
    assert numbers(w.director, "%0") == []
    WorkOrderFactory(number="WO-20261201-0011", title="共享盘 a_b_c 无权限", category=w.a1.category)
    assert numbers(w.director, "a_b_c") == ["WO-20261201-0011"]  # no word of 3: bigrams
    assert numbers(w.director, "a_c") == []


def test_the_requester_by_name_or_employee_number(w: World) -> None:
    assert numbers(w.director, "李四") == ["WO-20261201-0004"]
    assert numbers(w.director, "e-li-4") == ["WO-20261201-0004"]
    assert numbers(w.director, "张三丰 打印机") == ["WO-20261201-0003"]
    # one character: a surname (names only, with a note)
    assert numbers(w.director, "张 打印机") == ["WO-20261201-0003"]
    with translation.override("en"):
        result = search.run("张 打印机", w.director)
    group = next(g for g in result.groups if g.key == "workorders.workorder")
    assert group.note == "Words of one character are looked for in names only."


def test_hits_show_status_requester_and_link_by_role(w: World) -> None:
    result = search.run("打印机", w.engineer)
    hit = next(g for g in result.groups if g.key == "workorders.workorder").hits[0]
    assert hit.label == "WO-20261201-0003 三楼打印机卡纸"
    assert hit.url == reverse("workorders:order", args=["WO-20261201-0003"])
    assert hit.badge == w.a1.get_status_display() and "P3" in hit.detail and "张三丰" in hit.detail
    group = next(g for g in result.groups if g.key == "workorders.workorder")
    assert group.more_url == reverse("workorders:desk") + "?queue=all&q=%E6%89%93%E5%8D%B0%E6%9C%BA"
    mine = next(
        g for g in search.run("打印机", w.requester).groups if g.key == "workorders.workorder"
    )
    assert mine.hits[0].url == reverse("workorders:portal_detail", args=["WO-20261201-0003"])
    assert mine.more_url is None  # no desk for requesters


def test_type_ahead_in_chinese(w: World) -> None:
    c = ui_client(w.engineer)
    c.cookies["django_language"] = "zh-hans"
    html = c.get("/search/", {"q": "打印机"}, HTTP_ACCEPT_LANGUAGE="zh-hans", **POPUP)
    text = html.content.decode()
    assert "WO-20261201-0003 三楼打印机卡纸" in text and "WO-20261130-0001" not in text
    assert 'role="option"' in text


def test_many_orders_are_bounded_and_newest_first(w: World) -> None:
    for i in range(15):
        WorkOrderFactory(
            number=f"WO-20261202-{i:04d}", title=f"打印机故障 {i}", category=w.a1.category
        )
    result = search.run("打印机故障", w.engineer, limit=5)
    group = next(g for g in result.groups if g.key == "workorders.workorder")
    assert len(group.hits) == 5 and group.has_more
    got = [h.label.split()[0] for h in group.hits]
    assert got == [f"WO-20261202-{i:04d}" for i in range(14, 9, -1)]


def test_queries_do_not_grow_with_the_hits(w: World) -> None:
    """One query per group (plus fixed ones), whatever the number of hits: the requester and
    the department are read with the orders."""
    c = ui_client(w.director)

    def count() -> int:
        c.get("/search/", {"q": "工单"}, **POPUP)  # warm: permissions, session
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/search/", {"q": "工单"}, **POPUP).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        WorkOrderFactory(number=f"WO-20261203-{i:04d}", title=f"工单 {i}", category=w.a1.category)
    few = count()
    for i in range(2, 12):
        WorkOrderFactory(number=f"WO-20261203-{i:04d}", title=f"工单 {i}", category=w.a1.category)
    assert count() == few


def test_newest_first_whether_found_among_the_newest_or_not(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL looks among the WINDOW newest orders first, then through the indexes: the
    answer is the same either way (newest first), for common and rare words alike."""
    from netdept.workorders import search as wo_search

    monkeypatch.setattr(wo_search, "WINDOW", 4)
    for i in range(10):
        WorkOrderFactory(
            number=f"WO-20261204-{i:04d}", title=f"交换机告警 {i}", category=w.a1.category
        )
    got = numbers(w.director, "交换机")
    assert got == [f"WO-20261204-{i:04d}" for i in range(9, -1, -1)]
    # three asked, four in the window: answered from the window alone
    first = next(g for g in search.run("交换机", w.director, limit=3).groups if g.hits)
    assert [h.label.split()[0] for h in first.hits] == got[:3] and first.has_more
    # a word of the oldest orders only (outside the window): found through the indexes
    assert numbers(w.director, "打印机") == ["WO-20261130-0001", "WO-20261201-0003"]
    assert numbers(w.director, "网络") == ["WO-20261201-0004"]
    assert numbers(w.engineer, "告警") == got  # two characters, narrowed to the team
    assert numbers(w.other_engineer, "告警") == []
