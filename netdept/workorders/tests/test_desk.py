"""The engineer's desk and the staff order page, through the Django test client."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org.models import Person, Team
from netdept.testing.crud import csv_rows, ui_client, xlsx_rows
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_perms,
    user_with_role,
)
from netdept.workorders import services, views_desk
from netdept.workorders.models import (
    Comment,
    SavedFilter,
    Status,
    WorkOrder,
    WorkRecord,
)
from netdept.workorders.tests.factories import (
    AttachmentFactory,
    CategoryFactory,
    CommentFactory,
    PNG_1x1,
    WorkOrderFactory,
    png_upload,
)

pytestmark = pytest.mark.django_db

DESK = "/workorders/"


@dataclass
class World:
    net: Any
    team_a: Team
    team_b: Team
    engineer: Any  # a user of team A
    colleague: Any  # 张伟, also of team A
    lead: Any  # leads team A
    other_engineer: Any  # of team B
    director: Any
    requester: Any  # of the served department
    served: Any
    outsider: Any  # a requester of another department
    cat_a: Any
    cat_b: Any

    def person(self, user: Any) -> Person:
        return user.person  # type: ignore[no-any-return]


@pytest.fixture
def w() -> World:
    net = DepartmentFactory(name="网络部")
    team_a = TeamFactory(department=net, name="运维组")
    team_b = TeamFactory(department=net, name="安全组")
    engineer = user_with_role("engineer", team=team_a)
    colleague = user_with_role(
        "engineer", person=PersonFactory(name="张伟", department=net, team=team_a)
    )
    lead = user_with_role("team_lead", department=net)
    team_a.lead = lead.person
    team_a.save()
    other_engineer = user_with_role("engineer", team=team_b)
    director = user_with_role("director", department=net)
    served = DepartmentFactory(name="门诊部")
    requester = user_with_role("requester", department=served)
    outsider = user_with_role("requester", department=DepartmentFactory(name="财务科"))
    return World(
        net,
        team_a,
        team_b,
        engineer,
        colleague,
        lead,
        other_engineer,
        director,
        requester,
        served,
        outsider,
        CategoryFactory(default_team=team_a),
        CategoryFactory(default_team=team_b),
    )


def order(w: World, **kwargs: Any) -> WorkOrder:
    kwargs.setdefault("category", w.cat_a)
    kwargs.setdefault("requester", w.person(w.requester))
    return WorkOrderFactory(**kwargs)


def numbers(response: Any) -> set[str]:
    return {o.number for o, _due in response.context["rows"]}


def get_desk(user: Any, **params: Any) -> Any:
    r = ui_client(user).get(DESK, params)
    assert r.status_code == 200, r.status_code
    return r


# --- queues -----------------------------------------------------------------------------------
def test_queues_of_an_engineer(w: World) -> None:
    mine = order(w, assignee=w.person(w.engineer))
    colleagues = order(w, assignee=w.person(w.colleague))
    unassigned = order(w)
    other_team = order(w, category=w.cat_b)
    other_unassigned_closed = order(w, status=Status.CLOSED)

    assert numbers(get_desk(w.engineer)) == {mine.number}  # "my orders" is the default
    assert numbers(get_desk(w.engineer, queue="mine")) == {mine.number}
    assert numbers(get_desk(w.engineer, queue="team")) == {
        mine.number,
        colleagues.number,
        unassigned.number,
        other_unassigned_closed.number,
    }
    assert numbers(get_desk(w.engineer, queue="unassigned")) == {unassigned.number}
    seen = numbers(get_desk(w.engineer, queue="all"))
    assert other_team.number not in seen and mine.number in seen


def test_queues_of_a_team_lead_and_the_director(w: World) -> None:
    a = order(w, assignee=w.person(w.engineer))
    a_free = order(w)
    b_free = order(w, category=w.cat_b)
    assert numbers(get_desk(w.lead, queue="team")) == {a.number, a_free.number}
    assert numbers(get_desk(w.lead, queue="unassigned")) == {a_free.number}
    assert numbers(get_desk(w.lead, queue="mine")) == set()
    assert numbers(get_desk(w.director, queue="unassigned")) == {a_free.number, b_free.number}
    assert numbers(get_desk(w.director, queue="all")) == {a.number, a_free.number, b_free.number}
    # the director is in no team: "my team's" is empty, not everything
    assert numbers(get_desk(w.director, queue="team")) == set()


def test_about_to_breach_and_breached(w: World) -> None:
    now = timezone.now()
    soon = order(w, status=Status.IN_PROGRESS, resolution_due=now + datetime.timedelta(minutes=30))
    warned = order(
        w,
        status=Status.ACCEPTED,
        resolution_due=now + datetime.timedelta(hours=20),
        escalation_percent=75,
    )
    later = order(w, status=Status.IN_PROGRESS, resolution_due=now + datetime.timedelta(days=2))
    late = order(w, status=Status.IN_PROGRESS, resolution_due=now - datetime.timedelta(hours=1))
    flagged = order(
        w,
        status=Status.IN_PROGRESS,
        resolution_due=now + datetime.timedelta(hours=1),
        response_breached=True,
    )
    paused = order(
        w,
        status=Status.WAITING,
        paused_at=now - datetime.timedelta(hours=3),
        resolution_due=now - datetime.timedelta(hours=1),
    )
    resolved = order(w, status=Status.RESOLVED, resolution_due=now + datetime.timedelta(minutes=5))

    breaching = numbers(get_desk(w.engineer, queue="breaching"))
    assert {soon.number, warned.number} <= breaching
    assert not {later.number, late.number, paused.number, resolved.number} & breaching
    breached = numbers(get_desk(w.engineer, queue="breached"))
    assert breached == {late.number, flagged.number}

    r = get_desk(w.engineer, queue="breached")
    assert "overdue by" in r.content.decode() or "超时" in r.content.decode()


def test_a_requester_is_refused_the_desk(w: World) -> None:
    o = order(w)
    c = ui_client(w.requester)
    for url in (
        DESK,
        reverse("workorders:export") + "?format=csv",
        reverse("workorders:order", args=[o.number]),
        reverse("workorders:action", args=[o.number, "accept"]),
        reverse("workorders:new"),
    ):
        assert c.get(url).status_code == 403, url
    assert AuditRecord.objects.filter(
        action=AuditAction.DENIED,
        actor=w.requester,
        extra__permission="workorders.change_workorder",
    ).exists()
    assert c.post(reverse("workorders:bulk_assign"), {"ids": [o.pk]}).status_code == 403
    assert Client().get(DESK).status_code == 302  # anonymous: to the login page


# --- filters, sorting, paging -----------------------------------------------------------------
def test_the_desk_search_matches_what_the_global_search_found(w: World) -> None:
    """ "Show all" of the global search lands on the desk with ``q``: the same words match the
    same orders there (title, requester's name, start of the number; every word)."""
    caller = PersonFactory(department=w.served, name="欧阳娜娜")
    by_name = order(w, requester=caller, title="打印机卡纸")
    other = order(w, title="打印机没有墨")
    eng = w.engineer
    assert numbers(get_desk(eng, queue="all", q="欧阳")) == {by_name.number}
    assert numbers(get_desk(eng, queue="all", q="打印机 欧阳")) == {by_name.number}
    assert numbers(get_desk(eng, queue="all", q="打印机")) == {by_name.number, other.number}
    assert numbers(get_desk(eng, queue="all", q=str(other.pk))) == {other.number}
    assert numbers(get_desk(eng, queue="all", q="%")) == set()


def test_filters(w: World) -> None:
    p1 = order(w, priority=1, title="核心交换机宕机", is_major=True)
    p3 = order(w, priority=3, title="打印机连不上", status=Status.ACCEPTED)
    dept_other = order(w, requester=PersonFactory(department=w.net))
    eng = w.engineer
    assert numbers(get_desk(eng, queue="all", priority=1)) == {p1.number}
    assert numbers(get_desk(eng, queue="all", status="accepted")) == {p3.number}
    assert numbers(get_desk(eng, queue="all", q="交换机")) == {p1.number}
    assert numbers(get_desk(eng, queue="all", q=p3.number)) == {p3.number}
    assert numbers(get_desk(eng, queue="all", major="true")) == {p1.number}
    assert numbers(get_desk(eng, queue="all", department=w.served.pk)) == {p1.number, p3.number}
    assert dept_other.number in numbers(get_desk(eng, queue="all", team=w.team_a.pk))
    assert numbers(get_desk(eng, queue="all", category=w.cat_b.pk)) == set()
    # sorting
    r = get_desk(eng, queue="all", sort="priority")
    assert r.context["rows"][0][0].number == p1.number
    r = get_desk(eng, queue="all", sort="-priority")
    assert r.context["rows"][-1][0].number == p1.number
    # nonsense is refused quietly (field errors, never a 500)
    r = get_desk(eng, queue="nope", sort="password", team="abc", page="x", priority="9")
    assert r.context["queue"] == "mine"
    assert r.context["filterset"].errors


def test_paging_never_counts_past_the_cap(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(7):
        order(w)
    monkeypatch.setattr(views_desk, "PER_PAGE", 2)
    monkeypatch.setattr(views_desk, "COUNT_CAP", 5)
    # the desk's pages come from the generic paginator (netdept.core.paginate)
    page = get_desk(w.engineer, queue="team").context["page_obj"]
    assert page.capped and page.count == 5 and page.has_next
    html = get_desk(w.engineer, queue="team").content.decode()
    assert "1–2 / 5+" in html
    assert '<span class="page-link">1</span>' in html  # no page total past the cap
    page = get_desk(w.engineer, queue="team", page=4).context["page_obj"]
    assert len(page.rows) == 1 and not page.has_next and page.has_previous
    monkeypatch.undo()
    r = get_desk(w.engineer, queue="team")
    assert len(r.context["rows"]) == 25 or len(r.context["rows"]) == 7
    assert "1–7 / 7" in r.content.decode(), r.content.decode().split('id="wo-count"')[1][:200]


# --- saved filters ----------------------------------------------------------------------------
def test_saved_filters(w: World) -> None:
    c = ui_client(w.engineer)
    r = c.post(
        reverse("workorders:filter_save"),
        {"name": "我的P1", "query": "queue=team&priority=1&page=3"},
    )
    assert r.status_code == 302
    saved = SavedFilter.objects.get(user=w.engineer, name="我的P1")
    assert saved.query == "queue=team&priority=1"
    r = c.get(DESK)
    assert (
        "我的P1" in r.content.decode() and 'href="?queue=team&amp;priority=1"' in r.content.decode()
    )
    # the same name again replaces the query
    c.post(reverse("workorders:filter_save"), {"name": "我的P1", "query": "queue=all"})
    assert SavedFilter.objects.get(pk=saved.pk).query == "queue=all"
    # bad input: a clear message, nothing saved
    r = c.post(reverse("workorders:filter_save"), {"name": "", "query": "x=1"}, follow=True)
    assert SavedFilter.objects.filter(user=w.engineer).count() == 1
    assert r.status_code == 200
    # someone else's filter is not there for you
    other = ui_client(w.colleague)
    assert other.post(reverse("workorders:filter_delete", args=[saved.pk])).status_code == 404
    assert "我的P1" not in other.get(DESK).content.decode()
    assert c.post(reverse("workorders:filter_delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


# --- bulk assign ------------------------------------------------------------------------------
def test_bulk_assign(w: World) -> None:
    a, b = order(w), order(w)
    hidden = order(w, category=w.cat_b)
    c = ui_client(w.lead)
    r = c.post(
        reverse("workorders:bulk_assign"),
        {
            "ids": [a.pk, b.pk, hidden.pk],
            "team": w.team_a.pk,
            "assignee": w.person(w.colleague).pk,
            "next": "/workorders/?queue=unassigned",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/workorders/?queue=unassigned"
    assert set(
        WorkOrder.objects.filter(assignee=w.person(w.colleague)).values_list("pk", flat=True)
    ) == {a.pk, b.pk}
    hidden.refresh_from_db()
    assert hidden.assignee_id is None
    # nothing chosen: a message, no change
    r = c.post(reverse("workorders:bulk_assign"), {"ids": [a.pk]}, follow=True)
    assert r.status_code == 200
    assert list(r.context["messages"])
    # an open redirect is not followed
    r = c.post(
        reverse("workorders:bulk_assign"),
        {"ids": [a.pk], "team": w.team_a.pk, "next": "https://evil.example/"},
    )
    assert r["Location"] == DESK


# --- export -----------------------------------------------------------------------------------
def test_export_is_filtered_and_audited(w: World) -> None:
    p1 = order(w, priority=1, assignee=w.person(w.engineer))
    p3 = order(w, priority=3, assignee=w.person(w.engineer))
    c = ui_client(w.engineer)
    r = c.get(reverse("workorders:export"), {"queue": "mine", "priority": 1, "format": "csv"})
    assert r.status_code == 200
    rows = csv_rows(r.content)
    assert {row[0] for row in rows[1:]} == {p1.number}
    rec = AuditRecord.objects.filter(action=AuditAction.EXPORT, actor=w.engineer).latest("seq")
    assert rec.object_type == "workorders.workorder"
    assert rec.extra["rows"] == 1 and rec.extra["format"] == "csv"
    assert rec.extra["filters"]["priority"] == "1"
    r = c.get(reverse("workorders:export"), {"queue": "mine", "format": "xlsx"})
    assert {row[0] for row in xlsx_rows(r.content)[1:]} == {p1.number, p3.number}
    assert c.get(reverse("workorders:export"), {"format": "pdf"}).status_code == 404


# --- query counts -----------------------------------------------------------------------------
def _desk_queries(user: Any) -> int:
    c = ui_client(user)
    c.get(DESK, {"queue": "all"})  # warm the session and the permission cache
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(DESK, {"queue": "all"})
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_desk_queries_do_not_grow_with_rows(w: World) -> None:
    for _ in range(5):
        order(w, assignee=w.person(w.engineer))
    few = _desk_queries(w.engineer)
    for _ in range(25):
        order(w, assignee=w.person(w.colleague), category=CategoryFactory(default_team=w.team_a))
    many = _desk_queries(w.engineer)
    assert many <= few + 1, (few, many)  # +1: with more than one page the (capped) count runs


# --- the order page ---------------------------------------------------------------------------
def test_order_page(w: World) -> None:
    o = order(w, assignee=w.person(w.engineer), is_major=True, major_report="核心故障")
    CommentFactory(order=o, body="请尽快处理", internal=False)
    CommentFactory(order=o, body="疑似光模块故障", internal=True)
    c = ui_client(w.director)
    r = c.get(reverse("workorders:order", args=[o.number]))
    assert r.status_code == 200
    html = r.content.decode()
    assert o.number in html and o.title in html
    assert "请尽快处理" in html and "疑似光模块故障" in html and "wo-note" in html
    assert 'data-action="accept"' in html
    # by primary key too
    assert c.get(f"/workorders/{o.pk}/").status_code == 200
    # without the permission internal notes stay hidden
    plain = user_with_perms(["workorders.view_workorder", "workorders.change_workorder"], "all")
    html = ui_client(plain).get(reverse("workorders:order", args=[o.number])).content.decode()
    assert "请尽快处理" in html and "疑似光模块故障" not in html
    # an order of another team is not there for an engineer
    other = order(w, category=w.cat_b)
    assert (
        ui_client(w.engineer).get(reverse("workorders:order", args=[other.number])).status_code
        == 404
    )
    assert ui_client(w.engineer).get("/workorders/WO-nope/").status_code == 404
    # history (audit) tab
    services.accept(w.engineer, o)
    r = ui_client(w.engineer).get(reverse("workorders:order_history", args=[o.number]))
    assert r.status_code == 200
    assert "nd-history-entry" in r.content.decode()


def test_the_auditor_reads_an_order_but_changes_nothing(w: World) -> None:
    auditor = user_with_role("auditor", department=w.net)
    o = order(w, assignee=w.person(w.engineer))
    CommentFactory(order=o, body="请尽快处理", internal=False)
    CommentFactory(order=o, body="疑似光模块故障", internal=True)
    att = AttachmentFactory(order=o, name="说明.txt")
    services.accept(w.engineer, o)
    o.refresh_from_db()
    assert services.allowed_actions(auditor, o) == set()
    c = ui_client(auditor)
    r = c.get(reverse("workorders:order", args=[o.number]))
    assert r.status_code == 200
    html = r.content.decode()
    assert o.title in html and "请尽快处理" in html and "疑似光模块故障" in html
    assert r.context["buttons"] == [] and r.context["inline"] == []
    assert "data-action=" not in html and 'id="wo-btn-' not in html
    assert f'href="{reverse("workorders:desk")}"' not in html  # the desk stays staff-only
    # the history tab and the attachments
    r = c.get(reverse("workorders:order_history", args=[o.number]))
    assert r.status_code == 200 and "nd-history-entry" in r.content.decode()
    r = c.get(reverse("workorders:attachment", args=[att.token]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"hello"
    # every action is refused, and nothing changes
    before = (o.version, o.status, o.assignee_id, o.comments.count(), o.attachments.count())
    for action, data in (
        ("start", {}),
        ("close", {"reason": "审计"}),
        ("comment", {"body": "审计意见"}),
        ("note", {"body": "审计备注"}),
        ("assign", {"team": w.team_b.pk}),
    ):
        assert _post(auditor, o, action, data).status_code == 403, action
    assert c.get(reverse("workorders:action", args=[o.number, "start"])).status_code == 403
    o.refresh_from_db()
    after = (o.version, o.status, o.assignee_id, o.comments.count(), o.attachments.count())
    assert after == before
    assert AuditRecord.objects.filter(
        action=AuditAction.DENIED, actor=auditor, extra__permission="workorders.change_workorder"
    ).exists()
    # an auditor of the requester's own department: still no (desk) buttons
    local = user_with_role("auditor", department=w.served)
    assert "comment" in services.allowed_actions(local, o)  # the requester's side
    r = ui_client(local).get(reverse("workorders:order", args=[o.number]))
    assert r.status_code == 200 and 'id="wo-btn-' not in r.content.decode()
    # the director reads it too, with the buttons of someone who may act
    r = ui_client(w.director).get(reverse("workorders:order", args=[o.number]))
    assert r.status_code == 200 and 'data-action="start"' in r.content.decode()
    assert (
        ui_client(w.director).get(reverse("workorders:order_history", args=[o.number])).status_code
        == 200
    )


def test_a_requester_stays_on_the_portal(w: World) -> None:
    o = order(w)  # filed by the requester: visible to them
    assert services.visible_orders(w.requester).filter(pk=o.pk).exists()
    c = ui_client(w.requester)
    for url in (
        reverse("workorders:order", args=[o.number]),
        reverse("workorders:order_history", args=[o.number]),
    ):
        assert c.get(url).status_code == 403, url
    assert AuditRecord.objects.filter(
        action=AuditAction.DENIED,
        actor=w.requester,
        extra__permission="workorders.change_workorder",
        extra__or="workorders.view_internal_comment",
    ).exists()
    assert c.get(reverse("workorders:portal_detail", args=[o.number])).status_code == 200
    # a user holding neither view right gets no page at all
    nobody = user_with_perms(["workorders.change_workorder"], "all")
    assert ui_client(nobody).get(reverse("workorders:order", args=[o.number])).status_code == 403


def approve_report(director: Any, o: WorkOrder) -> None:
    """The director approves the order's pending major-incident report."""
    from netdept.approvals import services as approvals
    from netdept.approvals.models import DecisionStatus
    from netdept.workorders.services import approval

    request = approval.report_request(o)
    assert request is not None
    approvals.approve(director, request.decisions.get(status=DecisionStatus.PENDING))


def _post(
    user: Any, o: WorkOrder, action: str, data: dict[str, Any] | None = None, **kw: Any
) -> Any:
    o.refresh_from_db()
    payload = {"expected_version": o.version, **(data or {})}
    return ui_client(user).post(
        reverse("workorders:action", args=[o.number, action]), payload, **kw
    )


def test_every_action_form(w: World) -> None:
    eng = w.engineer
    o = order(w)
    c = ui_client(eng)
    for action in ("accept", "assign", "transfer", "wait", "resolve", "merge", "priority", "note"):
        url = reverse("workorders:action", args=[o.number, action])
        assert c.get(url).status_code == 200
        r = c.get(url, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and b"<html" not in r.content
    assert c.get(reverse("workorders:action", args=[o.number, "explode"])).status_code == 404

    r = _post(eng, o, "accept")
    assert r.status_code == 302 and r["Location"] == f"/workorders/{o.number}/"
    o.refresh_from_db()
    assert o.status == Status.ACCEPTED and o.assignee_id == w.person(eng).pk

    assert _post(eng, o, "start").status_code == 302
    r = _post(eng, o, "wait", {"on": "vendor", "reason": "等待厂商备件"})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.status == Status.WAITING and o.waiting_on == "vendor"
    assert _post(eng, o, "resume").status_code == 302
    r = _post(eng, o, "record", {"description": "更换光模块", "minutes": 45})
    assert r.status_code == 302
    assert WorkRecord.objects.filter(order=o, minutes=45).exists()
    assert _post(eng, o, "comment", {"body": "已更换，请确认"}).status_code == 302
    assert _post(eng, o, "note", {"body": "旧模块返厂"}).status_code == 302
    assert Comment.objects.filter(order=o, internal=True, body="旧模块返厂").exists()
    assert Comment.objects.filter(order=o, internal=False, body="已更换，请确认").exists()
    r = _post(eng, o, "priority", {"impact": 1, "urgency": 1, "priority": "", "reason": ""})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.priority == services.matrix_priority(1, 1)
    r = _post(eng, o, "priority", {"impact": 1, "urgency": 1, "priority": 4, "reason": "领导交办"})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.priority == 4
    r = _post(eng, o, "major", {"is_major": "on", "report": ""})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.is_major
    # a major incident needs the report before it is resolved
    r = _post(eng, o, "resolve", {"solution": "更换光模块"})
    assert r.status_code == 422
    o.refresh_from_db()
    assert o.status == Status.IN_PROGRESS
    assert _post(eng, o, "major", {"is_major": "on", "report": "光模块老化"}).status_code == 302
    # the report awaits the director's approval (issue 11), then the order is resolved
    assert _post(eng, o, "resolve", {"solution": "更换光模块"}).status_code == 422
    approve_report(w.director, o)
    assert _post(eng, o, "resolve", {"solution": "更换光模块"}).status_code == 302
    o.refresh_from_db()
    assert o.status == Status.RESOLVED
    page = ui_client(eng).get(reverse("workorders:order", args=[o.number])).content.decode()
    assert 'id="wo-solution"' in page and "更换光模块" in page  # the solution is on the page
    assert _post(eng, o, "reopen", {"reason": "又断了"}).status_code == 302
    o.refresh_from_db()
    assert o.status not in (Status.RESOLVED, Status.CLOSED) and o.reopen_count == 1
    assert _post(eng, o, "close", {"reason": "用户撤销"}).status_code == 302
    o.refresh_from_db()
    assert o.status == Status.CLOSED


def test_assign_transfer_merge_attach(w: World) -> None:
    lead = w.lead
    o = order(w)
    r = _post(lead, o, "assign", {"team": w.team_a.pk, "assignee": w.person(w.colleague).pk})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.assignee_id == w.person(w.colleague).pk
    # field-level errors
    r = _post(lead, o, "transfer", {"team": w.team_b.pk, "reason": ""})
    assert r.status_code == 422
    assert r.context["form"].errors["reason"]
    r = _post(lead, o, "wait", {"on": "moon", "reason": "x"})
    assert r.status_code == 422 and r.context["form"].errors["on"]
    r = _post(lead, o, "merge", {"into": "WO-NOPE"})
    assert r.status_code == 422 and r.context["form"].errors["into"]
    # HTMX: errors come back as the form partial, success as HX-Redirect
    r = _post(lead, o, "transfer", {"team": w.team_b.pk, "reason": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"invalid-feedback" in r.content and b"<html" not in r.content
    r = _post(lead, o, "comment", {"body": "收到"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == f"/workorders/{o.number}/"
    # attach a photo, then see it on the page
    url = reverse("workorders:action", args=[o.number, "attach"])
    r = ui_client(lead).post(url, {"file": png_upload("现场.png")})
    assert r.status_code == 302
    att = o.attachments.get()
    html = ui_client(lead).get(reverse("workorders:order", args=[o.number])).content.decode()
    assert reverse("workorders:attachment", args=[att.token]) + "?inline=1" in html
    # a file type not allowed: the field says why
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = ui_client(lead).post(url, {"file": bad})
    assert r.status_code == 422 and r.context["form"].errors["file"]
    # merge into another order
    target = order(w)
    r = _post(lead, o, "merge", {"into": target.number})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    o.refresh_from_db()
    assert o.merged_into_id == target.pk
    # transfer with a reason
    other = order(w)
    assert (
        _post(lead, other, "transfer", {"team": w.team_b.pk, "reason": "安全问题"}).status_code
        == 302
    )
    other.refresh_from_db()
    assert other.team_id == w.team_b.pk


def test_conflict_is_shown_clearly(w: World) -> None:
    o = order(w)
    stale = o.version
    services.accept(w.colleague, o)  # 张伟 was faster
    r = ui_client(w.engineer).post(
        reverse("workorders:action", args=[o.number, "accept"]), {"expected_version": stale}
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "张伟" in html and "wo-conflict" in html
    o.refresh_from_db()
    assert o.assignee_id == w.person(w.colleague).pk


# --- attachments ------------------------------------------------------------------------------
def test_attachment_download_permission(w: World) -> None:
    o = order(w)
    att = AttachmentFactory(order=o, name="说明.txt")
    img = AttachmentFactory(
        order=o,
        name="photo.png",
        content_type="image/png",
        file=__import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(
            PNG_1x1, name="photo.png"
        ),
        size=len(PNG_1x1),
    )
    url = reverse("workorders:attachment", args=[att.token])
    for user in (w.engineer, w.requester, w.director):
        r = ui_client(user).get(url)
        assert r.status_code == 200, user
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Disposition"].startswith("attachment")
        assert b"".join(r.streaming_content) == b"hello"
    for user in (w.outsider, w.other_engineer):
        assert ui_client(user).get(url).status_code == 404
    assert ui_client(w.engineer).get("/workorders/attachment/nope/").status_code == 404
    # images inline on request; anything else stays a download
    r = ui_client(w.engineer).get(reverse("workorders:attachment", args=[img.token]), {"inline": 1})
    assert r["Content-Disposition"].startswith("inline") and r["Content-Type"] == "image/png"
    r = ui_client(w.engineer).get(url, {"inline": 1})
    assert r["Content-Disposition"].startswith("attachment")
    assert r["Content-Type"] == "application/octet-stream"


# --- the phone desk ---------------------------------------------------------------------------
def test_file_for_a_caller(w: World) -> None:
    caller = w.person(w.requester)
    c = ui_client(w.engineer)
    assert c.get(reverse("workorders:new")).status_code == 200
    data = {
        "requester": caller.pk,
        "kind": "fault",
        "category": w.cat_a.pk,
        "title": "门诊三楼网络中断",
        "description": "整层无法上网",
        "location": "门诊楼3楼",
        "contact": "8123",
        "impact": 1,
        "urgency": 2,
        "source": "phone",
    }
    r = c.post(reverse("workorders:new"), {**data, "attachments": [png_upload()]})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    o = WorkOrder.objects.get(title="门诊三楼网络中断")
    assert r["Location"] == f"/workorders/{o.number}/"
    assert o.requester_id == caller.pk and o.requester_department_id == w.served.pk
    assert o.source == "phone" and o.created_by_id == w.engineer.pk
    assert o.attachments.count() == 1
    # missing fields: field errors, nothing saved
    r = c.post(reverse("workorders:new"), {**data, "title": "", "requester": ""})
    assert r.status_code == 422
    assert set(r.context["form"].errors) >= {"title", "requester"}
    assert WorkOrder.objects.count() == 1


def test_navigation(w: World) -> None:
    html = ui_client(w.engineer).get("/").content.decode()
    assert 'href="/workorders/"' in html
    # categories are configuration: engineers use them but do not manage them (issue 8)
    assert 'href="/workorders/category/"' not in html
    html = ui_client(w.requester).get("/").content.decode()
    assert 'href="/workorders/"' not in html
