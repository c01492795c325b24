"""My tasks (我的任务), the task board (任务看板), the task's buttons on its page and in the API,
and the home widget — in Chinese; each refusal a 4xx naming the field, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from netdept.org.models import Person
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import TeamFactory, user_with_role
from netdept.worklog.home_tasks import context as home_context
from netdept.worklog.models import Task
from netdept.worklog.services import tasks

pytestmark = pytest.mark.django_db


def day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def zh(client: Any) -> Any:
    client.cookies["django_language"] = "zh-hans"
    return client


class Org:
    def __init__(self) -> None:
        self.team = TeamFactory.create(name="运维组")
        dept = self.team.department
        self.lead_user = user_with_role("team_lead", team=self.team)
        self.lead: Person = self.lead_user.person
        self.team.lead = self.lead
        self.team.save()
        self.eng_user = user_with_role("engineer", team=self.team)
        self.eng: Person = self.eng_user.person
        other = TeamFactory.create(name="网站组", department=dept)
        self.far_user = user_with_role("engineer", team=other)
        self.far: Person = self.far_user.person


@pytest.fixture
def org() -> Org:
    return Org()


def give(org: Org, title: str, due: int = 3, owner: Person | None = None) -> Task:
    if owner is not None:  # another team's: made directly (this lead may not assign it)
        return Task.objects.create(title=title, owner=owner, team=owner.team,
                                   department=owner.department, due_on=day(due))  # fmt: skip
    return tasks.create_task(by=org.lead, title=title, owner=org.eng, due_on=day(due))


def test_my_tasks_in_chinese_with_the_quick_start(org: Org) -> None:
    t = give(org, "检查防火墙日志", due=0)
    Task.objects.create(title="昨天就该完成", owner=org.eng, team=org.team,
                        department=org.team.department, due_on=day(-1))  # fmt: skip
    give(org, "别人的任务", owner=org.far)
    c = zh(ui_client(org.eng_user))
    with translation.override("zh-hans"):
        r = c.get(reverse("worklog:my_tasks"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "我的任务" in html and "检查防火墙日志" in html and "别人的任务" not in html
    assert "已超时" in html  # the overdue card
    assert 'data-action="start"' in html and 'data-action="complete"' in html
    start = reverse("worklog:tasks_transition", args=[t.pk, "start"])
    r = c.post(start, {"expected_version": t.version})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "doing"
    # the done tab and the "assigned by me" tab of the lead
    assert c.get(reverse("worklog:my_tasks") + "?tab=done").status_code == 200
    lead = zh(ui_client(org.lead_user))
    r = lead.get(reverse("worklog:my_tasks") + "?tab=assigned")
    assert "检查防火墙日志" in r.content.decode()
    assert lead.get(reverse("worklog:my_tasks") + "?tab=nonsense").status_code == 200


def test_complete_through_the_page_and_a_bad_progress_named(org: Org) -> None:
    t = give(org, "编写巡检报告")
    c = zh(ui_client(org.eng_user))
    url = reverse("worklog:tasks_transition", args=[t.pk, "progress"])
    assert c.get(url).status_code == 200
    r = c.post(url, {"progress": "150", "expected_version": t.version})
    assert r.status_code == 422
    t.refresh_from_db()
    assert t.progress == 0
    r = c.post(url, {"progress": "30", "expected_version": t.version})
    assert r.status_code == 302
    t.refresh_from_db()
    url = reverse("worklog:tasks_transition", args=[t.pk, "complete"])
    r = c.post(url, {"result": "报告已上传", "expected_version": t.version})
    assert r.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.result) == ("done", "报告已上传")
    # the owner is offered no evaluation; the lead is
    detail = reverse("worklog:tasks_detail", args=[t.pk])
    assert "/do/evaluate/" not in c.get(detail).content.decode()
    lead = zh(ui_client(org.lead_user))
    assert "/do/evaluate/" in lead.get(detail).content.decode()
    assert c.get(reverse("worklog:tasks_transition", args=[t.pk, "evaluate"])).status_code == 403
    # a lead outside the owner's line may not assign to them through the form
    r = zh(ui_client(org.far_user)).post(
        reverse("worklog:tasks_add"), {"title": "越权", "owner": org.eng.pk,
                                       "due_on": day(1).isoformat(), "weight": "1"}
    )  # fmt: skip
    assert r.status_code in (403, 422) and not Task.objects.filter(title="越权").exists()


def test_board_columns_and_scope(org: Org) -> None:
    a = give(org, "待办一")
    b = give(org, "进行中")
    tasks.update_progress(b, by=org.eng, progress=20)
    c_ = give(org, "已完成")
    tasks.complete(c_, by=org.eng)
    give(org, "隔壁组的", owner=org.far)
    c = zh(ui_client(org.eng_user))
    r = c.get(reverse("worklog:task_board"))
    html = r.content.decode()
    assert r.status_code == 200 and "任务看板" in html
    for status, title in (("todo", a.title), ("doing", b.title), ("done", c_.title)):
        col = html.split(f'data-column="{status}"')[1].split("</section>")[0]
        assert title in col
    assert "隔壁组的" not in html
    r = c.get(reverse("worklog:task_board") + f"?team={org.far.team_id}")
    assert "隔壁组的" not in r.content.decode()  # the engineer's scope is their team
    for bad in ("x", "-1", "99999999999999999999"):
        assert c.get(reverse("worklog:task_board") + f"?team={bad}&goal={bad}").status_code == 200


def test_pages_need_the_permission(org: Org) -> None:
    requester = user_with_role("requester")
    c = ui_client(requester)
    assert c.get(reverse("worklog:my_tasks")).status_code == 403
    assert c.get(reverse("worklog:task_board")).status_code == 403


def test_the_owner_is_not_offered_to_edit_or_delete_what_the_lead_assigned(org: Org) -> None:
    """A task the lead assigned: its owner progresses and completes it, but neither the page's
    "编辑"/"删除" nor the forms behind them are his (403, recorded); the lead edits it, and the
    owner's own to-do stays his to edit."""
    from netdept.core.models.audit import AuditAction, AuditRecord

    t = give(org, "接入层升级")
    detail = reverse("worklog:tasks_detail", args=[t.pk])
    edit = reverse("worklog:tasks_edit", args=[t.pk])
    delete = reverse("worklog:tasks_delete", args=[t.pk])
    eng = zh(ui_client(org.eng_user))
    html = eng.get(detail).content.decode()
    assert 'data-action="progress"' in html
    assert f'href="{edit}"' not in html and f'href="{delete}"' not in html
    before = AuditRecord.objects.filter(action=AuditAction.DENIED).count()
    assert eng.get(edit).status_code == 403
    assert eng.post(edit, {"title": "改了"}).status_code == 403
    assert eng.post(delete).status_code == 403  # the permission: deleting is the director's
    assert AuditRecord.objects.filter(action=AuditAction.DENIED).count() >= before + 3
    t.refresh_from_db()
    assert t.title == "接入层升级"
    r = api_client(org.eng_user).delete(reverse("worklog-tasks-detail", args=[t.pk]))
    assert r.status_code == 403 and Task.objects.filter(pk=t.pk).exists()

    lead = zh(ui_client(org.lead_user))
    html = lead.get(detail).content.decode()
    assert f'href="{edit}"' in html  # deleting is the director's (the permission)
    assert lead.get(edit).status_code == 200

    own = tasks.create_task(by=org.eng, title="整理机柜标签", owner=org.eng, due_on=day(2))
    own_edit = reverse("worklog:tasks_edit", args=[own.pk])
    assert (
        f'href="{own_edit}"'
        in eng.get(reverse("worklog:tasks_detail", args=[own.pk])).content.decode()
    )
    assert eng.get(own_edit).status_code == 200


