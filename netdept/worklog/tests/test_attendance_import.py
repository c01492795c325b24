"""Attendance: the DingTalk (每日统计, 原始记录), WeCom (日报) and CSV layouts; every bad row
named and nothing imported; each day judged on the working calendar (late, absent, on leave, a
holiday, a 调休 Saturday) and lateness and absence without valid leave fed to the penalty
rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from netdept.duties.models import Penalty, Violation
from netdept.worklog import attendance_import as reader
from netdept.worklog.models.leave import (
    AttendanceImport,
    AttendanceRecord,
    AttendanceStatus,
    ImportStatus,
)
from netdept.worklog.services import attendance as svc
from netdept.worklog.tests.factories_leave import (
    approve,
    ask,
    at,
    attendance_rule,
    csv_file,
    dingtalk_daily,
    penalty_rule,
    wecom_daily,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are checked in English here (zh-hans is the site's default)."""
    with translation.override("en"):
        yield


NOW = at(2025, 10, 20, 12)


def _import(w, upload, name="attendance.xlsx", source="dingtalk"):  # type: ignore[no-untyped-def]
    imp, lines = svc.preview_import(None, upload=upload, file_name=name, source=source,
                                    department=w.department, now=NOW)  # fmt: skip
    return imp, lines


def test_parse_dingtalk_daily_with_title_row_and_next_day_clock_out() -> None:
    f = dingtalk_daily([
        ["张伟", "总部", "运维组", "E1", "工程师", "u1", "25-09-29 星期一", "正常班 08:30-17:30",
         "08:31", "正常", "次日 01:10", "正常"],
        ["张伟", "总部", "运维组", "E1", "工程师", "u1", "25-09-30 星期二", "正常班", "", "缺卡",
         "--", "缺卡"],
    ])  # fmt: skip
    parsed = reader.parse(f, "a.xlsx")
    assert parsed.layout == reader.DAILY and not parsed.errors
    first, second = parsed.rows
    assert first.day == dt.date(2025, 9, 29) and first.employee_no == "E1"
    assert first.clock_in == dt.datetime(2025, 9, 29, 8, 31)
    assert first.clock_out == dt.datetime(2025, 9, 30, 1, 10)
    assert second.clock_in is None and second.clock_out is None


def test_parse_wecom_grouped_headers() -> None:
    f = wecom_daily([
        ["2025/09/29 星期一", "张伟", "E1", "运维组", "工程师", "固定班", "08:30-17:30", "08:20",
         "17:45", 2, 8],
    ])  # fmt: skip
    parsed = reader.parse(f, "a.xlsx")
    assert parsed.layout == reader.WECOM and not parsed.errors
    (row,) = parsed.rows
    assert row.account == "E1" and row.name == "张伟"
    assert (row.clock_in, row.clock_out) == (
        dt.datetime(2025, 9, 29, 8, 20), dt.datetime(2025, 9, 29, 17, 45))  # fmt: skip


def test_parse_dingtalk_raw_records_take_the_earliest_and_latest() -> None:
    text = (
        "姓名,考勤组,部门,工号,职位,UserId,考勤日期,考勤时间,打卡时间,打卡结果,打卡地址\n"
        "张伟,总部,运维组,E1,工程师,u1,2025-09-29,2025-09-29 08:30,2025-09-29 08:29,正常,机房\n"
        "张伟,总部,运维组,E1,工程师,u1,2025-09-29,2025-09-29 17:30,2025-09-29 18:02,正常,机房\n"
        "张伟,总部,运维组,E1,工程师,u1,2025-09-29,,2025-09-29 12:01,正常,机房\n"
    )
    parsed = reader.parse(csv_file(text), "raw.csv")
    assert parsed.layout == reader.RAW and not parsed.errors
    (row,) = parsed.rows
    assert row.clock_in == dt.datetime(2025, 9, 29, 8, 29)
    assert row.clock_out == dt.datetime(2025, 9, 29, 18, 2)


