"""The leave and attendance doors: the phone page to ask for leave (in Chinese, 390 px-friendly
markup), the approver's buttons on the generated page, and the API (ask, approve with the
channel, attendance preview → confirm) — bad input is a 400 naming the field, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from netdept.testing.clients import api_client
from netdept.worklog.models.leave import AttendanceRecord, LeaveRequest, LeaveStatus
from netdept.worklog.tests.factories_leave import at, csv_file, world

pytestmark = pytest.mark.django_db


def test_ask_for_leave_on_the_page_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    w = world()
    client.force_login(w.engineer.user)
    url = reverse("worklog:leave_request")
    with translation.override("zh-hans"):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "请假" in body and 'type="datetime-local"' in body
        bad = client.post(url, {"leave_type": w.annual.pk, "starts_at": "2025-10-01T08:30",
                                "ends_at": "2025-10-03T17:30", "reason": "回家"})  # fmt: skip
        assert bad.status_code == 422
        assert LeaveRequest.objects.count() == 0
        ok = client.post(url, {"leave_type": w.annual.pk, "starts_at": "2025-09-29T08:30",
                               "ends_at": "2025-09-30T17:30", "reason": "回家"})  # fmt: skip
        assert ok.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.person == w.engineer and leave.working_days == 2
    # the approver's buttons on the generated page, then the approve button
    client.force_login(w.lead.user)
    detail = client.get(reverse("worklog:leave_detail", args=[leave.pk]))
    assert detail.status_code == 200
    assert "approve" in detail.content.decode()


def test_api_ask_approve_and_refusals() -> None:
    w = world()
    me = api_client(w.engineer.user)
    base = "/api/v1/worklog/leave-requests/"
    r = me.post(base + "ask/", {"leave_type": w.personal.pk, "starts_at": "2025-09-30T08:30+08:00",
                                "ends_at": "2025-09-29T08:30+08:00", "reason": "x"},
                format="json")  # fmt: skip
    assert r.status_code == 400 and "ends_at" in r.json()
    r = me.post(base + "ask/", {"leave_type": w.personal.pk, "starts_at": "2025-09-29T08:30+08:00",
                                "ends_at": "2025-09-29T17:30+08:00", "reason": "看病"},
                format="json")  # fmt: skip
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert me.post(base, {}, format="json").status_code == 405
    lead = api_client(w.lead.user)
    leave = LeaveRequest.objects.get(pk=pk)
    r = lead.post(f"{base}{pk}/approve/", {"channel": "proxy", "expected_version": leave.version},
                  format="json")  # fmt: skip
    assert r.status_code == 200, r.content
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.INVALID and leave.channel == "proxy"
    r = me.post(f"{base}{pk}/approve/", {"channel": "phone"}, format="json")
    assert r.status_code in (400, 403)


def test_api_attendance_preview_and_confirm() -> None:
    w = world()
    e = w.engineer
    lead = api_client(w.director.user)
    url = "/api/v1/worklog/attendance-imports/"
    bad = csv_file(f"工号,姓名,日期,上班,下班\n{e.employee_no},{e.name},2025-09-29,99:00,17:30\n")
    form = {"source": "csv", "department": w.department.pk}
    r = lead.post(url + "preview/", {"file": bad, **form}, format="multipart")
    assert r.status_code == 201 and r.json()["status"] == "refused"
    assert r.json()["errors"][0]["row"] == 2
    good = csv_file(f"工号,姓名,日期,上班,下班\n{e.employee_no},{e.name},2025-09-29,8:45,17:30\n")
    r = lead.post(url + "preview/", {"file": good, **form}, format="multipart")
    assert r.status_code == 201 and r.json()["lines"][0]["status"] == "late"
    r = lead.post(f"{url}{r.json()['id']}/confirm/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "imported"
    assert AttendanceRecord.objects.get(person=e).late_minutes == 15
    engineer = api_client(e.user)
    r = engineer.post(url + "preview/", {"file": csv_file("a"), **form}, format="multipart")
    assert r.status_code == 403


@settings(max_examples=25, deadline=None)
@given(text=st.text(max_size=300))
def test_fuzzed_clock_files_never_fail_badly(text: str) -> None:
    """Whatever the CSV holds, the reader answers rows or named problems, never a crash."""
    from netdept.core.import_files import ImportFileError
    from netdept.worklog import attendance_import as reader

    try:
        parsed = reader.parse(csv_file("工号,姓名,日期,上班,下班\n" + text), "f.csv")
    except ImportFileError:
        return
    for p in parsed.errors:
        assert p["message"] and isinstance(p["row"], int)
    for row in parsed.rows:
        assert isinstance(row.day, dt.date)


@settings(max_examples=25, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31)),
    hours=st.integers(min_value=1, max_value=24 * 40),
)
def test_fuzzed_periods_are_counted_in_half_days(start: dt.datetime, hours: int) -> None:
    from netdept.worklog.services import leave as svc

    s = start.replace(tzinfo=at(2025, 1, 1).tzinfo)
    shares = svc.day_shares(s, s + dt.timedelta(hours=hours), svc.schedule())
    assert all(v in (svc.HALF, 1) for v in shares.values())
    assert len(shares) <= hours // 24 + 2


def test_a_requester_of_another_department_has_no_leave_page(client) -> None:  # type: ignore[no-untyped-def]
    from netdept.testing.factories import user_with_role

    client.force_login(user_with_role("requester"))
    assert client.get(reverse("worklog:leave_request")).status_code == 403


def test_the_approver_approves_on_the_page_with_the_channel(client) -> None:  # type: ignore[no-untyped-def]
    w = world()
    from netdept.worklog.tests.factories_leave import ask

    leave = ask(w, at(2025, 9, 29, 8, 30), at(2025, 9, 29, 17, 30), leave_type=w.personal)
    client.force_login(w.lead.user)
    url = reverse("worklog:leave_transition", args=[leave.pk, "approve"])
    r = client.post(url, {"channel": "in_person", "comment": "", "expected_version": 1})
    assert r.status_code in (302, 303), r.content[:300]
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED and leave.recorded_by == w.lead
