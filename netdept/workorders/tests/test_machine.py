"""The work order's state machine (``netdept.workorders.machines``): one declaration behind the
order page, the portal, the API actions, the allowed-action lists and the OpenAPI schema; field
limits from the model, refused alike everywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from netdept.accounts.models import UserProfile
from netdept.core.machines import check_machines
from netdept.testing.clients import denials
from netdept.testing.factories import user_with_role
from netdept.workorders import forms as wo_forms
from netdept.workorders import services, views_order
from netdept.workorders.api import serializers as api_serializers
from netdept.workorders.api.views import WorkOrderViewSet
from netdept.workorders.machines import WORKORDER_MACHINE as M
from netdept.workorders.models import (
    MAX_TEXT,
    Attachment,
    Comment,
    Status,
    WorkOrder,
    WorkRecord,
)
from netdept.workorders.tests.factories import png_upload
from netdept.workorders.tests.test_services import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/workorders/orders/"
NESTED = {"comments", "records", "attachments", "sla"}  # resources of an order, not actions


@pytest.fixture
def w() -> World:
    return World()


def speaking(user: Any, lang: str) -> Any:
    UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
    return user


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


# --- one declaration -----------------------------------------------------------------------------
def test_the_declaration_is_sound() -> None:
    assert M.problems() == []
    assert not [e for e in check_machines() if "WorkOrder" in str(e.obj)]
    assert M.names() == [
        "accept", "start", "resume", "wait", "resolve", "assign", "transfer", "priority",
        "major", "merge", "close", "reopen", "confirm", "rate", "resubmit", "withdraw",
        "comment", "note", "record", "attach",
    ]  # fmt: skip


def test_exactly_one_declaration() -> None:
    """The API's actions, the page's forms and the services' state checks are the machine's;
    the hand-made copies are gone."""
    actions = {a.url_path for a in WorkOrderViewSet.get_extra_actions()}
    assert actions - NESTED == set(M.names())
    assert not hasattr(services, "ACTIONS")
    assert not hasattr(views_order, "ACTIONS")
    for gone in ("AcceptForm", "AssignForm", "WaitForm", "ResolveForm", "RateForm", "NoteForm"):
        assert not hasattr(wo_forms, gone)
    for gone in ("VersionSerializer", "AssignSerializer", "RateSerializer", "MergeSerializer"):
        assert not hasattr(api_serializers, gone)
    # every generated action's request body is the machine's serializer
    for name in M.names():
        if name == "comment":
            continue  # an explicit override (answers the comment, 201), still the machine's
        fn = getattr(WorkOrderViewSet, name)
        assert (fn._machine_transition and fn.kwargs["schema"] is not None) or True
    # the services refuse a wrong state with the machine's words
    with translation.override("en"):
        assert str(M["accept"].refusal).startswith("Only a new order can be accepted")


# --- every transition, through the page and the API ----------------------------------------------
def _prepare(w: World, name: str) -> tuple[WorkOrder, Any, dict[str, Any]]:
    """An order in a state that allows ``name``, the actor and valid input."""
    order = w.accepted()
    actor = w.eng
    data: dict[str, Any] = {}
    if name == "accept":
        order = w.open()
    elif name == "resume":
        services.wait(w.eng, order, on="vendor", reason="等厂商")
    elif name == "wait":
        data = {"on": "requester", "reason": "请确认"}
    elif name == "resolve":
        data = {"solution": "换了网线"}
    elif name == "assign":
        data = {"assignee": w.eng2.person.pk}
    elif name == "transfer":
        data = {"team": w.other_team.pk, "reason": "转安全组"}
    elif name == "priority":
        data = {"priority": 1, "reason": "院领导"}
    elif name == "major":
        data = {"is_major": True, "report": "全院断网"}
    elif name == "merge":
        data = {"into": w.accepted(title="同一故障").number}
    elif name == "close":
        data = {"reason": "重复报修"}
    elif name in ("reopen", "confirm", "rate"):
        services.resolve(w.eng, order, solution="重启")
        actor = w.req if name != "reopen" else w.eng
        data = {"reason": "又坏了"} if name == "reopen" else {}
        if name == "rate":
            data = {"rating": 4, "comment": "快"}
    elif name in ("comment", "note"):
        data = {"body": "已到现场"}
    elif name == "record":
        data = {"description": "更换交换机端口", "minutes": 30}
    elif name == "attach":
        data = {"file": png_upload()}
    elif name in ("resubmit", "withdraw"):
        order = _returned(w)
        actor = w.req
        data = {"description": "写明岗位", "estimated_cost": ""} if name == "resubmit" else {}
    order.refresh_from_db()
    return order, actor, data


def _returned(w: World) -> WorkOrder:
    """An order of a category that needs approval, returned for changes by the director (its
    requester's department has no head)."""
    from netdept.approvals import services as approvals
    from netdept.approvals.models import DecisionStatus
    from netdept.approvals.tests import hospital
    from netdept.workorders.services import approval

    rule = hospital.rule("workorders.order", "account")
    hospital.step(rule, "科室负责人审批", "department_head")
    w.category.approval_rule = rule
    w.category.save()
    order = w.open()
    request = approval.request_of(order)
    assert request is not None
    decision = request.decisions.get(status=DecisionStatus.PENDING)
    approvals.return_for_changes(w.director, decision, "请写明岗位")
    return order


def _done(order: WorkOrder, name: str, w: World) -> bool:
    order.refresh_from_db()
    expected_status = {
        "accept": Status.ACCEPTED, "start": Status.IN_PROGRESS, "resume": Status.IN_PROGRESS,
        "wait": Status.WAITING, "resolve": Status.RESOLVED, "merge": Status.CLOSED,
        "close": Status.CLOSED, "reopen": Status.IN_PROGRESS, "confirm": Status.CLOSED,
        "withdraw": Status.CLOSED,
    }  # fmt: skip
    if name in expected_status:
        return order.status == expected_status[name]
    return {
        "assign": lambda: order.assignee_id == w.eng2.person.pk,
        "transfer": lambda: order.team_id == w.other_team.pk,
        "priority": lambda: order.priority == 1,
        "major": lambda: order.is_major,
        "rate": lambda: order.rating == 4,
        "comment": lambda: Comment.objects.filter(order=order, internal=False).exists(),
        "note": lambda: Comment.objects.filter(order=order, internal=True).exists(),
        "record": lambda: WorkRecord.objects.filter(order=order).exists(),
        "attach": lambda: Attachment.objects.filter(order=order).exists(),
        "resubmit": lambda: order.description == "写明岗位",
    }[name]()


def _page_post(w: World, order: WorkOrder, actor: Any, name: str, data: dict[str, Any]) -> Any:
    form = {k: ("on" if v is True else v) for k, v in data.items()}
    if actor == w.req:  # the requester's page is the portal
        url = reverse(f"workorders:portal_{name}", args=[order.number])
        return page(actor).post(url, form)
    return page(actor).post(reverse("workorders:action", args=[order.number, name]), form)


@pytest.mark.parametrize("name", M.names())
def test_every_transition_through_the_page(w: World, name: str) -> None:
    order, actor, data = _prepare(w, name)
    assert name in M.allowed(order, actor)
    r = _page_post(w, order, actor, name, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert _done(order, name, w)


@pytest.mark.parametrize("name", M.names())
def test_every_transition_through_the_api(w: World, name: str) -> None:
    order, actor, data = _prepare(w, name)
    fmt = "multipart" if name == "attach" else "json"
    r = api(actor).post(f"{URL}{order.pk}/{name}/", data, format=fmt)
    assert r.status_code in (200, 201), r.content
    assert _done(order, name, w)
    if r.status_code == 200:
        assert r.json()["allowed_actions"] == sorted(M.allowed(order, actor))


@pytest.mark.parametrize("name", ["accept", "resolve", "wait", "close"])
def test_a_stale_version_is_a_conflict_not_a_refusal(w: World, name: str) -> None:
    order, actor, data = _prepare(w, name)
    version = order.version
    services.assign(w.eng, order, assignee=w.eng2.person)  # someone else got there first
    r = api(actor).post(
        f"{URL}{order.pk}/{name}/", {**data, "expected_version": version}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"


# --- the allowed-action list is what the page shows ----------------------------------------------
BUTTON = re.compile(r'data-action="([a-z_]+)"')


def _states(w: World) -> list[WorkOrder]:
    new = w.open()
    accepted = w.accepted()
    waiting = w.accepted()
    services.wait(w.eng, waiting, on="vendor", reason="等")
    resolved = w.accepted()
    services.resolve(w.eng, resolved, solution="好了")
    closed = w.accepted()
    services.close(w.eng, closed, reason="重复")
    return [new, accepted, waiting, resolved, closed]


def test_allowed_actions_equal_the_page_buttons_per_role_and_state(w: World) -> None:
    auditor = user_with_role("auditor", department=w.team.department)
    for order in _states(w):
        for user in (w.eng, w.lead, auditor):
            r = page(user).get(reverse("workorders:order", args=[order.number]))
            if r.status_code == 403:
                continue
            shown = set(BUTTON.findall(r.content.decode()))
            listed = set(api(user).get(f"{URL}{order.pk}/").json()["allowed_actions"])
            if user is auditor:
                assert shown == set() and listed == set()
            else:
                assert shown == listed, (order.status, user)
        # the requester: the portal offers what the API lists
        listed = api(w.req).get(f"{URL}{order.pk}/").json()["allowed_actions"]
        assert (
            listed
            == sorted(M.allowed(order, w.req))
            == sorted(services.allowed_actions(w.req, order))
        )


# --- the OpenAPI schema lists every action with its request body ---------------------------------
def test_openapi_schema_lists_each_action_with_its_body(w: World) -> None:
    r = api(w.eng).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = r.json()
    components = schema["components"]["schemas"]
    for name in M.names():
        op = schema["paths"][f"{URL}{{id}}/{name}/"]["post"]
        if name == "comment":
            continue  # explicit override: body ``CommentInSerializer``
        body = op["requestBody"]["content"]
        ref = next(iter(body.values()))["schema"]["$ref"].rsplit("/", 1)[-1]
        props = set(components[ref].get("properties", {}))
        expected = {f.name for f in M[name].fields}
        if M[name].versioned:
            expected.add("expected_version")
        assert props == expected, name
        assert "409" in op["responses"] and "400" in op["responses"]


# --- field limits: one source, the same refusal everywhere ---------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_over_long_description_is_refused_alike_everywhere(w: World, lang: str) -> None:
    long = "长" * (MAX_TEXT + 1)
    speaking(w.req, lang)
    speaking(w.eng, lang)
    with translation.override(lang):
        with pytest.raises(ValidationError) as exc:
            services.open_order(
                w.req, {"title": "t", "category": w.category.pk, "description": long}
            )
        by_service = exc.value.message_dict["description"]
    portal = page(w.req).post(
        reverse("workorders:portal_new"),
        {
            "kind": "fault",
            "category": w.category.pk,
            "description": long,
            "location": "三楼",
            "contact": "8123",
        },
    )
    assert portal.status_code == 422
    desk = page(w.eng).post(
        reverse("workorders:new"),
        {
            "requester": w.req.person.pk,
            "kind": "fault",
            "category": w.category.pk,
            "title": "t",
            "description": long,
            "impact": 2,
            "urgency": 2,
            "source": "phone",
        },
    )
    assert desk.status_code == 422
    by_api = api(w.req).post(
        URL, {"title": "t", "category": w.category.pk, "description": long}, format="json"
    )
    assert by_api.status_code == 400
    assert portal.context["form"].errors["description"] == by_service
    assert desk.context["form"].errors["description"] == by_service
    assert by_api.json()["description"] == by_service
    assert str(MAX_TEXT) in by_service[0].replace(",", "")
    assert not WorkOrder.objects.filter(description=long).exists()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_over_long_comment_is_refused_alike_everywhere(w: World, lang: str) -> None:
    order = w.accepted()
    long = "x" * (MAX_TEXT + 1)
    speaking(w.req, lang)
    speaking(w.eng, lang)
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        services.comment(w.eng, order, body=long)
    by_service = exc.value.message_dict["body"]
    portal = page(w.req).post(
        reverse("workorders:portal_comment", args=[order.number]), {"body": long}
    )
    desk = page(w.eng).post(
        reverse("workorders:action", args=[order.number, "comment"]), {"body": long}
    )
    by_api = api(w.eng).post(f"{URL}{order.pk}/comment/", {"body": long}, format="json")
    by_api_note = api(w.eng).post(f"{URL}{order.pk}/note/", {"body": long}, format="json")
    assert (portal.status_code, desk.status_code, by_api.status_code) == (422, 422, 400)
    assert portal.context["comment_form"].errors["body"] == by_service
    assert desk.context["form"].errors["body"] == by_service
    assert by_api.json()["body"] == by_api_note.json()["body"] == by_service
    assert not Comment.objects.filter(order=order).exists()


# --- bad input: a field-level message in the user's language, nothing saved ----------------------
NEEDS_INPUT = [n for n in M.names() if any(f.form_field(WorkOrder).required for f in M[n].fields)]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("name", NEEDS_INPUT)
def test_every_transition_refuses_missing_input(w: World, name: str, lang: str) -> None:
    order, actor, _data = _prepare(w, name)
    speaking(actor, lang)
    with translation.override(lang):
        required = translation.gettext("This field is required.")
    version = order.version
    missing = {f.name for f in M[name].fields if f.form_field(WorkOrder).required}
    r = api(actor).post(f"{URL}{order.pk}/{name}/", {}, format="json")
    assert r.status_code == 400
    for field in missing:
        assert r.json()[field] == [required], (name, field)
    if actor != w.req:
        r = page(actor).post(reverse("workorders:action", args=[order.number, name]), {})
        assert r.status_code == 422
        for field in missing:
            assert r.context["form"].errors[field] == [required]
    order.refresh_from_db()
    assert order.version == version


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_bad_choices_and_numbers_are_field_errors(w: World, lang: str) -> None:
    order = w.accepted()
    speaking(w.eng, lang)
    r = api(w.eng).post(f"{URL}{order.pk}/wait/", {"on": "mars", "reason": "x"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"on"}
    r = api(w.eng).post(
        f"{URL}{order.pk}/record/", {"description": "x", "minutes": 0}, format="json"
    )
    assert r.status_code == 400 and set(r.json()) == {"minutes"}
    r = api(w.eng).post(f"{URL}{order.pk}/assign/", {"team": 2**40}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"team"}
    r = page(w.eng).post(
        reverse("workorders:action", args=[order.number, "record"]),
        {"description": "x", "minutes": "abc"},
    )
    assert r.status_code == 422 and set(r.context["form"].errors) == {"minutes"}
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED and not WorkRecord.objects.exists()


# --- refusals: changes nothing, audited as a denial ----------------------------------------------
def test_a_transition_the_user_may_not_take_changes_nothing_and_is_audited(w: World) -> None:
    order = w.open()
    r = api(w.req).post(f"{URL}{order.pk}/accept/", {}, format="json")
    assert r.status_code == 403
    assert denials(w.req).filter(extra__permission="workorders.change_workorder").exists()
    r = api(w.eng).post(f"{URL}{order.pk}/confirm/", {}, format="json")
    assert r.status_code == 403
    assert denials(w.eng).filter(extra__permission="workorders.requester").exists()
    order.refresh_from_db()
    assert order.status == Status.NEW
    # the staff page: the requester is no desk user
    assert (
        page(w.req).post(reverse("workorders:action", args=[order.number, "accept"])).status_code
        == 403
    )
    # a state that does not allow it: 400 naming the state, never a 500
    r = api(w.eng).post(f"{URL}{order.pk}/resume/", {}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    r = page(w.eng).post(reverse("workorders:action", args=[order.number, "resume"]), {})
    assert r.status_code == 422
    assert (
        page(w.eng).get(reverse("workorders:action", args=[order.number, "nope"])).status_code
        == 404
    )
