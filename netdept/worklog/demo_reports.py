"""Demo data of reports: last week's weekly reports of 张伟 and 李娜, drafted from their
daily logs (``demo_logs``) and records, given next week's plan and submitted on Friday
evening — 张伟's accepted by their lead, 李娜's returned with a comment — and this week's
drafted, so that 我的周报 and 团队报告 are not empty after ``netdept demo``. The site's default
working-rhythm policy is created when there is none.

Registered late, after ``demo_logs`` (the logs are drafted from); everything goes through the
services. Loading again adds nothing (a person's report of a period exists once)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.worklog.models import Report, WorklogPolicy
from netdept.worklog.registry_reports import PolicyService
from netdept.worklog.services import reports

PEOPLE = ("zhangwei", "lina")
PLANS = {
    "zhangwei": "完成门诊楼无线 AP 更换；复查核心交换机日志告警",
    "lina": "整理机房巡检记录并归档；配合厂商完成防火墙升级",
}


def load(world: DemoWorld) -> int:
    people = [(u, world.people[u]) for u in PEOPLE if u in world.people]
    if not people or Report.objects.filter(person__in=[p for _u, p in people]).exists():
        return 0
    created = 0
    if not WorklogPolicy.objects.filter(department__isnull=True).exists():
        PolicyService().create(
            None, {"name": "默认工作节奏", "close_after_days": 5, "review_reports": True},
            check=False,
        )  # fmt: skip
        created += 1
    today = timezone.localtime(world.now).date()
    last_week = reports.period_of("weekly", today - dt.timedelta(days=7))
    friday = dt.datetime.combine(
        last_week.first + dt.timedelta(days=4), dt.time(17, 30),
        tzinfo=timezone.get_current_timezone(),
    )  # fmt: skip
    for i, (username, person) in enumerate(people):
        user = person.user
        report = reports.open_report(person, "weekly", last_week.first)
        created += 1
        if user is None:
            continue
        report = reports.submit(user, report, {"next_plan": PLANS[username]}, now=friday)
        reviewer = report.reviewer
        reviewer_user = reviewer.user if reviewer is not None else None
        if report.status == "submitted" and reviewer_user is not None:
            reports.review(
                reviewer_user, report, accept=i == 0,
                comment="" if i == 0 else "请补充本周故障处理的原因分析。",
                now=friday + dt.timedelta(hours=1),
            )  # fmt: skip
        reports.open_report(person, "weekly", today)
        created += 1
    return created


register_demo_loader(load, late=True)
