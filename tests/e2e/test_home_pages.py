"""Each role's home page, in Chinese, with its own work on it (one page load per role).

A small department: 信息科 with two teams, a nurse of 门诊部 who files orders, orders in every
SLA situation over the last week, ratings, and audit records of privileged actions. Each role
signs in (the session cookie is set directly: the sign-in form has its own tests) and opens
the home page once; the test checks that its widgets show its work and nothing of the others'.
The requester's page is read at phone width (390 px) and must not scroll sideways.

Screenshots: ``<artifacts>/screenshots/test_home_page_of_each_role_<role>_-home.png`` (the
ones in ``docs/images/home-<role>.png``, role with a hyphen, are copies).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.org.models import RoleAssignment
from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory, user_with_role
from netdept.workcal.schedule import default_calendar
from netdept.workorders.models import Status, WaitingOn, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory, WorkOrderFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def named(user: Any, name: str) -> Any:
    user.person.name = name
    user.person.save()
    return user


def department() -> dict[str, Any]:
    """The people and orders every role's page is read against."""
    now = timezone.now()
    net = DepartmentFactory(name="信息科", kind="network")
    ops = TeamFactory(name="网络运维组", department=net)
    dev = TeamFactory(name="系统开发组", department=net)
    served = DepartmentFactory(name="门诊部")
    default_calendar()  # the working calendar the administrator keeps (its holidays)
    u = {
        "requester": named(user_with_role("requester", department=served), "张敏"),
        "engineer": named(user_with_role("engineer", team=ops), "李明"),
        "team_lead": named(user_with_role("team_lead", team=ops), "刘强"),
        "director": named(user_with_role("director", department=net), "王建国"),
        "auditor": named(user_with_role("auditor", department=net), "冯丽"),
        "sysadmin": named(user_with_role("sysadmin", department=net), "周涛"),
        "secadmin": named(user_with_role("secadmin", department=net), "吴静"),
    }
    ops.lead = u["team_lead"].person
    ops.save()
    colleague = PersonFactory(name="王芳", department=net, team=ops)
    dev.lead = PersonFactory(name="陈静", department=net, team=dev)
    dev.save()
    network = CategoryFactory(name="网络故障", default_team=ops)
    pc = CategoryFactory(name="电脑故障", default_team=ops)
    CategoryFactory(name="软件开发", default_team=dev)
    nurse = u["requester"].person
    eng = u["engineer"].person
    orders: dict[str, WorkOrder] = {}

    def add(key: str, title: str, age: dt.timedelta, **kw: Any) -> None:
        kw.setdefault("category", network)
        kw.setdefault("requester", nurse)
        order = WorkOrderFactory(title=title, **kw)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=now - age)
        orders[key] = order

    running = {"status": Status.IN_PROGRESS, "responded_at": now - 3 * HOUR}
    # the director's case: a P1 breached that nobody holds
    add("p1", "门诊楼 3 层无线网络全部断开", 5 * HOUR, priority=1,
        response_due=now - 4 * HOUR, resolution_due=now - HOUR, requester=PersonFactory(
            name="赵主任", department=served))  # fmt: skip
    add("p2", "急诊科交换机端口故障", 2 * DAY, priority=2, assignee=colleague,
        resolution_due=now - 2 * HOUR, **running)  # fmt: skip
    add("soon", "护士站电脑蓝屏", 4 * HOUR, category=pc, priority=3, assignee=eng,
        resolution_due=now + 40 * dt.timedelta(minutes=1), **running)  # fmt: skip
    add("mine", "收费处打印机无法打印", 1 * DAY, category=pc, priority=3, assignee=eng,
        resolution_due=now + DAY, **running)  # fmt: skip
    add("late", "药房扫码枪连不上电脑", 3 * DAY, category=pc, priority=2, assignee=eng,
        resolution_due=now - 3 * HOUR, **running)  # fmt: skip
    add("reply", "HIS 登录缓慢", 2 * DAY, status=Status.WAITING, assignee=eng,
        waiting_on=WaitingOn.REQUESTER, responded_at=now - DAY, paused_at=now - 5 * HOUR,
        resolution_due=now + DAY)  # fmt: skip
    add("confirm", "门诊 2 诊室网口松动", 2 * DAY, status=Status.RESOLVED, assignee=colleague,
        responded_at=now - 2 * DAY, resolved_at=now - 3 * HOUR, resolution_due=now + DAY,
        solution="更换了网口面板。")  # fmt: skip
    add("rate", "自助机触摸屏失灵", 4 * DAY, status=Status.CLOSED, assignee=eng,
        responded_at=now - 4 * DAY, resolved_at=now - 2 * DAY, closed_at=now - DAY,
        resolution_due=now - DAY)  # fmt: skip
    add("new", "申请开通 VPN 账号", 30 * dt.timedelta(minutes=1), category=pc,
        response_due=now + 2 * HOUR, resolution_due=now + 2 * DAY)  # fmt: skip
    for i, stars in enumerate((5, 5, 4, 3, 5, 4)):
        add(f"rated{i}", f"已处理的报修 {i + 1}", (i + 1) * DAY, assignee=colleague,
            status=Status.CLOSED, responded_at=now - (i + 1) * DAY + HOUR,
            resolved_at=now - i * DAY - 2 * HOUR, closed_at=now - i * DAY - HOUR,
            resolution_due=now - i * DAY - (HOUR if i != 3 else 3 * HOUR), rating=stars,
            rated_at=now - i * DAY - HOUR, requester=PersonFactory(department=served))  # fmt: skip
    # the auditor's: a role granted, failed sign-ins, a locked account
    grant = RoleAssignment.objects.get(user=u["engineer"])
    audit.record(AuditAction.CREATE, grant, actor=u["secadmin"])
    for _ in range(3):
        audit.record(AuditAction.LOGIN_FAILED, None, object_repr="admin", actor=None)
    audit.record(AuditAction.LOCKOUT, u["engineer"], actor=None)
    audit.record(AuditAction.UPDATE, orders["mine"], actor=u["engineer"])
    return {"users": u, "orders": orders}


