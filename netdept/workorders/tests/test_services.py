"""The work-order services: every transition and refusal, races, isolation, attachments."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from freezegun import freeze_time

from netdept.core import audit
from netdept.notify.models import InboxMessage
from netdept.org.models import RoleAssignment
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    custom_role,
    user_with_role,
)
from netdept.workorders import services
from netdept.workorders.models import (
    Attachment,
    Comment,
    EscalationRule,
    Kind,
    PriorityRule,
    SlaEvent,
    SlaPolicy,
    Status,
    WorkOrder,
)
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory, png_upload

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


class World:
    def __init__(self) -> None:
        self.team = TeamFactory(name="运维组")
        self.other_team = TeamFactory(name="安全组", department=self.team.department)
        self.eng = user_with_role("engineer", team=self.team)
        self.eng2 = user_with_role("engineer", team=self.team)
        self.outsider = user_with_role("engineer", team=self.other_team)
        self.lead = user_with_role("team_lead", team=self.team)
        self.director = user_with_role("director", department=self.team.department)
        self.dept_a = DepartmentFactory(name="内科")
        self.dept_b = DepartmentFactory(name="外科")
        self.req = user_with_role("requester", department=self.dept_a)
        self.colleague = user_with_role("requester", department=self.dept_a)
        self.req_b = user_with_role("requester", department=self.dept_b)
        self.category = CategoryFactory(name="网络", default_team=self.team)

    def open(self, user: Any = None, **data: Any) -> WorkOrder:
        data = {"title": "办公室无法上网", "category": self.category.pk, **data}
        return services.open_order(user or self.req, data)

    def accepted(self, **data: Any) -> WorkOrder:
        order = self.open(**data)
        return services.accept(self.eng, order)


@pytest.fixture
def w() -> World:
    return World()


def inbox(user: Any, kind: str) -> int:
    return InboxMessage.objects.filter(user=user, notification__kind=kind).count()


def transitions(order: WorkOrder) -> list[str]:
    return [r.extra.get("transition") for r in audit.history(order).order_by("seq")]


# --- defaults -------------------------------------------------------------------------------
def test_defaults_are_seeded_after_migrate_and_never_duplicated():
    assert PriorityRule.objects.count() == 9
    assert {
        (p.priority, p.response_minutes, p.resolution_minutes) for p in SlaPolicy.objects.all()
    } >= {
        (1, 60, 240),
        (2, 120, 480),
        (3, 240, 1440),
        (4, 480, 2400),
    }
    assert EscalationRule.objects.exists()
    services.ensure_defaults()
    assert PriorityRule.objects.count() == 9
    assert SlaPolicy.objects.count() == 4


def test_matrix_and_fallback():
    assert services.matrix_priority(1, 1) == 1
    assert services.matrix_priority(1, 2) == 2
    assert services.matrix_priority(3, 3) == 4
    PriorityRule.objects.all().delete()
    assert [services.matrix_priority(i, u) for i, u in [(1, 1), (2, 1), (2, 2), (3, 2)]] == [
        1,
        2,
        3,
        4,
    ]


# --- opening --------------------------------------------------------------------------------
def test_open_order_fills_requester_team_priority_sla_and_audit(w: World):
    order = w.open(impact=1, urgency=1, location="门诊楼 3 层", contact="8123")
    day = dt.datetime.now(SH).strftime("%Y%m%d")
    assert order.number.startswith(f"WO-{day}-")
    assert order.requester == w.req.person
    assert order.requester_department == w.dept_a
    assert order.team == w.team
    assert order.priority == 1
    assert order.status == Status.NEW
    assert order.sla_policy is not None and order.sla_policy.priority == 1
    assert order.response_due and order.resolution_due
    assert SlaEvent.objects.filter(order=order, type=SlaEvent.Type.STARTED).exists()
    assert transitions(order) == ["open"]
    assert inbox(w.eng, "workorders.assigned") == 1


def test_numbers_are_unique_and_sequential(w: World):
    numbers = [w.open().number for _ in range(3)]
    assert len(set(numbers)) == 3
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]


def test_open_refuses_bad_input_with_field_errors(w: World):
    with pytest.raises(ValidationError) as exc:
        w.open(title="")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        w.open(impact=7)
    assert "impact" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        w.open(category=999999)
    assert "category" in exc.value.message_dict
    lead_only = CategoryFactory(kind=Kind.LEAD, default_team=w.team)
    with pytest.raises(ValidationError) as exc:
        w.open(category=lead_only.pk, kind=Kind.FAULT)
    assert "category" in exc.value.message_dict
    assert not WorkOrder.objects.exists()


def test_service_desk_files_on_behalf_of_a_caller_requester_cannot(w: World):
    caller = PersonFactory(department=w.dept_b)
    order = services.open_order(
        w.eng, {"title": "电话报修", "category": w.category}, on_behalf_of=caller
    )
    assert order.requester == caller and order.requester_department == w.dept_b
    assert order.source == "phone" and order.created_by == w.eng
    with pytest.raises(PermissionDenied):
        services.open_order(w.req, {"title": "x"}, on_behalf_of=caller)


# --- attachments ----------------------------------------------------------------------------
def test_png_accepted_exe_renamed_jpg_refused_too_big_refused(w: World, settings: Any):
    order = w.open()
    att = services.add_attachment(w.req, order, png_upload())
    assert att.content_type == "image/png" and att.size == len(png_upload().read())
    assert default_storage.exists(att.file.name)
    assert not att.file.name.startswith(str(settings.STATIC_ROOT))

    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(w.req, order, exe)
    assert "photo.jpg" in exc.value.message_dict["file"][0]

    with pytest.raises(ValidationError) as exc:
        services.add_attachment(w.req, order, SimpleUploadedFile("tool.exe", b"MZ" * 10))
    assert "file" in exc.value.message_dict

    settings.NETDEPT = {**settings.NETDEPT, "ATTACHMENT_MAX_BYTES": 50}
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(w.req, order, png_upload("big.png"))
    message = exc.value.message_dict["file"][0]
    assert "big.png" in message and "50" in message
    assert Attachment.objects.filter(order=order).count() == 1


def test_text_pdf_and_office_files_are_sniffed(w: World):
    import io
    import zipfile

    order = w.open()
    services.add_attachment(w.eng, order, SimpleUploadedFile("log.txt", "交换机日志\n".encode()))
    services.add_attachment(w.eng, order, SimpleUploadedFile("a.pdf", b"%PDF-1.7\n..."))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    services.add_attachment(w.eng, order, SimpleUploadedFile("a.docx", buf.getvalue()))
    with pytest.raises(ValidationError):
        services.add_attachment(w.eng, order, SimpleUploadedFile("b.docx", b"PK\x03\x04junk"))
    with pytest.raises(ValidationError):
        services.add_attachment(w.eng, order, SimpleUploadedFile("c.pdf", b"\x7fELF...."))
    assert order.attachments.count() == 3


def test_bad_attachment_in_open_order_saves_nothing(w: World):
    before_files = (
        set(default_storage.listdir("workorders")[0])
        if default_storage.exists("workorders")
        else set()
    )
    exe = SimpleUploadedFile("scan.jpg", b"MZ\x90\x00" * 50, "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.open_order(w.req, {"title": "x"}, attachments=[png_upload(), exe])
    assert "attachments" in exc.value.message_dict
    assert not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()
    after_files = (
        set(default_storage.listdir("workorders")[0])
        if default_storage.exists("workorders")
        else set()
    )
    assert after_files == before_files


def test_open_with_photo(w: World):
    order = services.open_order(w.req, {"title": "x"}, attachments=[png_upload()])
    assert order.attachments.get().name == "photo.png"


# --- accept, races --------------------------------------------------------------------------
def test_accept(w: World):
    order = w.open()
    services.accept(w.eng, order)
    assert order.status == Status.ACCEPTED
    assert order.assignee == w.eng.person
    assert order.responded_at is not None
    assert order.version == 2
    assert transitions(order) == ["open", "accept"]
    rec = audit.history(order).order_by("-seq").first()
    assert rec.action == "update" and rec.changes["status"] == ["new", "accepted"]
    assert inbox(w.req, "workorders.accepted") == 1


def test_accept_refusals(w: World):
    order = w.open()
    with pytest.raises(PermissionDenied):
        services.accept(w.req, order)
    with pytest.raises(PermissionDenied):
        services.accept(w.outsider, order)  # another team: out of scope
    services.accept(w.eng, order)
    with pytest.raises(ValidationError) as exc:
        services.accept(w.eng, order)
    assert "status" in exc.value.message_dict


def test_second_accept_with_same_version_gets_conflict_naming_who(w: World):
    order = w.open()
    seen = order.version
    services.accept(w.eng, WorkOrder.objects.get(pk=order.pk), expected_version=seen)
    with pytest.raises(services.Conflict) as exc:
        services.accept(w.eng2, WorkOrder.objects.get(pk=order.pk), expected_version=seen)
    assert w.eng.person.name in exc.value.messages[0]
    order.refresh_from_db()
    assert order.assignee == w.eng.person and order.version == seen + 1


def test_stale_object_without_version_gets_conflict(w: World):
    order = w.open()
    mine, theirs = WorkOrder.objects.get(pk=order.pk), WorkOrder.objects.get(pk=order.pk)
    services.accept(w.eng, mine)
    with pytest.raises(services.Conflict) as exc:
        services.accept(w.eng2, theirs)
    assert "already been accepted" in exc.value.messages[0] or w.eng.person.name in str(exc.value)


def test_conflict_on_any_transition_with_an_old_version(w: World):
    order = w.accepted()
    old = order.version
    services.start(w.eng, order)
    with pytest.raises(services.Conflict):
        services.wait(w.eng, order, on="vendor", reason="等备件", expected_version=old)


@pytest.mark.django_db(transaction=True)
def test_two_threads_accept_at_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    w = World()
    order = w.open()
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def run(name: str, user: Any) -> None:
        try:
            fresh = WorkOrder.objects.get(pk=order.pk)
            barrier.wait(5)
            services.accept(user, fresh, expected_version=fresh.version)
            results[name] = "ok"
        except services.Conflict as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, u)) for n, u in (("a", w.eng), ("b", w.eng2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = sorted(results.values(), key=lambda v: v == "ok")
    assert len(outcomes) == 2 and outcomes[1] == "ok"
    assert isinstance(outcomes[0], services.Conflict)
    order.refresh_from_db()
    assert order.version == 2 and order.status == Status.ACCEPTED
    assert transitions(order).count("accept") == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_get_unique_numbers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    w = World()
    barrier = threading.Barrier(4)
    numbers: list[str] = []

    def run() -> None:
        try:
            barrier.wait(5)
            numbers.append(w.open().number)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(numbers) == 4 and len(set(numbers)) == 4


# --- assign, transfer, start, wait, resume ------------------------------------------------
def test_assign_and_refusals(w: World):
    order = w.open()
    told = inbox(w.eng2, "workorders.assigned")  # the team heard of the new order
    services.assign(w.lead, order, assignee=w.eng2.person, reason="熟悉该楼")
    assert order.assignee == w.eng2.person and order.team == w.team
    assert inbox(w.eng2, "workorders.assigned") == told + 1
    with pytest.raises(ValidationError) as exc:
        services.assign(w.lead, order, team=w.team, assignee=w.outsider.person)
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.assign(w.lead, order)
    with pytest.raises(PermissionDenied):
        services.assign(w.req, order, assignee=w.eng.person)
    services.assign(w.director, order, team=w.other_team)
    assert order.team == w.other_team and order.assignee is None  # not a member any more
    assert transitions(order) == ["open", "assign", "assign"]


def test_transfer_needs_a_reason_and_another_team(w: World):
    order = w.accepted()
    with pytest.raises(ValidationError) as exc:
        services.transfer(w.eng, order, team=w.other_team, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.transfer(w.eng, order, team=w.team, reason="x")
    assert "team" in exc.value.message_dict
    services.transfer(w.eng, order, team=w.other_team, reason="属于安全事件")
    assert order.team == w.other_team and order.assignee is None
    assert inbox(w.outsider, "workorders.assigned") == 1
    assert audit.history(order).order_by("-seq").first().extra["reason"] == "属于安全事件"


def test_start_wait_resume(w: World):
    order = w.open()
    with pytest.raises(ValidationError):
        services.start(w.eng, order)
    services.accept(w.eng, order)
    services.start(w.eng, order)
    assert order.status == Status.IN_PROGRESS
    with pytest.raises(ValidationError) as exc:
        services.wait(w.eng, order, on="moon", reason="x")
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.wait(w.eng, order, on="vendor", reason="")
    assert "reason" in exc.value.message_dict
    services.wait(w.eng, order, on="vendor", reason="等厂商")
    assert order.status == Status.WAITING and order.paused_at is not None
    with pytest.raises(ValidationError):
        services.wait(w.eng, order, on="vendor", reason="again")
    services.resume(w.eng, order)
    assert order.status == Status.IN_PROGRESS and order.paused_at is None
    types = list(SlaEvent.objects.filter(order=order).values_list("type", flat=True))
    assert "paused" in types and "resumed" in types
    with pytest.raises(ValidationError):
        services.resume(w.eng, order)


def test_requester_reply_resumes_an_order_waiting_on_them(w: World):
    order = w.accepted()
    services.wait(w.eng, order, on="requester", reason="请提供 IP 地址")
    assert inbox(w.req, "workorders.commented") == 1
    services.comment(w.req, order, body="10.1.2.3")
    assert order.status == Status.IN_PROGRESS and order.paused_at is None
    assert inbox(w.eng, "workorders.commented") == 1


# --- resolve, confirm, rate, close ---------------------------------------------------------
def test_resolve_confirm_rate(w: World):
    order = w.accepted()
    with pytest.raises(ValidationError) as exc:
        services.resolve(w.eng, order, solution="")
    assert "solution" in exc.value.message_dict
    services.resolve(w.eng, order, solution="更换网线")
    assert order.status == Status.RESOLVED and order.resolved_at and order.solution == "更换网线"
    assert inbox(w.req, "workorders.resolved") == 1
    with pytest.raises(PermissionDenied):
        services.confirm(w.eng, order)
    with pytest.raises(PermissionDenied):
        services.confirm(w.req_b, order)
    with pytest.raises(ValidationError) as exc:
        services.rate(w.req, order, rating=6)
    assert "rating" in exc.value.message_dict
    services.rate(w.colleague, order, rating=4, comment="及时")  # same department
    assert order.rating == 4 and order.rated_at
    services.confirm(w.req, order)
    assert order.status == Status.CLOSED and order.closed_at
    with pytest.raises(ValidationError):
        services.confirm(w.req, order)
    assert transitions(order) == ["open", "accept", "resolve", "rate", "confirm"]


def test_confirm_and_rate_refuse_an_open_order(w: World):
    order = w.accepted()
    with pytest.raises(ValidationError) as exc:
        services.confirm(w.req, order)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.rate(w.req, order, rating=5)


def test_resolve_refused_on_a_new_order_and_lead_needs_registration_number(w: World):
    order = w.open()
    with pytest.raises(ValidationError) as exc:
        services.resolve(w.eng, order, solution="x")
    assert "new" in str(exc.value) or "新" in str(exc.value)
    lead = w.accepted(kind=Kind.LEAD)
    with pytest.raises(ValidationError) as exc:
        services.resolve(w.eng, lead, solution="已转客服部")
    assert "registration_no" in exc.value.message_dict
    services.resolve(w.eng, lead, solution="已转客服部", registration_no="KF-2026-001")
    assert lead.registration_no == "KF-2026-001"


def test_resolve_a_waiting_order_ends_the_pause(w: World):
    order = w.accepted()
    services.wait(w.eng, order, on="vendor", reason="x")
    services.resolve(w.eng, order, solution="厂商已修复")
    assert order.status == Status.RESOLVED and order.paused_at is None and not order.waiting_on


def test_close(w: World):
    order = w.accepted()
    with pytest.raises(ValidationError) as exc:
        services.close(w.eng, order)
    assert "reason" in exc.value.message_dict
    services.close(w.eng, order, reason="用户撤销")
    assert order.status == Status.CLOSED
    with pytest.raises(ValidationError):
        services.close(w.eng, order, reason="again")
    resolved = w.accepted()
    services.resolve(w.eng, resolved, solution="ok")
    with pytest.raises(PermissionDenied):
        services.close(w.req, resolved)
    services.close(w.eng, resolved)
    assert resolved.status == Status.CLOSED


# --- reopen window and auto-close (working days) -------------------------------------------
def _resolved_on(w: World, when: dt.datetime) -> WorkOrder:
    return WorkOrderFactory(
        category=w.category,
        requester=w.req.person,
        status=Status.RESOLVED,
        assignee=w.eng.person,
        resolved_at=when,
        responded_at=when,
    )


def test_reopen_within_working_days_only(w: World):
    monday = dt.datetime(2025, 3, 3, 10, 0, tzinfo=SH)  # 5 working days: until Mon 10 March
    order = _resolved_on(w, monday)
    with freeze_time(dt.datetime(2025, 3, 11, 9, 0, tzinfo=SH)):
        with pytest.raises(ValidationError) as exc:
            services.reopen(w.req, order, reason="又断网了")
        assert "5" in exc.value.messages[0]
        assert "reopen" not in services.allowed_actions(w.req, order)
    with freeze_time(dt.datetime(2025, 3, 10, 17, 0, tzinfo=SH)):
        assert "reopen" in services.allowed_actions(w.req, order)
        with pytest.raises(ValidationError) as exc:
            services.reopen(w.req, order, reason="")
        assert "reason" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            services.reopen(w.req_b, order, reason="x")
        services.reopen(w.req, order, reason="又断网了")
    assert order.status == Status.IN_PROGRESS and order.reopen_count == 1
    assert order.resolved_at is None
    assert inbox(w.eng, "workorders.reopened") == 1
    assert SlaEvent.objects.filter(order=order, type=SlaEvent.Type.REOPENED).exists()


def test_auto_close_after_working_days(w: World):
    monday = dt.datetime(2025, 3, 3, 10, 0, tzinfo=SH)  # 3 working days: Tue, Wed, Thu
    order = _resolved_on(w, monday)
    fresh = _resolved_on(w, dt.datetime(2025, 3, 6, 10, 0, tzinfo=SH))
    assert services.close_resolved(dt.datetime(2025, 3, 6, 20, 0, tzinfo=SH)) == 0
    assert services.close_resolved(dt.datetime(2025, 3, 7, 9, 0, tzinfo=SH)) == 1
    order.refresh_from_db()
    fresh.refresh_from_db()
    assert order.status == Status.CLOSED and fresh.status == Status.RESOLVED
    rec = audit.history(order).order_by("-seq").first()
    assert rec.extra["transition"] == "close" and rec.actor_id is None
    assert services.close_resolved(dt.datetime(2025, 3, 7, 9, 0, tzinfo=SH)) == 0


def test_auto_close_task_is_registered():
    from netdept.tasks import scheduler

    scheduler.discover()
    assert "workorders.close_resolved" in scheduler.jobs()


# --- merge --------------------------------------------------------------------------------
def test_merge(w: World):
    main, dup = w.open(), w.open()
    with pytest.raises(ValidationError) as exc:
        services.merge(w.eng, dup, into=dup)
    assert "into" in exc.value.message_dict
    services.merge(w.eng, dup, into=main)
    assert dup.status == Status.CLOSED and dup.merged_into == main
    assert Comment.objects.filter(order=dup, body__contains=main.number).exists()
    with pytest.raises(ValidationError):
        services.merge(w.eng, w.open(), into=dup)  # closed
    with pytest.raises(PermissionDenied):
        services.merge(w.req, w.open(), into=main)
    with pytest.raises(ValidationError):
        services.reopen(w.eng, dup, reason="x")


# --- priority and major incidents -----------------------------------------------------------
def test_priority_override_needs_a_reason_and_recalculates(w: World):
    order = w.accepted()
    assert order.priority == 3
    with pytest.raises(ValidationError) as exc:
        services.set_priority(w.eng, order, priority=1)
    assert "reason" in exc.value.message_dict
    services.set_priority(w.eng, order, priority=1, reason="影响全院挂号")
    assert order.priority == 1 and order.priority_reason == "影响全院挂号"
    assert order.sla_policy.priority == 1
    assert SlaEvent.objects.filter(order=order, type=SlaEvent.Type.RECALCULATED).exists()
    services.set_priority(w.eng, order, impact=3, urgency=3)
    assert order.priority == 4 and order.priority_reason == ""
    with pytest.raises(ValidationError):
        services.set_priority(w.eng, order)
    with pytest.raises(PermissionDenied):
        services.set_priority(w.req, order, impact=1)


def test_transitions_fix_the_sla_targets_and_keep_the_next_check(w: World):
    """Seeded P3 (4 h / 24 h) and P1 (1 h / 4 h); the default ladder warns at 75 %."""

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2025, 3, day, hour, minute, tzinfo=SH)

    def stored() -> WorkOrder:
        return WorkOrder.objects.get(pk=order.pk)

    with freeze_time(at(3, 9)):  # Monday
        order = w.open()
    assert (order.response_target_minutes, order.resolution_target_minutes) == (240, 1440)
    assert order.sla_next_check_at == order.response_due == at(3, 14, 30)  # unanswered
    with freeze_time(at(3, 9, 30)):
        services.accept(w.eng, order)
    # 75 % of 24 h = 18 h: 7 h on Monday, 7.5 h on Tuesday, 3.5 h on Wednesday morning.
    assert order.sla_next_check_at == stored().sla_next_check_at == at(5, 12)
    with freeze_time(at(3, 10)):
        services.wait(w.eng, order, on="vendor", reason="等厂商")
    assert order.sla_next_check_at is None and stored().sla_next_check_at is None
    with freeze_time(at(3, 11)):
        services.resume(w.eng, order)
    assert stored().sla_next_check_at == at(5, 14, 30)  # an hour later
    with freeze_time(at(3, 11, 30)):
        services.set_priority(w.eng, order, priority=1, reason="影响全院挂号")
    # P1: 1.5 h of 4 h spent; 75 % after 1.5 h more, across the lunch break.
    assert (order.response_target_minutes, order.resolution_target_minutes) == (60, 240)
    assert order.resolution_due == at(3, 15, 30)
    assert stored().sla_next_check_at == at(3, 14, 30)
    with freeze_time(at(3, 12)):
        services.resolve(w.eng, order, solution="更换网线")  # 2 h spent
    assert stored().sla_next_check_at is None
    p1 = SlaPolicy.objects.get(priority=1)
    p1.response_minutes, p1.resolution_minutes = 30, 120
    p1.save()
    with freeze_time(at(3, 13)):
        services.reopen(w.req, order, reason="又断网了")
    fresh = stored()
    assert (fresh.response_target_minutes, fresh.resolution_target_minutes) == (60, 240)
    assert fresh.resolution_due == at(3, 15, 30)  # 2 h left of 4 h from 13:30
    assert fresh.sla_next_check_at == at(3, 14, 30)
    assert all("sla_next_check_at" not in (r.changes or {}) for r in audit.history(order))


def test_major_incident_notifies_director_and_needs_report_before_resolve(w: World):
    order = w.accepted()
    services.set_major(w.eng, order, is_major=True)
    assert order.is_major
    assert inbox(w.director, "workorders.major") == 1
    with pytest.raises(ValidationError) as exc:
        services.resolve(w.eng, order, solution="恢复")
    assert "major_report" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.close(w.eng, order, reason="x")
    services.set_major(w.eng, order, is_major=True, report="核心交换机故障，影响 2 小时。")
    assert inbox(w.director, "workorders.major") == 1  # told once
    with pytest.raises(ValidationError):  # the report awaits the director's approval
        services.resolve(w.eng, order, solution="恢复")
    from netdept.workorders.tests.test_desk import approve_report

    approve_report(w.director, order)
    services.resolve(w.eng, order, solution="恢复")
    assert order.status == Status.RESOLVED
    assert "major" not in services.allowed_actions(w.req, order)


# --- comments, records --------------------------------------------------------------------
def test_comments_and_internal_notes(w: World):
    order = w.accepted()
    services.comment(w.eng, order, body="正在处理")
    services.comment(w.eng, order, body="交换机端口 3 故障", internal=True)
    with pytest.raises(PermissionDenied):
        services.comment(w.req, order, body="x", internal=True)
    with pytest.raises(PermissionDenied):
        services.comment(w.req_b, order, body="x")
    with pytest.raises(ValidationError):
        services.comment(w.req, order, body=" ")
    services.comment(w.req, order, body="谢谢")
    assert inbox(w.req, "workorders.commented") == 1
    assert inbox(w.eng, "workorders.commented") == 1
    assert [c.body for c in services.visible_comments(w.req, order)] == ["正在处理", "谢谢"]
    assert len(services.visible_comments(w.director, order)) == 3


def test_work_records(w: World):
    order = w.accepted()
    rec = services.add_work_record(w.eng, order, description="更换网线", minutes=30)
    assert rec.person == w.eng.person and rec.minutes == 30
    for bad in (0, -5, "x", 100000):
        with pytest.raises(ValidationError) as exc:
            services.add_work_record(w.eng, order, description="x", minutes=bad)
        assert "minutes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_work_record(
            w.eng, order, description="x", minutes=5, performed_at=dt.datetime(2030, 1, 1)
        )
    assert "performed_at" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_work_record(w.req, order, description="x", minutes=5)


# --- isolation, actions, bulk ---------------------------------------------------------------
def test_requester_sees_only_their_department(w: World):
    mine = w.open()
    colleagues = w.open(user=w.colleague)
    other = w.open(user=w.req_b)
    assert set(services.visible_orders(w.req)) == {mine, colleagues}
    assert set(services.visible_orders(w.req_b)) == {other}
    assert set(services.visible_orders(w.eng)) == {mine, colleagues, other}  # team scope
    assert not services.visible_orders(w.outsider).exists()
    assert services.allowed_actions(w.req_b, mine) == set()


def test_engineer_sees_the_orders_they_filed_themselves(w: World):
    other_cat = CategoryFactory(default_team=w.other_team)
    order = services.open_order(w.eng, {"title": "我的电脑", "category": other_cat})
    assert order in services.visible_orders(w.eng)


def test_allowed_actions(w: World):
    order = w.open()
    assert {"accept", "assign", "transfer", "priority", "close", "comment", "note"} <= (
        services.allowed_actions(w.eng, order)
    )
    assert services.allowed_actions(w.req, order) == {"comment", "attach"}
    services.accept(w.eng, order)
    services.resolve(w.eng, order, solution="ok")
    assert {"confirm", "rate", "reopen", "comment", "attach"} == services.allowed_actions(
        w.req, order
    )


def test_bulk_assign_all_or_nothing(w: World):
    a, b = w.open(), w.open()
    assert services.bulk_assign(w.lead, [a, b], assignee=w.eng2.person) == 2
    assert {o.assignee for o in WorkOrder.objects.all()} == {w.eng2.person}
    closed = w.accepted()
    services.close(w.eng, closed, reason="重复")
    with pytest.raises(ValidationError):
        services.bulk_assign(w.lead, [a, closed], assignee=w.eng.person)
    a.refresh_from_db()
    assert a.assignee == w.eng2.person


def test_internal_notes_permission_is_needed_to_read_notes(w: World):
    order = w.accepted()
    services.comment(w.eng, order, body="内部", internal=True)
    role = custom_role(["workorders.view_internal_comment"], "team")
    RoleAssignment.objects.create(user=w.eng2, role=role)
    assert len(services.visible_comments(w.eng2, order)) == 1
