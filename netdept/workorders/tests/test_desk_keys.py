"""The desk a new engineer meets (issue 10): counts on the queue tabs (bounded, one query, the
same rows as the queue), the response deadline of the orders not accepted yet, "全部" as the
empty choice of every filter, the keys (help dialog, accept and assign through the order's own
actions) and the table drawn alone after a key's action."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from netdept.accounts.models import UserProfile
from netdept.testing.crud import ui_client
from netdept.workorders import services, views_desk
from netdept.workorders.filtersets import (
    QUEUE_COUNT_CAP,
    QUEUE_KEYS,
    capped_counts,
    queue_counts,
)
from netdept.workorders.models import Priority, Status, WorkOrder
from netdept.workorders.tests import test_desk
from netdept.workorders.tests.test_desk import DESK, World, get_desk, numbers, order

pytestmark = pytest.mark.django_db

#: the desk's world (teams A and B, engineers, lead, director, requesters): test_desk's fixture
w = test_desk.w

HTMX_TABLE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "desk-table"}


def tab_counts(response: Any) -> dict[str, int]:
    return {tab.key: tab.count for tab in response.context["queues"]}


def html_of(response: Any) -> str:
    return str(response.content.decode())


def row_of(html: str, number: str) -> str:
    """The ``<tr>`` of order ``number`` on the desk."""
    at = html.index(f'data-number="{number}"')
    start = html.rindex("<tr ", 0, at)
    return html[start : html.index("</tr>", at)]


# --- counts on the queue tabs -----------------------------------------------------------------
def busy_desk(w: World) -> dict[str, WorkOrder]:
    now = timezone.now()
    me = w.person(w.engineer)
    return {
        "mine": order(w, assignee=me, status=Status.ACCEPTED, responded_at=now),
        "mine_p1": order(w, assignee=me, priority=Priority.P1, status=Status.IN_PROGRESS),
        "colleague": order(w, assignee=w.person(w.colleague), status=Status.ACCEPTED),
        "new": order(w, response_due=now + datetime.timedelta(minutes=20)),
        "late": order(
            w,
            status=Status.IN_PROGRESS,
            assignee=me,
            resolution_due=now - datetime.timedelta(hours=1),
        ),
        "soon": order(
            w, status=Status.IN_PROGRESS, resolution_due=now + datetime.timedelta(minutes=30)
        ),
        "other_team": order(w, category=w.cat_b),
        "closed": order(w, status=Status.CLOSED),
    }


def test_each_tab_counts_the_rows_of_its_queue(w: World) -> None:
    busy_desk(w)
    for user in (w.engineer, w.lead, w.director, w.other_engineer):
        counts = tab_counts(get_desk(user))
        for key in QUEUE_KEYS:
            assert counts[key] == len(numbers(get_desk(user, queue=key))), (user, key)
    counts = tab_counts(get_desk(w.engineer))
    assert counts["mine"] == 3 and counts["breached"] == 1 and counts["breaching"] == 1
    assert tab_counts(get_desk(w.director))["team"] == 0  # in no team: none, not everything


def test_the_tabs_count_with_the_filters_and_keep_them(w: World) -> None:
    busy_desk(w)
    r = get_desk(w.engineer, queue="team", priority="1")
    assert tab_counts(r) == {
        "mine": 1,
        "team": 1,
        "unassigned": 0,
        "breaching": 0,
        "breached": 0,
        "all": 1,
        "approval": 0,
    }
    html = html_of(r)
    # each tab keeps the filters, and shows its count
    assert 'href="?queue=breached&amp;priority=1" id="wo-queue-breached"' in html
    assert 'id="wo-queue-mine" data-queue="mine" data-key="1"' in html
    assert re.search(r'wo-queue-count[^"]*" data-count="1">1<', html)
    # a filter value of the wrong type: its field error, the other filters and the counts hold
    r = get_desk(w.engineer, queue="team", priority="1", team="abc")
    assert tab_counts(r)["all"] == 1
    assert r.context["filterset"].form.errors["team"]


def test_counts_are_capped_and_read_in_one_bounded_query(w: World) -> None:
    busy_desk(w)
    user = w.engineer
    qs = services.visible_orders(user)
    with CaptureQueriesContext(connection) as ctx:
        counts = queue_counts(qs, user, timezone.now(), cap=2)
    sql = [q["sql"] for q in ctx.captured_queries if "COUNT" in q["sql"]]
    assert len(sql) == 1, sql
    assert sql[0].count("LIMIT 3") == len(QUEUE_KEYS)  # every count stops after cap + 1 rows
    assert counts["mine"] == 3 and counts["all"] == 3  # "2+": more than the cap
    tab = views_desk.QueueTab("all", "all", "", "", QUEUE_COUNT_CAP + 1)
    assert tab.capped and tab.count_text == f"{QUEUE_COUNT_CAP}+"
    assert not views_desk.QueueTab("all", "all", "", "", QUEUE_COUNT_CAP).capped
    # conditions that can hold no row cost no query
    with CaptureQueriesContext(connection) as ctx:
        assert capped_counts(
            {"none": WorkOrder.objects.none(), "empty": WorkOrder.objects.filter(pk__in=[])}, 5
        ) == {"none": 0, "empty": 0}
    assert not ctx.captured_queries


def test_a_user_without_person_or_team_counts_nothing_for_them(w: World) -> None:
    busy_desk(w)
    counts = tab_counts(get_desk(w.director))
    assert counts["mine"] == 0 and counts["team"] == 0
    assert counts["all"] == len(numbers(get_desk(w.director, queue="all")))


# --- the deadline shown -----------------------------------------------------------------------
def test_the_response_deadline_until_the_order_is_accepted(w: World) -> None:
    now = timezone.now()
    waiting = order(
        w,
        response_due=now + datetime.timedelta(minutes=20),
        resolution_due=now + datetime.timedelta(hours=8),
    )
    unanswered_late = order(
        w,
        response_due=now - datetime.timedelta(minutes=5),
        resolution_due=now + datetime.timedelta(hours=8),
    )
    accepted = order(
        w,
        status=Status.ACCEPTED,
        responded_at=now - datetime.timedelta(minutes=1),
        response_due=now - datetime.timedelta(minutes=5),  # answered in time or not: past
        resolution_due=now + datetime.timedelta(hours=3),
    )
    r = get_desk(w.engineer, queue="team")
    dues = {o.number: due for o, due in r.context["rows"]}
    assert dues[waiting.number].target == "response"
    assert dues[waiting.number].at == waiting.response_due
    assert dues[waiting.number].css == "text-warning-emphasis"  # due within the window
    assert dues[unanswered_late.number].target == "response"
    assert dues[unanswered_late.number].overdue
    assert dues[accepted.number].target == "resolution"
    assert dues[accepted.number].at == accepted.resolution_due
    assert not dues[accepted.number].overdue
    html = html_of(r)
    row = row_of(html, waiting.number)
    assert 'data-target="response"><span class="wo-due-target">响应</span>' in row
    assert re.search(r"\d+ 分钟后|还有 \d+ 分钟|\d+ 分钟", row), row
    row = row_of(html, accepted.number)
    assert 'data-target="resolution"><span class="wo-due-target">解决</span>' in row


def test_the_deadline_rules(w: World) -> None:
    now = timezone.now()
    o = WorkOrder(
        status=Status.NEW,
        response_due=now + datetime.timedelta(hours=1),
        resolution_due=now + datetime.timedelta(hours=5),
    )
    assert views_desk.next_due(o, now).target == "response"
    o.responded_at = now
    assert views_desk.next_due(o, now).target == "resolution"
    o.responded_at, o.response_due = None, None  # no response target: the resolution's
    assert views_desk.next_due(o, now).at == o.resolution_due
    o.response_due, o.status = now - datetime.timedelta(hours=1), Status.CLOSED
    closed = views_desk.next_due(o, now)
    assert closed.target == "resolution" and not closed.overdue and closed.text == ""


# --- "全部", never "---------" ------------------------------------------------------------------
def test_every_filter_offers_all_not_dashes(w: World) -> None:
    order(w)
    html = html_of(get_desk(w.engineer, queue="all"))
    assert "---------" not in html
    form = html[
        html.index('id="wo-filters"') : html.index("</form>", html.index('id="wo-filters"'))
    ]
    selects = re.findall(r'<select name="(\w+)"', form)
    assert {"status", "kind", "priority", "team", "assignee", "category"} <= set(selects)
    for name in selects:
        select = form[form.index(f'<select name="{name}"') :]
        first = re.search(r"<option[^>]*>([^<]*)</option>", select)
        assert first and first.group(1) == "全部", (name, first)
    UserProfile.objects.filter(user=w.engineer).update(language="en")
    html = html_of(get_desk(w.engineer, queue="all"))
    assert '<select name="status" class="form-select" id="id_status">' in html
    for name in ("status", "kind", "team", "category", "requester_department"):
        assert re.search(rf'<select name="{name}"[^>]*>\s*<option value="">All</option>', html) or (
            re.search(
                rf'<select name="{name}"[^>]*>\s*<option value="" selected>All</option>', html
            )
        ), name
    assert "---------" not in html


# --- the keys ---------------------------------------------------------------------------------
def test_the_help_dialog_lists_every_key(w: World) -> None:
    order(w)
    html = html_of(get_desk(w.engineer, queue="team"))
    assert 'id="wo-keys-modal"' in html and 'data-bs-target="#wo-keys-modal"' in html
    dialog = html[html.index('id="wo-keys-modal"') : html.index('id="wo-assign-modal"')]
    for _group, entries in views_desk.KEYS:
        for combo, _what in entries:
            for key in combo:
                assert f"<kbd>{key}</kbd>" in dialog, key
    assert "<kbd>回车</kbd>" in dialog and "受理当前工单" in dialog
    assert "desk.js" in html and "<script>" not in html  # the keys are a file, no inline JS
    assert 'id="main"' in html  # the target of the skip link


def test_a_row_carries_what_the_keys_need(w: World) -> None:
    o = order(w, assignee=w.person(w.colleague))
    html = html_of(get_desk(w.engineer, queue="team"))
    row = row_of(html, o.number)
    assert f'data-accept="{reverse("workorders:action", args=[o.number, "accept"])}"' in row
    assert f'data-version="{o.version}"' in row and f'data-id="{o.pk}"' in row
    assert f'data-team="{w.team_a.pk}"' in row
    assert f'data-assignee="{w.person(w.colleague).pk}"' in row


def test_a_accepts_through_the_order_action_and_the_table_says_so(w: World) -> None:
    o = order(w, response_due=timezone.now() + datetime.timedelta(minutes=30))
    c = ui_client(w.engineer)
    r = c.get(DESK, {"queue": "unassigned"})
    assert tab_counts(r)["unassigned"] == 1
    html = html_of(r)
    url = re.search(r'data-accept="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    version = re.search(r'data-version="(\d+)"', html).group(1)  # type: ignore[union-attr]
    # what desk.js sends: the version it showed, as htmx would (204: done)
    r = c.post(url, {"expected_version": version}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    o.refresh_from_db()
    assert o.status == Status.ACCEPTED and o.assignee_id == w.person(w.engineer).pk
    # then the table alone: the message of the action, the tabs' new counts out of band
    r = c.get(DESK, {"queue": "unassigned"}, **HTMX_TABLE)
    assert r.templates[0].name == "workorders/desk/_table.html"
    html = html_of(r)
    messages = html.split('id="wo-desk-messages"')[1].split("</div></div>")[0]
    assert f"{o.number} 已受理。" in messages and "alert-success" in messages
    assert 'id="wo-queues" aria-label="队列" hx-swap-oob="true"' in html
    assert tab_counts(r)["unassigned"] == 0 and tab_counts(r)["mine"] == 1
    assert "<body" not in html
    # the message was shown once: the next page does not repeat it
    assert 'id="wo-desk-messages"></div>' in html_of(c.get(DESK, **HTMX_TABLE))


def test_a_on_an_order_someone_else_took_names_them(w: World) -> None:
    o = order(w)
    html = html_of(get_desk(w.engineer, queue="team"))
    url = re.search(r'data-accept="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    stale = re.search(r'data-version="(\d+)"', html).group(1)  # type: ignore[union-attr]
    services.accept(w.colleague, o)  # 张伟 was faster
    r = ui_client(w.engineer).post(url, {"expected_version": stale}, HTTP_HX_REQUEST="true")
    # the action's form comes back with the reason where desk.js reads it
    assert r.status_code == 200
    assert "wo-conflict" in html_of(r) or "alert-danger" in html_of(r)
    assert "张伟" in html_of(r)
    o.refresh_from_db()
    assert o.assignee_id == w.person(w.colleague).pk


def test_a_by_someone_who_may_not_is_refused(w: World) -> None:
    o = order(w, category=w.cat_b)  # team B's: not in the engineer's scope
    url = reverse("workorders:action", args=[o.number, "accept"])
    r = ui_client(w.engineer).post(url, {}, HTTP_HX_REQUEST="true")
    assert r.status_code == 404  # not among the orders the engineer can see
    o.refresh_from_db()
    assert o.status == Status.NEW


def test_s_assigns_through_the_dialog(w: World) -> None:
    a = order(w)
    b = order(w)
    html = html_of(get_desk(w.lead, queue="team"))
    dialog = html[html.index('id="wo-assign-modal"') :]
    form = dialog[: dialog.index("</form>")]
    assert f'action="{reverse("workorders:bulk_assign")}"' in form
    assert re.findall(r'<select [^>]*name="(\w+)"', form) == ["team", "assignee"]
    # people by team, and "unchanged" rather than dashes
    group = form[form.index(f'<optgroup label="{w.team_a.name}">') :]
    group = group[: group.index("</optgroup>")]
    assert "张伟" in group and w.person(w.engineer).name in group
    assert "---------" not in form and "不变" in form
    # what the dialog posts (desk.js adds the ids of the ticked rows, or of the current one)
    c = ui_client(w.lead)
    r = c.post(
        reverse("workorders:bulk_assign"),
        {
            "ids": [a.pk, b.pk],
            "team": "",
            "assignee": w.person(w.colleague).pk,
            "next": f"{DESK}?queue=team",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"{DESK}?queue=team"
    assert set(
        WorkOrder.objects.filter(pk__in=[a.pk, b.pk]).values_list("assignee_id", flat=True)
    ) == {w.person(w.colleague).pk}
    assert "已分派 2 个工单。" in html_of(c.get(DESK, {"queue": "team"}))


def test_the_keys_hint_and_button_are_translated(w: World) -> None:
    html = html_of(get_desk(w.engineer))
    assert 'id="wo-keys-btn"' in html and 'aria-keyshortcuts="?"' in html
    assert "键盘快捷键" in html
    with translation.override("en"):
        assert str(views_desk.KEYS[2][1][0][1]) == "Accept the current order"


def test_a_on_an_order_past_new_says_why(w: World) -> None:
    o = order(w, status=Status.IN_PROGRESS, assignee=w.person(w.engineer))
    html = html_of(get_desk(w.engineer, queue="mine"))
    url = re.search(r'data-accept="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    r = ui_client(w.engineer).post(url, {}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200  # the form again, with the reason where desk.js reads it
    said = re.search(r'class="alert alert-danger"[^>]*>(.*?)</div></div>', html_of(r), re.S)
    assert said and "只能受理新建的工单；此工单当前为“处理中”。" in said.group(1)
    o.refresh_from_db()
    assert o.status == Status.IN_PROGRESS


def test_the_help_and_the_script_name_the_same_keys() -> None:
    """Every key the help lists is one desk.js handles (and the other way round)."""
    script = (Path(views_desk.__file__).parent / "static" / "workorders" / "desk.js").read_text(
        encoding="utf-8"
    )
    handled = set(re.findall(r'case "([^"]+)":', script))
    named = {"↓": "ArrowDown", "↑": "ArrowUp", "Enter": "Enter", "Esc": "Escape"}
    with translation.override("en"):
        listed = {
            str(key)
            for _group, entries in views_desk.KEYS
            for combo, _what in entries
            for key in combo
        }
    expected = {named.get(k, k) for k in listed if not k.startswith("1–")}
    assert expected == handled
    assert "/^[1-9]$/" in script  # the queues by their place
