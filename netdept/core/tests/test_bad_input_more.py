"""Bad input that once made a 500 elsewhere than in a form: working-time arithmetic asked for
absurd durations, control characters in exported text, read-only pages asked to write."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from netdept.core.export import safe_cell, to_csv, to_xlsx
from netdept.core.registry import page_for
from netdept.org.models import Person
from netdept.org.services import PersonService
from netdept.testing.crud import ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    TeamFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workcal.schedule import (
    EARLIEST,
    HORIZON_DAYS,
    LATEST,
    OutOfRange,
    WorkSchedule,
    add_working_days,
    add_working_time,
    default_calendar,
    next_working_instant,
    working_time_between,
)
from netdept.workorders import services
from netdept.workorders.models import WorkOrder
from netdept.workorders.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


# --- working-time arithmetic -----------------------------------------------------------------
@pytest.mark.parametrize(
    "delta",
    [
        dt.timedelta(minutes=20_000_000),
        dt.timedelta(minutes=2**31 - 1),
        dt.timedelta(days=999_999_999),
        -dt.timedelta(minutes=20_000_000),
        -dt.timedelta(days=999_999_999),
    ],
)
def test_an_absurd_duration_is_a_clear_error_in_bounded_time(delta: dt.timedelta) -> None:
    cal = default_calendar()
    started = time.monotonic()
    with pytest.raises(OutOfRange) as exc:
        add_working_time(cal, START, delta)
    assert time.monotonic() - started < 5
    assert cal.name in str(exc.value)
    assert isinstance(exc.value, ValueError)  # callers catching ValueError keep working

    started = time.monotonic()
    capped = WorkSchedule(cal).add(START, delta, cap=True)
    assert time.monotonic() - started < 5
    horizon = dt.timedelta(days=HORIZON_DAYS)
    assert capped == (START + horizon if delta > dt.timedelta(0) else START - horizon)
    assert capped.tzinfo is START.tzinfo


def test_around_the_clock_overflow_is_a_clear_error_or_the_bound() -> None:
    cal = WorkCalendar.objects.create(name="7×24", around_the_clock=True)
    huge = dt.timedelta(days=999_999_999)
    with pytest.raises(OutOfRange):
        add_working_time(cal, START, huge)
    with pytest.raises(OutOfRange):
        add_working_time(cal, START, dt.timedelta(days=365 * 7000))  # beyond LATEST
    assert WorkSchedule(cal).add(START, huge, cap=True) == START + dt.timedelta(days=HORIZON_DAYS)
    near_the_end = dt.datetime(8990, 1, 1, tzinfo=dt.UTC)
    assert WorkSchedule(cal).add(near_the_end, huge, cap=True) == LATEST
    assert WorkSchedule(cal).add(START, -huge, cap=True) == START - dt.timedelta(days=HORIZON_DAYS)


@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(9999, 12, 31, 20, 0, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, 8, 0, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 0, tzinfo=TZ),
    ],
)
def test_instants_at_the_ends_of_the_calendar_are_refused_cleanly(start: dt.datetime) -> None:
    cal = default_calendar()
    sched = WorkSchedule(cal)
    with pytest.raises(OutOfRange):
        sched.add(start, dt.timedelta(hours=1))
    with pytest.raises(OutOfRange):
        sched.add(start, -dt.timedelta(hours=1))
    assert EARLIEST <= sched.add(start, dt.timedelta(hours=1), cap=True) <= LATEST
    with pytest.raises(OutOfRange):
        next_working_instant(cal, start)
    assert sched.is_working_time(start) is False
    # between is bounded and never overflows
    assert working_time_between(cal, START, start) >= dt.timedelta(0)
    assert working_time_between(cal, start, START) >= dt.timedelta(0)


def test_between_over_centuries_is_bounded() -> None:
    cal = default_calendar()
    started = time.monotonic()
    far = dt.datetime(8999, 1, 1, tzinfo=dt.UTC)
    total = working_time_between(cal, START, far)
    assert time.monotonic() - started < 5
    # capped at the horizon: decades of working time, not centuries
    assert dt.timedelta(days=365) < total < dt.timedelta(days=HORIZON_DAYS)


def test_add_working_days_is_bounded() -> None:
    cal = default_calendar()
    started = time.monotonic()
    with pytest.raises(OutOfRange):
        add_working_days(cal, START.date(), 10**9)
    with pytest.raises(OutOfRange):
        add_working_days(cal, START.date(), -(10**9))
    with pytest.raises(OutOfRange):
        add_working_days(cal, dt.date(9999, 12, 30), 5)
    assert time.monotonic() - started < 5


def test_a_calendar_with_every_day_off_never_hangs() -> None:
    cal = WorkCalendar.objects.create(name="全年停工")
    first = START.date() - dt.timedelta(days=3)
    CalendarOverride.objects.bulk_create(
        CalendarOverride(calendar=cal, date=first + dt.timedelta(days=i), is_working_day=False)
        for i in range(HORIZON_DAYS + 10)
    )
    started = time.monotonic()
    with pytest.raises(OutOfRange):
        add_working_time(cal, START, dt.timedelta(minutes=1))
    with pytest.raises(OutOfRange):
        next_working_instant(cal, START)
    with pytest.raises(OutOfRange):
        add_working_days(cal, START.date(), 1)
    assert WorkSchedule(cal).add(START, dt.timedelta(minutes=1), cap=True) > START
    assert time.monotonic() - started < 10


# --- control characters in exported text -----------------------------------------------------
NASTY = "张三\x1b[31m红\x07\x0b\x0c\x1f\ufffe 末"  # NUL: refused on input (no DB keeps it)


def _opens(content: bytes) -> list[list[Any]]:
    """The rows of every sheet of an xlsx file, read back with openpyxl."""
    wb = load_workbook(io.BytesIO(content))
    rows = [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def _cells(rows: list[list[Any]]) -> list[str]:
    return [str(c) for row in rows for c in row if c is not None]


def _check_export(c: Client, url: str, needle: str, **params: str) -> None:
    r = c.get(url, {**params, "format": "xlsx"})
    assert r.status_code == 200, (url, r.status_code)
    cells = _cells(_opens(r.content))
    found = [t for t in cells if needle in t]
    assert found, (url, cells[:40])
    assert any("␛[31m红␇" in text for text in found), found  # shown, not dropped
    assert all("\x1b" not in text and "\x07" not in text for text in found)
    r = c.get(url, {**params, "format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    found = [t for row in rows for t in row if needle in t]
    assert found and all("\x1b" not in t and "\x07" not in t for t in found)


def test_control_characters_do_not_break_any_export() -> None:
    """A requester's text with ESC and BEL: the work-order, people and audit exports open."""
    team = TeamFactory(name="运维组")
    category = CategoryFactory(default_team=team, name="网络\x07故障")
    requester = user_with_role("requester", department=DepartmentFactory())
    order = services.open_order(
        requester,
        {"title": f"=HYPERLINK(1) {NASTY}", "category": category.pk, "description": NASTY},
    )
    assert "\x1b" in WorkOrder.objects.get(pk=order.pk).title  # input keeps what was typed
    PersonService().create(
        None,
        {"name": NASTY, "employee_no": "E\x1b01", "department": DepartmentFactory()},
        check=False,
    )

    engineer = user_with_role("engineer", team=team)
    desk = ui_client(engineer)
    _check_export(desk, reverse("workorders:export"), "HYPERLINK", queue="all")
    rows = _opens(
        desk.get(reverse("workorders:export"), {"format": "xlsx", "queue": "all"}).content
    )
    titles = [c for row in rows for c in row if isinstance(c, str) and "HYPERLINK" in c]
    assert titles and all(t.startswith("'=") for t in titles)  # text, never a formula

    people = page_for(Person)
    assert people is not None
    viewer = user_with_perms(["org.view_person", "org.view_department", "org.view_team"])
    _check_export(ui_client(viewer), reverse(people.url_name("export")), "末")

    auditor = user_with_perms(["core.view_auditrecord", "core.export_auditrecord"])
    _check_export(ui_client(auditor), reverse("audit_list"), "末")


