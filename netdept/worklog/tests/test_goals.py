"""Goals (目标): the tree's rules (department → team → person) and the weighted progress rolled
up from tasks at any depth, cancelled tasks left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from netdept.core import audit
from netdept.testing.factories import PersonFactory, TeamFactory, UserFactory, user_with_perms
from netdept.worklog.models import Goal
from netdept.worklog.services import goals, tasks
from netdept.worklog.services.goals import GoalService
from netdept.worklog.tests.factories_tasks import GoalFactory

pytestmark = pytest.mark.django_db


def day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world() -> dict[str, object]:
    team = TeamFactory.create()
    dept = team.department
    lead = PersonFactory.create(department=dept, team=team, user=UserFactory.create())
    team.lead = lead
    team.save()
    eng = PersonFactory.create(department=dept, team=team, user=UserFactory.create())
    top = GoalFactory.create(department=dept, owner=lead, due_on=day(90))
    mid = GoalFactory.create(department=dept, team=team, level="team", parent=top, owner=lead,
                             due_on=day(60))  # fmt: skip
    return {"team": team, "lead": lead, "eng": eng, "top": top, "mid": mid}


def test_progress_is_weighted_and_rolls_up_to_every_goal_above(world: dict) -> None:
    lead, eng, top, mid = world["lead"], world["eng"], world["top"], world["mid"]
    a = tasks.create_task(by=lead, title="a", owner=eng, due_on=day(5), goal=mid,
                          weight=Decimal(3))  # fmt: skip
    b = tasks.create_task(by=lead, title="b", owner=eng, due_on=day(5), goal=top)
    tasks.update_progress(a, by=eng, progress=50)
    mid.refresh_from_db()
    top.refresh_from_db()
    assert mid.progress == 50
    assert top.progress == 37  # (3×50 + 1×0) / 4 = 37.5, rounded down
    tasks.complete(b, by=eng)
    top.refresh_from_db()
    assert top.progress == 62  # (150 + 100) / 4
    c = tasks.create_task(by=lead, title="c", owner=eng, due_on=day(5), goal=mid,
                          weight=Decimal(10))  # fmt: skip
    mid.refresh_from_db()
    assert mid.progress == 11  # 150 / 13
    tasks.cancel(c, by=lead, reason="不做了")
    mid.refresh_from_db()
    assert mid.progress == 50  # cancelled: left out
    assert audit.history(mid).filter(extra__rolled_up=True).exists()


def test_a_goal_without_tasks_keeps_zero(world: dict) -> None:
    assert goals.weighted_progress(world["top"].pk) == 0


def test_the_tree_rules(world: dict) -> None:
    top, mid, team = world["top"], world["mid"], world["team"]
    g = Goal(title="x", level="department", parent=mid, department=top.department,
             owner=world["lead"], starts_on=day(0), due_on=day(10))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        goals.check_goal(g)
    assert "parent" in exc.value.message_dict
    g = Goal(title="x", level="person", parent=mid, department=top.department,
             owner=world["eng"], starts_on=day(0), due_on=day(61))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        goals.check_goal(g)
    assert "due_on" in exc.value.message_dict
    g = Goal(title="x", level="team", department=top.department, owner=world["eng"],
             starts_on=day(5), due_on=day(1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        goals.check_goal(g)
    assert {"due_on", "team"} <= set(exc.value.message_dict)
    other = TeamFactory.create()
    g = Goal(title="x", level="team", team=other, department=team.department,
             owner=world["eng"], starts_on=day(0), due_on=day(1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        goals.check_goal(g)
    assert "team" in exc.value.message_dict
    top.parent = mid  # a cycle
    with pytest.raises(ValidationError) as exc:
        goals.check_goal(top)
    assert "parent" in exc.value.message_dict


def test_goal_service_refuses_deleting_a_goal_with_tasks(world: dict) -> None:
    actor = user_with_perms(["worklog.delete_goal", "worklog.view_goal"])
    with pytest.raises(ValidationError):
        GoalService().delete(actor, world["top"])  # it has a sub-goal
    tasks.create_task(by=world["lead"], title="a", owner=world["eng"], due_on=day(1),
                      goal=world["mid"])  # fmt: skip
    with pytest.raises(ValidationError):
        GoalService().delete(actor, world["mid"])
    assert Goal.objects.filter(pk=world["mid"].pk).exists()


def test_close_a_goal(world: dict) -> None:
    actor = user_with_perms(["worklog.change_goal", "worklog.view_goal"])
    with pytest.raises(ValidationError):
        goals.close(world["mid"], actor=actor, status="active")
    assert goals.close(world["mid"], actor=actor, status="achieved").status == "achieved"


def test_the_goal_page_shows_its_tasks_and_sub_goals(world: dict) -> None:
    from django.urls import reverse

    from netdept.testing.clients import ui_client

    tasks.create_task(by=world["lead"], title="核心链路双上联", owner=world["eng"],
                      due_on=day(5), goal=world["top"])  # fmt: skip
    user = user_with_perms(["worklog.view_goal", "worklog.view_task", "org.view_person"])
    c = ui_client(user)
    top = world["top"]
    r = c.get(reverse("worklog:goals_tab", args=[top.pk, "tasks"]))
    assert r.status_code == 200 and "核心链路双上联" in r.content.decode()
    r = c.get(reverse("worklog:goals_tab", args=[top.pk, "subgoals"]))
    assert r.status_code == 200 and world["mid"].title in r.content.decode()
    nobody = user_with_perms(["worklog.view_goal"])
    assert (
        ui_client(nobody).get(reverse("worklog:goals_tab", args=[top.pk, "tasks"])).status_code
        == 403
    )
