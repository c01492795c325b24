"""Generated CRUD + permission tests of the daily-log pages (netdept.testing.crud).

Logs and their entries are written through ``services.logs`` only (drafted when opened, edited
on the log's page): their generated pages and endpoints are read-only (no add, edit or delete:
404 on the pages, 405 in the API); the rows are made here directly. A log's detail path is its
phone page (``views_logs``): the generated detail test is given its own checks."""

from __future__ import annotations

from typing import Any

from netdept.testing.crud import CrudTests, denials, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory
from netdept.worklog.models.logs import DailyLog, LogEntry
from netdept.worklog.tests.factories_logs import DailyLogFactory, LogEntryFactory


def _person_at(scope: str, department: Any, team: Any, user: Any) -> Any:
    """The user's person (own), a member of their team, or a person of their department."""
    if scope == "own":
        return user.person
    if scope == "team":
        return PersonFactory.create(department=department, team=team)
    return PersonFactory.create(department=department)


def _elsewhere() -> Any:
    return PersonFactory.create(department=DepartmentFactory.create())


class TestDailyLogCrud(CrudTests):
    model = DailyLog
    key_field = "summary"

    def make(self) -> Any:
        return DailyLogFactory.create(person=_elsewhere())

    def make_rows(self, count: int) -> list[Any]:
        return [DailyLogFactory.create(person=_elsewhere()) for _ in range(count)]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        return DailyLogFactory.create(person=_person_at(scope, department, team, user))

    def test_ui_detail(self) -> None:
        """The log's page (``views_logs``: the phone page where it is written) shows the
        person and the summary; 403 (audited) without the permission, 404 for a missing one."""
        obj = self.make()
        nobody = self.nobody()
        assert ui_client(nobody).get(self.ui_url("detail", obj)).status_code == 403
        assert denials(nobody).exists()
        c = ui_client(self.user("view"))
        r = c.get(self.ui_url("detail", obj))
        assert r.status_code == 200
        html = r.content.decode()
        assert obj.person.name in html and obj.summary in html
        assert c.get(self.ui_url_pk("detail", 999_999_999)).status_code == 404


class TestLogEntryCrud(CrudTests):
    model = LogEntry
    key_field = "text"

    def make(self) -> Any:
        return LogEntryFactory.create(log=DailyLogFactory.create(person=_elsewhere()))

    def make_rows(self, count: int) -> list[Any]:
        return [
            LogEntryFactory.create(log=DailyLogFactory.create(person=_elsewhere()))
            for _ in range(count)
        ]

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        log = DailyLogFactory.create(person=_person_at(scope, department, team, user))
        return LogEntryFactory.create(log=log)