def test_bad_rows_each_named_and_nothing_imported() -> None:
    w = world()
    e = w.engineer
    text = (
        "工号,姓名,日期,上班,下班\n"
        f"{e.employee_no},{e.name},2025-09-29,08:30,17:30\n"
        "X999,查无此人,2025-09-29,08:30,17:30\n"
        f"{e.employee_no},{e.name},2025-09-30,25:61,17:30\n"
        f"{e.employee_no},{e.name},2025-02-30,08:30,17:30\n"
        f"{e.employee_no},{e.name},2025-10-09,18:00,08:00\n"
        f"{e.employee_no},{e.name},2025-10-10,08:30,17:30\n"
        f"{e.employee_no},{e.name},2025-10-10,08:31,17:30\n"
    )
    imp, lines = _import(w, csv_file(text), "bad.csv", "csv")
    assert imp.status == ImportStatus.REFUSED and lines == []
    rows = sorted({p["row"] for p in imp.errors})
    assert rows == [3, 4, 5, 6, 8]
    text_all = " ".join(p["message"] for p in imp.errors)
    assert "Row 3" in text_all and "查无此人" in text_all
    assert "25:61" in text_all and "2025-02-30" in text_all
    assert "before clocking in" in text_all and "twice" in text_all
    assert AttendanceRecord.objects.count() == 0
    with pytest.raises(Exception):
        svc.confirm_import(None, imp)
    assert AttendanceRecord.objects.count() == 0


def test_import_judges_each_day_and_feeds_the_penalty_rules() -> None:
    w = world()
    late_rule = penalty_rule("late", ["50", "100"])
    absence_rule = penalty_rule("absence", ["50", "100"])
    attendance_rule(w.department, late_penalty_rule=late_rule, absence_penalty_rule=absence_rule)
    # approved leave on Tue 30 Sep; an invalid one (asked by SMS) on Thu 9 Oct
    approve(w, ask(w, at(2025, 9, 30, 8, 30), at(2025, 9, 30, 17, 30), who=w.other))
    bad = ask(w, at(2025, 10, 9, 8, 30), at(2025, 10, 9, 17, 30), who=w.other,
              leave_type=w.personal)  # fmt: skip
    approve(w, bad, channel="sms")
    e, o = w.engineer, w.other
    rows = [
        [e.name, "总部", "运维组", e.employee_no, "", "", "25-09-29 星期一", "", "08:29", "正常",
         "17:31", "正常"],  # on time
        [e.name, "总部", "运维组", e.employee_no, "", "", "25-09-30 星期二", "", "08:50", "迟到",
         "17:40", "正常"],  # late 20 minutes
        [e.name, "总部", "运维组", e.employee_no, "", "", "25-10-01 星期三", "", "", "休息", "",
         "休息"],  # the National Day: rest
        [e.name, "总部", "运维组", e.employee_no, "", "", "25-10-11 星期六", "", "", "缺卡", "",
         "缺卡"],  # the 调休 Saturday: a working day, absent
        [o.name, "总部", "运维组", o.employee_no, "", "", "25-09-30 星期二", "", "", "请假", "",
         "请假"],  # on approved leave
        [o.name, "总部", "运维组", o.employee_no, "", "", "25-10-09 星期四", "", "", "缺卡", "",
         "缺卡"],  # invalid leave: absent
        [o.name, "总部", "运维组", o.employee_no, "", "", "25-10-10 星期五", "", "08:32", "正常",
         "16:00", "早退"],  # within the grace, left early
    ]  # fmt: skip
    imp, _lines = _import(w, dingtalk_daily(rows))
    assert imp.status == ImportStatus.PREVIEWED, imp.errors
    assert AttendanceRecord.objects.count() == 0  # the preview writes nothing
    imp = svc.confirm_import(None, imp)
    assert imp.status == ImportStatus.IMPORTED and imp.rows == 7
    got = {(r.person_id, r.day): r for r in AttendanceRecord.objects.all()}
    S = AttendanceStatus
    assert got[(e.pk, dt.date(2025, 9, 29))].status == S.NORMAL
    late = got[(e.pk, dt.date(2025, 9, 30))]
    assert late.status == S.LATE and late.late_minutes == 20 and late.violation is not None
    assert got[(e.pk, dt.date(2025, 10, 1))].status == S.REST
    absent = got[(e.pk, dt.date(2025, 10, 11))]
    assert absent.status == S.ABSENT and absent.violation is not None
    assert got[(o.pk, dt.date(2025, 9, 30))].status == S.ON_LEAVE
    invalid = got[(o.pk, dt.date(2025, 10, 9))]
    assert invalid.status == S.ABSENT and invalid.violation is not None
    assert invalid.leave == bad
    assert "by SMS" in invalid.violation.description
    assert got[(o.pk, dt.date(2025, 10, 10))].status == S.EARLY
    assert Violation.objects.count() == 3
    fines = sorted(Penalty.objects.filter(person=e).values_list("amount", flat=True))
    assert fines == [Decimal("50.00"), Decimal("50.00")]  # late and absence: separate rules


