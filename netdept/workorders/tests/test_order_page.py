"""The staff order page is the generic detail view with tabs: its class, each tab by its URL,
who may read which tab, internal notes, and the buttons of the state machine per role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import resolve, reverse

from netdept.core import permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.views.generic import HistoryView, ObjectDetailView, TabView
from netdept.testing.crud import ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    TeamFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workorders import services
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import WorkOrder
from netdept.workorders.tests.factories import (
    AttachmentFactory,
    CategoryFactory,
    CommentFactory,
    WorkOrderFactory,
    WorkRecordFactory,
)
from netdept.workorders.views_order import OrderHistoryView, OrderTabView, OrderView

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'data-action="([a-z_]+)"')
PUBLIC = "请尽快处理"
NOTE = "疑似光模块故障"


@dataclass
class World:
    engineer: Any  # of team A, the orders' assignee
    lead: Any  # leads team A
    other_engineer: Any  # of team B
    director: Any
    auditor: Any
    requester: Any
    cat_a: Any
    cat_b: Any

    def order(self, **kwargs: Any) -> WorkOrder:
        kwargs.setdefault("category", self.cat_a)
        kwargs.setdefault("requester", self.requester.person)
        kwargs.setdefault("assignee", self.engineer.person)
        order: WorkOrder = WorkOrderFactory(**kwargs)
        return order


@pytest.fixture
def w() -> World:
    net = DepartmentFactory(name="网络部")
    team_a = TeamFactory(department=net, name="运维组")
    team_b = TeamFactory(department=net, name="安全组")
    engineer = user_with_role("engineer", team=team_a)
    lead = user_with_role("team_lead", department=net)
    team_a.lead = lead.person
    team_a.save()
    served = DepartmentFactory(name="门诊部")
    return World(
        engineer=engineer,
        lead=lead,
        other_engineer=user_with_role("engineer", team=team_b),
        director=user_with_role("director", department=net),
        auditor=user_with_role("auditor", department=net),
        requester=user_with_role("requester", department=served),
        cat_a=CategoryFactory(default_team=team_a),
        cat_b=CategoryFactory(default_team=team_b),
    )


def page_url(order: WorkOrder) -> str:
    return reverse("workorders:order", args=[order.number])


def tab_url(order: WorkOrder, key: str) -> str:
    return reverse("workorders:order_tab", args=[order.number, key])


def full(w: World) -> WorkOrder:
    """An order with a comment, an internal note, a work record, a file, a merged order and
    some history."""
    o = w.order(title="核心交换机掉线")
    CommentFactory(order=o, body=PUBLIC, internal=False)
    CommentFactory(order=o, body=NOTE, internal=True)
    WorkRecordFactory(order=o, person=w.engineer.person, description="更换光模块")
    AttachmentFactory(order=o, name="现场.txt")
    services.accept(w.engineer, o)
    dup = w.order(title="三楼断网")
    services.merge(w.lead, dup, into=o)
    o.refresh_from_db()
    return o


# --- the class -----------------------------------------------------------------------------------
def test_the_order_page_is_the_generic_detail_view(w: World) -> None:
    o = w.order()
    match = resolve(page_url(o))
    assert match.url_name == "order"
    assert issubclass(match.func.view_class, ObjectDetailView)  # type: ignore[attr-defined]
    assert match.func.view_class is OrderView  # type: ignore[attr-defined]
    assert issubclass(OrderTabView, TabView) and issubclass(OrderHistoryView, HistoryView)
    assert resolve(tab_url(o, "records")).func.view_class is OrderTabView  # type: ignore[attr-defined]
    history = reverse("workorders:order_history", args=[o.number])
    assert resolve(history).func.view_class is OrderHistoryView  # type: ignore[attr-defined]
    action = reverse("workorders:action", args=[o.number, "accept"])
    assert action == f"/workorders/{o.number}/do/accept/"
    r = ui_client(w.director).get(page_url(o))
    assert r.status_code == 200
    assert r.context["obj"] == o and r.context["order"] == o


# --- the tabs ------------------------------------------------------------------------------------
def test_each_tab_loads_by_its_url_and_shows_its_content(w: World) -> None:
    o = full(w)
    dup = WorkOrder.objects.get(merged_into=o)
    c = ui_client(w.director)
    r = c.get(page_url(o))
    assert r.status_code == 200
    tabs = {t.key: t for t in r.context["tabs"]}
    assert list(tabs) == ["conversation", "records", "attachments", "sla", "merged", "history"]
    assert {k: t.url for k, t in tabs.items()} == {k: tab_url(o, k) for k in tabs}
    assert tabs["conversation"].active and r.context["active_tab"] == "conversation"
    assert tabs["conversation"].badge == 2 and tabs["records"].badge == 1
    assert tabs["attachments"].badge == 1 and tabs["merged"].badge == 1
    html = r.content.decode()
    # the order's sections are drawn with the page; history loads when opened
    for text in (PUBLIC, NOTE, "更换光模块", "现场.txt", "wo-timeline", dup.number):
        assert text in html, text
    assert f'hx-get="{tab_url(o, "history")}"' in html
    expected = {
        "conversation": [PUBLIC, NOTE, "wo-note"],
        "records": ["更换光模块", "wo-record"],
        "attachments": ["现场.txt", "wo-file"],
        "sla": ["wo-timeline"],
        "merged": [dup.number, dup.title],
        "history": ["nd-history-entry"],
    }
    for key, texts in expected.items():
        r = c.get(tab_url(o, key), HTTP_HX_REQUEST="true")
        assert r.status_code == 200, key
        body = r.content.decode()
        assert "<html" not in body, key
        for text in texts:
            assert text in body, (key, text)
    # by the order's id too, and ?tab= opens a tab
    assert c.get(reverse("workorders:order_tab", args=[o.pk, "records"])).status_code == 200
    r = c.get(page_url(o), {"tab": "history"})
    assert r.context["active_tab"] == "history" and "nd-history-entry" in r.content.decode()
    # an unknown tab is a 404
    assert c.get(tab_url(o, "nope")).status_code == 404


def test_merged_tab_only_for_an_order_others_were_merged_into(w: World) -> None:
    o = w.order()
    r = ui_client(w.director).get(page_url(o))
    assert "merged" not in [t.key for t in r.context["tabs"]]
    r = ui_client(w.director).get(tab_url(o, "merged"))
    assert r.status_code == 200 and "wo-merged" in r.content.decode()


def test_a_tab_of_an_order_the_user_may_not_see_is_a_404(w: World) -> None:
    o = full(w)
    other = w.order(category=w.cat_b, assignee=None)
    c = ui_client(w.engineer)
    assert c.get(tab_url(o, "records")).status_code == 200
    for key in ("conversation", "records", "attachments", "sla", "history", "merged"):
        assert c.get(tab_url(other, key)).status_code == 404, key
    assert ui_client(w.other_engineer).get(tab_url(o, "records")).status_code == 404
    assert ui_client(w.other_engineer).get(page_url(o)).status_code == 404
    assert c.get("/workorders/WO-nope/tab/records/").status_code == 404


def test_requesters_follow_orders_on_the_portal_not_here(w: World) -> None:
    """A requester never reaches the staff page or its tabs, even for an order of their own
    (403, audited): internal notes stay on the staff side."""
    o = full(w)
    assert services.visible_orders(w.requester).filter(pk=o.pk).exists()
    c = ui_client(w.requester)
    assert c.get(page_url(o)).status_code == 403
    for key in ("conversation", "records", "attachments", "sla", "history"):
        r = c.get(tab_url(o, key))
        assert r.status_code == 403, key
        assert NOTE.encode() not in r.content
    assert AuditRecord.objects.filter(action=AuditAction.DENIED, actor=w.requester).exists()
    # the portal shows the public comment, never the internal note
    portal = c.get(reverse("workorders:portal_detail", args=[o.number]))
    assert portal.status_code == 200
    assert PUBLIC in portal.content.decode() and NOTE not in portal.content.decode()


def test_internal_notes_need_their_permission(w: World) -> None:
    o = full(w)
    plain = user_with_perms(["workorders.view_workorder", "workorders.change_workorder"], "all")
    c = ui_client(plain)
    r = c.get(page_url(o))
    assert r.status_code == 200
    assert PUBLIC in r.content.decode() and NOTE not in r.content.decode()
    assert next(t for t in r.context["tabs"] if t.key == "conversation").badge == 1
    body = c.get(tab_url(o, "conversation")).content.decode()
    assert PUBLIC in body and NOTE not in body
    # the auditor reads them
    body = ui_client(w.auditor).get(tab_url(o, "conversation")).content.decode()
    assert NOTE in body


def test_history_tab_needs_its_permission(w: World) -> None:
    o = full(w)
    plain = user_with_perms(["workorders.view_workorder", "workorders.change_workorder"], "all")
    assert not permissions.has_perm(plain, "core.view_history")
    c = ui_client(plain)
    r = c.get(page_url(o))
    assert "history" not in [t.key for t in r.context["tabs"]]
    assert 'id="tab-history' not in r.content.decode()
    assert c.get(tab_url(o, "history")).status_code == 403
    assert c.get(reverse("workorders:order_history", args=[o.number])).status_code == 403
    assert AuditRecord.objects.filter(
        action=AuditAction.DENIED, actor=plain, extra__permission="core.view_history"
    ).exists()


# --- the buttons are the machine's --------------------------------------------------------------
def _states(w: World) -> list[WorkOrder]:
    new = w.order()
    accepted = w.order()
    services.accept(w.engineer, accepted)
    waiting = w.order()
    services.accept(w.engineer, waiting)
    services.wait(w.engineer, waiting, on="vendor", reason="等备件")
    resolved = w.order()
    services.accept(w.engineer, resolved)
    services.resolve(w.engineer, resolved, solution="好了")
    closed = w.order()
    services.accept(w.engineer, closed)
    services.close(w.engineer, closed, reason="重复")
    orders = [new, accepted, waiting, resolved, closed]
    for o in orders:
        o.refresh_from_db()
    return orders


def test_buttons_equal_the_machines_allowed_actions_per_role(w: World) -> None:
    for order in _states(w):
        for user in (w.engineer, w.lead, w.director, w.auditor):
            r = ui_client(user).get(page_url(order))
            assert r.status_code == 200, (order.status, user)
            shown = set(BUTTON.findall(r.content.decode()))
            offered = {t.name for t in r.context["transitions"]}
            if user is w.auditor:
                assert shown == offered == set()
            else:
                allowed = set(WORKORDER_MACHINE.allowed(order, user))
                assert shown == offered == allowed, (order.status, user)
            buttons = [name for name, _t in r.context["buttons"]]
            inline = [name for name, _t in r.context["inline"]]
            assert set(buttons) | set(inline) == offered
            for name in buttons:
                url = reverse("workorders:action", args=[order.number, name])
                assert f'hx-get="{url}"' in r.content.decode()
