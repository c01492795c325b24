"""Leave: working days on the calendar (a holiday, a 调休 Saturday, half days), refusals with
nothing saved, approval through the engine with the channel, invalid by channel, delegation,
cancellation, and the interfaces other parts read (``on_leave_days``, ``leave_days``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from netdept.approvals import resolve
from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalRequest, Delegation
from netdept.worklog.models.leave import LeaveRequest, LeaveStatus
from netdept.worklog.services import leave as svc
from netdept.worklog.tests.factories_leave import approve, ask, at, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are checked in English here (zh-hans is the site's default)."""
    with translation.override("en"):
        yield


D = dt.date


def test_working_days_cross_the_national_day_holiday_and_count_the_makeup_saturday() -> None:
    w = world()
    # Mon 29 Sep → Sat 11 Oct 2025: 1–8 Oct are the holiday, Sat 11 Oct is a 调休 working day
    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 10, 11, 17, 30))
    assert leave.working_days == Decimal("5")
    approve(w, leave)
    days = svc.on_leave_days([w.engineer.pk, w.other.pk], D(2025, 9, 28), D(2025, 10, 12))
    assert set(days) == {w.engineer.pk}
    assert {D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10),
            D(2025, 10, 11)} <= days[w.engineer.pk]  # fmt: skip
    assert D(2025, 10, 3) in days[w.engineer.pk]  # a day off covered whole
    assert D(2025, 9, 28) not in days[w.engineer.pk]  # the 调休 Sunday before it started
    assert svc.leave_days(w.engineer, D(2025, 10, 1), D(2025, 10, 31)) == Decimal("3")
    assert svc.leave_days(w.other, D(2025, 10, 1), D(2025, 10, 31)) == Decimal("0")
    assert svc.leave_days_by_person([w.engineer.pk], D(2025, 9, 1), D(2025, 10, 31)) == {
        w.engineer.pk: Decimal("5")
    }


def test_half_days() -> None:
    w = world()
    morning = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 12, 0))
    assert morning.working_days == Decimal("0.5")
    most = ask(w, at(2025, 9, 30, 10, 0), at(2025, 9, 30, 17, 30))
    assert most.working_days == Decimal("1")


@pytest.mark.parametrize(
    ("start", "end", "field", "text"),
    [
        (at(2025, 9, 30, 17, 0), at(2025, 9, 29, 9, 0), "ends_at", "end after it starts"),
        (at(2025, 10, 1, 8, 30), at(2025, 10, 3, 17, 30), "ends_at", "no working day"),
    ],
)
def test_refused_with_the_reason_and_nothing_saved(
    start: dt.datetime, end: dt.datetime, field: str, text: str
) -> None:
    w = world()
    before = (LeaveRequest.objects.count(), ApprovalRequest.objects.count())
    with pytest.raises(ValidationError) as exc:
        ask(w, start, end)
    assert field in exc.value.message_dict
    assert text in " ".join(exc.value.message_dict[field])
    assert (LeaveRequest.objects.count(), ApprovalRequest.objects.count()) == before


def test_overlap_refused_naming_the_other_leave() -> None:
    w = world()
    ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 30, 17, 30))
    before = LeaveRequest.objects.count()
    with pytest.raises(ValidationError) as exc:
        ask(w, at(2025, 9, 30, 8, 30), at(2025, 10, 9, 17, 30))
    assert "overlaps" in " ".join(exc.value.message_dict["starts_at"])
    assert "2025-09-29" in " ".join(exc.value.message_dict["starts_at"])
    assert LeaveRequest.objects.count() == before
    # another person's leave does not overlap
    ask(w, at(2025, 9, 30, 8, 30), at(2025, 9, 30, 17, 30), who=w.other)


def test_longer_than_the_type_allows() -> None:
    w = world()
    with pytest.raises(ValidationError) as exc:
        ask(w, at(2025, 9, 1, 8, 30), at(2025, 9, 12, 17, 30), leave_type=w.personal)
    assert "at most" in " ".join(exc.value.message_dict["ends_at"])


def test_submit_goes_to_the_superior_and_approval_records_the_channel() -> None:
    w = world()
    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 30, 17, 30), leave_type=w.personal)
    assert leave.status == LeaveStatus.PENDING
    assert leave.approval is not None and leave.approval.kind == svc.LEAVE_KIND
    pending = approvals.pending_for(w.lead).filter(request=leave.approval)
    assert pending.exists()  # the team lead: one level up
    with pytest.raises(ValidationError) as exc:  # the type restricts channels: say which
        svc.decide(w.lead, leave, approvals.APPROVE)
    assert "channel" in exc.value.message_dict
    leave = svc.decide(w.lead, leave, approvals.APPROVE, channel="phone")
    assert leave.status == LeaveStatus.APPROVED
    assert leave.channel == "phone" and leave.recorded_by == w.lead


def test_asked_by_sms_is_invalid_with_the_reason() -> None:
    w = world()
    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30), leave_type=w.personal)
    leave = approve(w, leave, channel="sms")
    assert leave.status == LeaveStatus.INVALID
    assert "by SMS" in leave.invalid_reason
    assert svc.on_leave_days([w.engineer.pk], D(2025, 9, 29), D(2025, 9, 29)) == {}


def test_only_the_approver_decides() -> None:
    w = world()
    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30))
    with pytest.raises(PermissionDenied):
        svc.decide(w.other, leave, approvals.APPROVE, channel="in_person")
    with pytest.raises(PermissionDenied):
        svc.record_channel(w.engineer, leave, "in_person")  # not about one's own request


