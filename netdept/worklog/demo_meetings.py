"""Demo data of meetings: the 网络运维组's weekly meeting (Mondays 09:00, on the working
calendar) and the department's monthly review (commendations recorded), last week's weekly
meeting held — attendance marked, minutes handed in by 李娜 and approved by the lead, an action
item that became 张伟's task — a monthly review that commended 张伟, and the meetings of the
next two weeks scheduled, so that the meeting list, the attendance panel, the action items,
the rewards ledger and "my next meetings" are not empty after ``netdept demo``.

It runs after the work orders' replay of the past (late: the replayed clock never goes back):
the meetings are dated last week, their steps happen at the real now; everything goes through
the services. Loading again
adds nothing (the types are looked up by their codes)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from netdept.org.demo import DemoWorld, register_demo_loader
from netdept.worklog.models import Meeting, MeetingType
from netdept.worklog.services import meetings

WEEKLY = "demo-ops-weekly"
MONTHLY = "demo-monthly-review"
NEEDED = ("director", "liuqiang", "zhangwei", "lina")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def load(world: DemoWorld) -> int:
    if MeetingType.objects.filter(code=WEEKLY).exists() or any(
        u not in world.people for u in NEEDED
    ):
        return 0
    p = world.people
    director, lead, zhang, lina = (p[u] for u in NEEDED)
    if lead.team is None or lead.user is None or lina.user is None or director.user is None:
        return 0
    world.at(world.now - dt.timedelta(days=9))
    weekly = meetings.TYPES.create(
        None,
        {"code": WEEKLY, "name": "网络运维组周例会", "kind": "weekly", "team": lead.team,
         "chair": lead, "rrule": "FREQ=WEEKLY;BYDAY=MO", "shift": "next",
         "start_time": dt.time(9, 0), "duration_minutes": 45, "location": "三楼小会议室",
         "agenda_template": "1. 上周工作回顾\n2. 本周重点工作\n3. 需协调事项",
         "minutes_approval": True},
        check=False,
    )  # fmt: skip
    monthly = meetings.TYPES.create(
        None,
        {"code": MONTHLY, "name": "网络部月度总结会", "kind": "monthly",
         "department": director.department, "chair": director, "start_time": dt.time(15, 0),
         "duration_minutes": 90, "location": "五楼会议室", "records_commendations": True,
         "agenda_template": "1. 各组月度工作汇报\n2. 考核与表彰\n3. 下月计划"},
        check=False,
    )  # fmt: skip
    created = 2

    # last week's weekly meeting: held, attendance, minutes by 李娜, approved by the lead
    start = _at(timezone.localdate(world.now) - dt.timedelta(days=8), 9)
    m = meetings.schedule(weekly, start)
    if m is not None:
        created += 1
        world.at(start + dt.timedelta(minutes=50))
        meetings.MEETINGS.update(None, m, {"minutes_by": lina}, check=False)
        m = meetings.hold(lead.user, m)
        marks = {a.person_id: ("present", "") for a in m.attendees.all()}
        marks[zhang.pk] = ("late", "处理机房告警，迟到 10 分钟")
        m = meetings.mark_attendance(lead.user, m, marks)
        meetings.add_action_item(
            lina.user, m, title="核查二号机房 UPS 电池组告警", owner=zhang,
            due_on=timezone.localdate(world.now) + dt.timedelta(days=4),
            description="周例会决定：联系厂商检测，周五前给出更换方案。",
        )  # fmt: skip
        m = meetings.submit_minutes(
            lina.user, m,
            minutes="1. 上周处理工单 42 张，全部在时限内解决。\n2. 二号机房 UPS 电池组告警两次。",
            decisions="UPS 电池组本周内完成检测；核心交换机巡检改为每日两次。",
        )  # fmt: skip
        world.at(start + dt.timedelta(hours=3))
        meetings.approve_minutes(lead.user, m, comment="同意。")

    # the monthly review: 张伟 commended
    world.at(world.now - dt.timedelta(days=3))
    review_start = _at(timezone.localdate(world.now) - dt.timedelta(days=3), 15)
    review = meetings.MEETINGS.create(
        None,
        {"meeting_type": monthly, "title": "网络部月度总结会", "department": director.department,
         "chair": director, "starts_at": review_start,
         "ends_at": review_start + dt.timedelta(minutes=90)},
        check=False,
    )  # fmt: skip
    created += 1
    world.at(review_start + dt.timedelta(minutes=95))
    review = meetings.hold(director.user, review)
    meetings.mark_attendance(
        director.user, review, {a.person_id: ("present", "") for a in review.attendees.all()}
    )
    if review.attendees.filter(person=zhang).exists():
        meetings.commend(
            director.user, review, person=zhang, reason="本月抢修核心链路故障，响应迅速。"
        )
    review = Meeting.objects.get(pk=review.pk)
    meetings.submit_minutes(director.user, review, minutes="各组汇报了本月工作，表彰张伟。")

    world.at(world.now)
    created += meetings.schedule_ahead(world.now)
    return created


register_demo_loader(load, late=True)
