"""The state-machine kernel (``netdept.core.machines``) over a real model: departments, whose
``kind`` plays the state (served ↔ network). The generated page views and API actions run
through a Page with ``machine=...`` in this module's URLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path, reverse
from django.utils import translation
from rest_framework import serializers as drf_serializers
from rest_framework.routers import DefaultRouter

from netdept import urls as site_urls
from netdept.api.generic import viewset_for
from netdept.core import audit
from netdept.core import machines as m
from netdept.core.models.audit import AuditAction
from netdept.core.registry import Page
from netdept.core.views.transitions import available, transition_urls
from netdept.org.models import Department, DepartmentKind
from netdept.testing.clients import api_client, denials, ui_client
from netdept.testing.factories import DepartmentFactory, user_with_perms

pytestmark = pytest.mark.django_db
HERE = "netdept.core.tests.test_machines."


# --- the handlers (services of the test machine) -------------------------------------------------
def make_network(user: Any, obj: Department, *, phone: str, reason: str) -> Department:
    before = audit.snapshot(obj)
    obj.kind, obj.phone = DepartmentKind.NETWORK, phone
    obj.save(update_fields=["kind", "phone"])
    audit.record(
        AuditAction.UPDATE, obj, actor=user, changes=audit.diff(before, audit.snapshot(obj))
    )
    return obj


def make_served(user: Any, obj: Department) -> Department:
    obj.kind = DepartmentKind.SERVED
    obj.save(update_fields=["kind"])
    return obj


def refuse_always(user: Any, obj: Department, *, location: str = "") -> Department:
    raise ValidationError({"location": ["Not here."]})


#: a permission and a predicate on the object
ACTIVE_EDITOR = m.Who(
    "org.change_department", permission="org.change_department", test=lambda u, o: o.is_active
)

MACHINE = m.Machine(
    Department,
    state_field="kind",
    transitions=[
        m.Transition(
            "network",
            "Make it the network department",
            [DepartmentKind.SERVED],
            DepartmentKind.NETWORK,
            HERE + "make_network",
            fields=[
                # required here; the label and the limit (30) are the model's
                m.Field("phone", model_field="phone", required=True),
                m.Field("reason", kind=m.TEXTAREA, max_length=20),
            ],
            refusal="Only a served department can become the network one; this one is %(status)s.",
            done="%(object)s is the network department.",
            order=1,
        ),
        m.Transition(
            "served",
            "Make it served",
            [DepartmentKind.NETWORK],
            DepartmentKind.SERVED,
            HERE + "make_served",
            who=[ACTIVE_EDITOR],
            order=2,
        ),
        m.Transition(
            "relocate",
            "Relocate",
            [m.ANY],
            None,
            HERE + "refuse_always",
            fields=[m.Field("location", model_field="location", required=False)],
            order=3,
        ),
    ],
)

PAGE = Page(
    model=Department,
    fields=["name", "code", "kind"],
    columns=["name", "code"],
    slug="machinedept",
    machine=MACHINE,
)


def _detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("detail")


router = DefaultRouter()
router.register("machinedepts", viewset_for(PAGE), basename="machinedept")
_MINE = [*transition_urls(PAGE), path("machinedept/<int:pk>/", _detail, name="machinedept_detail")]


def _with_mine(patterns: list[Any]) -> list[Any]:
    """The site's URLs, with this module's page added to the ``org`` namespace (the pages'
    navigation reverses every entry, so the whole site is there)."""
    out: list[Any] = []
    for p in patterns:
        if isinstance(p, URLResolver) and p.namespace == "org":
            out.append(path(str(p.pattern), include(([*_MINE, *p.url_patterns], "org"))))
        else:
            out.append(p)
    return out


urlpatterns = [path("api/test/", include(router.urls)), *_with_mine(list(site_urls.urlpatterns))]


@pytest.fixture
def editor() -> Any:
    return user_with_perms(["org.view_department", "org.change_department"])


@pytest.fixture
def viewer() -> Any:
    return user_with_perms(["org.view_department"])


@pytest.fixture
def dept() -> Department:
    return DepartmentFactory.create(kind=DepartmentKind.SERVED, phone="1")


# --- the declaration -----------------------------------------------------------------------------
def test_a_sound_machine_has_no_problems() -> None:
    assert MACHINE.problems() == []
    assert MACHINE.names() == ["network", "served", "relocate"]
    assert [v for v, _l in MACHINE.states] == ["network", "served"]


def test_missing_handlers_and_unreachable_states_are_reported() -> None:
    broken = m.Machine(
        Department,
        state_field="kind",
        transitions=[
            m.Transition("gone", "Gone", [m.ANY], None, HERE + "no_such_function"),
            m.Transition("nowhere", "Nowhere", ["served"], "nowhere", "nomodule.nothing"),
        ],
    )
    problems = broken.problems()
    assert "gone: handler netdept.core.tests.test_machines.no_such_function does not exist" in (
        problems
    )
    assert "nowhere: handler nomodule.nothing does not exist" in problems
    assert "nowhere: unknown target state 'nowhere'" in problems
    assert "state 'network' is not reachable" in problems
    m.register(broken)
    try:
        errors = m.check_machines()
        assert {e.id for e in errors} == {"netdept.E301"}
        assert len(errors) == len(problems)
    finally:
        m._MACHINES.pop(Department)
    assert m.check_machines() == [] or all(e.obj != repr(broken) for e in m.check_machines())


def test_a_transition_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        m.Machine(
            Department,
            state_field="kind",
            transitions=[
                m.Transition("x", "X", [m.ANY], None, HERE + "make_served"),
                m.Transition("x", "X", [m.ANY], None, HERE + "make_served"),
            ],
        )


# --- who may do what now -------------------------------------------------------------------------
def test_available_depends_on_state_permission_and_predicate(
    dept: Department, editor: Any, viewer: Any
) -> None:
    assert MACHINE.allowed(dept, editor) == ["network", "relocate"]
    assert MACHINE.allowed(dept, viewer) == []
    dept.kind = DepartmentKind.NETWORK
    assert MACHINE.allowed(dept, editor) == ["served", "relocate"]
    dept.is_active = False
    assert MACHINE.allowed(dept, editor) == ["relocate"]  # "served": an active one only
    dept.is_active = True
    bound = MACHINE.available(dept, editor, lambda o, n: f"/x/{o.pk}/{n}/")
    assert [(b.name, b.url, b.needs_input) for b in bound] == [
        ("served", f"/x/{dept.pk}/served/", False),
        ("relocate", f"/x/{dept.pk}/relocate/", True),
    ]


# --- generated forms and serializers -------------------------------------------------------------
def test_fields_and_limits_come_from_the_model(dept: Department) -> None:
    form = MACHINE.form_for("network", dept)
    assert list(form.fields) == ["phone", "reason"]
    assert form.fields["phone"].max_length == 30  # type: ignore[attr-defined]
    assert form.fields["phone"].required
    assert str(form.fields["phone"].label) == str(Department._meta.get_field("phone").verbose_name)
    ser = MACHINE.serializer_for("network")()
    assert list(ser.fields) == ["phone", "reason"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_form_and_serializer_refuse_alike_in_the_users_language(lang: str) -> None:
    data = {"phone": "9" * 31, "reason": ""}
    with translation.override(lang):
        form = MACHINE.form_for("network", data=data)
        assert not form.is_valid()
        ser = MACHINE.serializer_for("network")(data=data)
        assert not ser.is_valid()
        assert [str(e) for e in ser.errors["phone"]] == form.errors["phone"]
        assert [str(e) for e in ser.errors["reason"]] == form.errors["reason"]
        assert form.errors["reason"] == [translation.gettext("This field is required.")]
        if lang == "zh-hans":
            assert "确保" in str(form.errors["phone"][0])
        else:
            assert str(form.errors["phone"][0]).startswith("Ensure this value has at most 30")


# --- running -------------------------------------------------------------------------------------
def test_run_refuses_a_user_who_may_not_and_audits_it(dept: Department, viewer: Any) -> None:
    with pytest.raises(PermissionDenied):
        MACHINE.run("network", viewer, dept, {"phone": "2", "reason": "r"})
    assert denials(viewer).filter(extra__permission="org.change_department").count() == 1
    dept.refresh_from_db()
    assert dept.kind == DepartmentKind.SERVED


def test_run_refuses_a_wrong_state_with_a_message(dept: Department, editor: Any) -> None:
    dept.kind = DepartmentKind.NETWORK
    dept.save()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        MACHINE.run("network", editor, dept, {"phone": "2", "reason": "r"})
    assert exc.value.message_dict == {
        "kind": [
            "Only a served department can become the network one; this one is network department."
        ]
    }


def test_run_refuses_bad_input_and_saves_nothing(dept: Department, editor: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        MACHINE.run("network", editor, dept, {"phone": "", "reason": "x" * 21})
    assert set(exc.value.message_dict) == {"phone", "reason"}
    dept.refresh_from_db()
    assert (dept.kind, dept.phone) == (DepartmentKind.SERVED, "1")


def test_run_calls_the_handler_with_cleaned_data(dept: Department, editor: Any) -> None:
    MACHINE.run("network", editor, dept, {"phone": " 42 ", "reason": "moved"})
    dept.refresh_from_db()
    assert (dept.kind, dept.phone) == (DepartmentKind.NETWORK, "42")
    with pytest.raises(ValidationError):
        MACHINE.run("nothing", editor, dept, {})


# --- the generated page views and API actions ----------------------------------------------------
@pytest.mark.urls(__name__)
def test_page_get_shows_the_form_post_runs_it(dept: Department, editor: Any) -> None:
    c = ui_client(editor)
    url = reverse("org:machinedept_transition", args=[dept.pk, "network"])
    assert available(PAGE, dept, editor)[0].url == url
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert b'name="phone"' in r.content and b'maxlength="30"' in r.content
    r = c.post(url, {"phone": "", "reason": "x"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-field="phone"' in r.content.decode()
    dept.refresh_from_db()
    assert dept.kind == DepartmentKind.SERVED
    r = c.post(url, {"phone": "7", "reason": "x"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    assert r["HX-Redirect"] == reverse("org:machinedept_detail", args=[dept.pk])
    dept.refresh_from_db()
    assert (dept.kind, dept.phone) == (DepartmentKind.NETWORK, "7")


@pytest.mark.urls(__name__)
def test_page_refusals(dept: Department, editor: Any, viewer: Any) -> None:
    url = reverse("org:machinedept_transition", args=[dept.pk, "network"])
    assert ui_client(viewer).post(url, {"phone": "7", "reason": "x"}).status_code == 403
    assert denials(viewer).count() == 1
    c = ui_client(editor)
    assert c.get(reverse("org:machinedept_transition", args=[dept.pk, "nope"])).status_code == 404
    # out of state: a message on the form, never a 500
    r = c.post(
        reverse("org:machinedept_transition", args=[dept.pk, "served"]),
        HTTP_HX_REQUEST="true",
    )
    with translation.override("zh-hans"):  # the users' language here
        served = MACHINE.state_label("served")
    assert r.status_code == 200
    # the default refusal, in the user's language
    assert f"记录处于“{served}”状态时不能进行此操作。" in r.content.decode()
    Department.objects.filter(pk=dept.pk).update(kind=DepartmentKind.NETWORK, is_active=False)
    r = c.post(reverse("org:machinedept_transition", args=[dept.pk, "served"]))
    assert r.status_code == 403  # "served": an active department only
    # a handler's refusal lands on its field
    r = c.post(
        reverse("org:machinedept_transition", args=[dept.pk, "relocate"]),
        {"location": "a"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Not here." in r.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_api_actions(dept: Department, editor: Any, viewer: Any, lang: str) -> None:
    c = api_client(editor)
    base = f"/api/test/machinedepts/{dept.pk}/"
    r = c.get(base)
    assert r.status_code == 200 and r.json()["allowed_actions"] == ["network", "relocate"]
    r = c.post(base + "network/", {"phone": "9" * 31}, format="json", HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 400
    with translation.override(lang):
        required = translation.gettext("This field is required.")
    assert r.json()["reason"] == [required]
    assert len(r.json()["phone"]) == 1
    dept.refresh_from_db()
    assert dept.kind == DepartmentKind.SERVED
    r = api_client(viewer).post(base + "network/", {"phone": "1", "reason": "r"}, format="json")
    assert r.status_code == 403
    r = c.post(base + "relocate/", {"location": "x"}, format="json")
    assert r.status_code == 400 and r.json() == {"location": ["Not here."]}
    r = c.post(base + "network/", {"phone": "5", "reason": "r"}, format="json")
    assert r.status_code == 200
    assert r.json()["allowed_actions"] == ["served", "relocate"]
    r = c.post(base + "network/", {"phone": "5", "reason": "r"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()  # out of state: 400 naming it


def test_serializer_fields_keep_the_type_of_dates_times_and_money() -> None:
    """A transition's date, time and money fields are the same types in the API (a Decimal
    field is not an integer: ¥12.50 is accepted, ¥12.505 refused naming the digits)."""
    from decimal import Decimal

    from django import forms as dforms

    money = m.serializer_field(dforms.DecimalField(max_digits=12, decimal_places=2, required=True))
    assert money.run_validation("12.50") == Decimal("12.50")
    with pytest.raises(drf_serializers.ValidationError):
        money.run_validation("12.505")
    day = m.serializer_field(dforms.DateField(required=False))
    assert day.run_validation("2026-10-08") == dt.date(2026, 10, 8)
    assert day.run_validation(None) is None
    at = m.serializer_field(dforms.TimeField(required=True))
    assert at.run_validation("17:00") == dt.time(17, 0)
    when = m.serializer_field(dforms.DateTimeField(required=True))
    assert when.run_validation("2026-10-08T09:00:00+08:00").hour in (1, 9)
