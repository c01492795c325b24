"""Meetings: scheduling on the working calendar, attendance, minutes approved by the chair,
action items that become tasks, commendations into the rewards ledger, the duty check and the
daily-log contribution — and bad input refused naming the field, nothing half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties.checks import get as get_check
from netdept.duties.models import Reward, RewardSource
from netdept.org.models import RoleAssignment
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    role,
)
from netdept.worklog import contributions
from netdept.worklog.models import (
    Attendance,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    MeetingType,
    Task,
)
from netdept.worklog.services import meetings
from netdept.worklog.tests.factories_meetings import (
    AttendeeFactory,
    MeetingFactory,
    MeetingTypeFactory,
    at,
)

pytestmark = pytest.mark.django_db
S = MeetingStatus


def person_with_user(**kwargs: Any) -> Any:
    """A person with a login (no role: the chair acts as chair, not by a permission)."""
    user = UserFactory.create()
    return PersonFactory.create(user=user, **kwargs)


@pytest.fixture
def world() -> dict[str, Any]:
    dept = DepartmentFactory.create(kind="network")
    team = TeamFactory.create(department=dept)
    lead = person_with_user(department=dept, team=team)
    team.lead = lead
    team.save()
    a = person_with_user(department=dept, team=team)
    b = person_with_user(department=dept, team=team)
    outsider = person_with_user(department=dept)
    return {"dept": dept, "team": team, "lead": lead, "a": a, "b": b, "outsider": outsider}


def held_meeting(w: dict[str, Any], **kwargs: Any) -> Meeting:
    """A meeting of the team, today, held, with the lead in the chair and a, b invited."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    m = MeetingFactory.create(
        department=w["dept"], team=w["team"], chair=w["lead"], starts_at=start,
        ends_at=start + dt.timedelta(minutes=45), status=S.HELD, **kwargs,
    )  # fmt: skip
    for p in (w["lead"], w["a"], w["b"]):
        AttendeeFactory.create(meeting=m, person=p)
    return m


def all_present(w: dict[str, Any], m: Meeting) -> Meeting:
    marks = {p.pk: (Attendance.PRESENT, "") for p in (w["lead"], w["a"], w["b"])}
    return meetings.mark_attendance(w["lead"].user, m, marks)


