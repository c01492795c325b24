"""Bad input on work orders and their settings: a field error (422 on pages, 400 in the API),
nothing saved, never a 500 — SLA targets beyond any working time, percents, integers the
database cannot hold; and the SLA engine stays up when a stored value is absurd anyway."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from netdept.core.registry import page_for
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    TeamFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workcal.models import CalendarOverride, WorkCalendar
from netdept.workorders import services, sla
from netdept.workorders.models import (
    MAX_SLA_MINUTES,
    EscalationRule,
    SlaPolicy,
    Status,
    WorkOrder,
    WorkRecord,
)
from netdept.workorders.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

HUGE = 20_000_000
INT_OVERFLOW = 2**31  # one more than PostgreSQL's integer holds

SLA_PERMS = [
    "workorders.view_slapolicy",
    "workorders.add_slapolicy",
    "workorders.change_slapolicy",
    "workorders.view_category",
]
RULE_PERMS = [
    "workorders.view_escalationrule",
    "workorders.add_escalationrule",
    "workorders.change_escalationrule",
]


def page_url(model: Any, view: str, obj: Any = None) -> str:
    page = page_for(model)
    assert page is not None
    return reverse(page.url_name(view), args=[obj.pk] if obj is not None else [])


def api_url(model: Any, obj: Any = None) -> str:
    page = page_for(model)
    assert page is not None
    base = f"{page.app_label}-{page.slug}"
    return reverse(f"{base}-detail", args=[obj.pk]) if obj else reverse(f"{base}-list")


def policy_data(**over: Any) -> dict[str, Any]:
    data = {
        "name": "P3 办公网络",
        "priority": "3",
        "kind": "",
        "response_minutes": "60",
        "resolution_minutes": "960",
        "warn_percent": "75",
        "is_active": "on",
    }
    data.update(over)
    return data


# --- SLA targets -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("resolution_minutes", HUGE),
        ("response_minutes", HUGE),
        ("resolution_minutes", MAX_SLA_MINUTES + 1),
        ("resolution_minutes", INT_OVERFLOW),
        ("resolution_minutes", 10**30),
        ("resolution_minutes", 0),
        ("response_minutes", -5),
        ("warn_percent", 101),
        ("warn_percent", 40_000),
    ],
)
def test_sla_policy_page_refuses_out_of_range_values(field: str, value: int) -> None:
    c = ui_client(user_with_perms(SLA_PERMS))
    before = SlaPolicy.objects.count()
    r = c.post(page_url(SlaPolicy, "add"), policy_data(**{field: str(value)}))
    assert r.status_code == 422
    assert field in r.context["form"].errors, r.context["form"].errors
    assert f'data-field="{field}"' in r.content.decode()
    assert SlaPolicy.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("resolution_minutes", HUGE),
        ("response_minutes", HUGE),
        ("resolution_minutes", INT_OVERFLOW),
        ("resolution_minutes", 10**30),
        ("resolution_minutes", 0),
        ("warn_percent", 101),
    ],
)
def test_sla_policy_api_refuses_out_of_range_values(field: str, value: int) -> None:
    c = api_client(user_with_perms(SLA_PERMS))
    before = SlaPolicy.objects.count()
    payload: dict[str, Any] = {
        "name": "P3 办公网络",
        "priority": 3,
        "response_minutes": 60,
        "resolution_minutes": 960,
        "warn_percent": 75,
        field: value,
    }
    r = c.post(api_url(SlaPolicy), payload, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json(), r.json()
    assert SlaPolicy.objects.count() == before


def test_sla_policy_edit_to_a_huge_target_is_refused_and_changes_nothing() -> None:
    policy = SlaPolicy.objects.create(
        name="P2", priority=2, response_minutes=30, resolution_minutes=480
    )
    c = ui_client(user_with_perms(SLA_PERMS))
    r = c.post(
        page_url(SlaPolicy, "edit", policy),
        policy_data(name="P2", priority="2", resolution_minutes=str(HUGE)),
    )
    assert r.status_code == 422
    assert "resolution_minutes" in r.context["form"].errors
    r = api_client(user_with_perms(SLA_PERMS)).patch(
        api_url(SlaPolicy, policy), {"resolution_minutes": HUGE}, format="json"
    )
    assert r.status_code == 400 and "resolution_minutes" in r.json()
    policy.refresh_from_db()
    assert policy.resolution_minutes == 480


def test_the_largest_target_is_accepted_and_orders_open_under_it() -> None:
    c = ui_client(user_with_perms(SLA_PERMS))
    SlaPolicy.objects.all().delete()
    r = c.post(page_url(SlaPolicy, "add"), policy_data(resolution_minutes=str(MAX_SLA_MINUTES)))
    assert r.status_code == 302
    requester = user_with_role("requester", department=DepartmentFactory())
    started = time.monotonic()
    order = services.open_order(requester, {"title": "机房空调", "category": CategoryFactory().pk})
    assert time.monotonic() - started < 5
    assert order.resolution_target_minutes == MAX_SLA_MINUTES
    assert order.resolution_due is not None
    assert order.resolution_due > timezone.now() + dt.timedelta(days=365)


@pytest.mark.parametrize("value", [0, 1001, 40_000, INT_OVERFLOW])
def test_escalation_percent_is_bounded_on_the_page_and_in_the_api(value: int) -> None:
    user = user_with_perms(RULE_PERMS)
    before = EscalationRule.objects.count()
    r = ui_client(user).post(
        page_url(EscalationRule, "add"),
        {"percent": str(value), "target": "director", "is_active": "on"},
    )
    assert r.status_code == 422 and "percent" in r.context["form"].errors
    r = api_client(user).post(
        api_url(EscalationRule), {"percent": value, "target": "director"}, format="json"
    )
    assert r.status_code == 400 and "percent" in r.json(), r.content
    assert EscalationRule.objects.count() == before


# --- a stored value beyond the bounds (written before they existed, or behind their back) ---
@pytest.fixture
def absurd_policy() -> SlaPolicy:
    """Every active policy of P3 has targets of 20,000,000 minutes (a queryset update skips
    validation, as an old database or a hand-made SQL would)."""
    SlaPolicy.objects.all().delete()
    policy = SlaPolicy.objects.create(
        name="P3 absurd", priority=3, response_minutes=60, resolution_minutes=960
    )
    SlaPolicy.objects.filter(pk=policy.pk).update(
        response_minutes=HUGE, resolution_minutes=2**31 - 1
    )
    policy.refresh_from_db()
    return policy


def test_orders_open_and_live_under_a_policy_with_an_enormous_value(
    absurd_policy: SlaPolicy,
) -> None:
    team = TeamFactory()
    category = CategoryFactory(default_team=team)
    requester = user_with_role("requester", department=DepartmentFactory())
    engineer = user_with_role("engineer", team=team)
    started = time.monotonic()

    # through the portal page and the API: an order, not a 500
    r = Client()
    r.force_login(requester)
    resp = r.post(
        reverse("workorders:portal_new"),
        {
            "kind": "fault",
            "category": str(category.pk),
            "description": "无法上网\n整层楼",
            "location": "门诊楼 3 层",
            "contact": "13800138000",
        },
    )
    assert resp.status_code == 302, resp.context["form"].errors
    api = APIClient()
    api.force_login(requester)
    resp = api.post(
        "/api/v1/workorders/orders/", {"title": "打印机", "category": category.pk}, format="json"
    )
    assert resp.status_code == 201, resp.content
    order = WorkOrder.objects.get(pk=resp.json()["id"])
    assert order.sla_policy_id == absurd_policy.pk
    assert order.resolution_due is not None and order.resolution_due > timezone.now()

    # the order's life: accept, wait, resume, priority change, resolve, reopen; the SLA job
    order = services.accept(engineer, order)
    order = services.wait(engineer, order, on="requester", reason="等用户回电")
    order = services.resume(engineer, order)
    order = services.set_priority(engineer, order, priority=2, reason="影响整层")
    order = services.set_priority(engineer, order, priority=3, reason="只有一台")
    order = services.resolve(engineer, order, solution="更换网线")
    order = services.reopen(requester, order, reason="又断了")
    assert order.status in (Status.NEW, Status.IN_PROGRESS)
    sla.check_all(timezone.now() + dt.timedelta(days=400))
    sla.refresh_next_checks()
    assert sla.share(order, timezone.now()) < 1

    # the pages that show it
    staff = Client()
    staff.force_login(engineer)
    assert staff.get(reverse("workorders:desk")).status_code == 200
    assert staff.get(reverse("workorders:order", args=[order.number])).status_code == 200
    assert r.get(reverse("workorders:portal_detail", args=[order.number])).status_code == 200
    assert time.monotonic() - started < 30


def test_an_order_whose_stored_targets_are_absurd_does_not_crash_the_engine() -> None:
    SlaPolicy.objects.all().delete()
    SlaPolicy.objects.create(name="P3", priority=3, response_minutes=60, resolution_minutes=960)
    requester = user_with_role("requester", department=DepartmentFactory())
    order = services.open_order(requester, {"title": "无线", "category": CategoryFactory().pk})
    far = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
    WorkOrder.objects.filter(pk=order.pk).update(
        resolution_target_minutes=2**31 - 1, resolution_due=far, response_due=far
    )
    order.refresh_from_db()
    now = timezone.now()
    assert sla.share(order, now) == 0.0
    sla.reschedule(order)
    sla.check_all(now)
    assert sla.timeline(order) is not None


def test_a_calendar_without_any_working_time_caps_the_due_time() -> None:
    """Every day of the next years overridden to a day off: the due time is "decades away",
    not a 500 and not a hang."""
    cal = WorkCalendar.objects.create(name="停工", working_periods=[["08:30", "08:31"]])
    today = timezone.localdate()
    CalendarOverride.objects.bulk_create(
        CalendarOverride(calendar=cal, date=today + dt.timedelta(days=i), is_working_day=False)
        for i in range(-2, 370)
    )
    SlaPolicy.objects.all().delete()
    SlaPolicy.objects.create(
        name="P3", priority=3, response_minutes=60, resolution_minutes=MAX_SLA_MINUTES, calendar=cal
    )
    requester = user_with_role("requester", department=DepartmentFactory())
    started = time.monotonic()
    order = services.open_order(requester, {"title": "门禁", "category": CategoryFactory().pk})
    assert time.monotonic() - started < 10
    assert order.resolution_due is not None
    assert order.resolution_due > timezone.now() + dt.timedelta(days=365 * 20)


# --- integers the database cannot hold -------------------------------------------------------
@pytest.mark.parametrize("value", [INT_OVERFLOW, 10**20, 0, -1, 1441])
def test_work_record_minutes_out_of_range_is_a_field_error(value: int) -> None:
    team = TeamFactory()
    engineer = user_with_role("engineer", team=team)
    requester = user_with_role("requester", department=DepartmentFactory())
    order = services.open_order(
        requester, {"title": "交换机", "category": CategoryFactory(default_team=team).pk}
    )
    order = services.accept(engineer, order)
    c = ui_client(engineer)
    r = c.post(
        reverse("workorders:action", args=[order.number, "record"]),
        {"description": "排查", "minutes": str(value)},
    )
    assert r.status_code == 422, r.status_code
    api = APIClient()
    api.force_login(engineer)
    r = api.post(
        f"/api/v1/workorders/orders/{order.pk}/records/",
        {"description": "排查", "minutes": value},
        format="json",
    )
    assert r.status_code == 400 and "minutes" in r.json(), r.content
    assert not WorkRecord.objects.filter(order=order).exists()


@pytest.mark.parametrize("value", [str(INT_OVERFLOW), "9" * 30, "-1"])
def test_huge_integers_in_order_forms_and_filters_are_not_500(value: str) -> None:
    team = TeamFactory()
    engineer = user_with_role("engineer", team=team)
    requester = user_with_role("requester", department=DepartmentFactory())
    order = services.open_order(
        requester, {"title": "交换机", "category": CategoryFactory(default_team=team).pk}
    )
    c = ui_client(engineer)
    r = c.post(
        reverse("workorders:action", args=[order.number, "accept"]), {"expected_version": value}
    )
    assert r.status_code in (302, 409, 422), r.status_code
    for params in ({"q": value}, {"team": value}, {"assignee": value}, {"page": value}):
        assert c.get(reverse("workorders:desk"), params).status_code in (200, 404), params
    portal = ui_client(requester)
    r = portal.post(reverse("workorders:portal_rate", args=[order.number]), {"rating": value})
    assert r.status_code in (302, 403, 404, 409, 422), r.status_code
    api = APIClient()
    api.force_login(engineer)
    for params in ({"team": value}, {"priority": value}, {"page": value}, {"page_size": value}):
        r = api.get("/api/v1/workorders/orders/", params)
        assert r.status_code in (200, 400, 404), (params, r.status_code)
    for action, payload in (
        ("accept", {"expected_version": value}),
        ("merge", {"into": value}),
        ("assign", {"team": value}),
        ("transfer", {"team": value, "reason": "x"}),
        ("priority", {"priority": value}),
    ):
        r = api.post(f"/api/v1/workorders/orders/{order.pk}/{action}/", payload, format="json")
        assert r.status_code in (200, 400, 409), (action, r.status_code, r.content[:300])
    r = c.post(reverse("workorders:bulk_assign"), {"ids": [value], "team": str(team.pk)})
    assert r.status_code in (302, 400, 422), r.status_code
    order.refresh_from_db()
    assert order.version >= 1


@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31")]
)
def test_report_periods_at_the_ends_of_the_calendar_are_field_errors(start: str, end: str) -> None:
    c = ui_client(user_with_role("director", department=DepartmentFactory()))
    for name in ("workorders:reports_home", "workorders:reports_export"):
        r = c.get(reverse(name), {"period": "custom", "start": start, "end": end, "format": "xlsx"})
        assert r.status_code == 400, (name, r.status_code)
        assert "start" in r.context["form"].errors and "end" in r.context["form"].errors
    assert c.get(reverse("workorders:reports_monthly"), {"month": "9999-12"}).status_code == 400


@pytest.mark.parametrize(("text", "escaped"), [("a\x00b", "a\\u0000b"), ("a\ud800b", "a\\ud800b")])
def test_text_no_database_can_store_is_a_field_error(text: str, escaped: str) -> None:
    """NUL and lone surrogates (valid JSON escapes) are refused by field, through the service
    and the API; other control characters are kept as typed."""
    category = CategoryFactory()
    requester = user_with_role("requester", department=DepartmentFactory())
    with pytest.raises(ValidationError) as exc:
        services.open_order(requester, {"title": text, "category": category.pk})
    assert "title" in exc.value.message_dict
    api = APIClient()
    api.force_login(requester)
    body = f'{{"title": "{escaped}", "category": {category.pk}}}'
    r = api.post("/api/v1/workorders/orders/", body, content_type="application/json")
    assert r.status_code == 400 and "title" in r.json(), r.content
    assert not WorkOrder.objects.exists()
    order = services.open_order(requester, {"title": "a\x1bb\x07", "category": category.pk})
    assert order.title == "a\x1bb\x07"
