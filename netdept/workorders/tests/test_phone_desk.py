"""The phone desk ("file for a caller", ``workorders:new``): the caller type-ahead (name,
phone, employee number; narrowed by the viewer's permissions), the caller's card (phone,
location, recent orders) filling in the form, the registration number for leads only, and
a photo that survives a form sent back with errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from netdept.org.models import Person
from netdept.testing.clients import ui_client
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    user_with_role,
)
from netdept.workorders.models import WorkOrder
from netdept.workorders.tests.factories import (
    CategoryFactory,
    PNG_1x1,
    WorkOrderFactory,
    png_upload,
)

pytestmark = pytest.mark.django_db

URL = reverse("workorders:new")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path


@dataclass
class World:
    engineer: Any  # of team A (sees the people and orders of the team)
    director: Any  # sees everyone and every order
    requester: Any  # a portal user of the served department
    mate: Person  # a member of team A
    nurse: Person  # of the served department, with a phone
    clerk: Person  # of the served department, without a phone
    served: Any
    cat_a: Any
    cat_b: Any


@pytest.fixture
def w() -> World:
    net = DepartmentFactory(name="网络部")
    team_a = TeamFactory(department=net, name="运维组")
    team_b = TeamFactory(department=net, name="安全组")
    served = DepartmentFactory(name="心内科", phone="0571-6000", location="住院楼 5 层", code="XNK")
    return World(
        engineer=user_with_role("engineer", team=team_a),
        director=user_with_role("director", department=net),
        requester=user_with_role("requester", department=served),
        mate=PersonFactory(
            name="王建国", employee_no="N0042", phone="8801", department=net, team=team_a
        ),
        nurse=PersonFactory(
            name="李秀英", employee_no="H1007", phone="13900001111", department=served
        ),
        clerk=PersonFactory(name="李明", employee_no="H2001", phone="", department=served),
        served=served,
        cat_a=CategoryFactory(default_team=team_a),
        cat_b=CategoryFactory(default_team=team_b),
    )


def hits(c: Client, q: str) -> tuple[int, str]:
    r = c.get(URL, {"q": q}, **HX)
    return r.status_code, r.content.decode()


# --- the type-ahead -------------------------------------------------------------------------
def test_the_caller_is_found_by_name_phone_and_employee_number(w: World) -> None:
    c = ui_client(w.director)
    for q in ("秀英", "李秀", "13900001111", "0000111", "H1007", "h1007"):
        status, html = hits(c, q)
        assert status == 200 and "<html" not in html  # a fragment for htmx
        assert f'id="wo-caller-opt-{w.nurse.pk}"' in html, q
        assert 'role="option"' in html and "13900001111" in html and "心内科" in html
    status, html = hits(c, "李")
    assert f"wo-caller-opt-{w.nurse.pk}" in html and f"wo-caller-opt-{w.clerk.pk}" in html
    # each hit chooses the caller, with htmx and without
    assert f'hx-get="{URL}?requester={w.nurse.pk}"' in html
    assert f'href="{URL}?requester={w.nurse.pk}"' in html


def test_an_engineer_finds_callers_of_every_department(w: World) -> None:
    """The desk takes calls from anyone (the engineer role's people scope is their team); the
    orders on the card stay those the engineer may see."""
    c = ui_client(w.engineer)
    assert f"wo-caller-opt-{w.mate.pk}" in hits(c, "王建国")[1]
    assert f"wo-caller-opt-{w.nurse.pk}" in hits(c, "李秀英")[1]
    card = c.get(URL, {"requester": w.nurse.pk}, **HX).content.decode()
    assert f'name="requester" value="{w.nurse.pk}"' in card and "13900001111" in card
    w.nurse.is_active = False
    w.nurse.save()
    assert f"wo-caller-opt-{w.nurse.pk}" not in hits(c, "李秀英")[1]


def test_more_hits_than_shown_ask_for_more(w: World) -> None:
    for i in range(9):
        PersonFactory(name=f"赵{i}", department=w.served)
    status, html = hits(ui_client(w.director), "赵")
    assert status == 200
    assert html.count('role="option"') == 8 and "wo-caller-hint" in html
    status, html = hits(ui_client(w.director), "赵3")
    assert status == 200 and html.count('role="option"') == 1 and "wo-caller-hint" not in html


@pytest.mark.parametrize("q", ["", "   ", "%", "_", "'", '"', "李'; --", "x" * 2000, "\x00"])
def test_bad_input_answers_quickly_with_a_hint(w: World, q: str) -> None:
    status, html = hits(ui_client(w.director), q)
    assert status == 200
    assert 'role="option"' not in html
    assert 'class="form-text wo-caller-hint"' in html


def test_the_desk_only(w: World) -> None:
    c = ui_client(w.requester)
    assert c.get(URL, {"q": "李"}, **HX).status_code == 403
    assert c.get(URL, {"requester": w.nurse.pk}, **HX).status_code == 403


# --- the caller's card ----------------------------------------------------------------------
def test_the_card_fills_in_phone_location_and_shows_recent_orders(w: World) -> None:
    older = WorkOrderFactory(requester=w.nurse, category=w.cat_a, location="住院楼 5 层 护士站")
    newer = WorkOrderFactory(requester=w.nurse, category=w.cat_b, location="住院楼 5 层 库房")
    WorkOrderFactory(requester=w.clerk, category=w.cat_a)
    html = ui_client(w.director).get(URL, {"requester": w.nurse.pk}, **HX).content.decode()
    assert f'<input type="hidden" name="requester" value="{w.nurse.pk}">' in html
    assert 'data-contact="13900001111"' in html
    assert 'data-location="住院楼 5 层 库房"' in html  # the latest order's place
    assert html.index(newer.number) < html.index(older.number)  # newest first
    # an engineer sees the orders of their team only (and then that order's place)
    eng = ui_client(w.engineer)
    eng_card = eng.get(URL, {"requester": w.mate.pk}, **HX).content.decode()
    assert 'data-contact="8801"' in eng_card and "wo-caller-no-orders" in eng_card
    mine = WorkOrderFactory(requester=w.mate, category=w.cat_a, location="机房")
    theirs = WorkOrderFactory(requester=w.mate, category=w.cat_b, location="安全组的机房")
    eng_card = eng.get(URL, {"requester": w.mate.pk}, **HX).content.decode()
    assert 'data-location="机房"' in eng_card
    assert mine.number in eng_card and theirs.number not in eng_card
    assert eng_card.count("<li") == 1


def test_without_a_phone_or_an_order_the_department_answers(w: World) -> None:
    html = ui_client(w.director).get(URL, {"requester": w.clerk.pk}, **HX).content.decode()
    assert 'data-contact="0571-6000"' in html and 'data-location="住院楼 5 层"' in html


def test_card_queries_do_not_grow_with_orders(w: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(12):
        WorkOrderFactory(requester=w.nurse, category=w.cat_a)
    c = ui_client(w.director)
    c.get(URL, {"requester": w.nurse.pk}, **HX)  # warm the permission cache of the session
    with django_assert_max_num_queries(12):
        r = c.get(URL, {"requester": w.nurse.pk}, **HX)
    assert r.content.decode().count("<li") == 5


@pytest.mark.parametrize("ref", ["abc", "-1", "99999999", "１２", "9" * 40])
def test_a_wrong_caller_is_no_error(w: World, ref: str) -> None:
    r = ui_client(w.director).get(URL, {"requester": ref}, **HX)
    assert r.status_code == 200 and 'name="requester"' not in r.content.decode()


# --- the page without htmx ------------------------------------------------------------------
def test_the_page_answers_the_search_and_the_choice_without_htmx(w: World) -> None:
    c = ui_client(w.director)
    html = c.get(URL, {"q": "李秀英"}).content.decode()
    assert "<html" in html and f"wo-caller-opt-{w.nurse.pk}" in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'role="combobox"' in html and 'aria-controls="wo-caller-options"' in html
    r = c.get(URL, {"requester": w.nurse.pk})
    form = r.context["form"]
    assert form.initial["requester"] == w.nurse.pk
    assert form.initial["contact"] == "13900001111"
    assert form.initial["location"] == "住院楼 5 层"
    html = r.content.decode()
    assert 'value="13900001111"' in html and f'name="requester" value="{w.nurse.pk}"' in html


# --- filing -----------------------------------------------------------------------------------
def data(w: World, **extra: Any) -> dict[str, Any]:
    d = {
        "requester": w.nurse.pk,
        "kind": "fault",
        "category": w.cat_a.pk,
        "title": "护士站打印机无法打印",
        "description": "",
        "location": "住院楼 5 层 护士站",
        "contact": "13900001111",
        "impact": 2,
        "urgency": 2,
        "source": "phone",
        "registration_no": "KF-2026-0001",
    }
    d.update(extra)
    return d


def test_the_registration_number_is_for_leads_only(w: World) -> None:
    c = ui_client(w.director)
    html = c.get(URL).content.decode()
    assert "wo-reg d-none" in html  # hidden until the kind is "lead"
    assert c.post(URL, data(w)).status_code == 302
    assert WorkOrder.objects.get().registration_no == ""  # dropped for a fault
    r = c.post(URL, data(w, kind="lead", category=CategoryFactory(kind="lead").pk, title=""))
    assert r.status_code == 422
    assert "wo-reg d-none" not in r.content.decode() and "wo-reg" in r.content.decode()
    lead_cat = CategoryFactory(kind="lead")
    assert c.post(URL, data(w, kind="lead", category=lead_cat.pk)).status_code == 302
    assert WorkOrder.objects.get(kind="lead").registration_no == "KF-2026-0001"


def test_a_form_sent_back_keeps_the_caller_and_the_photo(w: World) -> None:
    c = ui_client(w.director)
    r = c.post(URL, {**data(w, title=""), "attachments": [png_upload("打印机.png")]})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="title"' in html
    assert f'<input type="hidden" name="requester" value="{w.nurse.pk}">' in html  # the card
    assert r.context["q"] == "李秀英"
    tokens = [k.token for k in r.context["kept"]]
    assert len(tokens) == 1 and "打印机.png" in html and 'name="kept"' in html
    r = c.post(URL, {**data(w), "kept": tokens, "kept_offered": tokens})
    assert r.status_code == 302
    att = WorkOrder.objects.get().attachments.get()
    assert att.name == "打印机.png"
    with att.file.open("rb") as fh:
        assert fh.read() == PNG_1x1
    # the token is spent: the kept copy was deleted with the filing
    r = c.post(URL, {**data(w, title="另一台"), "kept": tokens})
    assert r.status_code == 302
    assert not WorkOrder.objects.get(title="另一台").attachments.exists()


def test_no_caller_chosen_is_a_field_error(w: World) -> None:
    r = ui_client(w.director).post(URL, {**data(w, requester=""), "q": "李"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="requester"' in html
    assert f"wo-caller-opt-{w.nurse.pk}" in html  # the hits of what was typed, to choose from
    assert not WorkOrder.objects.exists()
