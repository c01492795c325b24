"""Time limits of approval steps on the working calendar, and the sweep that reminds before
them and passes a step on at them.

Expected instants are worked out by hand from the official 2026 calendar (``chinesecalendar``):
holidays 1-01~03, 2-15~23 (春节), 4-04~06, 5-01~05, 6-19~21, 9-25~27 (中秋), 10-01~07 (国庆);
make-up working days (调休) 1-04 (Sun), 2-14 (Sat), 2-28 (Sat), 5-09 (Sat), 9-20 (Sun),
10-10 (Sat); the default calendar's working hours 08:30–12:00 and 13:30–17:30 (7.5 h a day).
Time is frozen through ``engine.now`` (what submit and decide read); the sweep takes its
instant as an argument, as the minute job gives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from netdept.approvals import links, services
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    DecisionStatus,
    RequestStatus,
    StepStatus,
)
from netdept.approvals.services import engine
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditRecord
from netdept.notify.models import InboxMessage, Notification
from netdept.org.models import Role

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """An instant in Beijing time: ``at("2026-09-30 16:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def h() -> hospital.Hospital:
    return hospital.build()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dt.datetime]:
    """``clock("2026-09-30 16:00")`` sets the engine's now (Beijing time) and answers it."""
    state: dict[str, dt.datetime] = {}

    def set_to(text: str) -> dt.datetime:
        state["now"] = at(text)
        return state["now"]

    monkeypatch.setattr(engine, "now", lambda: state["now"])
    return set_to


def submit(h: hospital.Hospital, who: str, r: Any, **kw: Any) -> ApprovalRequest:
    return services.submit(
        h.user(who), kind="approvals.general", rule=r, title=kw.pop("title", "采购申请"), **kw
    )


def lead_rule(limit: int, remind: int = 0, escalate: str = "", **kw: Any) -> Any:
    r = hospital.rule(code=f"lead{limit}-{remind}-{escalate or 'none'}")
    hospital.step(r, "组长审批", "team_lead", time_limit_hours=limit,
                  remind_before_hours=remind, escalate_to=escalate, **kw)  # fmt: skip
    return r


def step_of(req: ApprovalRequest) -> ApprovalStep:
    return req.steps.get(status=StepStatus.PENDING)


def pending(req: ApprovalRequest) -> list[ApprovalDecision]:
    return list(req.decisions.filter(status=DecisionStatus.PENDING).select_related("approver"))


def inbox(h: hospital.Hospital, who: str, kind: str) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(user=h.user(who), notification__kind=kind))


def test_the_calendar_these_expectations_rest_on() -> None:
    """If the package's 2026 data changed, every expected instant below would be wrong."""
    national_day = [dt.date(2026, 10, d) for d in range(1, 8)]
    assert not any(chinese_calendar.is_workday(d) for d in national_day)
    assert chinese_calendar.get_holiday_detail(dt.date(2026, 10, 10))[1] == "National Day"
    assert chinese_calendar.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休
    assert chinese_calendar.is_workday(dt.date(2026, 9, 20))  # Sunday, 调休
    assert chinese_calendar.is_workday(dt.date(2026, 2, 14))  # Saturday before 春节
    assert chinese_calendar.is_workday(dt.date(2026, 2, 28))  # Saturday after 春节
    spring = [dt.date(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]  # 2-15~2-23
    assert not any(chinese_calendar.is_workday(d) for d in spring)
    assert chinese_calendar.is_workday(dt.date(2026, 2, 24))


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # 9-30 (Wed) 16:00: 1.5 h that day, 国庆 10-01~07 off, 6.5 h on 10-08 (Thu).
        ("2026-09-30 16:00", 8, "2026-10-08 16:30"),
        # Submitted on a holiday: counting starts on the first working morning.
        ("2026-10-03 10:00", 1, "2026-10-08 09:30"),
        # 10-09 (Fri) 09:00: 7 h, the 调休 Saturday 10-10 7.5 h, 1.5 h on Monday 10-12.
        ("2026-10-09 09:00", 16, "2026-10-12 10:00"),
        # 9-18 (Fri) 17:00: 0.5 h, Saturday off, the 调休 Sunday 9-20 until 12:00.
        ("2026-09-18 17:00", 4, "2026-09-20 12:00"),
        # Before 春节: 2-13 (Fri) 16:00, 1.5 h, then the 调休 Saturday 2-14.
        ("2026-02-13 16:00", 8, "2026-02-14 16:30"),
        # On that Saturday: 1.5 h, 春节 2-15~23 off, 6.5 h on 2-24 (Tue).
        ("2026-02-14 16:00", 8, "2026-02-24 16:30"),
        # 2-27 (Fri) 17:00: 0.5 h, the 调休 Saturday 2-28 until the end of its morning.
        ("2026-02-27 17:00", 4, "2026-02-28 12:00"),
        # 4-03 (Fri) 17:00: 0.5 h, 清明 4-04~06 off, then 7.5 h on 4-07: the end of that day.
        ("2026-04-03 17:00", 8, "2026-04-07 17:30"),
    ],
)
def test_a_steps_limit_counts_working_hours_across_holidays_and_make_up_days(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime], start: str, hours: int, due: str
) -> None:
    clock(start)
    req = submit(h, "zhangwei", lead_rule(hours))
    step = step_of(req)
    assert step.activated_at == at(start)
    assert step.due_at == at(due)
    assert [d.due_at for d in pending(req)] == [at(due)]  # what the inbox sorts by