def test_api_actions_and_refusals(org: Org) -> None:
    t = give(org, "接入层升级")
    eng = api_client(org.eng_user)
    base = reverse("worklog-tasks-detail", args=[t.pk])
    r = eng.post(base + "progress/", {"progress": 101}, format="json")
    assert r.status_code == 400 and "progress" in r.json()
    r = eng.post(base + "complete/", {"result": "完成"}, format="json")
    assert r.status_code == 200, r.json()
    r = eng.post(base + "evaluate/", {"score": 100}, format="json")
    assert r.status_code == 403
    lead = api_client(org.lead_user)
    r = lead.post(base + "evaluate/", {"score": 101}, format="json")
    assert r.status_code == 400 and "score" in r.json()
    r = lead.post(base + "evaluate/", {"score": 95, "comment": "好"}, format="json")
    assert r.status_code == 200
    t.refresh_from_db()
    assert t.score == 95
    r = lead.post(base + "cancel/", {"reason": "x"}, format="json")
    assert r.status_code == 400  # done: not cancelled
    # create through the API: the service's refusals, named
    r = lead.post(reverse("worklog-tasks-list"),
                  {"title": "", "owner": org.eng.pk, "due_on": day(1).isoformat()},
                  format="json")  # fmt: skip
    assert r.status_code == 400 and "title" in r.json()
    r = lead.post(reverse("worklog-tasks-list"),
                  {"title": "补录", "owner": org.eng.pk, "due_on": day(-3).isoformat()},
                  format="json")  # fmt: skip
    assert r.status_code == 400 and "due_on" in r.json()
    r = lead.post(reverse("worklog-tasks-list"),
                  {"title": "补录", "owner": org.eng.pk, "due_on": day(1).isoformat(),
                   "weight": "1e9"}, format="json")  # fmt: skip
    assert r.status_code == 400 and "weight" in r.json()
    # an engineer may not assign to a teammate
    r = eng.post(reverse("worklog-tasks-list"),
                 {"title": "你来做", "owner": org.lead.pk, "due_on": day(1).isoformat()},
                 format="json")  # fmt: skip
    assert r.status_code == 403
    r = eng.post(reverse("worklog-tasks-list"),
                 {"title": "我自己的", "owner": org.eng.pk, "due_on": day(1).isoformat()},
                 format="json")  # fmt: skip
    assert r.status_code == 201, r.json()


