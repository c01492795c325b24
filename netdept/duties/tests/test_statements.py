"""Monthly statements: a person's and a team's, in the page, the printable statement (with its
sign-off lines), the payroll workbook and the API; totals by status; scopes; bad input.

The rows are written directly (violations, penalties and rewards as helper C's services would
leave them): these tests check what the statements read, not how penalties are imposed."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.routers import DefaultRouter

import netdept.urls
from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.duties import api_reports
from netdept.duties.models import (
    Duty,
    Occurrence,
    Penalty,
    PenaltyRule,
    ProhibitedAct,
    Reward,
    Violation,
)
from netdept.duties.services import statements
from netdept.testing.factories import custom_role

SH = timezone.get_default_timezone()
OCT = dt.date(2026, 10, 1)

# The API's routes as netdept/api/urls.py registers them (ROUTES), before the site's URLs.
_router = DefaultRouter()
for _prefix, _viewset, _basename in api_reports.ROUTES:
    _router.register(_prefix, _viewset, basename=_basename)
urlpatterns = [path("api/v1/", include(_router.urls)), *netdept.urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SH)


@dataclass
class World:
    h: hospital.Hospital
    duty: Duty
    rule: PenaltyRule

    def user(self, key: str) -> Any:
        return self.h.user(key)


def occurrence(w: World, key: str, due: dt.datetime, status: str) -> Occurrence:
    return Occurrence.objects.create(
        duty=w.duty,
        person=w.h[key],
        team=w.h[key].team,
        period_start=due - dt.timedelta(days=1),
        due_at=due,
        missed_at=due + dt.timedelta(hours=2),
        status=status,
    )


def penalty(
    w: World,
    key: str,
    *,
    amount: str | None,
    status: str = "effective",
    sanction: str = "fine",
    occurred: dt.datetime | None = None,
    occ: Occurrence | None = None,
    act: ProhibitedAct | None = None,
    percent: str | None = None,
    month: dt.date = OCT,
) -> Penalty:
    v = Violation.objects.create(
        person=w.h[key],
        source="missed" if occ else ("prohibited" if act else "manual"),
        occurrence=occ,
        prohibited_act=act,
        penalty_rule=w.rule,
        occurred_at=occurred or (occ.due_at if occ else at(10, 15)),
        description="上班时间玩游戏" if not (occ or act) else "",
        status="penalised",
    )
    return Penalty.objects.create(
        violation=v,
        person=w.h[key],
        rule=w.rule,
        family=w.rule.code,
        offence_no=1,
        sanction=sanction,
        amount=None if amount is None else Decimal(amount),
        percent=None if percent is None else Decimal(percent),
        month=month,
        status=status,
        effective_at=v.occurred_at if status == "effective" else None,
    )


def reward(
    w: World,
    key: str,
    amount: str | None,
    *,
    status: str = "effective",
    kind: str = "bonus",
    day: int = 20,
    month: dt.date = OCT,
) -> Reward:
    return Reward.objects.create(
        person=w.h[key],
        kind=kind,
        amount=None if amount is None else Decimal(amount),
        reason="机房搬迁表现突出" if amount else "月度评议表扬",
        awarded_on=dt.date(month.year, month.month, day),
        month=month,
        source="review",
        granted_by=w.h["wangjg"],
        status=status,
    )


def build_world() -> World:
    """October 2026 in the hospital's 网络运维组:

    * 张伟: 4 duties due (2 on time, 1 late, 1 missed); the missed one fined ¥130 (in effect);
      a prohibited act fined ¥200 then withdrawn (history); a bonus of ¥80 and a commendation;
    * 李娜: 3 due (1 on time, 1 missed, 1 excused); the missed one fined ¥100, under appeal;
      a reward of ¥300 withdrawn;
    * 刘强: a 20 % pay cut in effect; nothing else.
    * 王建国 (no team): a ¥10 fine booked to November (not October).
    """
    h = hospital.build()
    rule = PenaltyRule.objects.create(code="daily-check", name="巡检未完成", family="daily-check")
    duty = Duty.objects.create(
        code="daily-inspection",
        name="每日机房巡检",
        team=h.ops,
        assignee_kind="team",
        rrule="FREQ=DAILY",
        starts_on=dt.date(2026, 1, 1),
        due_time=dt.time(9, 0),
        penalty_rule=rule,
    )
    w = World(h=h, duty=duty, rule=rule)
    occurrence(w, "zhangwei", at(10, 9), "done")
    occurrence(w, "zhangwei", at(10, 12), "done")
    occurrence(w, "zhangwei", at(10, 13), "done_late")
    missed_z = occurrence(w, "zhangwei", at(10, 14), "missed")
    occurrence(w, "lina", at(10, 9), "done")
    missed_l = occurrence(w, "lina", at(10, 12), "missed")
    occurrence(w, "lina", at(10, 13), "excused")
    act = ProhibitedAct.objects.create(code="unapproved-change", name="未经批准变更配置")
    penalty(w, "zhangwei", amount="130.00", occ=missed_z)
    penalty(w, "zhangwei", amount="200.00", status="withdrawn", act=act, occurred=at(10, 20))
    penalty(w, "lina", amount="100.00", status="appealed", occ=missed_l)
    penalty(w, "liuqiang", amount=None, sanction="pay_cut", percent="20.00")
    penalty(w, "wangjg", amount="10.00", month=dt.date(2026, 11, 1), occurred=at(11, 3))
    reward(w, "zhangwei", "80.00")
    reward(w, "zhangwei", None, kind="commendation", day=25)
    reward(w, "lina", "300.00", status="withdrawn")
    return w


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- the service -----------------------------------------------------------------------------


def test_person_statement_keeps_two_ledgers(world: World) -> None:
    st = statements.person_statement(world.h["zhangwei"], OCT)
    assert [line.amount for line in st.penalties] == [Decimal("130.00"), Decimal("200.00")]
    assert [line.counts for line in st.penalties] == [True, False]  # the withdrawn one: history
    assert st.totals.penalties == 1
    assert st.totals.fines == Decimal("130.00")
    assert st.totals.fines_open == Decimal("0.00")
    assert st.totals.rewards == 2
    assert st.totals.reward_amount == Decimal("80.00")
    assert st.penalties[0].what.startswith("每日机房巡检 · 2026-10-14 09:00")
    assert st.penalties[1].what == "未经批准变更配置"
    # duties of the month, as the reports count them
    assert (st.duties.due, st.duties.on_time, st.duties.late, st.duties.missed) == (4, 2, 1, 1)
    assert not any("net" in name or "balance" in name for name in vars(st.totals))


def test_open_and_pay_cut_totals(world: World) -> None:
    lina = statements.person_statement(world.h["lina"], OCT)
    assert lina.totals.fines == Decimal("0.00")
    assert (lina.totals.open_penalties, lina.totals.fines_open) == (1, Decimal("100.00"))
    assert (lina.totals.rewards, lina.totals.reward_amount) == (0, Decimal("0.00"))
    assert [r.counts for r in lina.rewards] == [False]
    lead = statements.person_statement(world.h["liuqiang"], OCT)
    assert lead.totals.pay_cut == Decimal("20.00")
    assert lead.totals.penalties == 1 and lead.totals.fines == Decimal("0.00")


def test_team_statement_rows_and_column_totals(world: World) -> None:
    with CaptureQueriesContext(connection) as ctx:
        st = statements.team_statement(world.user("wangjg"), OCT, team=world.h.ops)
    assert len(ctx.captured_queries) <= 12
    names = [row.person.name for row in st.rows]
    assert names == ["刘强", "张伟", "李娜"]  # the team's members, with or without entries
    assert st.totals.fines == Decimal("130.00")
    assert st.totals.fines_open == Decimal("100.00")
    assert st.totals.pay_cut == Decimal("20.00")
    assert st.totals.reward_amount == Decimal("80.00")
    assert st.totals.rewards == 2
    assert st.duties.due == 7 and st.duties.missed == 2
    everybody = statements.team_statement(world.user("wangjg"), OCT)
    assert "王建国" not in [r.person.name for r in everybody.rows]  # his fine is November's
    nov = statements.team_statement(world.user("wangjg"), dt.date(2026, 11, 1))
    assert [r.person.name for r in nov.rows] == ["王建国"]
    assert nov.totals.fines == Decimal("10.00")


def test_parse_month() -> None:
    assert statements.parse_month("2026-11") == dt.date(2026, 11, 1)
    for bad in ("", "2026", "2026-13", "11-2026", "abcd-ef", "1999-12", "2026-1-1"):
        assert statements.parse_month(bad) is None


# --- scopes ----------------------------------------------------------------------------------


def test_scopes_of_the_people(world: World) -> None:
    def names(key: str) -> set[str]:
        return set(statements.visible_people(world.user(key)).values_list("name", flat=True))

    assert {"王建国", "张伟", "李娜", "刘强"} <= names("wangjg")  # the director: everybody
    assert names("liuqiang") == {"刘强", "张伟", "李娜"}  # the lead: the team
    assert names("chenzq") == set()  # a requester: no penalties to read
    own = custom_role(["duties.view_penalty", "duties.view_reward"], scope="own", code="own")
    world.user("lina").role_assignments.all().delete()
    world.user("lina").role_assignments.create(role=own)
    assert names("lina") == {"李娜"}


def test_page_refuses_and_scopes(world: World) -> None:
    resp = client_for(world.user("chenzq")).get("/duties/statements/")
    assert resp.status_code == 403
    assert AuditRecord.objects.filter(action=AuditAction.DENIED).exists()
    lead = client_for(world.user("liuqiang"))
    resp = lead.get("/duties/statements/", {"month": "2026-10", "person": world.h["wangjg"].pk})
    assert resp.status_code == 400  # not among the choices: the field says so
    assert "person" in resp.context["form"].errors


# --- the page, the print, the workbook, the API ------------------------------------------------


def test_person_page(world: World) -> None:
    c = client_for(world.user("liuqiang"))
    with translation.override("zh-hans"):
        resp = c.get(
            "/duties/statements/",
            {"month": "2026-10", "person": world.h["zhangwei"].pk},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="dr-total-fines">¥130.00' in html
    assert 'id="dr-total-rewards">¥80.00' in html
    assert "未经批准变更配置" in html and "dr-not-counted" in html
    assert "功过不能相抵" in html


def test_default_is_own_statement(world: World) -> None:
    resp = client_for(world.user("zhangwei")).get("/duties/statements/")
    assert resp.status_code == 200
    st = resp.context["person_statement"]
    assert st.person == world.h["zhangwei"]
    assert st.month == timezone.localdate().replace(day=1)


def test_bad_month_names_the_field(world: World) -> None:
    c = client_for(world.user("wangjg"))
    with translation.override("zh-hans"):
        resp = c.get("/duties/statements/", {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    assert "month" in resp.context["form"].errors
    for url in ("/duties/statements/print/", "/duties/statements/export/"):
        assert c.get(url, {"month": "x"}).status_code == 400


def test_team_page_and_print_with_sign_off(world: World) -> None:
    c = client_for(world.user("wangjg"))
    resp = c.get("/duties/statements/", {"month": "2026-10", "team": world.h.ops.pk})
    assert resp.status_code == 200
    assert resp.context["team_statement"].totals.fines == Decimal("130.00")
    resp = c.get("/duties/statements/print/", {"month": "2026-10", "person": world.h["lina"].pk})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="dr-signatures"' in html
    assert 'id="dr-total-fines-open">¥100.00' in html
    assert "人民医院" in html  # the organisation's name heads the sheet


def test_payroll_workbook(world: World) -> None:
    c = client_for(world.user("wangjg"))
    resp = c.get("/duties/statements/export/", {"month": "2026-10", "team": world.h.ops.pk})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    by_name = {r[2]: dict(zip(head, r, strict=True)) for r in rows[1:-1]}
    zhang = by_name["张伟"]
    fines_col, rewards_col = head[6], head[12]
    assert zhang[fines_col] == 130 and zhang[rewards_col] == 80
    total = rows[-1]
    assert total[6] == 130 and total[12] == 80 and total[10] == 100
    penalties = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(penalties) == 1 + 4  # every line, withdrawn ones included
    rewards = list(wb.worksheets[2].iter_rows(values_only=True))
    assert len(rewards) == 1 + 3
    assert AuditRecord.objects.filter(
        action=AuditAction.EXPORT, object_type="duties.statement"
    ).exists()


def test_api_person_and_team(world: World) -> None:
    c = client_for(world.user("liuqiang"))
    resp = c.get(
        "/api/v1/duties/statements/", {"month": "2026-10", "person": world.h["zhangwei"].pk}
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["totals"]["penalties"]["fines"] == "130.00"
    assert data["totals"]["rewards"]["amount"] == "80.00"
    assert [p["in_totals"] for p in data["penalties"]] == [True, False]
    resp = c.get("/api/v1/duties/statements/", {"month": "2026-10", "team": world.h.ops.pk})
    assert resp.status_code == 200
    assert resp.json()["totals"]["penalties"]["not_final_fines"] == "100.00"


def test_api_refusals_and_bad_input(world: World) -> None:
    lead = client_for(world.user("liuqiang"))
    resp = lead.get("/api/v1/duties/statements/", {"person": world.h["wangjg"].pk})
    assert resp.status_code == 404  # outside the team
    with translation.override("zh-hans"):
        resp = lead.get("/api/v1/duties/statements/", {"month": "13-2026"},
                        HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert resp.status_code == 400 and "month" in resp.json()
    resp = lead.get("/api/v1/duties/statements/", {"person": "1e3"})
    assert resp.status_code == 400 and "person" in resp.json()
    resp = client_for(world.user("chenzq")).get("/api/v1/duties/statements/")
    assert resp.status_code == 403
    assert Client().get("/api/v1/duties/statements/").status_code in (401, 403)


def test_person_list_is_short(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the limit the person list offers the chosen team's members or the chosen person;
    anybody visible is still accepted."""
    from netdept.duties import views_reports

    monkeypatch.setattr(views_reports, "MAX_PERSON_OPTIONS", 2)
    c = client_for(world.user("wangjg"))
    resp = c.get("/duties/statements/", {"month": "2026-10", "person": world.h["lina"].pk})
    assert resp.status_code == 200
    options = resp.context["form"].fields["person"].widget.choices
    assert [label for _, label in options[1:]] == [f"李娜 ({world.h['lina'].employee_no})"]
    resp = c.get("/duties/statements/", {"month": "2026-10", "team": world.h.ops.pk})
    options = resp.context["form"].fields["person"].widget.choices
    assert len(options) == 1 + 2  # "everybody" and the first two of the team
