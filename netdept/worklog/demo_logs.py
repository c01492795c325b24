"""Demo data of daily logs: the last working days of 张伟 and 李娜, drafted from what the demo's
records show (their work orders, work records and duties), given a summary and a plan, submitted
in the evening and reviewed by their lead — accepted, one returned for changes — and today's
log of 张伟 opened as a draft, so that 我的日志, the team's logs and the home widget are not empty
after ``netdept demo``.

Registered late (after the loaders that replay the past: the work orders and duties must be
there to be drafted from); it passes each instant to the services (``now=``). Everything goes
through ``services.logs``. Loading again adds nothing (a person's log of a day exists once)."""

from __future__ import annotations

import datetime as dt

from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.worklog.models.logs import DailyLog
from netdept.worklog.services import logs

PEOPLE = ("zhangwei", "lina")
DAYS = 5
PLANS = [
    "复查核心交换机日志",
    "跟进无线 AP 更换",
    "整理机房巡检记录",
    "配合厂商升级防火墙",
    "更新网络拓扑图",
]


def load(world: DemoWorld) -> int:
    people = [world.people[u] for u in PEOPLE if u in world.people]
    if not people or DailyLog.objects.filter(person__in=people).exists():
        return 0
    sched = logs.schedule()
    today = logs.today(world.now, sched)
    days: list[dt.date] = []
    d = today - dt.timedelta(days=1)
    while len(days) < DAYS and d > today - dt.timedelta(days=20):
        if sched.is_working_day(d):
            days.append(d)
        d -= dt.timedelta(days=1)
    created = 0
    for i, day in enumerate(sorted(days)):
        start, _end = logs.day_bounds(day, sched)
        evening = start + dt.timedelta(hours=17, minutes=40)
        for person in people:
            log = logs.open_log(person, day, now=evening)
            logs.save(
                log, by=person, summary="完成当日工单处理与机房巡检，网络运行正常。",
                plan=PLANS[(i + len(person.name)) % len(PLANS)],
            )  # fmt: skip
            if not log.entries.exists():
                logs.add_entry(log, by=person, text="机房例行巡检：温湿度、UPS、核心设备指示灯正常",
                               minutes=30)  # fmt: skip
            log = logs.submit(log, by=person, now=evening)
            created += 1
            reviewer = log.reviewer
            if reviewer is None or day == days[0]:
                continue  # the most recent day still awaits review
            returned = i == 1 and person == people[-1]
            logs.review(
                log, by=reviewer, accept=not returned,
                comment="请补充故障处理的原因分析。" if returned else "",
                now=evening + dt.timedelta(hours=1),
            )  # fmt: skip
    logs.open_log(people[0], today, now=world.now)
    return created + 1


register_demo_loader(load, late=True)
