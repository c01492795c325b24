"""Generated CRUD + permission tests of the pages of doing duties (netdept.testing.crud).

Occurrences and their evidence are written by the engine and the services of doing only:
their pages and endpoints are read-only (no add, edit or delete: 404 on the pages, 405 in the
API); the rows are made here directly. An occurrence's detail path is its phone page
(``views_work``): the generated detail test is given its own checks."""

from __future__ import annotations

from typing import Any

from netdept.duties.models import Evidence, Occurrence
from netdept.duties.tests.test_work_fixtures import make_duty, make_occurrence
from netdept.testing.crud import CrudTests, denials, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory


def _person_at(scope: str, department: Any, team: Any, user: Any) -> Any:
    """The user's person (own), a member of their team, or a person of their department."""
    if scope == "own":
        return user.person
    if scope == "team":
        return PersonFactory.create(department=department, team=team)
    return PersonFactory.create(department=department)


def _elsewhere() -> Any:
    return PersonFactory.create(department=DepartmentFactory.create())


class TestOccurrenceCrud(CrudTests):
    model = Occurrence
    key_field = "duty"

    def make(self) -> Any:
        return make_occurrence(make_duty(), _elsewhere())

    def make_rows(self, count: int) -> list[Any]:
        duty = make_duty()  # one duty, many people's occurrences (as in a real list)
        return [make_occurrence(duty, _elsewhere()) for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return make_occurrence(make_duty(), _person_at(scope, department, team, user))

    def test_ui_detail(self) -> None:
        """The occurrence's page (``views_work``: the phone page where it is done) shows the
        duty and the person; 403 (audited) without the permission, 404 for a missing one."""
        obj = self.make()
        nobody = self.nobody()
        assert ui_client(nobody).get(self.ui_url("detail", obj)).status_code == 403
        assert denials(nobody).exists()
        c = ui_client(self.user("view"))
        r = c.get(self.ui_url("detail", obj))
        assert r.status_code == 200
        html = r.content.decode()
        assert obj.duty.name in html and obj.person.name in html
        assert c.get(self.ui_url_pk("detail", 999_999_999)).status_code == 404


class TestEvidenceCrud(CrudTests):
    model = Evidence
    key_field = "occurrence"

    def make(self) -> Any:
        occ = make_occurrence(make_duty(), _elsewhere())
        return Evidence.objects.create(
            occurrence=occ, kind="photo", file="duties/evidence/2026/01/a.png", file_name="机房.png"
        )

    def make_rows(self, count: int) -> list[Any]:
        duty = make_duty()
        return [
            Evidence.objects.create(
                occurrence=make_occurrence(duty, _elsewhere()),
                kind="photo",
                file="duties/evidence/2026/01/b.png",
                file_name="巡检.png",
            )
            for _ in range(count)
        ]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        occ = make_occurrence(make_duty(), _person_at(scope, department, team, user))
        return Evidence.objects.create(
            occurrence=occ, kind="photo", file="duties/evidence/2026/01/b.png", file_name="巡检.png"
        )
