"""The daily log's API: draft-or-get today's log, write it (text, entries), re-draft, submit,
the lead's accept / return, to review; same permissions as the pages; bad input a 400 naming
the field, never a 500, nothing half-saved; a lost race a 409. Fuzzed with hypothesis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netdept.testing.clients import api_client
from netdept.testing.factories import UserFactory
from netdept.worklog.models.logs import DailyLog, LogEntry, LogStatus
from netdept.worklog.services import logs
from netdept.worklog.tests.factories_logs import team3
from netdept.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
S = LogStatus
BASE = "/api/v1/worklog/logs/"


@pytest.fixture
def t() -> Any:
    return team3()


def test_today_is_draft_or_get(t: Any) -> None:
    start, _end = logs.day_bounds(logs.today())
    order = WorkOrderFactory.create(assignee=t.alice, resolved_at=start + dt.timedelta(hours=9))
    c = api_client(t.alice_user)
    r = c.post(f"{BASE}today/", {}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft" and body["day"] == logs.today().isoformat()
    assert [e["record_id"] for e in body["entries"]] == [str(order.pk)]
    assert body["entries"][0]["source"] == "workorders.resolved"
    assert "submit" in body["allowed_actions"]
    again = c.post(f"{BASE}today/", {}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert LogEntry.objects.filter(log_id=body["id"]).count() == 1
    r = c.post(f"{BASE}today/", {"day": "2999-01-01"}, format="json")
    assert r.status_code == 400 and "day" in r.json()
    r = c.post(f"{BASE}today/", {"day": "not a date"}, format="json")
    assert r.status_code == 400 and "day" in r.json()


def test_write_submit_return_resubmit_accept(t: Any) -> None:
    c = api_client(t.alice_user)
    log_id = c.post(f"{BASE}today/", {}, format="json").json()["id"]
    r = c.post(f"{BASE}{log_id}/submit/", {}, format="json")
    assert r.status_code == 400 and "summary" in r.json()  # nothing written yet
    r = c.post(f"{BASE}{log_id}/entries/", {"text": "核心交换机巡检", "minutes": 30}, format="json")
    assert r.status_code == 201 and r.json()["minutes"] == 30
    entry_id = r.json()["entries"][0]["id"]
    r = c.post(
        f"{BASE}{log_id}/entries/{entry_id}/", {"minutes": 45, "state": "problem"}, format="json"
    )
    assert r.status_code == 200 and r.json()["entries"][0]["state"] == "problem"
    r = c.post(f"{BASE}{log_id}/text/", {"summary": "巡检", "plan": "升级"}, format="json")
    assert r.status_code == 200 and r.json()["plan"] == "升级"
    version = r.json()["version"]
    r = c.post(f"{BASE}{log_id}/submit/", {"expected_version": version}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted"
    lead = api_client(t.lead_user)
    todo = lead.get(f"{BASE}to-review/").json()
    assert [row["id"] for row in todo["results"]] == [log_id]
    r = lead.post(f"{BASE}{log_id}/return_for_changes/", {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    r = lead.post(f"{BASE}{log_id}/return_for_changes/", {"comment": "补充原因"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    r = c.post(f"{BASE}{log_id}/submit/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = lead.post(f"{BASE}{log_id}/accept/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = c.post(f"{BASE}{log_id}/entries/", {"text": "晚了"}, format="json")
    assert r.status_code == 400 and "status" in r.json()


def test_permissions_match_the_pages(t: Any) -> None:
    log_id = api_client(t.alice_user).post(f"{BASE}today/", {}, format="json").json()["id"]
    bob = api_client(t.bob.user)
    r = bob.post(f"{BASE}{log_id}/entries/", {"text": "冒名"}, format="json")
    assert r.status_code == 403
    assert bob.post(f"{BASE}{log_id}/submit/", {}, format="json").status_code == 403
    lead = api_client(t.lead_user)
    assert lead.post(f"{BASE}{log_id}/text/", {"summary": "x"}, format="json").status_code == 403
    stranger = api_client(UserFactory.create())
    assert stranger.get(f"{BASE}{log_id}/").status_code == 403
    assert stranger.post(f"{BASE}today/", {}, format="json").status_code == 403
    assert not LogEntry.objects.filter(log_id=log_id).exists()
    # the generated write endpoints do not exist: logs change through their actions only
    assert api_client(t.alice_user).delete(f"{BASE}{log_id}/").status_code == 405


def test_remove_entries_and_a_stale_version(t: Any) -> None:
    c = api_client(t.alice_user)
    log_id = c.post(f"{BASE}today/", {}, format="json").json()["id"]
    body = c.post(f"{BASE}{log_id}/entries/", {"text": "a", "minutes": 5}, format="json").json()
    entry_id = body["entries"][0]["id"]
    stale = body["version"] - 1
    r = c.post(f"{BASE}{log_id}/text/", {"summary": "x", "expected_version": stale}, format="json")
    assert r.status_code == 409
    r = c.post(f"{BASE}{log_id}/entries/{entry_id}/remove/", {}, format="json")
    assert r.status_code == 200 and r.json()["entries"] == [] and r.json()["minutes"] == 0
    assert c.post(f"{BASE}{log_id}/entries/{entry_id}/remove/").status_code == 404
    other = DailyLog.objects.create(person=t.bob, day=logs.today())
    foreign = LogEntry.objects.create(log=other, text="bob's")
    assert c.post(f"{BASE}{log_id}/entries/{foreign.pk}/remove/").status_code == 404


def test_redraft_adds_what_is_new(t: Any) -> None:
    c = api_client(t.alice_user)
    log_id = c.post(f"{BASE}today/", {}, format="json").json()["id"]
    start, _end = logs.day_bounds(logs.today())
    WorkOrderFactory.create(assignee=t.alice, resolved_at=start + dt.timedelta(hours=9))
    r = c.post(f"{BASE}{log_id}/redraft/", {}, format="json")
    assert r.status_code == 200 and len(r.json()["entries"]) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    payload=st.dictionaries(
        st.sampled_from(["text", "minutes", "state", "expected_version", "summary", "day"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(10**12), 10**12),
            st.text(max_size=1200),
            st.lists(st.integers(), max_size=3),
        ),
        max_size=5,
    ),
    endpoint=st.sampled_from(
        ["entries/", "text/", "redraft/", "submit/", "entries/1/", "entries/1/remove/"]
    ),
)
def test_fuzz_never_a_500(t: Any, payload: dict[str, Any], endpoint: str) -> None:
    c = api_client(t.alice_user)
    log_id = c.post(f"{BASE}today/", {}, format="json").json()["id"]
    before = LogEntry.objects.filter(log_id=log_id).count()
    r = c.post(f"{BASE}{log_id}/{endpoint}", payload, format="json")
    assert r.status_code < 500, (payload, r.content)
    if r.status_code >= 400:
        assert LogEntry.objects.filter(log_id=log_id).count() == before
    r = c.post(f"{BASE}today/", payload, format="json")
    assert r.status_code < 500, (payload, r.content)