def test_control_characters_in_the_work_order_report_workbook() -> None:
    team = TeamFactory(name="运维\x1b[31m红\x07组")
    requester = user_with_role("requester", department=DepartmentFactory())
    services.open_order(
        requester, {"title": "t", "category": CategoryFactory(default_team=team).pk}
    )
    director = user_with_role("director", department=team.department)
    r = ui_client(director).get(reverse("workorders:reports_export"))
    assert r.status_code == 200
    cells = _cells(_opens(r.content))
    assert "运维␛[31m红␇组" in cells, cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\x07=1", "␇=1"),
        ("a\x1bb", "a␛b"),
        ("\ud800x\uffff", "\ufffdx\ufffd"),
        ("普通文字", "普通文字"),
        (5, 5),
        (None, ""),
    ],
)
def test_safe_cell(value: Any, expected: Any) -> None:
    assert safe_cell(value) == expected


def test_xlsx_writer_survives_every_character_and_long_text() -> None:
    every = "".join(chr(i) for i in range(0x20)) + "\ud800\ufffe\uffff"
    content = to_xlsx("a/b:c*?[x]", ["h\x1b", "=h", "n"], [[every, "y" * 40_000, -3]])
    rows = _opens(content)
    assert rows[0] == ["h␛", "'=h", "n"]
    assert len(rows[1][1]) == 32767 and rows[1][2] == -3
    csv_text = to_csv(["h"], [[every]]).decode("utf-8-sig")
    assert "\x1b" not in csv_text and "\x00" not in csv_text


