"""Generated CRUD + permission tests of the meeting pages (netdept.testing.crud): meeting
types (configuration), meetings and their attendees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from netdept.testing.crud import CrudTests
from netdept.testing.factories import DepartmentFactory, PersonFactory
from netdept.worklog.models import Meeting, MeetingAttendee, MeetingType
from netdept.worklog.tests.factories_meetings import (
    AttendeeFactory,
    MeetingFactory,
    MeetingTypeFactory,
)


def _iso(days: int, hour: int) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))).isoformat()


class TestMeetingTypeCrud(CrudTests):
    model = MeetingType
    extra_perms = ["org.view_department", "org.view_team", "org.view_person"]

    def make(self) -> Any:
        return MeetingTypeFactory.create()

    def valid_data(self) -> dict[str, Any]:
        return {
            "code": "weekly-ops",
            "name": "运维组周例会",
            "kind": "weekly",
            "description": "每周一上午总结上周工作、安排本周任务。",
            "department": DepartmentFactory.create().pk,
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "shift": "next",
            "start_time": "09:00",
            "duration_minutes": 60,
            "location": "三楼会议室",
            "agenda_template": "1. 上周工作\n2. 本周计划",
            "minutes_approval": True,
            "records_commendations": False,
            "articles": [],
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": f"{obj.name}（改）",
            "kind": "monthly",
            "description": "",
            "department": None,
            "rrule": "",
            "shift": "skip",
            "start_time": None,
            "duration_minutes": 90,
            "location": "",
            "agenda_template": "",
            "minutes_approval": False,
            "records_commendations": True,
            "articles": [],
            "is_active": True,
        }


class TestMeetingCrud(CrudTests):
    model = Meeting
    key_field = "title"
    extra_perms = ["org.view_department", "org.view_team", "org.view_person"]

    def make(self) -> Any:
        return MeetingFactory.create()

    def valid_data(self) -> dict[str, Any]:
        department = DepartmentFactory.create()
        return {
            "meeting_type": None,
            "title": "网络改造协调会",
            "department": department.pk,
            "team": None,
            "chair": PersonFactory.create(department=department).pk,
            "starts_at": _iso(2, 14),
            "ends_at": _iso(2, 15),
            "location": "二楼会议室",
            "agenda": "1. 机房改造进度\n2. 割接窗口",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "meeting_type": None,
            "title": f"{obj.title}（改期）",
            "department": obj.department_id,
            "team": None,
            "chair": obj.chair_id,
            "starts_at": _iso(3, 10),
            "ends_at": _iso(3, 11),
            "location": "线上",
            "agenda": "",
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            m = MeetingFactory.create()
            AttendeeFactory.create(meeting=m, person=user.person)
            return m
        if scope == "team":
            return MeetingFactory.create(department=team.department, team=team)
        return MeetingFactory.create(department=department)


class TestMeetingAttendeeCrud(CrudTests):
    model = MeetingAttendee
    key_field = "meeting"
    extra_perms = ["worklog.view_meeting", "org.view_person"]

    def make(self) -> Any:
        return AttendeeFactory.create()

    def valid_data(self) -> dict[str, Any]:
        meeting = MeetingFactory.create()
        return {
            "meeting": meeting.pk,
            "person": PersonFactory.create(department=meeting.department).pk,
            "attendance": "invited",
            "note": "",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "meeting": obj.meeting_id,
            "person": obj.person_id,
            "attendance": "excused",
            "note": "请假（已批准）",
        }

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            person = user.person
        elif scope == "team":
            person = PersonFactory.create(department=department, team=team)
        else:
            person = PersonFactory.create(department=department)
        return AttendeeFactory.create(person=person)
