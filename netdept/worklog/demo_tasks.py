"""Demo data of goals and tasks: the department's goal for the year, the 网络运维组's goal under it,
and tasks of 张伟 and 李娜 — one done and evaluated, two in progress, one due today — so that my
tasks, the board, the goals' progress and the home widget are not empty after ``netdept demo``.

It runs after the work orders' replay of the past (late: the replayed clock never goes back),
so its steps happen at the real now, in the order a week would have them; then the overdue
sweep runs (nothing is overdue yet). Everything goes through the services (GoalService,
``services.tasks``, the sweep). Loading again adds nothing (the goal is looked up by its
title)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.org.models import Person
from netdept.worklog.models import Goal, Task
from netdept.worklog.services import tasks
from netdept.worklog.services.goals import GoalService

GOAL = "全年核心网络可用率不低于 99.9%"
TEAM_GOAL = "网络运维组：机房与链路零重大故障"
NEEDED = ("director", "liuqiang", "zhangwei", "lina")


def load(world: DemoWorld) -> int:
    if Goal.objects.filter(title=GOAL).exists() or any(u not in world.people for u in NEEDED):
        return 0
    p = world.people
    director, lead, zhang, lina = (p[u] for u in NEEDED)
    world.at(world.now - dt.timedelta(days=8))
    today = timezone.localdate(world.now)
    year_end = dt.date(today.year, 12, 31)
    service = GoalService()
    top = service.create(
        None,
        {"title": GOAL, "level": "department", "department": director.department,
         "owner": director, "starts_on": today, "due_on": year_end + dt.timedelta(days=365),
         "measure": "监控平台月度可用率", "description": "核心交换、出口链路、无线三项合计。"},
        check=False,
    )  # fmt: skip
    assert lead.team is not None
    team_goal = service.create(
        None,
        {"title": TEAM_GOAL, "level": "team", "parent": top, "department": lead.department,
         "team": lead.team, "owner": lead, "starts_on": today,
         "due_on": year_end + dt.timedelta(days=180), "measure": "季度故障复盘"},
        check=False,
    )  # fmt: skip

    def give(owner: Person, title: str, due_in: int, weight: str = "1", text: str = "") -> Task:
        return tasks.create_task(
            by=lead, title=title, owner=owner, due_on=today + dt.timedelta(days=due_in),
            goal=team_goal, weight=Decimal(weight), description=text,
        )  # fmt: skip

    ups = give(zhang, "更换二号机房 UPS 电池组", 3, "2", "与厂商约定周六上午施工。")
    wifi = give(lina, "门诊楼无线 AP 信道优化", 20, "1.5")
    ledger = give(zhang, "整理交换机配置备份台账", 0)
    give(lina, "编写机房巡检作业指导书", 30)
    world.at(world.now - dt.timedelta(days=7))
    tasks.start(wifi, by=lina)
    world.at(world.now - dt.timedelta(days=6))
    tasks.update_progress(ledger, by=zhang, progress=30)
    world.at(world.now - dt.timedelta(days=5))
    tasks.complete(ups, by=zhang, result="已更换 32 节电池，放电测试 30 分钟正常。")
    tasks.update_progress(wifi, by=lina, progress=40)
    world.at(world.now - dt.timedelta(days=4))
    tasks.evaluate(ups, by=lead, score=92, comment="按时完成，测试记录齐全。")
    world.at(world.now - dt.timedelta(days=2))
    tasks.update_progress(wifi, by=lina, progress=65)
    from netdept.worklog import sweep_tasks

    sweep_tasks.sweep(now=world.now)  # nothing overdue yet: 整理台账 is due today
    return 2 + Task.objects.filter(goal=team_goal).count()


register_demo_loader(load, late=True)
