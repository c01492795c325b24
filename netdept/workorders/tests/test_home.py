"""The work orders' home widgets: each person sees their own work, counted within their scope,
and every count is the number of rows the desk lists at the count's link (same filter set).

The scene is the queue tests' one (``test_queues.scene``): orders in every SLA situation,
an engineer and a lead of team A, the director, a requester of 门诊部.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from netdept.core import home
from netdept.testing.crud import ui_client
from netdept.testing.factories import PersonFactory, user_with_role
from netdept.workorders import home as wo_home
from netdept.workorders.models import Category, SlaPolicy, Status, WaitingOn
from netdept.workorders.tests import test_queues
from netdept.workorders.tests.factories import WorkOrderFactory
from netdept.workorders.tests.test_queues import DAY, HOUR, Scene, desk_numbers

scene = test_queues.scene  # the queue tests' fixture

pytestmark = pytest.mark.django_db


def context(fn: Any, user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return fn(request)


def keys(user: Any) -> list[str]:
    return [w.key for w in home.applicable(user)]


def tiles(ctx: dict[str, Any]) -> dict[str, int]:
    return {t["key"]: t["count"] for t in ctx["tiles"]}


def assert_tiles_match_the_desk(user: Any, ctx: dict[str, Any]) -> None:
    """Each count is exactly the number of orders its link lists on the desk."""
    for t in ctx["tiles"]:
        parts = urlsplit(t["url"])
        assert parts.path == reverse("workorders:desk")
        listed = desk_numbers(user, parse_qsl(parts.query))
        assert len(listed) == t["count"], (t["key"], t["url"], listed)


# --- who sees what ----------------------------------------------------------------------------
def test_each_role_gets_the_widgets_that_concern_it(scene: Scene) -> None:
    u = scene.users
    assert "workorders_requests" in keys(u["requester"])
    assert not {"workorders_queue", "workorders_team", "workorders_service"} & set(
        keys(u["requester"])
    )
    assert {"workorders_queue"} <= set(keys(u["engineer"]))
    assert not {"workorders_team", "workorders_service"} & set(keys(u["engineer"]))
    assert "workorders_team" in keys(u["lead"])
    assert "workorders_service" not in keys(u["lead"])
    assert "workorders_service" in keys(u["director"])
    assert "workorders_queue" not in keys(u["director"])  # in no team: no queue of their own
    auditor = user_with_role("auditor")
    assert not [k for k in keys(auditor) if k.startswith("workorders_")]


# --- the engineer -----------------------------------------------------------------------------
def test_the_engineer_sees_their_queue_most_urgent_first(scene: Scene) -> None:
    user = scene.users["engineer"]
    ctx = context(wo_home.queue_context, user)
    # open and theirs: running, paused (in time), warned; warned is about to breach
    assert tiles(ctx) == {"mine": 3, "breaching": 1, "breached": 0, "unassigned": 3}
    numbers = [r["order"].number for r in ctx["rows"]]
    assert set(numbers) == scene.n("mine_running", "paused_in_time", "warned")
    assert numbers[0] == scene.orders["warned"].number  # about to breach comes first
    assert ctx["rows"][0]["breaching"] and not ctx["rows"][0]["breached"]
    assert_tiles_match_the_desk(user, ctx)


def test_a_breached_order_of_the_engineer_comes_first(scene: Scene) -> None:
    user = scene.users["engineer"]
    late = WorkOrderFactory(
        title="超时单",
        category=scene.orders["mine_running"].category,
        assignee=user.person,
        status=Status.IN_PROGRESS,
        responded_at=timezone.now() - DAY,
        resolution_due=timezone.now() - HOUR,
        priority=4,
    )
    ctx = context(wo_home.queue_context, user)
    assert tiles(ctx)["breached"] == 1
    assert ctx["rows"][0]["order"].number == late.number and ctx["rows"][0]["breached"]
    assert_tiles_match_the_desk(user, ctx)


# --- the team lead ----------------------------------------------------------------------------
def test_the_team_lead_sees_the_team_load_and_its_breaches(scene: Scene) -> None:
    user = scene.users["lead"]
    ctx = context(wo_home.team_context, user)
    t = tiles(ctx)
    assert t["team_open"] == 11  # team A's open orders (see the scene)
    assert t["breached"] == len(scene.n("overdue_open", "answered_late", "paused_late")) + 1
    assert_tiles_match_the_desk(user, ctx)
    people = {p["name"]: p for p in ctx["people"]}
    eng = scene.users["engineer"].person
    assert people[eng.name]["open"] == 3 and people[eng.name]["breaching"] == 1
    # the unassigned orders of the team are a row of their own ("nobody")
    nobody = [p for p in ctx["people"] if p["pid"] is None]
    assert nobody and nobody[0]["open"] == len(
        scene.n("response_soon", "response_late", "unassigned_new")
    )
    # a member with no order is listed too (the lead dispatches to them)
    idle = PersonFactory(name="空闲的人", department=scene.team_a.department, team=scene.team_a)
    ctx = context(wo_home.team_context, user)
    assert {p["name"]: p["open"] for p in ctx["people"]}[idle.name] == 0
    holders = {r["order"].number: r["order"].assignee for r in ctx["breached"]}
    assert holders[scene.orders["response_late"].number] is None  # shown as "nobody"
    for p in ctx["people"]:
        if p["url"]:
            parts = urlsplit(p["url"])
            assert len(desk_numbers(user, parse_qsl(parts.query))) == p["open"], p


def test_the_team_widget_on_the_page(scene: Scene) -> None:
    html = ui_client(scene.users["lead"]).get(reverse("home")).content.decode()
    assert 'id="home-workorders_team"' in html
    assert scene.orders["overdue_open"].number in html
    assert 'id="home-workorders_service"' not in html


# --- the director -------------------------------------------------------------------------------
def test_the_director_sees_the_week_and_the_breached_p1_p2(scene: Scene) -> None:
    user = scene.users["director"]
    now = timezone.now()
    # rated this week, one of them late
    for stars in (5, 4):
        WorkOrderFactory(
            category=scene.orders["mine_running"].category,
            status=Status.CLOSED,
            responded_at=now - HOUR,
            resolved_at=now - HOUR,
            resolution_due=now + HOUR,
            closed_at=now - HOUR,
            rating=stars,
            rated_at=now - HOUR,
        )
    ctx = context(wo_home.service_context, user)
    figs = {f["key"]: f for f in ctx["figures"]}
    assert figs["received"]["value"] == len(scene.orders) + 2  # all were made just now
    # resolved in the last 7 days: resolved_late (a day ago), closed_late (5 days ago),
    # resolved_in_time and the two rated; the two late ones missed their targets
    assert figs["resolved"]["value"] == 5
    assert figs["sla"]["value"] == 60
    assert figs["satisfaction"]["value"] == 4.5
    assert figs["received"]["delta"] == {"sign": 1, "text": f"+{len(scene.orders) + 2}"}
    urgent = {r["order"].number: r for r in ctx["urgent"]}
    # P1 breached, open, unassigned: the case of the issue
    assert scene.orders["response_late"].number in urgent
    assert urgent[scene.orders["response_late"].number]["order"].assignee is None
    assert scene.orders["mine_running"].number not in urgent  # P1 but in time
    assert_tiles_match_the_desk(user, ctx)
    # the chart: two bars a day, seven days, today's received bar the tallest
    chart = ctx["chart"]
    assert len(chart["bars"]) == 2 * wo_home.WEEK_DAYS
    assert chart["bars"][-2]["n"] == len(scene.orders) + 2
    assert chart["bars"][-2]["h"] == max(b["h"] for b in chart["bars"])
    html = ui_client(user).get(reverse("home")).content.decode()
    assert "<svg" in html and 'role="img"' in html and "style=" not in html.split("<svg")[1]
    assert "nobody holds it" in html or "无人处理" in html


def test_the_week_against_the_week_before(scene: Scene) -> None:
    fig = wo_home._delta(80, 90)
    assert fig == {"sign": -1, "text": "-10"}
    assert wo_home._delta(None, 3) is None
    assert wo_home._delta(4.5, 4.5) == {"sign": 0, "text": "±0"}
    assert [wo_home._nice_max(v) for v in (0, 3, 5, 17, 90, 101)] == [4, 4, 8, 20, 100, 200]


# --- the requester ------------------------------------------------------------------------------
def test_the_requester_sees_what_waits_for_them(scene: Scene) -> None:
    user = scene.users["requester"]
    now = timezone.now()
    cat = scene.orders["mine_running"].category
    reply = WorkOrderFactory(
        category=cat,
        requester=user.person,
        status=Status.WAITING,
        waiting_on=WaitingOn.REQUESTER,
        paused_at=now,
    )
    rate = WorkOrderFactory(
        category=cat,
        requester=user.person,
        status=Status.CLOSED,
        resolved_at=now - DAY,
        closed_at=now - DAY,
    )
    old = WorkOrderFactory(  # closed long ago: no longer asks for a rating
        category=cat,
        requester=user.person,
        status=Status.CLOSED,
        resolved_at=now - 60 * DAY,
        closed_at=now - 60 * DAY,
    )
    colleague = PersonFactory(department=scene.served)
    theirs = WorkOrderFactory(category=cat, requester=colleague, status=Status.RESOLVED)
    ctx = context(wo_home.requests_context, user)
    todo = {r["order"].number: r["todo_key"] for r in ctx["waiting"]}
    resolved = {o.number for o in scene.orders.values() if o.status == Status.RESOLVED}
    assert todo == {
        reply.number: "reply",
        rate.number: "rate",
        **dict.fromkeys(resolved, "confirm"),
    }
    assert old.number not in todo and theirs.number not in todo  # a colleague's is not theirs
    assert ctx["waiting_total"] == len(todo)
    open_mine = {
        o.number for o in scene.orders.values() if o.requester_id == user.person.pk and o.is_open
    } | {reply.number}
    assert ctx["counts"]["open"] == len(open_mine)
    listed = {r["order"].number for r in ctx["open_orders"]} | {
        n for n in todo if n == reply.number
    }
    assert listed <= open_mine
    html = ui_client(user).get(reverse("home")).content.decode()
    assert 'id="home-wo-new"' in html and reply.number in html
    assert 'id="home-lists"' not in html  # no count cards of settings tables


def test_staff_see_their_requests_only_when_something_is_under_way(scene: Scene) -> None:
    engineer = scene.users["engineer"]
    assert context(wo_home.requests_context, engineer) is None
    WorkOrderFactory(category=scene.orders["mine_running"].category, requester=engineer.person)
    ctx = context(wo_home.requests_context, engineer)
    assert ctx is not None and ctx["counts"]["open"] == 1


# --- set-up warnings ----------------------------------------------------------------------------
def test_missing_categories_and_sla_policies_are_set_up_warnings() -> None:
    director = user_with_role("director")
    engineer = user_with_role("engineer")
    Category.objects.all().delete()
    SlaPolicy.objects.filter(priority=1).update(is_active=False)
    found = {w.key for w in home.setup_warnings(director)}
    assert {"no-category", "sla-missing"} <= found
    assert not {"no-category", "sla-missing"} & {w.key for w in home.setup_warnings(engineer)}
    html = ui_client(director).get(reverse("home")).content.decode()
    assert 'data-setup="no-category"' in html and reverse("workorders:category_add") in html
    assert (
        'data-setup="no-category"' not in ui_client(engineer).get(reverse("home")).content.decode()
    )


def test_rate_window() -> None:
    now = timezone.now()
    q = wo_home.rate_q(now)
    assert "closed_at__gte" in str(q) and now - dt.timedelta(days=wo_home.RATE_DAYS) in [
        c[1] for c in q.children if isinstance(c, tuple)
    ]