def open_home(browser_page: Any, server: str, user: Any) -> None:
    """Sign ``user`` in by their session cookie and open the home page (one page load)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": server}]
    )
    browser_page.goto(f"{server}/")
    expect(browser_page.locator("#nd-user-menu")).to_be_visible()
    assert browser_page.evaluate("document.documentElement.lang") == "zh-hans"


ROLES = ["requester", "engineer", "team_lead", "director", "auditor", "sysadmin"]


@pytest.mark.parametrize("role", ROLES)
def test_home_page_of_each_role(role: str, request: pytest.FixtureRequest, server: str) -> None:
    world = department()
    user, orders = world["users"][role], world["orders"]
    page = request.getfixturevalue("phone_page" if role == "requester" else "page")
    open_home(page, server, user)
    widgets = page.locator("[data-widget]")
    keys = set(widgets.evaluate_all("els => els.map(e => e.dataset.widget)"))
    main = page.locator("#main")

    if role == "requester":
        assert keys == {"workorders_requests"}
        box = page.locator("#home-workorders_requests")
        expect(box.locator("[data-todo=reply]")).to_contain_text("HIS 登录缓慢")
        expect(box.locator("[data-todo=confirm]")).to_contain_text("门诊 2 诊室网口松动")
        expect(box.locator("[data-todo=rate]")).to_contain_text("自助机触摸屏失灵")
        expect(box).to_contain_text("等待您处理")
        expect(box.locator(".nd-home-open")).to_contain_text("收费处打印机无法打印")
        expect(page.locator("#home-wo-new")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    elif role == "engineer":
        assert {"workorders_queue", "recent"} <= keys and "lists" not in keys
        box = page.locator("#home-workorders_queue")
        expect(box.locator("[data-tile=mine] .nd-tile-count")).to_have_text("4")
        expect(box.locator("[data-tile=breaching] .nd-tile-count")).to_have_text("1")
        expect(box.locator("[data-tile=breached] .nd-tile-count")).to_have_text("1")
        first = box.locator(".nd-home-orders li").first
        expect(first).to_contain_text(orders["late"].number)  # breached first
        expect(first).to_contain_text("已超时")
        expect(main).not_to_contain_text("分类")  # no settings cards
    elif role == "team_lead":
        assert {"workorders_team", "lists"} <= keys
        assert "workorders_queue" not in keys  # holds nothing themselves: the team says it all
        box = page.locator("#home-workorders_team")
        expect(box.locator("[data-tile=breached] .nd-tile-count")).to_have_text("3")
        expect(box.locator(".nd-team-load")).to_contain_text("李明")
        expect(box.locator(".nd-team-load")).to_contain_text("王芳")
        expect(box).to_contain_text("门诊楼 3 层无线网络全部断开")
        expect(box.locator(".nd-home-orders")).to_contain_text("无人")
    elif role == "director":
        assert {"workorders_service", "lists"} <= keys
        box = page.locator("#home-workorders_service")
        expect(box.locator("[data-figure=received]")).to_contain_text("15")
        expect(box.locator("[data-figure=sla]")).to_contain_text("%")
        expect(box.locator("[data-figure=satisfaction]")).to_contain_text("4.3")
        expect(box.locator("svg[role=img] rect")).to_have_count(14)
        urgent = box.locator(".nd-home-orders")
        expect(urgent).to_contain_text("门诊楼 3 层无线网络全部断开")
        expect(urgent.locator("li").first).to_contain_text("无人")
        expect(urgent).to_contain_text("王芳")
    elif role == "auditor":
        assert "privileged_actions" in keys and not [k for k in keys if "workorders" in k]
        box = page.locator("#home-privileged_actions")
        expect(box).to_contain_text("吴静")  # by name, not login
        expect(box).to_contain_text("角色分配")
        expect(box.locator('a[href$="action=login_failed"] .nd-tile-count')).to_have_text("3")
        expect(box).not_to_contain_text(orders["mine"].number)
    elif role == "sysadmin":
        assert {"setup", "lists"} <= keys and not [k for k in keys if "workorders" in k]
        expect(page.locator("[data-setup=no-channel]")).to_contain_text("通知渠道")
        expect(page.locator("#home-lists")).to_contain_text("人员")
        expect(main).not_to_contain_text("审计")
    page.shot("home")
