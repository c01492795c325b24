"""One filter set for the desk and the API: every queue and a few filter combinations give
exactly the same order numbers on ``/workorders/`` and ``/api/v1/workorders/orders/``, for an
engineer (team scope), a team lead, the director (all) and a requester (the API only: the
desk is staff's), over orders in every SLA situation — and the rows are the ones the SLA
words promise (``netdept.workorders.filtersets``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_role,
)
from netdept.workorders.filtersets import QUEUE_KEYS
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

DESK = "/workorders/"
API = "/api/v1/workorders/orders/"
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass
class Scene:
    users: dict[str, Any]
    team_a: Any
    team_b: Any
    served: Any
    orders: dict[str, WorkOrder] = field(default_factory=dict)

    def n(self, *names: str) -> set[str]:
        return {self.orders[name].number for name in names}

    def all(self) -> set[str]:
        return {o.number for o in self.orders.values()}


@pytest.fixture
def scene() -> Scene:
    now = timezone.now()
    net = DepartmentFactory(name="网络部")
    team_a = TeamFactory(department=net, name="运维组")
    team_b = TeamFactory(department=net, name="安全组")
    engineer = user_with_role("engineer", team=team_a)
    colleague = PersonFactory(name="张伟", department=net, team=team_a)
    lead = user_with_role("team_lead", department=net)
    team_a.lead = lead.person
    team_a.save()
    other_engineer = user_with_role("engineer", team=team_b)
    director = user_with_role("director", department=net)
    served = DepartmentFactory(name="门诊部")
    requester = user_with_role("requester", department=served)
    outsider = PersonFactory(name="财务科某人", department=DepartmentFactory(name="财务科"))
    cat_a = CategoryFactory(default_team=team_a)
    cat_b = CategoryFactory(default_team=team_b)
    s = Scene(
        {"engineer": engineer, "lead": lead, "director": director, "requester": requester},
        team_a,
        team_b,
        served,
    )
    eng, lead_p = engineer.person, lead.person
    running = {"status": Status.IN_PROGRESS, "responded_at": now - 2 * HOUR}

    def add(name: str, **kw: Any) -> None:
        kw.setdefault("category", cat_a)
        kw.setdefault("requester", requester.person)
        s.orders[name] = WorkOrderFactory(title=f"单{name}", **kw)

    # my orders, running in time
    add("mine_running", assignee=eng, resolution_due=now + 2 * DAY, priority=1, **running)
    # overdue, open, not flagged yet (the minute job has not run): breached
    add("overdue_open", assignee=colleague, resolution_due=now - HOUR, **running)
    # answered late (flagged), resolution still in time: breached, not "about to breach"
    add(
        "answered_late",
        assignee=colleague,
        resolution_due=now + HOUR,
        response_breached=True,
        is_major=True,
        **running,
    )
    # resolved late, then closed: breached for good (history)
    add(
        "resolved_late",
        assignee=eng,
        status=Status.RESOLVED,
        responded_at=now - 3 * DAY,
        resolved_at=now - DAY,
        resolution_due=now - 2 * DAY,
        resolution_breached=True,
    )
    add(
        "closed_late",
        assignee=colleague,
        status=Status.CLOSED,
        resolved_at=now - 5 * DAY,
        closed_at=now - 4 * DAY,
        resolution_due=now - 6 * DAY,
        resolution_breached=True,
        requester=outsider,
    )
    # waiting since before its due time: the clock stopped in time (due moves on resume)
    add(
        "paused_in_time",
        assignee=eng,
        status=Status.WAITING,
        responded_at=now - DAY,
        paused_at=now - 3 * HOUR,
        resolution_due=now - HOUR,
    )
    # waiting, but paused after the due time had passed: the target was missed
    add(
        "paused_late",
        assignee=colleague,
        status=Status.WAITING,
        responded_at=now - DAY,
        paused_at=now - HOUR,
        resolution_due=now - 3 * HOUR,
    )
    # about to breach: due within the window; warned by the SLA job; response due soon
    add("due_soon", assignee=colleague, resolution_due=now + 30 * MINUTE, **running)
    add(
        "warned",
        assignee=eng,
        status=Status.ACCEPTED,
        responded_at=now - HOUR,
        resolution_due=now + 20 * HOUR,
        escalation_percent=75,
    )
    add("response_soon", response_due=now + 30 * MINUTE, resolution_due=now + DAY)
    # new, never answered, response due time passed: breached (and unassigned)
    add("response_late", response_due=now - 10 * MINUTE, resolution_due=now + DAY, priority=1)
    # resolved in time
    add(
        "resolved_in_time",
        assignee=eng,
        status=Status.RESOLVED,
        responded_at=now - DAY,
        resolved_at=now - HOUR,
        resolution_due=now + DAY,
    )
    # unassigned: new with a team; closed unassigned (not a queue's work)
    add("unassigned_new", requester=outsider)
    add("unassigned_closed", status=Status.CLOSED)
    # the lead's own
    add("lead_own", assignee=lead_p, resolution_due=now + 3 * DAY, **running)
    # another team: overdue; unassigned
    add(
        "other_overdue",
        category=cat_b,
        assignee=other_engineer.person,
        resolution_due=now - 2 * HOUR,
        **running,
    )
    add("other_unassigned", category=cat_b, requester=outsider)
    # no team at all, nobody holds it
    add("no_team", category=None)
    return s


#: what each queue holds for the director (who sees every order)
DIRECTOR = {
    "mine": set(),
    "team": set(),
    "unassigned": {"response_soon", "response_late", "unassigned_new", "other_unassigned"}
    | {"no_team"},
    "breaching": {"due_soon", "warned", "response_soon"},
    "breached": {"overdue_open", "answered_late", "resolved_late", "closed_late", "paused_late"}
    | {"response_late", "other_overdue"},
}
TEAM_B = {"other_overdue", "other_unassigned"}
NO_TEAM = {"no_team"}
ENGINEER_MINE = {"mine_running", "resolved_late", "paused_in_time", "warned", "resolved_in_time"}


def desk_numbers(user: Any, params: list[tuple[str, str]]) -> set[str]:
    r = ui_client(user).get(DESK, _query(params))
    assert r.status_code == 200, (params, r.status_code)
    assert not r.context["filterset"].errors, (params, r.context["filterset"].errors)
    assert len(r.context["rows"]) < 25, "the scene must fit on one page of the desk"
    return {o.number for o, _due in r.context["rows"]}


def api_numbers(user: Any, params: list[tuple[str, str]]) -> set[str]:
    c = api_client(user)
    found: list[str] = []
    url: str | None = API
    query: Any = _query([*params, ("page_size", "100")])
    while url:
        r = c.get(url, query)
        assert r.status_code == 200, (params, r.status_code, r.content[:300])
        body = r.json()
        found += [o["number"] for o in body["results"]]
        url, query = body.get("next"), None
    assert len(found) == len(set(found)), "a row twice"
    return set(found)


def _query(params: list[tuple[str, str]]) -> Any:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for k, v in params:
        q.appendlist(k, v)
    return q


def combos(s: Scene) -> list[list[tuple[str, str]]]:
    """A few filter combinations (each with a queue)."""
    today = timezone.localdate().isoformat()
    eng = s.users["engineer"].person
    return [
        [("queue", "team"), ("breached", "false")],
        [("queue", "all"), ("status", "new"), ("status", "accepted")],
        [("queue", "all"), ("priority", "1")],
        [("queue", "breached"), ("is_open", "true")],
        [("queue", "breaching"), ("status", "in_progress")],
        [("queue", "all"), ("requester_department", str(s.served.pk))],
        [("queue", "breached"), ("department", str(s.served.pk))],  # the desk's older name
        [("queue", "unassigned"), ("team", str(s.team_a.pk))],
        [("queue", "all"), ("assignee", str(eng.pk)), ("breached", "true")],
        [("queue", "all"), ("is_major", "true")],
        [("queue", "all"), ("major", "true")],
        [("queue", "mine"), ("q", "单resolved")],
        [("queue", "all"), ("created_after", today), ("created_before", today)],
    ]


@pytest.mark.parametrize("who", ["engineer", "lead", "director"])
def test_desk_and_api_give_the_same_orders_for_every_queue_and_filter(scene: Scene, who: str):
    user = scene.users[who]
    for queue in QUEUE_KEYS:
        params = [("queue", queue)]
        desk, api = desk_numbers(user, params), api_numbers(user, params)
        assert desk == api, (who, queue, desk ^ api)
    for params in combos(scene):
        desk, api = desk_numbers(user, params), api_numbers(user, params)
        assert desk == api, (who, params, desk ^ api)
    # a queue is the filter it names: ?queue=breached is ?breached=true
    for door in (desk_numbers, api_numbers):
        assert door(user, [("queue", "breached")]) == door(
            user, [("queue", "all"), ("breached", "true")]
        )


def test_the_queues_hold_what_their_names_say(scene: Scene):
    s = scene
    director, engineer, lead = s.users["director"], s.users["engineer"], s.users["lead"]
    for queue, names in DIRECTOR.items():
        assert api_numbers(director, [("queue", queue)]) == s.n(*names), queue
    assert api_numbers(director, [("queue", "all")]) == s.all()
    # the engineer: their team's orders only, the same words
    team_a = s.all() - s.n(*TEAM_B, *NO_TEAM)
    assert api_numbers(engineer, [("queue", "all")]) == team_a
    assert api_numbers(engineer, [("queue", "team")]) == team_a
    assert api_numbers(engineer, [("queue", "mine")]) == s.n(*ENGINEER_MINE)
    for queue in ("unassigned", "breaching", "breached"):
        expected = s.n(*DIRECTOR[queue]) & team_a
        assert api_numbers(engineer, [("queue", queue)]) == expected, queue
    # the lead: the team they lead, and their own
    assert api_numbers(lead, [("queue", "team")]) == team_a
    assert api_numbers(lead, [("queue", "mine")]) == s.n("lead_own")
    # the open part of the breached ones, and what is left when the breached are taken out
    assert api_numbers(director, [("queue", "breached"), ("is_open", "true")]) == s.n(
        "overdue_open", "answered_late", "paused_late", "response_late", "other_overdue"
    )
    not_breached = api_numbers(director, [("queue", "all"), ("breached", "false")])
    assert not_breached == s.all() - s.n(*DIRECTOR["breached"])


def test_a_requester_gets_the_same_words_through_the_api(scene: Scene):
    """The desk is staff's (403); the API list gives the requester the same queues over the
    orders of their department."""
    s = scene
    requester = s.users["requester"]
    assert ui_client(requester).get(DESK, {"queue": "all"}).status_code == 403
    theirs = {o.number for o in s.orders.values() if o.requester_department_id == s.served.pk}
    assert api_numbers(requester, [("queue", "all")]) == theirs
    assert api_numbers(requester, [("queue", "mine")]) == set()  # nobody's assignee
    assert api_numbers(requester, [("queue", "team")]) == set()
    for queue in ("unassigned", "breaching", "breached"):
        assert api_numbers(requester, [("queue", queue)]) == s.n(*DIRECTOR[queue]) & theirs
    for params in combos(s):
        expected = api_numbers(s.users["director"], params) & theirs
        if params[0][1] in ("mine", "team"):
            expected = set()
        assert api_numbers(requester, params) == expected, params


def test_a_wrong_queue_is_a_400_in_the_api_and_my_orders_on_the_desk(scene: Scene):
    engineer = scene.users["engineer"]
    r = api_client(engineer).get(API, {"queue": "nope"})
    assert r.status_code == 400 and "queue" in r.json()
    r = ui_client(engineer).get(DESK, {"queue": "nope"})
    assert r.status_code == 200 and r.context["queue"] == "mine"
    assert {o.number for o, _due in r.context["rows"]} == scene.n(*ENGINEER_MINE)
    # without a queue the API lists everything visible (the desk: my orders)
    assert api_numbers(engineer, []) == api_numbers(engineer, [("queue", "all")])


def _choices(form: Any, name: str) -> set[str]:
    return {str(label) for value, label in form[name].field.choices if value != ""}


def test_the_desk_lists_only_rows_the_user_may_see(scene: Scene):
    """The choice lists of the filters and of bulk assign follow the user's scope."""
    s = scene
    r = ui_client(s.users["engineer"]).get(DESK)
    form, bulk = r.context["filterset"].form, r.context["bulk_form"]
    assert _choices(form, "team") == {"运维组"} == _choices(bulk, "team")
    people = _choices(form, "assignee")
    assert "张伟" in people and s.users["engineer"].person.name in people
    team_b_people = {str(p) for p in s.team_b.members.all()}
    assert team_b_people and not people & team_b_people
    assert not _choices(bulk, "assignee") & team_b_people
    assert _choices(form, "requester_department") == {"网络部"}  # the engineer's own only
    assert "安全组" not in r.content.decode()
    # the director sees them all
    r = ui_client(s.users["director"]).get(DESK)
    form = r.context["filterset"].form
    assert {"运维组", "安全组"} <= _choices(form, "team")
    assert {"网络部", "门诊部", "财务科"} <= _choices(form, "requester_department")
    assert team_b_people <= _choices(form, "assignee")
    # an id outside the list still filters (the user's visible orders that carry it: none)
    # and answers like an id that does not exist
    engineer = s.users["engineer"]
    hidden = desk_numbers(engineer, [("queue", "all"), ("team", str(s.team_b.pk))])
    missing = desk_numbers(engineer, [("queue", "all"), ("team", "987654")])
    assert hidden == missing == set()


def test_the_export_is_the_desk_s_rows(scene: Scene):
    from netdept.testing.crud import csv_rows

    director = scene.users["director"]
    for params in ([("queue", "breached")], [("queue", "unassigned"), ("priority", "1")]):
        r = ui_client(director).get("/workorders/export/", _query([*params, ("format", "csv")]))
        assert r.status_code == 200
        assert {row[0] for row in csv_rows(r.content)[1:]} == desk_numbers(director, params)
