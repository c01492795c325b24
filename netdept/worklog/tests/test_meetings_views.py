"""Meetings through the pages and the API: the attendance panel and page (Chinese, phone),
the machine's buttons and API actions (only the chair approves), the attendance endpoint with
bad input (400 naming the field, never a 500, nothing saved), the home widget."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from netdept.core.home import home_widgets
from netdept.org.models import RoleAssignment
from netdept.testing.clients import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    role,
)
from netdept.worklog.models import Meeting, MeetingAttendee, MeetingStatus, Task
from netdept.worklog.tests.factories_meetings import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
S = MeetingStatus


def engineer(team: Any, **kwargs: Any) -> Any:
    user = UserFactory.create()
    person = PersonFactory.create(user=user, department=team.department, team=team, **kwargs)
    RoleAssignment.objects.create(user=user, role=role("engineer"))
    return person


@pytest.fixture
def w() -> dict[str, Any]:
    dept = DepartmentFactory.create(kind="network")
    team = TeamFactory.create(department=dept)
    lead = engineer(team)
    RoleAssignment.objects.create(user=lead.user, role=role("team_lead"))
    team.lead = lead
    team.save()
    a, b = engineer(team), engineer(team)
    other_team = TeamFactory.create(department=dept)
    stranger = engineer(other_team)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    m = MeetingFactory.create(
        department=dept, team=team, chair=lead, status=S.HELD, starts_at=start,
        ends_at=start + dt.timedelta(hours=1), title="运维组周例会",
    )  # fmt: skip
    for p in (lead, a, b):
        AttendeeFactory.create(meeting=m, person=p)
    return {"team": team, "lead": lead, "a": a, "b": b, "stranger": stranger, "m": m}


def attendance_url(m: Meeting) -> str:
    return reverse("worklog:meeting_attendance", args=[m.pk])


def api(m: Meeting, action: str) -> str:
    return f"/api/v1/worklog/meetings/{m.pk}/{action}/"


class TestAttendancePage:
    def test_the_panel_and_the_page_in_chinese(self, w: dict[str, Any]) -> None:
        c = ui_client(w["lead"].user)
        with translation.override("zh-hans"):
            r = c.get(reverse("worklog:meetings_detail", args=[w["m"].pk]))
            assert r.status_code == 200
            html = r.content.decode()
            assert "出勤" in html and attendance_url(w["m"]) in html
            assert w["a"].name in html
            r = c.get(attendance_url(w["m"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
            html = r.content.decode()
        assert r.status_code == 200
        assert "点名" in html or "出勤" in html
        assert "迟到" in html and "缺席" in html and "请假" in html

    def test_marking_saves_everyone_at_once(self, w: dict[str, Any]) -> None:
        c = ui_client(w["lead"].user)
        data = {
            "expected_version": w["m"].version,
            f"a_{w['lead'].pk}": "present", f"n_{w['lead'].pk}": "",
            f"a_{w['a'].pk}": "late", f"n_{w['a'].pk}": "地铁故障",
            f"a_{w['b'].pk}": "excused", f"n_{w['b'].pk}": "",
        }  # fmt: skip
        r = c.post(attendance_url(w["m"]), data)
        assert r.status_code == 302
        got = dict(
            MeetingAttendee.objects.filter(meeting=w["m"]).values_list("person_id", "attendance")
        )
        assert got == {w["lead"].pk: "present", w["a"].pk: "late", w["b"].pk: "excused"}
        assert MeetingAttendee.objects.get(meeting=w["m"], person=w["a"]).note == "地铁故障"

    def test_bad_input_is_422_and_saves_nothing(self, w: dict[str, Any]) -> None:
        c = ui_client(w["lead"].user)
        r = c.post(attendance_url(w["m"]), {f"a_{w['a'].pk}": "asleep", f"a_{w['b'].pk}": ""})
        assert r.status_code == 422
        assert (
            not MeetingAttendee.objects.filter(meeting=w["m"])
            .exclude(attendance="invited")
            .exists()
        )
        everyone = {f"a_{p.pk}": "present" for p in (w["lead"], w["a"], w["b"])}
        r = c.post(attendance_url(w["m"]), {"expected_version": 99, **everyone})
        assert r.status_code == 409

    def test_who_may_not_run_it_is_refused(self, w: dict[str, Any]) -> None:
        r = ui_client(w["stranger"].user).get(attendance_url(w["m"]))
        assert r.status_code == 404  # another team's meeting: not even seen
        viewer = UserFactory.create()
        PersonFactory.create(user=viewer, department=w["m"].department)
        RoleAssignment.objects.create(user=viewer, role=role("director"))
        # the director sees and may change every meeting: runs it
        assert ui_client(viewer).get(attendance_url(w["m"])).status_code == 200


class TestMachineThroughTheAPI:
    def test_minutes_approved_only_by_the_chair(self, w: dict[str, Any]) -> None:
        m = w["m"]
        marks = [{"person": p.pk, "attendance": "present"} for p in (w["lead"], w["a"], w["b"])]
        r = api_client(w["a"].user).post(api(m, "attendance"), {"attendance": marks}, format="json")
        assert r.status_code == 200, r.content
        assert {row["attendance"] for row in r.json()["attendees"]} == {"present"}
        r = api_client(w["a"].user).post(
            api(m, "submit_minutes"), {"minutes": "纪要：机房改造", "decisions": ""}, format="json"
        )
        assert r.status_code == 200, r.content
        assert Meeting.objects.get(pk=m.pk).status == S.MINUTES_SUBMITTED
        r = api_client(w["a"].user).post(api(m, "approve"), {}, format="json")
        assert r.status_code == 403
        r = api_client(w["lead"].user).post(api(m, "return_minutes"), {}, format="json")
        assert r.status_code == 400 and "comment" in r.json()
        r = api_client(w["lead"].user).post(api(m, "approve"), {"comment": "同意"}, format="json")
        assert r.status_code == 200, r.content
        assert Meeting.objects.get(pk=m.pk).status == S.CLOSED

    def test_an_action_item_through_the_api(self, w: dict[str, Any]) -> None:
        due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        r = api_client(w["lead"].user).post(
            api(w["m"], "add_action_item"),
            {"title": "核查防火墙策略", "owner": w["b"].pk, "due_on": due}, format="json",
        )  # fmt: skip
        assert r.status_code == 200, r.content
        task = Task.objects.get(meeting=w["m"])
        assert task.owner == w["b"] and task.title == "核查防火墙策略"
        r = api_client(w["lead"].user).post(
            api(w["m"], "add_action_item"), {"title": "x", "owner": w["b"].pk, "due_on": "昨天"},
            format="json",
        )  # fmt: skip
        assert r.status_code == 400 and "due_on" in r.json()

    def test_allowed_actions_follow_the_state_and_the_chair(self, w: dict[str, Any]) -> None:
        url = f"/api/v1/worklog/meetings/{w['m'].pk}/"
        lead = api_client(w["lead"].user).get(url).json()["allowed_actions"]
        assert "submit_minutes" in lead and "approve" not in lead and "hold" not in lead
        assert "commend" not in lead  # the type records no commendations

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"attendance": []},
            {"attendance": "present"},
            {"attendance": [{"person": "x", "attendance": "present"}]},
            {"attendance": [{"person": 999999, "attendance": "present"}]},
            {"attendance": [{"person": 1, "attendance": "asleep"}]},
            {"attendance": [{"person": 1, "attendance": "present", "note": "x" * 600}]},
            {"attendance": [None]},
            {"attendance": [{"person": -1}]},
            {"expected_version": "v", "attendance": []},
            [1, 2, 3],
            "present",
        ],
    )
    def test_bad_attendance_is_400_never_500(self, w: dict[str, Any], payload: Any) -> None:
        r = api_client(w["lead"].user).post(
            api(w["m"], "attendance"), json.dumps(payload), content_type="application/json"
        )
        assert r.status_code == 400, r.content
        assert (
            not MeetingAttendee.objects.filter(meeting=w["m"])
            .exclude(attendance="invited")
            .exists()
        )

    def test_twice_the_same_person_and_a_stranger(self, w: dict[str, Any]) -> None:
        marks = [{"person": w["a"].pk, "attendance": "present"}] * 2
        r = api_client(w["lead"].user).post(
            api(w["m"], "attendance"), {"attendance": marks}, format="json"
        )
        assert r.status_code == 400 and "attendance" in r.json()
        r = api_client(w["stranger"].user).post(
            api(w["m"], "attendance"), {"attendance": marks[:1]}, format="json"
        )
        assert r.status_code == 404

    def test_upcoming(self, w: dict[str, Any]) -> None:
        soon = MeetingFactory.create(department=w["m"].department, chair=w["lead"])
        AttendeeFactory.create(meeting=soon, person=w["a"])
        r = api_client(w["a"].user).get("/api/v1/worklog/meetings/upcoming/")
        assert r.status_code == 200
        assert [row["id"] for row in r.json()["results"]] == [soon.pk]


def test_home_widget(w: dict[str, Any]) -> None:
    soon = MeetingFactory.create(department=w["m"].department, chair=w["lead"], title="月度总结会")
    AttendeeFactory.create(meeting=soon, person=w["a"])
    assert any(x.key == "worklog_meetings" for x in home_widgets())
    with translation.override("zh-hans"):
        html = ui_client(w["a"].user).get("/").content.decode()
    assert "月度总结会" in html and "我的会议" in html