# --- scheduling ----------------------------------------------------------------------------------
class TestScheduling:
    def weekly(self, w: dict[str, Any], **kwargs: Any) -> MeetingType:
        mtype = meetings.TYPES.create(
            None,
            {
                "code": "ops-weekly", "name": "运维组周例会", "kind": "weekly", "team": w["team"],
                "rrule": "FREQ=WEEKLY;BYDAY=MO", "start_time": dt.time(9, 0), "shift": "next",
                "duration_minutes": 60, "location": "三楼会议室", "agenda_template": "1. 上周工作",
                **kwargs,
            },
        )  # fmt: skip
        # made before the period the tests read (the recurrence starts on the type's day)
        MeetingType.objects.filter(pk=mtype.pk).update(created_at=at(dt.date(2026, 9, 1)))
        mtype.refresh_from_db()
        return mtype

    def test_weekly_meetings_on_the_working_calendar(self, world: dict[str, Any]) -> None:
        """Mondays at 09:00; 5 October 2026 (国庆) moves to Thursday 8 October, the next working
        day. The team's members and its lead are invited; a second run schedules nothing."""
        mtype = self.weekly(world)
        now = at(dt.date(2026, 9, 28), 8)
        assert meetings.schedule_ahead(now, days=14) == 3
        starts = [
            timezone.localtime(m.starts_at)
            for m in Meeting.objects.filter(meeting_type=mtype).order_by("starts_at")
        ]
        assert [(s.date(), s.time()) for s in starts] == [
            (dt.date(2026, 9, 28), dt.time(9, 0)),
            (dt.date(2026, 10, 8), dt.time(9, 0)),
            (dt.date(2026, 10, 12), dt.time(9, 0)),
        ]
        m = Meeting.objects.filter(meeting_type=mtype).order_by("starts_at").first()
        assert m is not None
        assert m.chair == world["lead"] and m.department == world["dept"]
        assert m.ends_at - m.starts_at == dt.timedelta(hours=1)
        assert m.location == "三楼会议室" and m.agenda == "1. 上周工作"
        invited = set(m.attendees.values_list("person_id", flat=True))
        assert invited == {world["lead"].pk, world["a"].pk, world["b"].pk}
        assert AuditRecord.objects.filter(
            action=AuditAction.CREATE, object_id=str(m.pk), extra__scheduled_by="recurrence"
        ).exists()
        assert meetings.schedule_ahead(now, days=14) == 0
        assert Meeting.objects.filter(meeting_type=mtype).count() == 3

    def test_daily_standup_skips_holidays_and_keeps_the_make_up_saturday(
        self, world: dict[str, Any]
    ) -> None:
        mtype = self.weekly(world, code="standup", rrule="FREQ=DAILY", shift="skip")
        meetings.schedule_ahead(at(dt.date(2026, 9, 30), 0), days=12)
        days = sorted(
            timezone.localtime(s).date()
            for s in Meeting.objects.filter(meeting_type=mtype).values_list("starts_at", flat=True)
        )
        assert days == [
            dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 10, 9),
            dt.date(2026, 10, 10),  # 调休: a working Saturday
            dt.date(2026, 10, 12),
        ]  # fmt: skip

    def test_a_cancelled_meeting_is_not_scheduled_again(self, world: dict[str, Any]) -> None:
        mtype = self.weekly(world)
        now = at(dt.date(2026, 9, 28), 8)
        meetings.schedule_ahead(now, days=1)
        m = Meeting.objects.get(meeting_type=mtype)
        meetings.cancel(world["lead"].user, m, reason="领导出差")
        assert meetings.schedule_ahead(now, days=1) == 0
        m.refresh_from_db()
        assert m.status == S.CANCELLED and m.cancel_reason == "领导出差"

    def test_inactive_and_one_off_types_schedule_nothing(self, world: dict[str, Any]) -> None:
        self.weekly(world, is_active=False)
        MeetingTypeFactory.create(rrule="")
        assert meetings.schedule_ahead(at(dt.date(2026, 9, 28), 8)) == 0

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"rrule": "FREQ=HOURLY", "start_time": dt.time(9)}, "rrule"),
            ({"rrule": "DTSTART:20260101;FREQ=DAILY", "start_time": dt.time(9)}, "rrule"),
            ({"rrule": "FREQ=WEEKLY;BYDAY=MO"}, "start_time"),
            ({"rrule": "FREQ=WEEKLY;BYDAY=XX", "start_time": dt.time(9)}, "rrule"),
        ],
    )
    def test_a_bad_recurrence_is_refused_naming_the_field(
        self, data: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            meetings.TYPES.create(None, {"code": "bad", "name": "坏的", **data})
        assert field in exc.value.message_dict
        assert not MeetingType.objects.filter(code="bad").exists()

    def test_a_committee_meeting_invites_its_members_and_its_chair_chairs(self) -> None:
        from netdept.approvals.models import Committee

        chair = PersonFactory.create()
        members = [PersonFactory.create(), PersonFactory.create()]
        committee = Committee.objects.create(name="网络安全委员会", chair=chair)
        committee.members.set([chair, *members])
        mtype = MeetingTypeFactory.create(committee=committee, kind="committee")
        m = meetings.schedule(mtype, at(dt.date(2026, 10, 9), 15))
        assert m is not None and m.chair == chair
        assert set(m.attendees.values_list("person_id", flat=True)) == {
            chair.pk,
            *(p.pk for p in members),
        }
        assert meetings.schedule(mtype, at(dt.date(2026, 10, 9), 15)) is None  # once


# --- a meeting by hand -------------------------------------------------------------------------
class TestMeetingByHand:
    def test_the_type_fills_in_place_agenda_and_attendees(self, world: dict[str, Any]) -> None:
        mtype = MeetingTypeFactory.create(
            team=world["team"], location="五楼", agenda_template="议程模板"
        )
        start = at(timezone.localdate() + dt.timedelta(days=2), 10)
        m = meetings.MEETINGS.create(
            None,
            {"meeting_type": mtype, "title": "临时例会", "department": world["dept"],
             "chair": world["lead"], "starts_at": start, "ends_at": start + dt.timedelta(hours=1)},
        )  # fmt: skip
        assert m.location == "五楼" and m.agenda == "议程模板" and m.team == world["team"]
        assert m.attendees.count() == 3

    def test_ending_before_it_starts_is_refused(self, world: dict[str, Any]) -> None:
        start = at(timezone.localdate() + dt.timedelta(days=2), 10)
        with pytest.raises(ValidationError) as exc:
            meetings.MEETINGS.create(
                None,
                {"title": "x", "department": world["dept"], "chair": world["lead"],
                 "starts_at": start, "ends_at": start - dt.timedelta(minutes=1)},
            )  # fmt: skip
        assert "ends_at" in exc.value.message_dict
        assert not Meeting.objects.filter(title="x").exists()

    def test_a_team_of_another_department_is_refused(self, world: dict[str, Any]) -> None:
        start = at(timezone.localdate() + dt.timedelta(days=2), 10)
        with pytest.raises(ValidationError) as exc:
            meetings.MEETINGS.create(
                None,
                {"title": "y", "department": DepartmentFactory.create(), "team": world["team"],
                 "chair": world["lead"], "starts_at": start,
                 "ends_at": start + dt.timedelta(hours=1)},
            )  # fmt: skip
        assert "team" in exc.value.message_dict

    def test_a_closed_meeting_is_not_edited_or_deleted(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        Meeting.objects.filter(pk=m.pk).update(status=S.CLOSED)
        m.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            meetings.MEETINGS.update(None, m, {"title": "改"})
        assert "status" in exc.value.message_dict
        with pytest.raises(ValidationError):
            meetings.MEETINGS.delete(None, m)


# --- the meeting's life --------------------------------------------------------------------------
class TestLifecycle:
    def test_held_attendance_minutes_returned_resubmitted_approved(
        self, world: dict[str, Any]
    ) -> None:
        lead, a = world["lead"], world["a"]
        m = MeetingFactory.create(department=world["dept"], team=world["team"], chair=lead)
        for p in (lead, a, world["b"]):
            AttendeeFactory.create(meeting=m, person=p)
        m = meetings.hold(lead.user, m)
        assert m.status == S.HELD
        # the minutes taker is whoever runs it: here a, made minutes taker by the chair
        Meeting.objects.filter(pk=m.pk).update(minutes_by=a)
        m.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            meetings.submit_minutes(a.user, m, minutes="")
        assert "minutes" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            meetings.submit_minutes(a.user, m, minutes="会议纪要")
        assert "attendance" in exc.value.message_dict  # nobody marked yet
        assert world["b"].name in exc.value.message_dict["attendance"][0]
        meetings.mark_attendance(
            a.user, m,
            {lead.pk: ("present", ""), a.pk: ("late", "堵车"), world["b"].pk: ("excused", "年假")},
        )  # fmt: skip
        m = meetings.submit_minutes(a.user, m, minutes="1. 机房改造\n2. 割接", decisions="周五割接")
        assert m.status == S.MINUTES_SUBMITTED and m.minutes_by == a
        # only the chair decides
        with pytest.raises(PermissionDenied):
            meetings.approve_minutes(a.user, m)
        with pytest.raises(ValidationError) as exc:
            meetings.return_minutes(lead.user, m, comment="")
        assert "comment" in exc.value.message_dict
        m = meetings.return_minutes(lead.user, m, comment="补充割接窗口")
        assert m.status == S.HELD and m.review_comment == "补充割接窗口"
        m = meetings.submit_minutes(
            a.user, m, minutes="1. 机房改造\n2. 割接 22:00", decisions="周五割接"
        )
        m = meetings.approve_minutes(lead.user, m, comment="同意")
        assert m.status == S.CLOSED and m.minutes_approved_at is not None
        with pytest.raises(ValidationError) as exc:
            meetings.approve_minutes(lead.user, m)
        assert "status" in exc.value.message_dict

    def test_the_chair_handing_in_closes_at_once(self, world: dict[str, Any]) -> None:
        m = all_present(world, held_meeting(world))
        m = meetings.submit_minutes(world["lead"].user, m, minutes="纪要")
        assert m.status == S.CLOSED

    def test_a_type_without_approval_closes_at_once(self, world: dict[str, Any]) -> None:
        mtype = MeetingTypeFactory.create(minutes_approval=False)
        m = all_present(world, held_meeting(world, meeting_type=mtype))
        Meeting.objects.filter(pk=m.pk).update(minutes_by=world["a"])
        m.refresh_from_db()
        assert meetings.submit_minutes(world["a"].user, m, minutes="纪要").status == S.CLOSED

    def test_an_outsider_may_not_run_the_meeting(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        outsider = world["outsider"].user
        with pytest.raises(PermissionDenied):
            meetings.mark_attendance(outsider, m, {world["a"].pk: ("present", "")})
        with pytest.raises(PermissionDenied):
            meetings.submit_minutes(outsider, m, minutes="x")
        assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=outsider).exists()

    def test_a_stale_version_is_a_conflict(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        with pytest.raises(meetings.Conflict):
            meetings.submit_minutes(world["lead"].user, m, minutes="x", expected_version=99)

    def test_cancel_needs_a_reason_and_a_scheduled_meeting(self, world: dict[str, Any]) -> None:
        m = MeetingFactory.create(department=world["dept"], chair=world["lead"])
        with pytest.raises(ValidationError) as exc:
            meetings.cancel(world["lead"].user, m, reason=" ")
        assert "reason" in exc.value.message_dict
        held = held_meeting(world)
        with pytest.raises(ValidationError) as exc:
            meetings.cancel(world["lead"].user, held, reason="x")
        assert "status" in exc.value.message_dict


class TestAttendance:
    def test_bad_marks_save_nothing(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        bad = {world["a"].pk: ("present", ""), world["outsider"].pk: ("present", "")}
        with pytest.raises(ValidationError) as exc:
            meetings.mark_attendance(world["lead"].user, m, bad)
        assert world["outsider"].pk and "attendance" in exc.value.message_dict
        with pytest.raises(ValidationError):
            meetings.mark_attendance(world["lead"].user, m, {world["a"].pk: ("asleep", "")})
        assert not MeetingAttendee.objects.filter(meeting=m).exclude(attendance="invited").exists()

    def test_marks_are_audited_once_and_bump_the_version(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        version = m.version
        m = all_present(world, m)
        assert m.version == version + 1
        all_present(world, m)  # nothing changes: nothing recorded
        assert (
            AuditRecord.objects.filter(object_id=str(m.pk), changes__has_key="attendance").count()
            == 1
        )

    def test_closed_minutes_make_attendance_final(self, world: dict[str, Any]) -> None:
        m = all_present(world, held_meeting(world))
        m = meetings.submit_minutes(world["lead"].user, m, minutes="纪要")
        with pytest.raises(ValidationError):
            meetings.mark_attendance(world["lead"].user, m, {world["a"].pk: ("absent", "")})
        row = MeetingAttendee.objects.get(meeting=m, person=world["a"])
        with pytest.raises(ValidationError):
            meetings.ATTENDEES.update(None, row, {"attendance": "absent"})
        with pytest.raises(ValidationError):
            meetings.ATTENDEES.delete(None, row)


# --- action items and commendations -------------------------------------------------------------
class TestActionItems:
    def test_an_action_item_is_a_task_of_its_owner(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        due = timezone.localdate() + dt.timedelta(days=5)
        task = meetings.add_action_item(
            world["lead"].user, m, title="更换核心交换机电源", owner=world["a"], due_on=due,
            description="周五前完成",
        )  # fmt: skip
        assert isinstance(task, Task)
        assert task.meeting == m and task.owner == world["a"] and task.due_on == due
        assert task.assigned_by == world["lead"]
        assert list(m.action_items.all()) == [task]

    def test_bad_action_items_are_refused_naming_the_field(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        lead = world["lead"].user
        past = timezone.localdate() - dt.timedelta(days=3)
        with pytest.raises(ValidationError) as exc:
            meetings.add_action_item(lead, m, title="x", owner=world["a"], due_on=past)
        assert "due_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            meetings.add_action_item(
                lead, m, title="", owner=world["a"], due_on=timezone.localdate()
            )
        assert "title" in exc.value.message_dict
        gone = PersonFactory.create(is_active=False)
        with pytest.raises(ValidationError) as exc:
            meetings.add_action_item(lead, m, title="x", owner=gone, due_on=timezone.localdate())
        assert "owner" in exc.value.message_dict
        scheduled = MeetingFactory.create(department=world["dept"], chair=world["lead"])
        with pytest.raises(ValidationError) as exc:
            meetings.add_action_item(
                lead, scheduled, title="x", owner=world["a"], due_on=timezone.localdate()
            )
        assert "status" in exc.value.message_dict
        assert not Task.objects.exists()


class TestCommendations:
    def review(self, w: dict[str, Any]) -> Meeting:
        mtype = MeetingTypeFactory.create(kind="monthly", records_commendations=True)
        w["dept"].head = w["lead"]
        w["dept"].save()  # the director (head of the network department) chairs
        RoleAssignment.objects.create(user=w["lead"].user, role=role("director"))
        m = held_meeting(w, meeting_type=mtype)
        return meetings.mark_attendance(
            w["lead"].user, m,
            {w["lead"].pk: ("present", ""), w["a"].pk: ("present", ""), w["b"].pk: ("absent", "")},
        )  # fmt: skip

    def test_the_chair_records_a_commendation_in_the_rewards_ledger(
        self, world: dict[str, Any]
    ) -> None:
        m = self.review(world)
        reward = meetings.commend(world["lead"].user, m, person=world["a"], reason="抢修及时")
        assert isinstance(reward, Reward)
        assert reward.person == world["a"] and reward.source == RewardSource.MONTHLY_REVIEW
        assert reward.granted_by == world["lead"]
        assert "抢修及时" in reward.reason and m.title in reward.reason

    def test_refusals(self, world: dict[str, Any]) -> None:
        m = self.review(world)
        with pytest.raises(ValidationError) as exc:  # absent
            meetings.commend(world["lead"].user, m, person=world["b"], reason="x")
        assert "person" in exc.value.message_dict
        with pytest.raises(PermissionDenied):  # not the chair
            meetings.commend(world["a"].user, m, person=world["lead"], reason="x")
        with pytest.raises(ValidationError) as exc:
            meetings.commend(world["lead"].user, m, person=world["a"], reason="  ")
        assert "reason" in exc.value.message_dict
        plain = all_present(world, held_meeting(world))
        with pytest.raises(ValidationError):  # a type that records none
            meetings.commend(world["lead"].user, plain, person=world["a"], reason="x")
        assert not Reward.objects.exists()


# --- what other modules read ---------------------------------------------------------------------
class TestCheckAndContribution:
    def test_meeting_held_check(self, world: dict[str, Any]) -> None:
        mtype = MeetingTypeFactory.create(code="weekly-ops")
        m = all_present(world, held_meeting(world, meeting_type=mtype))
        check = get_check("worklog.meeting_held")
        assert check is not None
        start, end = m.starts_at - dt.timedelta(days=1), m.starts_at + dt.timedelta(days=1)
        params = {"type": "weekly-ops"}
        assert check.records(world["lead"], start, end, params) == []  # no minutes yet
        meetings.submit_minutes(world["lead"].user, m, minutes="纪要")
        records = check.records(world["lead"], start, end, params)
        assert records == [m] and check.satisfied(records, params)
        assert check.records(world["lead"], start, end, {"type": "other"}) == []
        assert check.records(world["lead"], start, end, {}) == []
        assert check.check_params({"type": 3}) == {"type": "text"}

    def test_meetings_attended_reach_the_daily_log(self, world: dict[str, Any]) -> None:
        m = held_meeting(world)
        meetings.mark_attendance(
            world["lead"].user, m,
            {world["a"].pk: ("late", ""), world["b"].pk: ("absent", ""),
             world["lead"].pk: ("present", "")},
        )  # fmt: skip
        day = timezone.localtime(m.starts_at).replace(hour=0, minute=0, second=0)
        ids = [world["a"].pk, world["b"].pk, world["lead"].pk]
        out = contributions.collect(ids, day, day + dt.timedelta(days=1))
        lines = [line for code, line in out[world["a"].pk] if code == "worklog.meetings"]
        assert len(lines) == 1 and lines[0].minutes == 45 and lines[0].record == m
        assert m.title in lines[0].text
        assert not [1 for code, _ in out[world["b"].pk] if code == "worklog.meetings"]
        assert [1 for code, _ in out[world["lead"].pk] if code == "worklog.meetings"]

    def test_the_contribution_is_one_query_for_many_people(
        self, world: dict[str, Any], django_assert_num_queries: Any
    ) -> None:
        for _ in range(3):
            all_present(world, held_meeting(world))
        from netdept.worklog.contrib_meetings import attended

        now = timezone.now()
        with django_assert_num_queries(1):
            lines = list(attended([world["a"].pk, world["b"].pk], now - dt.timedelta(days=1), now))
        assert len(lines) == 6


@freeze_time("2026-10-09 08:00:00+08:00")
def test_upcoming_and_awaiting_chair(world: dict[str, Any]) -> None:
    soon = MeetingFactory.create(
        department=world["dept"], chair=world["lead"], starts_at=at(dt.date(2026, 10, 9), 10),
        ends_at=at(dt.date(2026, 10, 9), 11),
    )  # fmt: skip
    AttendeeFactory.create(meeting=soon, person=world["a"])
    past = MeetingFactory.create(
        department=world["dept"], chair=world["lead"], starts_at=at(dt.date(2026, 10, 8), 10),
        ends_at=at(dt.date(2026, 10, 8), 11),
    )  # fmt: skip
    AttendeeFactory.create(meeting=past, person=world["a"])
    rows = meetings.upcoming(world["a"], timezone.now())
    assert [r.meeting for r in rows] == [soon]
    assert not meetings.awaiting_chair(world["lead"]).exists()


class TestNotifications:
    def test_the_chair_hears_of_minutes_the_taker_of_a_return(
        self, world: dict[str, Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        from netdept.notify.models import InboxMessage, Notification

        m = all_present(world, held_meeting(world))
        Meeting.objects.filter(pk=m.pk).update(minutes_by=world["a"])
        m.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            m = meetings.submit_minutes(world["a"].user, m, minutes="纪要")
        note = Notification.objects.get(kind="worklog.minutes_submitted")
        assert note.data["meeting"] == m.title and note.data["by"] == world["a"].name
        assert note.link.endswith(f"/worklog/meetings/{m.pk}/")
        assert InboxMessage.objects.filter(notification=note, user=world["lead"].user).exists()
        with django_capture_on_commit_callbacks(execute=True):
            meetings.return_minutes(world["lead"].user, m, comment="补充决议")
        note = Notification.objects.get(kind="worklog.minutes_returned")
        assert note.data["comment"] == "补充决议"
        assert [i.user for i in InboxMessage.objects.filter(notification=note)] == [world["a"].user]

    def test_the_attendees_hear_of_a_cancellation(
        self, world: dict[str, Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        from netdept.notify.models import InboxMessage, Notification

        m = MeetingFactory.create(department=world["dept"], chair=world["lead"])
        for p in (world["lead"], world["a"]):
            AttendeeFactory.create(meeting=m, person=p)
        with django_capture_on_commit_callbacks(execute=True):
            meetings.cancel(world["lead"].user, m, reason="停电")
        note = Notification.objects.get(kind="worklog.meeting_cancelled")
        assert note.data["comment"] == "停电"
        assert [i.user for i in InboxMessage.objects.filter(notification=note)] == [world["a"].user]


def test_the_duty_engine_finds_the_meeting_held(world: dict[str, Any]) -> None:
    """A pack's duty "hold the weekly meeting, with minutes" (check ``worklog.meeting_held``)
    is done by the check when the meeting's minutes were handed in within its period."""
    from netdept.duties.models import Evidence, Occurrence
    from netdept.duties.services import engine, sweeping
    from netdept.duties.tests.test_work_fixtures import make_duty

    mtype = MeetingTypeFactory.create(code="ops-weekly")
    duty = make_duty(
        person=world["lead"], rrule="FREQ=WEEKLY;BYDAY=FR", reviewer_kind="",
        check_code="worklog.meeting_held", check_params={"type": "ops-weekly"},
        starts_on=dt.date(2026, 10, 1),
    )  # fmt: skip
    type(duty).objects.filter(pk=duty.pk).update(created_at=at(dt.date(2026, 9, 1)))
    duty.refresh_from_db()  # a duty applies from its creation: made before the period read
    engine.materialise(now=at(dt.date(2026, 10, 12), 8))
    occ = Occurrence.objects.get(duty=duty, due_at=at(dt.date(2026, 10, 16), 17))
    m = MeetingFactory.create(
        meeting_type=mtype, department=world["dept"], chair=world["lead"], minutes="纪要",
        starts_at=at(dt.date(2026, 10, 12), 9), ends_at=at(dt.date(2026, 10, 12), 10),
        status=S.CLOSED,
    )  # fmt: skip
    done = sweeping.sweep(now=at(dt.date(2026, 10, 16), 17, 1))
    assert done["done_by_check"] >= 1
    occ.refresh_from_db()
    assert occ.status == "done" and occ.by_check
    assert Evidence.objects.filter(occurrence=occ, record_id=str(m.pk)).exists()
