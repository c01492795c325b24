"""The reports API: my report (drafted when first asked), write and submit, the reviewer's
actions, 待我审阅, a drafting run started and polled; bad input a 400 naming the field, a
lost race a 409, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netdept.testing.clients import api_client
from netdept.testing.factories import user_with_role
from netdept.worklog.models import DraftRun, LogStatus, Report
from netdept.worklog.services import reports as services
from netdept.worklog.tests.factories_reports import MONDAY, TeamWorld, make_log, make_report

pytestmark = pytest.mark.django_db
S = LogStatus
BASE = "/api/v1/worklog/reports/"


@pytest.fixture
def world() -> TeamWorld:
    return TeamWorld()


@pytest.fixture(autouse=True)
def _open_week(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "today", lambda: MONDAY + dt.timedelta(days=4))


def test_mine_write_submit_return_resubmit(world: TeamWorld) -> None:
    make_log(world.person, MONDAY, ["巡检核心交换机"])
    c = api_client(world.user)
    r = c.post(BASE + "mine/", {"kind": "weekly", "day": "2026-11-18"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period_start"] == "2026-11-16" and "巡检核心交换机" in body["done"]
    assert body["allowed_actions"] == ["submit"] and body["closes_on"] == "2026-11-27"
    pk = body["id"]
    again = c.post(BASE + "mine/", {"kind": "weekly", "day": "2026-11-20"}, format="json")
    assert again.json()["id"] == pk
    r = c.post(f"{BASE}{pk}/write/", {"next_plan": "升级 VPN", "expected_version": 1},
               format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["next_plan"] == "升级 VPN"
    stale = c.post(f"{BASE}{pk}/write/", {"done": "x", "expected_version": 1}, format="json")
    assert stale.status_code == 409
    r = c.post(f"{BASE}{pk}/write/", {"submit": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    lead = api_client(world.lead_user)
    queue = lead.get(BASE + "to-review/").json()
    assert [row["id"] for row in queue["results"]] == [pk]
    bad = lead.post(f"{BASE}{pk}/return_for_changes/", {"comment": ""}, format="json")
    assert bad.status_code == 400 and "comment" in bad.json()
    r = lead.post(f"{BASE}{pk}/return_for_changes/", {"comment": "补充工单数量"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert c.post(f"{BASE}{pk}/submit/", {}, format="json").json()["status"] == "submitted"
    assert lead.post(f"{BASE}{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    r = c.post(f"{BASE}{pk}/submit/", {}, format="json")
    assert r.status_code == 400  # an accepted report is final


def test_a_closed_period_is_a_400_naming_the_reason(world: TeamWorld) -> None:
    report = make_report(world.person, day=MONDAY - dt.timedelta(days=28), done="巡检")
    c = api_client(world.user)
    r = c.post(f"{BASE}{report.pk}/write/", {"submit": True}, format="json",
               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert r.status_code == 400
    assert "closed" in str(r.json()) or "截止" in str(r.json())
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_others_may_not_write_or_review(world: TeamWorld) -> None:
    report = make_report(world.person, done="巡检", status=S.SUBMITTED, reviewer=world.lead)
    colleague = api_client(world.other_user)
    assert (
        colleague.post(f"{BASE}{report.pk}/write/", {"done": "x"}, format="json").status_code == 403
    )
    assert colleague.post(f"{BASE}{report.pk}/accept/", {}, format="json").status_code == 403
    outsider = api_client(user_with_role("engineer"))
    assert outsider.get(f"{BASE}{report.pk}/").status_code == 404
    assert (
        api_client(world.user).post(f"{BASE}{report.pk}/accept/", {}, format="json").status_code
        == 403
    )


def test_draft_run_started_and_polled(world: TeamWorld) -> None:
    c = api_client(world.lead_user)
    r = c.post("/api/v1/worklog/reports/draft-all/", {"kind": "weekly", "day": "2026-11-18"},
               format="json")  # fmt: skip
    assert r.status_code == 202, r.content
    run = DraftRun.objects.get(pk=r.json()["id"])
    assert run.period_start == MONDAY
    bad = c.post("/api/v1/worklog/reports/draft-all/", {"kind": "yearly"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    e = api_client(world.user)
    assert (
        e.post("/api/v1/worklog/reports/draft-all/", {"kind": "weekly"}, format="json").status_code
        == 403
    )


PAYLOAD = st.dictionaries(
    st.sampled_from(["done", "in_progress", "problems", "next_plan", "submit",
                     "expected_version", "kind", "day"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.text(max_size=30),
              st.lists(st.integers(), max_size=3)),
    max_size=5,
)  # fmt: skip


def test_fuzz_never_a_500(world: TeamWorld) -> None:
    """Whatever is posted to write / mine: an answer below 500, nothing half-saved."""
    report = make_report(world.person, done="巡检")
    c = api_client(world.user)

    @settings(max_examples=30, deadline=None)
    @given(payload=PAYLOAD)
    def post(payload: dict[str, object]) -> None:
        before = Report.objects.get(pk=report.pk).version
        r1 = c.post(f"{BASE}{report.pk}/write/", payload, format="json")
        assert r1.status_code < 500
        if r1.status_code >= 400:
            assert Report.objects.get(pk=report.pk).version == before  # nothing saved
        assert c.post(BASE + "mine/", payload, format="json").status_code < 500

    post()
