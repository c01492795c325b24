"""The browsable API, the filters and the forms show a user only what they may see, and a
filter or an action answers an id that does not exist exactly like the id of a row the user
may not see (no existence oracle)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from netdept.org.models import Person
from netdept.testing.crud import api_client, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory
from netdept.workorders import services
from netdept.workorders.tests.test_services import World

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/workorders/orders/"
MISSING = 987_654


class Scene(World):
    """The work-order world plus a third department with a person the requester must never
    see, and an order of the requester's department assigned to an engineer."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden_dept = DepartmentFactory(name="保密科室甲")
        self.hidden_team = TeamFactory(name="保密小组乙", department=self.hidden_dept)
        self.hidden_person = PersonFactory(name="保密人员丙", department=self.hidden_dept)
        self.order = self.accepted()
        services.assign(self.eng, self.order, assignee=self.eng.person)

    def secret_names(self) -> list[str]:
        """Names of rows outside the requester's department."""
        names = [self.hidden_dept.name, self.hidden_team.name, self.hidden_person.name]
        names += [self.dept_b.name, self.req_b.person.name, self.team.department.name]
        return names


@pytest.fixture
def scene() -> Scene:
    return Scene()


def browsable(user: Any, url: str) -> str:
    c = APIClient()
    c.force_login(user)
    r = c.get(url, {"format": "api"}, HTTP_ACCEPT="text/html")
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        ORDERS,
        "/api/v1/org/people/",
        "/api/v1/workorders/categories/",
        "/api/v1/",
        "/api/v1/me/",
    ],
)
def test_browsable_api_shows_a_requester_nobody_outside_their_scope(scene: Scene, url: str):
    html = browsable(scene.req, url)
    for name in scene.secret_names():
        assert name not in html, (url, name)
    # the visible ones are there (the page did render its content)
    if url == "/api/v1/org/people/":
        assert scene.req.person.name in html


def test_browsable_api_order_page_and_forms_of_a_requester(scene: Scene):
    html = browsable(scene.req, f"{ORDERS}{scene.order.pk}/")
    for name in (scene.hidden_dept.name, scene.hidden_person.name, scene.dept_b.name):
        assert name not in html
    assert "<select" not in html or scene.hidden_person.name not in html


def test_page_filters_and_forms_list_only_visible_rows(scene: Scene):
    """The generated pages (list filters, create form) of a team-scoped engineer: the
    department, team and person choices are the engineer's own team's."""
    from netdept.testing.factories import user_with_perms

    viewer = user_with_perms(
        ["org.view_person", "org.add_person", "org.view_department", "org.view_team"],
        "department",
        department=scene.dept_a,
    )
    c = ui_client(viewer)
    for url in ("/org/person/", "/org/person/add/"):
        r = c.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        for name in (scene.hidden_dept.name, scene.hidden_team.name, scene.dept_b.name):
            assert name not in html, (url, name)
        assert scene.dept_a.name in html, url


def identical(c: Any, url: str, param: str, a: Any, b: Any) -> Any:
    ra, rb = c.get(url, {param: a}), c.get(url, {param: b})
    assert (ra.status_code, ra.content) == (rb.status_code, rb.content), (param, a, b)
    return ra


@pytest.mark.parametrize(
    ("param", "hidden"),
    [
        ("assignee", lambda s: s.hidden_person.pk),
        ("assignee", lambda s: s.req_b.person.pk),
        ("team", lambda s: s.hidden_team.pk),
        ("requester_department", lambda s: s.hidden_dept.pk),
        ("requester_department", lambda s: s.dept_b.pk),
    ],
)
def test_order_filters_answer_unknown_and_invisible_ids_alike(scene: Scene, param: str, hidden):
    c = api_client(scene.req)
    r = identical(c, ORDERS, param, MISSING, hidden(scene))
    assert r.status_code == 200 and r.json()["count"] == 0
    # a filter still narrows the orders the requester sees
    r = c.get(ORDERS, {"assignee": scene.eng.person.pk})
    assert [o["id"] for o in r.json()["results"]] == [scene.order.pk]


def test_generated_filters_answer_unknown_and_invisible_ids_alike(scene: Scene):
    c = api_client(scene.req)
    r = identical(c, "/api/v1/org/people/", "department", MISSING, scene.hidden_dept.pk)
    assert r.status_code == 400 and "department" in r.json()
    identical(c, "/api/v1/org/people/", "team", MISSING, scene.hidden_team.pk)
    r = c.get("/api/v1/org/people/", {"department": scene.dept_a.pk})
    assert r.status_code in (200, 400)  # the requester may not see departments at all
    names = {p["name"] for p in c.get("/api/v1/org/people/").json()["results"]}
    assert names == set(
        Person.objects.filter(department=scene.dept_a).values_list("name", flat=True)
    )


def test_staff_actions_answer_a_requester_alike_for_unknown_and_existing_ids(scene: Scene):
    c = api_client(scene.req)
    own = scene.open()
    url = f"{ORDERS}{own.pk}/"
    for action, field, existing in (
        ("assign", "assignee", scene.hidden_person.pk),
        ("assign", "team", scene.hidden_team.pk),
        ("transfer", "team", scene.hidden_team.pk),
    ):
        body_a = {field: MISSING, "reason": "x"}
        body_b = {field: existing, "reason": "x"}
        ra = c.post(f"{url}{action}/", body_a, format="json")
        rb = c.post(f"{url}{action}/", body_b, format="json")
        assert ra.status_code == rb.status_code == 403, (action, ra.content, rb.content)
        assert ra.content == rb.content
    ra = c.post(ORDERS, {"title": "代报", "on_behalf_of": MISSING}, format="json")
    rb = c.post(ORDERS, {"title": "代报", "on_behalf_of": scene.hidden_person.pk}, format="json")
    assert ra.status_code == rb.status_code == 403
    assert ra.content == rb.content