def test_importing_the_same_days_again_adds_no_second_violation() -> None:
    w = world()
    attendance_rule(w.department, late_penalty_rule=penalty_rule("late", ["50"]))
    e = w.engineer
    text = f"工号,姓名,日期,上班,下班\n{e.employee_no},{e.name},2025-09-29,09:00,17:30\n"
    for _i in range(2):
        imp, _lines = _import(w, csv_file(text), "a.csv", "csv")
        svc.confirm_import(None, imp)
    assert AttendanceRecord.objects.count() == 1
    assert Violation.objects.count() == 1


def test_wecom_export_imports_by_account() -> None:
    w = world()
    e = w.engineer
    f = wecom_daily([["2025/09/29 星期一", e.name, e.employee_no, "运维组", "", "固定班", "",
                      "08:20", "17:45", 2, 8]])  # fmt: skip
    imp, lines = _import(w, f, source="wecom")
    assert imp.status == ImportStatus.PREVIEWED, imp.errors
    assert [ln.person for ln in lines] == [e]


def test_an_engineer_may_not_import(client) -> None:  # type: ignore[no-untyped-def]
    w = world()
    client.force_login(w.engineer.user)
    assert client.get(reverse("worklog:attendance_upload")).status_code == 403
    with pytest.raises(PermissionDenied):
        svc.preview_import(w.engineer.user, upload=csv_file("a"), file_name="a.csv",
                           source="csv", department=w.department)  # fmt: skip


def test_upload_preview_import_pages_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    w = world()
    e = w.engineer
    client.force_login(w.director.user)
    with translation.override("zh-hans"):
        page = client.get(reverse("worklog:attendance_upload"))
        assert page.status_code == 200
        bad = csv_file(
            f"工号,姓名,日期,上班,下班\n{e.employee_no},{e.name},2025-09-29,8:3x,17:30\n"
        )
        r = client.post(reverse("worklog:attendance_upload"),
                        {"source": "csv", "department": w.department.pk, "file": bad})  # fmt: skip
        assert r.status_code == 302
        preview = client.get(r["Location"])
        assert preview.status_code == 200
        assert "8:3x" in preview.content.decode()
        good = csv_file(
            f"工号,姓名,日期,上班,下班\n{e.employee_no},{e.name},2025-09-29,8:30,17:30\n"
        )
        r = client.post(reverse("worklog:attendance_upload"),
                        {"source": "csv", "department": w.department.pk, "file": good})  # fmt: skip
        imp = AttendanceImport.objects.order_by("-pk").first()
        assert imp is not None and imp.status == ImportStatus.PREVIEWED
        r = client.post(reverse("worklog:attendance_preview", args=[imp.pk]))
        assert r.status_code == 302
    assert AttendanceRecord.objects.filter(person=e).count() == 1