def test_the_reminder_time_is_that_many_working_hours_before_the_limit(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    step = step_of(submit(h, "zhangwei", lead_rule(8, remind=2)))
    assert step.due_at == at("2026-10-08 16:30")
    assert step.remind_at == at("2026-10-08 14:30")  # 2 working hours before, lunch excluded
    clock("2026-10-09 17:00")  # reminder 3 working hours before: across the 调休 Saturday
    step = step_of(submit(h, "lina", lead_rule(4, remind=3), title="第二个"))
    assert step.due_at == at("2026-10-10 12:00")  # 0.5 h on Friday, 3.5 h on Saturday
    assert step.remind_at == at("2026-10-10 09:00")


def test_without_a_limit_a_step_has_no_times_and_is_never_overdue(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    step = step_of(submit(h, "zhangwei", lead_rule(0)))
    assert step.due_at is None and step.remind_at is None
    assert services.sweep(at("2027-06-01 09:00")) == 0


@pytest.mark.parametrize(("limit", "remind"), [(0, 2), (4, 4), (4, 6)])
def test_a_reminder_that_does_not_come_before_the_limit_is_refused(
    h: hospital.Hospital, limit: int, remind: int
) -> None:
    with pytest.raises(ValidationError) as exc:
        lead_rule(limit, remind=remind)
    assert "remind_before_hours" in exc.value.message_dict


def test_reminded_once_then_passed_to_the_superior_at_the_limit(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, "zhangwei", lead_rule(8, remind=2, escalate="superior"))
    step = step_of(req)
    (first,) = pending(req)
    assert first.approver == h["liuqiang"]

    assert services.sweep(at("2026-10-08 14:29")) == 0  # a minute early: nothing
    assert not inbox(h, "liuqiang", "approvals.reminder")
    assert services.sweep(at("2026-10-08 14:30")) == 1
    (reminder,) = inbox(h, "liuqiang", "approvals.reminder")
    assert reminder.link == links.decision_url(first)
    assert "采购申请" in reminder.title and "2026-10-08 16:30" in reminder.body
    note = Notification.objects.get(kind="approvals.reminder")
    assert note.link == links.decision_url(first) and note.object_id == str(first.pk)
    step.refresh_from_db()
    assert step.reminded_at == at("2026-10-08 14:30")
    assert services.sweep(at("2026-10-08 14:31")) == 0
    assert services.sweep(at("2026-10-08 16:29")) == 0
    assert len(inbox(h, "liuqiang", "approvals.reminder")) == 1  # reminded once
    assert not ApprovalDecision.objects.filter(
        pk=first.pk, due_at__lt=at("2026-10-08 16:29")
    ).exists()

    assert services.sweep(at("2026-10-08 16:30")) == 1  # the limit
    step.refresh_from_db()
    first.refresh_from_db()
    assert step.escalated_at == at("2026-10-08 16:30") and step.status == StepStatus.PENDING
    assert first.status == DecisionStatus.PASSED_ON
    (second,) = pending(req)
    assert second.approver == h["wangjg"] and second.on_behalf_of is None
    # Overdue in every list: the step's and the new holder's due time lie in the past.
    later = at("2026-10-08 16:31")
    assert step.due_at is not None and step.due_at < later and second.due_at == step.due_at
    assert list(services.pending_for(h["wangjg"]).filter(due_at__lt=later)) == [second]
    # Both hear of it, each with a link to their own decision.
    (old_note,) = inbox(h, "liuqiang", "approvals.overdue")
    (new_note,) = inbox(h, "wangjg", "approvals.overdue")
    assert old_note.link == links.decision_url(first)
    assert new_note.link == links.decision_url(second)
    assert "王建国" in new_note.body and "已转交" in new_note.body
    assert "2026-10-08 16:30" in old_note.body
    record = AuditRecord.objects.filter(
        object_type="approvals.approvalstep", object_id=str(step.pk)
    ).latest("seq")
    assert record.extra["passed_to"] == ["王建国"] and record.extra["passed_from"] == ["刘强"]

    # A second and third run at or after the limit: no new seat, nobody told twice.
    notes = Notification.objects.count()
    assert services.sweep(at("2026-10-08 16:30")) == 0
    assert services.sweep(at("2026-10-09 09:00")) == 0
    assert Notification.objects.count() == notes
    assert req.decisions.count() == 2

    with translation.override("zh-hans"), pytest.raises(ValidationError, match="转交"):
        services.approve(h.user("liuqiang"), first)  # the old holder: no longer theirs
    clock("2026-10-08 16:40")
    services.approve(h.user("wangjg"), second, "同意")
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED


def test_without_escalation_an_overdue_step_stays_and_shows_as_overdue(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, "zhangwei", lead_rule(8))
    (d,) = pending(req)
    now = at("2026-10-08 16:31")
    assert services.sweep(now) == 1
    step = step_of(req)
    assert step.escalated_at == now and step.due_at is not None and step.due_at < now
    assert pending(req) == [d]  # still 刘强's
    assert list(services.pending_for(h["liuqiang"]).filter(due_at__lt=now)) == [d]
    (note,) = inbox(h, "liuqiang", "approvals.overdue")
    assert note.link == links.decision_url(d) and "已转交" not in note.body
    assert services.sweep(now + dt.timedelta(hours=1)) == 0
    assert len(inbox(h, "liuqiang", "approvals.overdue")) == 1


def test_passed_to_a_named_person_at_the_limit(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-10-09 09:00")
    r = hospital.rule(code="named")
    hospital.step(r, "科室负责人审批", "department_head", time_limit_hours=16,
                  escalate_to="person", escalate_person=h["fengli"])  # fmt: skip
    req = submit(h, "huangli", r)
    (d,) = pending(req)
    assert d.approver == h["chenzq"]
    assert services.sweep(at("2026-10-12 09:59")) == 0  # the 调休 Saturday counted
    assert services.sweep(at("2026-10-12 10:00")) == 1
    (new,) = pending(req)
    assert new.approver == h["fengli"]
    (note,) = inbox(h, "fengli", "approvals.overdue")
    assert note.link == links.decision_url(new) and "冯丽" in note.body
    assert inbox(h, "chenzq", "approvals.overdue")[0].link == links.decision_url(d)


def test_a_late_sweep_does_not_remind_of_a_limit_already_past(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, "zhangwei", lead_rule(8, remind=2, escalate="superior"))
    assert services.sweep(at("2026-10-09 09:00")) == 1  # the worker was down until then
    assert not inbox(h, "liuqiang", "approvals.reminder")
    assert len(inbox(h, "liuqiang", "approvals.overdue")) == 1
    step = step_of(req)
    assert step.reminded_at is not None and step.escalated_at is not None
    assert services.sweep(at("2026-10-09 09:01")) == 0


def test_seats_passed_to_one_superior_become_one_and_the_step_needs_no_more(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    """Both engineers must approve; both are late; both seats go to their manager 刘强, who
    then decides alone — the step never waits for an approval nobody can give."""
    clock("2026-09-30 16:00")
    r = hospital.rule(code="engineers")
    hospital.step(r, "工程师会签", "role", role=Role.objects.get(code="engineer"),
                  role_quorum="all", time_limit_hours=8, escalate_to="superior")  # fmt: skip
    req = submit(h, "huangli", r)
    assert sorted(d.approver.name for d in pending(req)) == ["张伟", "李娜"]
    assert step_of(req).needed == 2
    assert services.sweep(at("2026-10-08 16:30")) == 1
    (new,) = pending(req)
    assert new.approver == h["liuqiang"]
    assert step_of(req).needed == 1
    assert req.decisions.filter(status=DecisionStatus.PASSED_ON).count() == 2
    assert len(inbox(h, "liuqiang", "approvals.overdue")) == 1
    clock("2026-10-08 16:40")
    services.approve(h.user("liuqiang"), new)
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED


def test_a_superior_who_already_has_a_seat_on_the_step_gets_no_second_one(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    """A committee of 刘强 and his engineer 张伟: at the limit 张伟's seat would go to 刘强,
    who already holds one (two seats would count twice): 张伟 keeps it; 刘强's goes up to
    王建国."""
    clock("2026-09-30 16:00")
    c = hospital.committee("网络小组", [h["liuqiang"], h["zhangwei"]], "all")
    r = hospital.rule(code="committee")
    hospital.step(r, "小组审议", "committee", committee=c, time_limit_hours=8,
                  escalate_to="superior")  # fmt: skip
    req = submit(h, "huangli", r)
    assert services.sweep(at("2026-10-08 16:30")) == 1
    assert sorted(d.approver.name for d in pending(req)) == ["张伟", "王建国"]
    assert req.decisions.get(status=DecisionStatus.PASSED_ON).approver == h["liuqiang"]
    assert step_of(req).needed == 2
    assert len(inbox(h, "zhangwei", "approvals.overdue")) == 1  # told it is overdue


def test_a_superior_who_decided_already_is_not_seated_again(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    c = hospital.committee("三人小组", [h["wangjg"], h["liuqiang"], h["chenzq"]], "count", 2)
    r = hospital.rule(code="three")
    hospital.step(r, "小组审议", "committee", committee=c, time_limit_hours=8,
                  escalate_to="superior")  # fmt: skip
    req = submit(h, "zhangwei", r)
    seats = {d.approver.pk: d for d in pending(req)}
    services.approve(h.user("wangjg"), seats[h["wangjg"].pk])
    assert services.sweep(at("2026-10-08 16:30")) == 1
    # 刘强's superior 王建国 has approved already: 刘强 keeps his seat; 陈志强 (head of 内科)
    # goes up to the director too, so he keeps his as well.
    assert sorted(d.approver.name for d in pending(req)) == ["刘强", "陈志强"]
    assert req.decisions.filter(approver=h["wangjg"]).count() == 1
    services.approve(h.user("chenzq"), seats[h["chenzq"].pk])
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED


def test_a_delegates_seat_goes_up_from_the_delegator(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    now = clock("2026-09-30 16:00")
    services.DelegationService().create(
        None,
        {"delegator": h["liuqiang"], "delegate": h["lina"], "starts_at": now,
         "ends_at": at("2026-10-31 00:00"), "reason": "出差"},
        check=False,
    )  # fmt: skip
    req = submit(h, "zhangwei", lead_rule(8, escalate="superior"))
    (d,) = pending(req)
    assert d.approver == h["lina"] and d.on_behalf_of == h["liuqiang"]
    assert services.sweep(at("2026-10-08 16:30")) == 1
    (new,) = pending(req)
    assert new.approver == h["wangjg"]  # 刘强's superior, not 李娜's


def test_a_step_decided_in_time_is_neither_reminded_nor_passed_on(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 16:00")
    req = submit(h, "zhangwei", lead_rule(8, remind=2, escalate="superior"))
    clock("2026-10-08 09:00")
    services.approve(h.user("liuqiang"), pending(req)[0])
    assert services.sweep(at("2026-10-09 09:00")) == 0
    assert not Notification.objects.filter(
        kind__in=["approvals.reminder", "approvals.overdue"]
    ).exists()


def test_the_next_step_gets_its_own_limit_from_when_it_starts(
    h: hospital.Hospital, clock: Callable[[str], dt.datetime]
) -> None:
    clock("2026-09-30 09:00")
    r = hospital.rule(code="two")
    hospital.step(r, "组长审批", "team_lead", order=10, time_limit_hours=4)
    hospital.step(r, "主任审批", "director", order=20, time_limit_hours=8)
    req = submit(h, "zhangwei", r)
    assert step_of(req).due_at == at("2026-09-30 14:30")
    clock("2026-09-30 17:00")
    services.approve(h.user("liuqiang"), pending(req)[0])
    second = step_of(req)
    assert second.name == "主任审批" and second.activated_at == at("2026-09-30 17:00")
    assert second.due_at == at("2026-10-08 17:30")  # 0.5 h, 国庆, all 7.5 h of 10-08
