"""Compliance reports: every figure of a small known month, per person, team and day; scopes;
the page with its charts' data, the Excel workbook, the API; bad input; the number of queries."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties import reports
from netdept.duties.tests.test_statements import (
    SH,
    World,
    build_world,
    client_for,
    occurrence,
)
from netdept.duties.tests.test_statements import urlpatterns as urlpatterns  # the API's routes

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

OCTOBER = reports.Period.month(dt.date(2026, 10, 1))
CUSTOM = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def world() -> World:
    return build_world()


def test_figures_per_person_team_total(world: World) -> None:
    director = world.user("wangjg")
    assert reports.may_report(director)  # the permissions are read once per request
    with CaptureQueriesContext(connection) as ctx:
        report = reports.build(director, OCTOBER)
    assert len(ctx.captured_queries) == 6  # four ledgers, the people's names, the days
    people = {p.name: p for p in report.people}
    z = people["张伟"]
    assert (z.due, z.on_time, z.late, z.missed, z.excused, z.open) == (4, 2, 1, 1, 0, 0)
    assert z.compliance_rate == 0.5
    assert z.violations == 2  # the missed duty and the prohibited act
    assert z.penalties == 1  # the withdrawn one is left out
    assert z.fines == Decimal("130.00")
    assert (z.rewards, z.reward_amount) == (2, Decimal("80.00"))
    li = people["李娜"]
    assert (li.due, li.on_time, li.missed, li.excused) == (3, 1, 1, 1)
    assert li.compliance_rate == 0.5  # 1 on time of 3 due less 1 excused
    assert (li.fines, li.fines_open, li.rewards) == (Decimal("0.00"), Decimal("100.00"), 0)
    assert "王建国" not in people  # his violation is of November
    (team,) = report.teams
    assert team.name == "网络运维组"
    assert (team.due, team.on_time, team.missed) == (7, 3, 2)
    assert team.fines == Decimal("130.00") and team.reward_amount == Decimal("80.00")
    assert report.total.due == 7 and report.total.penalties == 3
    day = {d["date"]: d for d in report.days}
    assert day[dt.date(2026, 10, 9)]["on_time"] == 2
    assert day[dt.date(2026, 10, 12)] == {
        "date": dt.date(2026, 10, 12), "on_time": 1, "late": 0, "missed": 1, "open": 0,
    }  # fmt: skip
    assert len(report.days) == 31


def test_not_yet_due_is_not_counted(world: World) -> None:
    occurrence(world, "zhangwei", dt.datetime(2026, 10, 30, 9, tzinfo=SH), "pending")
    now = dt.datetime(2026, 10, 29, 12, tzinfo=SH)
    report = reports.build(world.user("wangjg"), OCTOBER, now=now)
    z = next(p for p in report.people if p.name == "张伟")
    assert z.due == 4 and z.open == 0
    later = reports.build(world.user("wangjg"), OCTOBER)
    z = next(p for p in later.people if p.name == "张伟")
    assert z.due == 5 and z.open == 1


def test_scopes(world: World) -> None:
    lead = reports.build(world.user("liuqiang"), OCTOBER)
    assert {p.name for p in lead.people} == {"张伟", "李娜", "刘强"}
    assert reports.build(world.user("chenzq"), OCTOBER).people == []
    assert not reports.may_report(world.user("chenzq"))
    assert list(reports.teams_for(world.user("liuqiang"))) == [world.h.ops]


def test_page_and_charts(world: World) -> None:
    c = client_for(world.user("wangjg"))
    with translation.override("zh-hans"):
        resp = c.get("/duties/reports/", CUSTOM, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()
    assert 'id="dr-report-data"' in html
    charts = resp.context["charts"]
    assert charts["ledgers"]["fines"] == [130.0] and charts["ledgers"]["rewards"] == [80.0]
    assert charts["compliance"]["rates"] == [round(3 / 6 * 100, 1)]
    assert sum(charts["daily"]["missed"]) == 2
    assert 'id="dr-kpi-fines">¥130.00' in html


def test_page_bad_input_names_the_field(world: World) -> None:
    c = client_for(world.user("wangjg"))
    resp = c.get(
        "/duties/reports/", {"period": "custom", "start": "2026-10-31", "end": "2026-10-01"}
    )
    assert resp.status_code == 400 and "end" in resp.context["form"].errors
    resp = c.get(
        "/duties/reports/", {"period": "custom", "start": "2026-01-01", "end": "2029-01-01"}
    )
    assert resp.status_code == 400 and "end" in resp.context["form"].errors
    resp = c.get("/duties/reports/", {"period": "custom", "start": "nonsense"})
    assert resp.status_code == 400 and "start" in resp.context["form"].errors
    assert c.get("/duties/reports/export/", {"period": "custom"}).status_code == 400
    assert client_for(world.user("chenzq")).get("/duties/reports/").status_code == 403


def test_excel(world: World) -> None:
    c = client_for(world.user("wangjg"))
    resp = c.get("/duties/reports/export/", CUSTOM)
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    assert len(wb.worksheets) == 4
    people = list(wb.worksheets[2].iter_rows(values_only=True))
    head = people[0]
    zhang = dict(zip(head, next(r for r in people if r[1] == "张伟"), strict=True))
    values = list(zhang.values())
    assert values[3:8] == [4, 2, 1, 1, 0]
    assert Decimal(str(values[12])) == Decimal("130") and Decimal(str(values[15])) == Decimal("80")
    assert AuditRecord.objects.filter(
        action=AuditAction.EXPORT, object_type="duties.report"
    ).exists()


def test_api(world: World) -> None:
    c = client_for(world.user("liuqiang"))
    resp = c.get("/api/v1/duties/compliance/", {"start": "2026-10-01", "end": "2026-10-31"})
    assert resp.status_code == 200
    data = resp.json()
    assert data["total"]["due"] == 7 and data["total"]["fines"] == "130.00"
    assert data["total"]["reward_amount"] == "80.00"
    assert len(data["days"]) == 31
    zhang = next(p for p in data["people"] if p["name"] == "张伟")
    assert zhang["compliance_rate"] == 0.5
    resp = c.get("/api/v1/duties/compliance/", {"start": "2026-10-01", "end": "2026-10-31",
                                                "person": world.h["lina"].pk})  # fmt: skip
    assert [p["name"] for p in resp.json()["people"]] == ["李娜"]
    resp = c.get("/api/v1/duties/compliance/", {"start": "2026-10-01", "end": "2026-10-31",
                                                "person": world.h["wangjg"].pk})  # fmt: skip
    assert resp.status_code == 404


def test_api_bad_input(world: World) -> None:
    c = client_for(world.user("wangjg"))
    url = "/api/v1/duties/compliance/"
    for params, field in (
        ({"start": "2026-10-31", "end": "2026-10-01"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"start": "1900-01-01"}, "start"),
        ({"start": "2026-01-01", "end": "2029-01-01"}, "end"),
        ({"team": "abc"}, "team"),
    ):
        resp = c.get(url, params)
        assert resp.status_code == 400, params
        assert field in resp.json(), params
    assert c.get(url, {"team": 999999}).status_code == 404
    assert client_for(world.user("chenzq")).get(url).status_code == 403