def test_nobody_approves_their_own_leave() -> None:
    """The person asking never decides: not the engineer, and a team lead's own leave goes one
    level up (the department head), so the lead cannot approve it alone either."""
    w = world()
    mine = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30))
    with pytest.raises(PermissionDenied):
        svc.decide(w.engineer, mine, approvals.APPROVE, channel="in_person")
    leads = ask(w, at(2025, 10, 9, 8, 30), at(2025, 10, 9, 17, 30), who=w.lead)
    assert not approvals.pending_for(w.lead).filter(request=leads.approval).exists()
    with pytest.raises(PermissionDenied):
        svc.decide(w.lead, leads, approvals.APPROVE, channel="in_person")
    assert approvals.pending_for(w.director).filter(request=leads.approval).exists()
    for leave in (mine, leads):
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.PENDING


def test_reject_and_cancel() -> None:
    w = world()
    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30))
    leave = svc.decide(w.lead, leave, approvals.REJECT, comment="人手不足")
    assert leave.status == LeaveStatus.REJECTED
    pending = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30))  # rejected holds nothing
    pending = svc.cancel_leave(w.engineer, pending)
    assert pending.status == LeaveStatus.WITHDRAWN
    assert pending.approval is not None
    pending.approval.refresh_from_db()
    assert pending.approval.status == "withdrawn"
    with pytest.raises(PermissionDenied):
        svc.cancel_leave(w.other, pending)


def test_approved_leave_passes_approvals_to_the_delegate_and_cancel_ends_it() -> None:
    w = world()
    now = dt.datetime.now(tz=dt.UTC)
    leave = svc.submit_leave(by=w.lead, leave_type=w.annual, starts_at=now - dt.timedelta(hours=1),
                             ends_at=now + dt.timedelta(days=9), reason="年假",
                             delegate=w.engineer)  # fmt: skip
    leave = svc.decide(w.director, leave, approvals.APPROVE, channel="in_person")
    assert leave.status == LeaveStatus.APPROVED
    assert svc.is_on_leave(w.lead, now)
    deleg = Delegation.objects.get(delegator=w.lead, is_active=True)
    assert deleg.delegate == w.engineer
    # the other engineer's new request goes to the delegate, for the lead
    start = svc.schedule().next_working_instant(now + dt.timedelta(days=10))
    req = ask(w, start, start + dt.timedelta(hours=2), who=w.other)
    seat = approvals.pending_for(w.engineer).filter(request=req.approval).first()
    assert seat is not None and seat.on_behalf_of == w.lead
    leave = svc.cancel_leave(w.lead, leave, "提前回来")
    assert leave.status == LeaveStatus.CANCELLED
    assert not Delegation.objects.filter(delegator=w.lead, is_active=True).exists()
    assert not svc.is_on_leave(w.lead, now)


def test_away_without_delegate_goes_to_the_superior() -> None:
    w = world()
    now = dt.datetime.now(tz=dt.UTC)
    leave = svc.submit_leave(by=w.lead, leave_type=w.annual, starts_at=now - dt.timedelta(hours=1),
                             ends_at=now + dt.timedelta(days=9), reason="病假")  # fmt: skip
    svc.decide(w.director, leave, approvals.APPROVE, channel="phone")
    held = resolve.holder(w.lead, now, w.other)
    assert held is not None and held.person == w.director and held.on_behalf_of == w.lead


def test_a_lead_records_a_request_taken_by_phone() -> None:
    w = world()
    leave = svc.submit_leave(by=w.lead, person=w.engineer, leave_type=w.personal,
                             starts_at=at(2025, 9, 29, 8, 30), ends_at=at(2025, 9, 29, 17, 30),
                             reason="发烧", channel="phone")  # fmt: skip
    assert leave.recorded_by == w.lead and leave.channel == "phone"
    with pytest.raises(PermissionDenied):
        svc.submit_leave(by=w.other, person=w.engineer, leave_type=w.annual,
                         starts_at=at(2025, 9, 30, 8, 30), ends_at=at(2025, 9, 30, 17, 30),
                         reason="代请")  # fmt: skip


def test_the_refusal_in_chinese() -> None:
    w = world()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        ask(w, at(2025, 10, 1, 8, 30), at(2025, 10, 3, 17, 30))
    assert "不含任何工作日" in exc.value.message_dict["ends_at"][0]


def test_approved_leave_excuses_the_open_duties_of_its_days_and_none_are_due_while_away() -> None:
    from netdept.duties.models import Occurrence, OccurrenceStatus
    from netdept.duties.services import engine
    from netdept.duties.tests.engine_world import make_duty

    w = world()
    duty = make_duty(person=w.engineer, rrule="FREQ=DAILY", horizon_days=10)
    engine.materialise(now=at(2026, 3, 2, 8), duties=[duty])
    leave = ask(w, at(2026, 3, 4, 8, 30), at(2026, 3, 5, 17, 30))
    approve(w, leave)
    sched = engine.work_schedule()
    excused = {
        sched.local_date(o.due_at)
        for o in Occurrence.objects.filter(duty=duty, status=OccurrenceStatus.EXCUSED)
    }
    assert excused == {D(2026, 3, 4), D(2026, 3, 5)}
    Occurrence.objects.filter(duty=duty, status=OccurrenceStatus.EXCUSED).delete()
    engine.materialise(now=at(2026, 3, 2, 8), duties=[duty])  # not written again while away
    days = {sched.local_date(o.due_at) for o in Occurrence.objects.filter(duty=duty)}
    assert D(2026, 3, 4) not in days and D(2026, 3, 3) in days
