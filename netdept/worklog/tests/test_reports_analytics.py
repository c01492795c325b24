"""The working rhythm's report per person / team / period: daily logs on time, reports,
tasks done, meeting attendance, leave days — the page (charts' data, Chinese), the Excel
export and the API, each within the reader's scope; bad parameters named, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from netdept.duties.reports import Period
from netdept.testing.clients import api_client, denials, ui_client, xlsx_rows
from netdept.testing.factories import PersonFactory, user_with_role
from netdept.worklog import analytics
from netdept.worklog.models import LogStatus, Task
from netdept.worklog.tests.factories_meetings import AttendeeFactory, MeetingFactory
from netdept.worklog.tests.factories_reports import MONDAY, TeamWorld, aware, make_log, make_report

pytestmark = pytest.mark.django_db
NOVEMBER = Period.days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
QUERY = "?period=custom&start=2026-11-01&end=2026-11-30"


@pytest.fixture
def world() -> TeamWorld:
    w = TeamWorld()
    make_log(w.person, MONDAY, ["巡检"])  # submitted 18:00 that day: on time
    late = make_log(w.person, MONDAY + dt.timedelta(days=1), ["巡检"])
    late.submitted_at = aware(MONDAY + dt.timedelta(days=2), 9)
    late.save()
    make_log(w.person, MONDAY + dt.timedelta(days=2), ["草稿"], submitted=False)
    make_report(
        w.person, status=LogStatus.SUBMITTED, submitted_at=aware(MONDAY + dt.timedelta(days=6))
    )
    Task.objects.create(
        title="核心交换机升级", owner=w.person, department=w.department, team=w.team,
        due_on=MONDAY, status="done", done_at=aware(MONDAY + dt.timedelta(days=3)),
    )  # fmt: skip
    m = MeetingFactory.create(department=w.department, starts_at=aware(MONDAY, 9),
                              ends_at=aware(MONDAY, 10))  # fmt: skip
    AttendeeFactory.create(meeting=m, person=w.person, attendance="present")
    AttendeeFactory.create(meeting=m, person=w.other, attendance="absent")
    return w


def test_figures(world: TeamWorld) -> None:
    f = analytics.build(world.lead_user, NOVEMBER)
    assert f.working_days == 21  # November 2026: 21 working days, no holiday
    rows = {r.key: r for r in f.people}
    me = rows[world.person.pk]
    assert (me.logs_expected, me.logs_submitted, me.logs_on_time) == (21, 2, 1)
    assert (me.reports, me.tasks_done, me.present, me.absent) == (1, 1, 1, 0)
    assert me.attendance_rate == 1.0 and rows[world.other.pk].attendance_rate == 0.0
    assert len(f.teams) == 1 and f.teams[0].logs_submitted == 2 and f.total.absent == 1
    assert f.total.present == 1


def test_scope(world: TeamWorld) -> None:
    PersonFactory.create(department=world.department)  # no team: the department's
    assert {r.key for r in analytics.build(world.user, NOVEMBER).people} == {
        world.person.pk, world.other.pk, world.lead.pk,
    }  # an engineer reads their team (team scope)  # fmt: skip
    director = user_with_role("director", department=world.department)
    assert len(analytics.build(director, NOVEMBER).people) >= 5
    requester = user_with_role("requester")
    assert not analytics.may_read(requester)


def test_page_export_and_api(world: TeamWorld) -> None:
    c = ui_client(world.lead_user)
    r = c.get(reverse("worklog:analytics") + QUERY)
    html = r.content.decode()
    assert r.status_code == 200 and 'id="wa-data"' in html and world.person.name in html
    assert "按时" in html  # Chinese
    x = c.get(reverse("worklog:analytics_export") + QUERY)
    rows = xlsx_rows(x.content)
    assert x.status_code == 200 and any(row[1] == world.person.name for row in rows)
    bad = c.get(reverse("worklog:analytics") + "?period=custom&start=2026-11-30&end=2026-11-01")
    assert bad.status_code == 400 and 'data-field="end"' in bad.content.decode()
    a = api_client(world.lead_user).get("/api/v1/worklog/analytics/" + QUERY)
    assert a.status_code == 200
    body = a.json()
    assert body["working_days"] == 21
    assert any(p["id"] == world.person.pk and p["logs_on_time"] == 1 for p in body["people"])
    assert (
        api_client(world.lead_user)
        .get("/api/v1/worklog/analytics/?period=custom&start=x")
        .status_code
        == 400
    )
    outsider = user_with_role("requester")
    assert ui_client(outsider).get(reverse("worklog:analytics")).status_code == 403
    assert api_client(outsider).get("/api/v1/worklog/analytics/").status_code == 403
    assert denials(outsider).count() == 2


def test_this_month_by_default(world: TeamWorld) -> None:
    r = ui_client(world.lead_user).get(reverse("worklog:analytics"))
    assert r.status_code == 200
    assert timezone.localdate().strftime("%Y-%m") in r.content.decode()


def test_logs_are_expected_only_up_to_today(world: TeamWorld) -> None:
    """A period that is not over expects the logs of its working days up to today, not of the
    days still to come (the month's on-time rate is not dragged down by tomorrow)."""
    today = timezone.localdate()
    period = Period.days(today.replace(day=1), today + dt.timedelta(days=40))
    f = analytics.build(world.lead_user, period)
    me = {r.key: r for r in f.people}[world.person.pk]
    from netdept.workcal.schedule import WorkSchedule, default_calendar

    schedule = WorkSchedule(default_calendar())
    due = [d for d in period.dates() if d <= today and schedule.is_working_day(d)]
    assert f.working_days > len(due)
    assert me.logs_expected == len(due)