def test_home_widget(org: Org) -> None:
    give(org, "今天到期", due=0)
    Task.objects.create(title="逾期的", owner=org.eng, team=org.team,
                        department=org.team.department, due_on=day(-2))  # fmt: skip
    done = give(org, "待评价")
    tasks.complete(done, by=org.eng)
    req = RequestFactory().get("/")
    req.user = org.eng_user
    ctx = home_context(req)
    assert ctx is not None
    counts = {t["key"]: t["count"] for t in ctx["tiles"]}
    assert counts["tasks_open"] == 2 and counts["tasks_overdue"] == 1
    assert counts["tasks_soon"] == 1
    req.user = org.lead_user
    ctx = home_context(req)
    assert (
        ctx is not None and {t["key"]: t["count"] for t in ctx["tiles"]}["tasks_to_evaluate"] == 1
    )
    with translation.override("zh-hans"):
        r = zh(ui_client(org.eng_user)).get("/")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-tile="tasks_overdue"' in html and "逾期的" in html
    req.user = org.far_user
    assert home_context(req) is None


def test_my_pages_speak_one_language(org: Org) -> None:
    """My tasks, the board, the goal and task pages and forms, the transition forms: all in
    Chinese for a Chinese reader and all in English for an English one."""
    from netdept.accounts.models import UserProfile
    from netdept.testing.language import LanguageChecker, database_words
    from netdept.worklog.tests.factories_tasks import GoalFactory

    goal = GoalFactory.create(department=org.team.department, team=org.team, level="team",
                              owner=org.lead)  # fmt: skip
    t = tasks.create_task(by=org.lead, title="核心交换机巡检", owner=org.eng, due_on=day(2),
                          goal=goal)  # fmt: skip
    done = give(org, "配置审计")
    tasks.complete(done, by=org.eng, result="已完成")
    urls = [
        reverse("worklog:my_tasks"), reverse("worklog:my_tasks") + "?tab=done",
        reverse("worklog:my_tasks") + "?tab=assigned", reverse("worklog:task_board"),
        reverse("worklog:tasks_list"), reverse("worklog:tasks_add"),
        reverse("worklog:tasks_detail", args=[t.pk]), reverse("worklog:tasks_edit", args=[t.pk]),
        reverse("worklog:tasks_detail", args=[done.pk]),
        reverse("worklog:tasks_transition", args=[t.pk, "progress"]),
        reverse("worklog:tasks_transition", args=[t.pk, "cancel"]),
        reverse("worklog:tasks_transition", args=[done.pk, "evaluate"]),
        reverse("worklog:goals_list"), reverse("worklog:goals_add"),
        reverse("worklog:goals_detail", args=[goal.pk]), "/",
    ]  # fmt: skip
    checker = LanguageChecker(data_words=lambda refresh: database_words(refresh))
    client = ui_client(org.lead_user)
    for lang in ("zh-hans", "en"):
        UserProfile.objects.update_or_create(user=org.lead_user, defaults={"language": lang})
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, url
            checker.check_html(url, r.content.decode(), r.get("Content-Language", ""), "")
    assert not checker.findings, "\n".join(str(f) for f in checker.findings)


def test_api_my_tasks(org: Org) -> None:
    a = give(org, "明天到期", due=1)
    b = give(org, "今天到期", due=0)
    c = give(org, "已完成的")
    tasks.complete(c, by=org.eng)
    url = reverse("worklog-tasks-mine")
    r = api_client(org.eng_user).get(url)
    assert r.status_code == 200
    assert [row["id"] for row in r.json()["results"]] == [b.pk, a.pk]
    r = api_client(org.eng_user).get(url, {"status": "done"})
    assert [row["id"] for row in r.json()["results"]] == [c.pk]
    assert api_client(org.eng_user).get(url, {"status": "nonsense"}).status_code == 400
    assert api_client(org.far_user).get(url).json()["results"] == []
    assert api_client(user_with_role("requester")).get(url).status_code == 403


def test_board_and_my_tasks_queries_do_not_grow_with_the_cards(org: Org) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netdept.testing.factories import PersonFactory

    mates = [PersonFactory.create(department=org.team.department, team=org.team)
             for _ in range(3)]  # fmt: skip

    def count(url: str) -> int:
        c = ui_client(org.eng_user)
        c.get(url)  # warm the session and the caches of the first request
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            owner = [org.eng, *mates][i % 4]
            Task.objects.create(title=f"任务{i}", owner=owner, team=org.team,
                                department=org.team.department, due_on=day(i % 5))  # fmt: skip

    add(4)
    board, mine = count(reverse("worklog:task_board")), count(reverse("worklog:my_tasks"))
    assert board < 40 and mine < 40, (board, mine)
    add(24)
    assert count(reverse("worklog:task_board")) <= board + 2
    assert count(reverse("worklog:my_tasks")) <= mine + 2