# --- pages answer only the methods they handle -----------------------------------------------
def _routes(patterns: Sequence[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


WRITE_METHODS = ("put", "patch", "delete", "trace")


# once: a method a page does not have is refused before any query: the database changes nothing
@pytest.mark.once
def test_every_page_refuses_put_patch_delete_and_trace_with_405() -> None:
    """Every page outside the API (those without parameters, and one of each kind with):
    a method it does not handle is a 405, never the page itself."""
    team = TeamFactory()
    requester = user_with_role("requester", department=DepartmentFactory())
    order = services.open_order(
        requester, {"title": "t", "category": CategoryFactory(default_team=team).pk}
    )
    director = user_with_role("director", department=DepartmentFactory())
    urls = [
        "/" + route
        for route in _routes(get_resolver().url_patterns)
        if not route.startswith("api/") and "<" not in route and "(?" not in route
    ]
    assert {"/", "/search/", "/audit/", "/workorders/"} <= set(urls)
    urls += [
        f"/workorders/{order.number}/",
        f"/workorders/{order.number}/history/",
        f"/workorders/portal/orders/{order.number}/",
        f"/workcal/workcalendar/{default_calendar().pk}/",
        "/org/import/people/template/",
    ]
    for user in (director, requester, None):
        c = ui_client(user) if user is not None else Client()
        c.raise_request_exception = False
        for url in urls:
            for method in WRITE_METHODS:
                r = getattr(c, method)(url)
                if user is None and r.status_code == 302:  # signing in comes first: fine
                    assert r["Location"].startswith(reverse("login")), (url, method)
                    continue
                assert r.status_code == 405, (url, method, r.status_code)
                assert "GET" in r["Allow"] or "POST" in r["Allow"], (url, r["Allow"])


def test_read_only_pages_still_answer_get_and_head() -> None:
    c = ui_client(user_with_role("director", department=DepartmentFactory()))
    for url in ("/", "/search/?q=x", "/accounts/preferences/"):
        assert c.get(url).status_code == 200, url
        assert c.head(url).status_code == 200, url
    assert c.post("/").status_code == 405
    assert c.post("/search/").status_code == 405


@pytest.mark.parametrize(
    "params",
    [
        {"ip": "999.1.1.1"},
        {"ip": "x" * 300},
        {"ip": "999.1.1.1", "format": "csv"},
        {"ts__gte": "not a time"},
    ],
)
def test_audit_filters_with_bad_values_are_field_errors(params: dict[str, str]) -> None:
    c = ui_client(user_with_perms(["core.view_auditrecord", "core.export_auditrecord"]))
    r = c.get(reverse("audit_list"), params)
    assert r.status_code == 400
    field = next(k for k in params if k != "format")
    assert field in r.context["filterset"].form.errors
    assert r["Content-Type"].startswith("text/html")  # the page with the error, no export
    r = c.get(reverse("audit_list"), {"ip": "10.0.0.1"})
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "0", "00", "-1", "9" * 30])
def test_digits_that_are_not_numbers_are_not_500(value: str) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: order references, the desk search,
    bulk assignment and the list's page size take only ASCII numbers they can use."""
    team = TeamFactory()
    engineer = user_with_role("engineer", team=team)
    c = ui_client(engineer)
    assert c.get(f"/workorders/{value}/").status_code == 404
    assert c.get(reverse("workorders:desk"), {"q": value}).status_code == 200
    r = c.post(reverse("workorders:bulk_assign"), {"ids": [value], "team": str(team.pk)})
    assert r.status_code in (302, 400, 422), r.status_code
    viewer = ui_client(user_with_perms(["org.view_person"]))
    assert viewer.get("/org/person/", {"per_page": value}).status_code == 200
