"""Service reports: every figure of a small known set of orders, scopes, Excel, the monthly
report and the number of queries."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from netdept.core import permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import Department
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workorders import reports
from netdept.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=TZ)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def make(number: str, team: Any, assignee: Any, created: dt.datetime, **fields: Any) -> WorkOrder:
    """An order written directly, with explicit timestamps (created_at is auto_now_add)."""
    order = WorkOrder.objects.create(
        number=number, title=f"故障 {number}", team=team, assignee=assignee, **fields
    )
    WorkOrder.objects.filter(pk=order.pk).update(created_at=created)
    order.refresh_from_db()
    return order


@pytest.fixture
def world() -> dict[str, Any]:
    root = Department.objects.create(code="0000", name="示例市人民医院", kind="served")
    net = Department.objects.create(code="0001", name="信息网络部", kind="network", parent=root)
    served = DepartmentFactory(name="心内科", parent=root)
    team_a = TeamFactory(name="运维组", department=net)
    team_b = TeamFactory(name="安全组", department=net)
    a1 = PersonFactory(name="李工", department=net, team=team_a)
    b1 = PersonFactory(name="王工", department=net, team=team_b)
    common = {"requester_department": served}
    # 1: A, response 30 min (met), resolution 4 h (met), rated 5
    make(
        "WO-1",
        team_a,
        a1,
        at(10, 5),
        status="closed",
        response_due=at(10, 5, 10),
        responded_at=at(10, 5, 9, 30),
        resolution_due=at(10, 5, 17),
        resolved_at=at(10, 5, 13),
        rating=5,
        rated_at=at(10, 6),
        **common,
    )
    # 2: A, response 60 min (breached), resolution 6 h (met), rated 3, reopened once
    make(
        "WO-2",
        team_a,
        a1,
        at(10, 10),
        status="closed",
        response_due=at(10, 10, 9, 30),
        responded_at=at(10, 10, 10),
        resolution_due=at(10, 10, 17),
        resolved_at=at(10, 10, 15),
        rating=3,
        rated_at=at(10, 11),
        reopen_count=1,
        **common,
    )
    # 3: A, response 15 min (met), resolution 24 h (breached), not rated
    make(
        "WO-3",
        team_a,
        a1,
        at(10, 20),
        status="resolved",
        response_due=at(10, 20, 10),
        responded_at=at(10, 20, 9, 15),
        resolution_due=at(10, 20, 12),
        resolved_at=at(10, 21),
        **common,
    )
    # 4: B, response 45 min (met), still in progress
    make(
        "WO-4",
        team_b,
        b1,
        at(10, 15),
        status="in_progress",
        response_due=at(10, 15, 10),
        responded_at=at(10, 15, 9, 45),
        resolution_due=at(10, 16),
        **common,
    )
    # 5: B, nobody yet, never responded (its response was due: a breach)
    make(
        "WO-5",
        team_b,
        None,
        at(10, 25),
        status="new",
        response_due=at(10, 25, 10),
        resolution_due=at(10, 26),
        **common,
    )
    # 6: A, filed in September, resolved in October after 96 h (met), rated 4 in October
    make(
        "WO-6",
        team_a,
        a1,
        at(9, 28),
        status="closed",
        response_due=at(9, 28, 10),
        responded_at=at(9, 28, 9, 10),
        resolution_due=at(10, 3),
        resolved_at=at(10, 2),
        rating=4,
        rated_at=at(10, 2),
        **common,
    )
    # 7: November: outside the period
    make("WO-7", team_a, a1, at(11, 2), status="new", response_due=at(11, 2, 10), **common)
    return {
        "root": root,
        "net": net,
        "served": served,
        "team_a": team_a,
        "team_b": team_b,
        "a1": a1,
        "b1": b1,
    }


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


OCT = reports.Period.month(2026, 10)


def test_period_boundaries_are_local_midnights() -> None:
    assert OCT.start == dt.datetime(2026, 10, 1, tzinfo=TZ)
    assert OCT.end == dt.datetime(2026, 11, 1, tzinfo=TZ)
    assert (OCT.first, OCT.last) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert len(OCT.dates()) == 31
    assert reports.Period.last_month(dt.date(2026, 1, 15)).first == dt.date(2025, 12, 1)
    assert reports.Period.month(2026, 12).last == dt.date(2026, 12, 31)


def test_summary_figures(world: dict[str, Any]) -> None:
    f = reports.summary(WorkOrder.objects.all(), OCT, NOW)
    assert (f.received, f.resolved, f.responded) == (5, 4, 4)
    assert f.response_avg == 37 * M + 30 * dt.timedelta(seconds=1)  # (30+60+15+45)/4 min
    assert f.response_median == 37.5 * M
    assert f.resolution_avg == 32.5 * H  # (4+6+24+96)/4 h
    assert f.resolution_median == 15 * H  # (6+24)/2 h
    assert (f.response_sla_met, f.response_sla_total) == (3, 5)
    assert f.response_compliance == pytest.approx(0.6)
    assert (f.resolution_sla_met, f.resolution_sla_total) == (3, 4)
    assert f.resolution_compliance == pytest.approx(0.75)
    assert (f.sla_met, f.sla_total) == (2, 4)
    assert f.sla_compliance == pytest.approx(0.5)
    assert f.reopened == 1 and f.reopen_rate == pytest.approx(0.2)
    assert f.rated == 3 and f.rating_avg == pytest.approx(4.0)
    assert f.ratings == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert f.satisfied_share == pytest.approx(2 / 3)


def test_per_team_and_per_person(world: dict[str, Any]) -> None:
    qs = WorkOrder.objects.all()
    teams = {t.name: t for t in reports.by_team(qs, OCT, NOW)}
    assert set(teams) == {"运维组", "安全组"}
    a, b = teams["运维组"], teams["安全组"]
    assert (a.key, a.received, a.resolved, a.responded) == (world["team_a"].pk, 3, 4, 3)
    assert a.response_avg == 35 * M and a.response_median == 30 * M
    assert a.resolution_avg == 32.5 * H and a.resolution_median == 15 * H
    assert (a.response_sla_met, a.response_sla_total) == (2, 3)
    assert (a.resolution_sla_met, a.resolution_sla_total) == (3, 4)
    assert (a.sla_met, a.sla_total) == (2, 4)
    assert a.reopen_rate == pytest.approx(1 / 3)
    assert a.rated == 3 and a.rating_avg == pytest.approx(4.0)
    assert (b.received, b.resolved, b.responded) == (2, 0, 1)
    assert b.response_avg == b.response_median == 45 * M
    assert b.resolution_avg is None and b.resolution_median is None
    assert (b.response_sla_met, b.response_sla_total) == (1, 2)
    assert b.resolution_compliance is None and b.sla_compliance is None
    assert b.reopen_rate == 0 and b.rated == 0 and b.rating_avg is None

    people = reports.by_person(qs, OCT, NOW)
    assert [p.name for p in people] == ["李工", "王工", ""]  # nobody-yet last
    li, wang, nobody = people
    assert (li.key, li.team_name, li.received, li.resolved) == (world["a1"].pk, "运维组", 3, 4)
    assert (wang.received, wang.response_sla_met, wang.response_sla_total) == (1, 1, 1)
    assert nobody.key is None
    assert (nobody.received, nobody.responded, nobody.response_sla_total) == (1, 0, 1)


def test_daily_series(world: dict[str, Any]) -> None:
    days = {d["date"].day: d for d in reports.daily(WorkOrder.objects.all(), OCT)}
    assert len(days) == 31
    received = {d: v["received"] for d, v in days.items() if v["received"]}
    resolved = {d: v["resolved"] for d, v in days.items() if v["resolved"]}
    assert received == {5: 1, 10: 1, 15: 1, 20: 1, 25: 1}
    assert resolved == {2: 1, 5: 1, 10: 1, 21: 1}


def test_filters_by_team_and_person(world: dict[str, Any]) -> None:
    director = user_with_role("director")
    r = reports.build(director, OCT, team=world["team_b"], now=NOW)
    assert (r.total.received, r.total.resolved) == (2, 0)
    assert [t.name for t in r.teams] == ["安全组"]
    r = reports.build(director, OCT, person=world["a1"], now=NOW)
    assert (r.total.received, r.total.resolved, r.total.rated) == (3, 4, 3)


def test_team_scope_sees_only_its_team(world: dict[str, Any]) -> None:
    lead = user_with_role("team_lead", team=world["team_b"])
    r = reports.build(lead, OCT, now=NOW)
    assert [t.name for t in r.teams] == ["安全组"]
    assert (r.total.received, r.total.resolved, r.total.rated) == (2, 0, 0)
    resp = client_for(lead).get(reverse("workorders:reports_home"), OCTOBER)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "安全组" in html and "运维组" not in html and "李工" not in html
    # the team filter offers their team only; another team's id is refused, not shown
    resp = client_for(lead).get(
        reverse("workorders:reports_home"), {**OCTOBER, "team": world["team_a"].pk}
    )
    assert resp.status_code == 400
    assert resp.context["report"] is None


def test_report_page(world: dict[str, Any]) -> None:
    director = user_with_role("director")
    c = client_for(director)
    resp = c.get(reverse("workorders:reports_home"), OCTOBER)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="wo-report-data"' in html and "echarts.min.js" in html
    assert "workorders/reports.js" in html
    assert resp.context["total"]["received"] == 5
    assert resp.context["total"]["sla_compliance"] == "50.0 %"
    charts = resp.context["charts"]
    assert charts["satisfaction"]["counts"] == [0, 0, 1, 1, 1]
    assert sum(charts["daily"]["received"]) == 5 and len(charts["daily"]["dates"]) == 31
    assert sorted(zip(charts["sla"]["teams"], charts["sla"]["resolution"], strict=True)) == [
        ("安全组", None),
        ("运维组", 75.0),
    ]
    # the default period (this month) renders too, and the nav entry is there
    resp = c.get(reverse("workorders:reports_home"))
    assert resp.status_code == 200
    assert reverse("workorders:reports_home") in resp.content.decode()


def test_bad_input_is_a_field_error(world: dict[str, Any]) -> None:
    c = client_for(user_with_role("director"))
    url = reverse("workorders:reports_home")
    for params, field in [
        ({"period": "custom", "start": "2026-10-31", "end": "2026-10-01"}, "end"),
        ({"period": "custom", "start": "nonsense", "end": "2026-10-01"}, "start"),
        ({"period": "custom"}, "start"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-10-01"}, "end"),
        ({"period": "yesterday"}, "period"),
        ({"team": "abc"}, "team"),
    ]:
        resp = c.get(url, params)
        assert resp.status_code == 400, params
        assert field in resp.context["form"].errors, params
    resp = c.get(reverse("workorders:reports_monthly"), {"month": "2026-13"})
    assert resp.status_code == 400
    assert 'id="wo-month-error"' in resp.content.decode()


def test_permission_required(world: dict[str, Any]) -> None:
    nobody = user_with_perms(["org.view_team"])
    for name in ("reports_home", "reports_export", "reports_monthly"):
        assert client_for(nobody).get(reverse(f"workorders:{name}")).status_code == 403
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=nobody).exists()
    anonymous = Client().get(reverse("workorders:reports_home"))
    assert anonymous.status_code == 302


def test_excel_export(world: dict[str, Any]) -> None:
    director = user_with_role("director")
    resp = client_for(director).get(reverse("workorders:reports_export"), OCTOBER)
    assert resp.status_code == 200
    assert resp["Content-Disposition"].endswith('service-report-20261001-20261031.xlsx"')
    wb = load_workbook(io.BytesIO(resp.content))
    summary, teams, people, daily = wb.worksheets
    values = [row[1] for row in summary.iter_rows(min_row=2, values_only=True)]
    # received, resolved, response avg/median (h: 37.5 min), resolution avg/median (h), compliances,
    # reopen rate, ratings, average rating, 1..5 stars
    assert values == [5, 4, 0.62, 0.62, 32.5, 15, 0.6, 0.75, 0.5, 0.2, 3, 4, 0, 0, 1, 1, 1]
    team_rows = {r[0]: r for r in teams.iter_rows(min_row=2, values_only=True)}
    assert team_rows["运维组"][1:3] == (3, 4)
    assert team_rows["安全组"][1:3] == (2, 0)
    person_rows = {r[0]: r for r in people.iter_rows(min_row=2, values_only=True)}
    assert person_rows["李工"][1:4] == ("运维组", 3, 4)
    day_rows = list(daily.iter_rows(min_row=2, values_only=True))
    assert len(day_rows) == 31 and sum(r[1] for r in day_rows) == 5
    rec = AuditRecord.objects.filter(action=AuditAction.EXPORT, actor=director).get()
    assert rec.object_type == "workorders.report"
    assert rec.extra["from"] == "2026-10-01" and rec.extra["to"] == "2026-10-31"


def test_monthly_report(world: dict[str, Any]) -> None:
    director = user_with_role("director")
    resp = client_for(director).get(reverse("workorders:reports_monthly"), {"month": "2026-10"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "示例市人民医院" in html and "信息网络部" in html
    # A4 print styles live in a static file (the Content-Security-Policy allows no inline style).
    assert "workorders/monthly.css" in html and "<style" not in html
    css = (Path(__file__).parents[1] / "static/workorders/monthly.css").read_text()
    assert "@page" in css and "size: A4" in css
    assert 'id="wo-monthly-signatures"' in html
    assert "echarts" not in html and "nd-sidebar" not in html  # printable: no nav, no charts
    assert resp.context["total"]["received"] == 5
    assert resp.context["previous"]["received"] == 1  # September: WO-6
    assert [p["name"] for p in resp.context["people"]] == ["李工", "王工"]
    # without a month: last month
    resp = client_for(director).get(reverse("workorders:reports_monthly"))
    assert resp.status_code == 200


def test_query_count_is_bounded(world: dict[str, Any]) -> None:
    director = user_with_role("director")
    permissions.user_perms(director)  # load (and cache) the reader's permissions
    with CaptureQueriesContext(connection) as ctx:
        reports.build(director, OCT, now=NOW)
    assert len(ctx.captured_queries) == 5  # totals, teams, people, 2 × daily
    c = client_for(director)
    c.get(reverse("workorders:reports_home"), OCTOBER)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("workorders:reports_home"), OCTOBER).status_code == 200
    first = len(ctx.captured_queries)
    # ten times the orders, the same number of queries
    team = world["team_a"]
    for i in range(50):
        make(
            f"WO-X{i}",
            team,
            PersonFactory(team=team, department=world["net"]),
            at(10, 3),
            responded_at=at(10, 3, 10),
            response_due=at(10, 3, 11),
        )
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("workorders:reports_home"), OCTOBER).status_code == 200
    assert len(ctx.captured_queries) == first <= 20
