"""Generated CRUD + permission tests for registered pages (in the spirit of NetBox's
``ViewTestCases``).

A test module declares one subclass per model::

    class TestTeamCrud(CrudTests):
        model = Team

        def make(self):
            return TeamFactory()

        def valid_data(self):
            return {"name": "运维组", "department": DepartmentFactory().pk, "is_active": True}

        def update_data(self, obj):
            return {"name": "新名字", "department": obj.department_id, "is_active": True}

        scopes = ("department", "team")          # default: own, team and department
        extra_perms = ["org.view_department"]    # to see what valid_data() points at

        def make_in_scope(self, scope, department, team, user):  # scopes with a path only
            return TeamFactory(department=department) if scope == "department" else team

and gets, for the UI and for the API: list, detail, create, edit, delete and export (xlsx and
CSV), each without permission (403, and the denial is audited), with permission at scope "all"
(the change is really made and audited, with before → after for updates), and with a scoped
permission at each of the scopes own, team and department: the list, the export and the API
show EXACTLY the rows in scope — ``make_in_scope()``'s object plus the rows of the
``ScopeWorld`` (several departments and teams whose ids are planted to coincide: a team's id is
another department's, the user's id another department's and another team's…) that the scope
reaches — and anything else is a 404. A scope the model has no path for shows nothing;
configuration (``record_kind = "config"``) shows every row at every scope.

Data is given as Python values: primary keys for relations, lists of keys for many-to-many,
booleans as booleans. ``form_data()`` turns it into what a browser posts; the API gets JSON.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from netdept.accounts.tokens import create_token
from netdept.core import audit
from netdept.core.display import raw_value
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.models.base import is_config
from netdept.core.permissions import perm_name
from netdept.core.registry import Page, page_for
from netdept.org.models import RoleAssignment
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    PositionFactory,
    TeamFactory,
    UserFactory,
    user_with_perms,
)

SCOPES = ("own", "team", "department")
ALL_ACTIONS = ("view", "add", "change", "delete")

# Each world takes its own block of ids, far above what the sequences reach in a test run.
_world_blocks = itertools.count(1)
WORLD_ID_BASE = 20_000_000


@dataclass
class ScopeWorld:
    """An organisation in which one user sits, with ids planted to coincide across models so
    that a scope path comparing the wrong ids shows the wrong rows.

    Departments: ``others[0]`` (b+1), ``department`` (b+2, the user's), ``sub_department``
    (b+3, below the user's), ``others[1]`` (b+4), ``others[2]`` (b+5), ``others[3]`` (b+6).
    Teams: ``team`` (b+4 = ``others[1]``; the user is a member), ``led_team`` (b+2 = the user's
    department; same department, the user leads it), ``sub_team`` (b+7, in the sub-department),
    ``far_teams``: b+3 (= the sub-department, in ``others[0]``), b+1 (in ``others[1]``), b+5
    (= the user's id, in ``others[3]``). The user's id is b+5 (= ``others[2]`` and a far team),
    the user's person b+6 (= ``others[3]``); another person has the user's id.
    """

    user: Any
    person: Any
    department: Any
    sub_department: Any
    team: Any
    led_team: Any
    sub_team: Any
    others: list[Any]
    far_teams: list[Any]
    #: model label → scope → the rows of that model, made by the world, that the scope reaches
    reach: dict[str, dict[str, set[Any]]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> ScopeWorld:
        b = WORLD_ID_BASE + 1000 * next(_world_blocks)

        def dept(i: int, parent: Any = None) -> Any:
            return DepartmentFactory.create(id=b + i, parent=parent)

        d1 = dept(1)
        department = dept(2)
        sub = dept(3, parent=department)
        d4, d5, d6 = dept(4), dept(5), dept(6)
        team = TeamFactory.create(id=b + 4, department=department)
        led_team = TeamFactory.create(id=b + 2, department=department)
        sub_team = TeamFactory.create(id=b + 7, department=sub)
        far = [
            TeamFactory.create(id=b + 3, department=d1),
            TeamFactory.create(id=b + 1, department=d4),
            TeamFactory.create(id=b + 5, department=d6),
        ]
        user = UserFactory.create(id=b + 5)

        def pos(i: int, d: Any) -> Any:
            return PositionFactory.create(id=b + i, department=d)

        p_user, p_team, p_led, p_sub, p_far = (
            pos(5, department),  # = the user's id
            pos(2, department),
            pos(4, department),
            pos(1, sub),
            pos(6, d1),  # = the user's person's id
        )
        person = PersonFactory.create(
            id=b + 6, department=department, team=team, user=user, position=p_user
        )
        mate = PersonFactory.create(id=b + 7, department=department, team=team, position=p_team)
        led = PersonFactory.create(id=b + 8, department=department, team=led_team, position=p_led)
        below = PersonFactory.create(id=b + 9, department=sub, team=sub_team, position=p_sub)
        PersonFactory.create(id=b + 5, department=d5, position=p_far)  # the user's id
        PersonFactory.create(id=b + 4, department=d4, team=far[1])  # the user's team's id
        led_team.lead = person
        led_team.save()
        reach = {
            "org.department": {
                "own": {department.pk},
                "team": {department.pk},  # both of the user's teams are in it: once
                "department": {department.pk, sub.pk},
            },
            "org.team": {
                "own": {team.pk},
                "team": {team.pk, led_team.pk},
                "department": {team.pk, led_team.pk, sub_team.pk},
            },
            "org.person": {
                "own": {person.pk},
                "team": {person.pk, mate.pk, led.pk},
                "department": {person.pk, mate.pk, led.pk, below.pk},
            },
            "org.position": {
                "own": {p_user.pk},
                "team": {p_user.pk, p_team.pk, p_led.pk},
                "department": {p_user.pk, p_team.pk, p_led.pk, p_sub.pk},
            },
            "auth.user": {scope: {user.pk} for scope in SCOPES},
        }
        return cls(
            user=user,
            person=person,
            department=department,
            sub_department=sub,
            team=team,
            led_team=led_team,
            sub_team=sub_team,
            others=[d1, d4, d5, d6],
            far_teams=far,
            reach=reach,
        )

    def take_roles_of(self, holder: Any) -> None:
        """Give the world's user the roles of ``holder`` (a user made by ``CrudTests.user()``,
        so that subclasses choosing their permissions there are obeyed)."""
        moved = RoleAssignment.objects.filter(user=holder)
        ids = list(moved.values_list("pk", flat=True))
        moved.update(user=self.user)
        self.reach.setdefault("org.roleassignment", {s: set() for s in SCOPES})
        for scope in SCOPES:
            self.reach["org.roleassignment"][scope].update(ids)

    def reached(self, model: type[models.Model], scope: str) -> set[Any]:
        return set(self.reach.get(model._meta.label_lower, {}).get(scope, set()))


@dataclass
class ScopedCase:
    scope: str
    user: Any
    expected: set[Any] | None  # the pks of every row the user must see; None: every row
    visible: Any  # an object in scope (or None)
    hidden: Any  # an object out of scope (or None: configuration hides nothing)
    world: ScopeWorld | None = None


# --- helpers usable by any test ---------------------------------------------------------------
def ui_client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api_client(user: Any) -> APIClient:
    """An API client authenticated the real way: with a personal token."""
    _token, secret = create_token(user, "test")
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return c


def form_data(data: dict[str, Any]) -> dict[str, Any]:
    """Python values → what a browser posts (unchecked boxes are absent, None is empty)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if v is True:
            out[k] = "on"
        elif v is False:
            continue
        elif v is None:
            out[k] = ""
        elif isinstance(v, list | tuple | set):
            out[k] = [str(x) for x in v]
        else:
            out[k] = str(v)
    return out


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text, the same for CSV and xlsx (dates come back as datetimes)."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV must begin with the UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def denials(user: Any) -> models.QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(action=AuditAction.DENIED, actor=user)


def form_errors(response: Any) -> Any:
    ctx = getattr(response, "context", None)
    try:
        return ctx["form"].errors if ctx is not None else response.content[:2000]
    except (KeyError, TypeError):
        return response.content[:2000]


# --- the generated tests ---------------------------------------------------------------------
class CrudTests:
    """Subclass once per registered model (see the module docstring)."""

    pytestmark: ClassVar[Any] = pytest.mark.django_db

    model: ClassVar[type[models.Model]]
    #: scopes of the scoped-permission tests; default: own, team and department. At a scope
    #: the model has no path for, a scoped user sees nothing (configuration: everything).
    scopes: ClassVar[tuple[str, ...] | None] = None
    #: permissions granted with the model's own (to see the objects that valid_data() refers
    #: to: a form or payload may only point at objects the user can see)
    extra_perms: ClassVar[list[str]] = []
    #: column whose exported value identifies an object; default: the first default column
    key_field: ClassVar[str | None] = None
    #: fields of valid_data()/update_data() not compared with the saved object (passwords…)
    not_stored: ClassVar[set[str]] = set()
    #: the organisation of the scoped test running now (set by ``scoped_cases()``)
    world: ScopeWorld

    # --- to define in subclasses ------------------------------------------------------------
    def make(self) -> Any:
        """A new, existing object (nothing refers to it, so it can be deleted)."""
        raise NotImplementedError

    def valid_data(self) -> dict[str, Any]:
        """A complete, valid create payload (Python values)."""
        raise NotImplementedError

    def update_data(self, obj: Any) -> dict[str, Any]:
        """A complete, valid payload that changes ``obj``."""
        raise NotImplementedError

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        """An object that ``user`` (of ``department`` and ``team``) sees at ``scope``; called
        only for scopes the model has a path for. ``self.world`` is the ``ScopeWorld``."""
        raise NotImplementedError(f"{type(self).__name__} must define make_in_scope()")

    def make_out_of_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        """An object ``user`` does not see at ``scope``; by default ``make()``."""
        return self.make()

    def api_valid_data(self) -> dict[str, Any]:
        return self.valid_data()

    def to_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` as the browser posts it; override for fields with their own widget."""
        return form_data(data)

    def api_update_data(self, obj: Any) -> dict[str, Any]:
        return self.update_data(obj)

    # --- plumbing -----------------------------------------------------------------------------
    @property
    def page(self) -> Page:
        page = page_for(self.model)
        assert page is not None, f"{self.model._meta.label} is not a registered page"
        return page

    def perms(self, *actions: str) -> list[str]:
        return [perm_name(self.model, a) for a in actions]

    def user(self, *actions: str, scope: str = "all", **kwargs: Any) -> Any:
        return user_with_perms([*self.perms(*actions), *self.extra_perms], scope, **kwargs)

    def nobody(self) -> Any:
        """A signed-in user holding no permission on this model."""
        return user_with_perms([], "all")

    def ui_url(self, view: str, obj: Any = None) -> str:
        return reverse(self.page.url_name(view), args=[obj.pk] if obj is not None else [])

    def ui_url_pk(self, view: str, pk: Any) -> str:
        return reverse(self.page.url_name(view), args=[pk])

    def api_url_pk(self, pk: Any) -> str:
        return reverse(f"{self.page.app_label}-{self.page.slug}-detail", args=[pk])

    def api_url(self, obj: Any = None) -> str:
        base = f"{self.page.app_label}-{self.page.slug}"
        if obj is None:
            return reverse(f"{base}-list")
        return reverse(f"{base}-detail", args=[obj.pk])

    def assert_ui_refuses(self, view: str, obj: Any) -> None:
        """A read-only page: even a user with every right on the model gets a 404."""
        meta = self.model._meta
        actions = ["view", "add", "change", "delete"]
        user = user_with_perms(
            [
                f"{meta.app_label}.{a}_{meta.model_name}"
                for a in actions
                if Permission.objects.filter(
                    content_type__app_label=meta.app_label, codename=f"{a}_{meta.model_name}"
                ).exists()
            ]
        )
        c = ui_client(user)
        before = self.all_pks()
        url = self.ui_url(view, obj)
        assert c.get(url).status_code == 404
        assert c.post(url, {}).status_code == 404
        assert self.all_pks() >= before - ({obj.pk} if obj is not None else set())
        if obj is not None:
            assert self.model._default_manager.filter(pk=obj.pk).exists()

    def assert_api_refuses(self, method: str, obj: Any) -> None:
        """A read-only endpoint answers 405 to a method it does not have."""
        meta = self.model._meta
        user = user_with_perms([f"{meta.app_label}.view_{meta.model_name}"])
        client = api_client(user)
        url = self.api_url(obj) if obj is not None else self.api_url()
        r = getattr(client, method)(url, {}, format="json")
        assert r.status_code == 405, r.status_code
        if obj is not None:
            assert self.model._default_manager.filter(pk=obj.pk).exists()

    def need_ui(self) -> None:
        if not self.page.ui:
            pytest.skip("no UI pages for this model")

    def need_api(self) -> None:
        if not self.page.api:
            pytest.skip("no API endpoints for this model")

    def resolved_scopes(self) -> tuple[str, ...]:
        return self.scopes or SCOPES

    def _scope_paths(self) -> dict[str, str]:
        from netdept.core.permissions import EXTRA_SCOPE_PATHS

        return EXTRA_SCOPE_PATHS.get(self.model._meta.label_lower) or getattr(
            self.model, "scope_paths", {}
        )

    def key(self, obj: Any) -> str:
        return cell_text(raw_value(obj, self.key_column()))

    def key_column(self) -> str:
        return self.key_field or (self.page.default_columns or self.page.columns)[0]

    def exists(self, obj: Any) -> bool:
        return self.model._default_manager.filter(pk=obj.pk).exists()

    def assert_saved(self, obj: Any, data: dict[str, Any]) -> None:
        obj = self.model._default_manager.get(pk=obj.pk)
        for name, value in data.items():
            if name in self.not_stored:
                continue
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field
                continue
            if field.many_to_many:
                got: Any = sorted(getattr(obj, name).values_list("pk", flat=True))
                want: Any = sorted(int(v) for v in value)
            elif not isinstance(field, models.Field):
                raise AssertionError(f"{name}: a reverse relation is not a form field")
            elif field.is_relation:
                got, want = getattr(obj, field.attname), value
            else:
                got, want = getattr(obj, name), field.to_python(value)
                if want is None and got == "":
                    want = ""
            assert got == want, f"{name}: saved {got!r}, sent {want!r}"

    def new_objects(self, before: set[Any]) -> list[Any]:
        return list(self.model._default_manager.exclude(pk__in=before))

    def all_pks(self) -> set[Any]:
        return set(self.model._default_manager.values_list("pk", flat=True))

    def scoped_cases(self) -> list[ScopedCase]:
        """Per scope: a user holding every action at it, in a fresh ``ScopeWorld``; the pks
        of exactly the rows that user must see; an object in scope and one out of it."""
        cases: list[ScopedCase] = []
        config = is_config(self.model)
        paths = self._scope_paths()
        for scope in self.resolved_scopes():
            world = self.world = ScopeWorld.build()
            holder = self.user(*ALL_ACTIONS, scope=scope, department=world.others[3])
            world.take_roles_of(holder)
            user = world.user
            expected: set[Any] | None
            if config:  # one row (make() may allow only a few), seen at every scope
                visible = cases[0].visible if cases else self.make()
                hidden, expected = None, None
            else:
                visible = None
                if scope in paths:
                    visible = self.make_in_scope(scope, world.department, world.team, user)
                hidden = self.make_out_of_scope(scope, world.department, world.team, user)
                expected = world.reached(self.model, scope) if scope in paths else set()
                if visible is not None:
                    expected.add(visible.pk)
            cases.append(ScopedCase(scope, user, expected, visible, hidden, world))
        return cases

    # --- UI -----------------------------------------------------------------------------------
    def test_ui_list(self) -> None:
        self.need_ui()
        obj = self.make()
        nobody = self.nobody()
        assert ui_client(nobody).get(self.ui_url("list")).status_code == 403
        assert denials(nobody).filter(extra__permission=self.perms("view")[0]).exists()

        r = ui_client(self.user("view")).get(self.ui_url("list"), {"per_page": 200})
        assert r.status_code == 200
        assert f'href="{self.ui_url("detail", obj)}"' in r.content.decode()

    def test_ui_detail(self) -> None:
        self.need_ui()
        obj = self.make()
        nobody = self.nobody()
        assert ui_client(nobody).get(self.ui_url("detail", obj)).status_code == 403
        assert denials(nobody).exists()

        c = ui_client(self.user("view"))
        r = c.get(self.ui_url("detail", obj))
        assert r.status_code == 200
        assert str(obj) in r.content.decode()
        missing = reverse(self.page.url_name("detail"), args=[999_999_999])
        assert c.get(missing).status_code == 404

    def test_ui_create(self) -> None:
        self.need_ui()
        if not self.page.can_add:
            return self.assert_ui_refuses("add", None)
        viewer = self.user("view")
        c = ui_client(viewer)
        data = self.valid_data()
        before = self.all_pks()
        assert c.get(self.ui_url("add")).status_code == 403
        assert c.post(self.ui_url("add"), self.to_form(data)).status_code == 403
        assert self.new_objects(before) == []
        assert denials(viewer).filter(extra__permission=self.perms("add")[0]).exists()

        user = self.user("view", "add")
        c = ui_client(user)
        assert c.get(self.ui_url("add")).status_code == 200
        data = self.valid_data()
        before = self.all_pks()
        r = c.post(self.ui_url("add"), self.to_form(data))
        assert r.status_code == 302, form_errors(r)
        (obj,) = self.new_objects(before)
        assert r["Location"] == self.ui_url("detail", obj)
        self.assert_saved(obj, data)
        rec = audit.history(obj).get(action=AuditAction.CREATE)
        assert rec.actor_id == user.pk
        assert rec.changes and all(v[0] is None for v in rec.changes.values())

    def test_ui_edit(self) -> None:
        self.need_ui()
        if not self.page.can_change:
            return self.assert_ui_refuses("edit", self.make())
        obj = self.make()
        viewer = self.user("view")
        c = ui_client(viewer)
        snapshot = audit.snapshot(obj)
        assert c.get(self.ui_url("edit", obj)).status_code == 403
        r = c.post(self.ui_url("edit", obj), self.to_form(self.update_data(obj)))
        assert r.status_code == 403
        assert audit.snapshot(self.model._default_manager.get(pk=obj.pk)) == snapshot
        assert denials(viewer).filter(extra__permission=self.perms("change")[0]).exists()

        user = self.user("view", "change")
        c = ui_client(user)
        assert c.get(self.ui_url("edit", obj)).status_code == 200
        data = self.update_data(obj)
        r = c.post(self.ui_url("edit", obj), self.to_form(data))
        assert r.status_code == 302, form_errors(r)
        self.assert_saved(obj, data)
        after = audit.snapshot(self.model._default_manager.get(pk=obj.pk))
        rec = audit.history(obj).get(action=AuditAction.UPDATE)
        assert rec.actor_id == user.pk
        assert rec.changes, "an update must record what changed"
        assert rec.changes == audit._jsonable(audit.diff(snapshot, after))
        for name, (old, new) in rec.changes.items():
            assert old != new, name

    def test_ui_delete(self) -> None:
        self.need_ui()
        if not self.page.can_delete:
            return self.assert_ui_refuses("delete", self.make())
        obj = self.make()
        viewer = self.user("view")
        c = ui_client(viewer)
        assert c.get(self.ui_url("delete", obj)).status_code == 403
        assert c.post(self.ui_url("delete", obj)).status_code == 403
        assert self.exists(obj)
        assert denials(viewer).filter(extra__permission=self.perms("delete")[0]).exists()

        user = self.user("view", "delete")
        c = ui_client(user)
        assert c.get(self.ui_url("delete", obj)).status_code == 200
        r = c.post(self.ui_url("delete", obj))
        assert r.status_code == 302
        assert r["Location"] == self.ui_url("list")
        assert not self.exists(obj)
        rec = AuditRecord.objects.get(
            action=AuditAction.DELETE, object_type=self.page.label, object_id=str(obj.pk)
        )
        assert rec.actor_id == user.pk
        assert all(v[1] is None for v in rec.changes.values())

    def test_ui_export(self) -> None:
        self.need_ui()
        obj = self.make()
        nobody = self.nobody()
        url = self.ui_url("export")
        for fmt in ("xlsx", "csv"):
            assert ui_client(nobody).get(url, {"format": fmt}).status_code == 403
        assert not AuditRecord.objects.filter(action=AuditAction.EXPORT, actor=nobody).exists()

        user = self.user("view")  # export needs only the view permission; it is audited
        c = ui_client(user)
        col = self.key_column()
        r = c.get(url, {"format": "xlsx", "cols": col})
        assert r.status_code == 200
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = xlsx_rows(r.content)
        assert self.key(obj) in {cell_text(row[0]) for row in rows[1:]}

        r = c.get(url, {"format": "csv", "cols": col})
        assert r.status_code == 200
        assert r["Content-Type"].startswith("text/csv")
        rows = csv_rows(r.content)
        assert self.key(obj) in {row[0] for row in rows[1:]}

        recs = AuditRecord.objects.filter(
            action=AuditAction.EXPORT, actor=user, object_type=self.page.label
        )
        assert sorted(recs.values_list("extra__format", flat=True)) == ["csv", "xlsx"]
        assert c.get(url, {"format": "pdf"}).status_code == 404

    def test_ui_history(self) -> None:
        self.need_ui()
        obj = self.make()
        url = self.ui_url("history", obj)
        viewer = self.user("view")
        assert ui_client(viewer).get(url).status_code == 403
        assert denials(viewer).exists()
        historian = user_with_perms([*self.perms("view"), "core.view_history"], "all")
        assert ui_client(historian).get(url).status_code == 200

    def test_ui_scoped(self) -> None:
        self.need_ui()
        for case in self.scoped_cases():
            self._ui_scoped(case)

    def _ui_scoped(self, case: ScopedCase) -> None:
        expected = self.all_pks() if case.expected is None else case.expected
        c = ui_client(case.user)
        r = c.get(self.ui_url("list"), {"per_page": 500})
        assert r.status_code == 200
        html = r.content.decode()
        listed = {pk for pk in self.all_pks() if f'href="{self.ui_url_pk("detail", pk)}"' in html}
        assert listed == expected, f"scope {case.scope}: listed {listed}, want {expected}"
        for pk in expected:  # the API asks every row; the pages the rows in scope
            got = c.get(self.ui_url_pk("detail", pk)).status_code
            assert got == 200, f"scope {case.scope}: detail of {pk} answered {got}"

        expected_keys = {
            self.key(obj) for obj in self.model._default_manager.filter(pk__in=expected)
        }
        for fmt, reader in (("csv", csv_rows), ("xlsx", xlsx_rows)):
            r = c.get(self.ui_url("export"), {"format": fmt, "cols": self.key_column()})
            assert r.status_code == 200
            rows = reader(r.content)[1:]
            assert len(rows) == len(expected), f"scope {case.scope}: {fmt} rows"
            assert {cell_text(row[0]) for row in rows} == expected_keys

        if case.visible is not None and self.page.can_change:
            assert c.get(self.ui_url("edit", case.visible)).status_code == 200
        hidden = case.hidden
        if hidden is None:
            return
        snapshot = audit.snapshot(hidden)
        assert c.get(self.ui_url("detail", hidden)).status_code == 404
        assert c.get(self.ui_url("history", hidden)).status_code == 404
        if self.page.can_change:
            assert c.get(self.ui_url("edit", hidden)).status_code == 404
            r = c.post(self.ui_url("edit", hidden), self.to_form(self.update_data(hidden)))
            assert r.status_code == 404
        if self.page.can_delete:
            assert c.post(self.ui_url("delete", hidden)).status_code == 404
        assert audit.snapshot(self.model._default_manager.get(pk=hidden.pk)) == snapshot

    # --- API ----------------------------------------------------------------------------------
    def test_api_list(self) -> None:
        self.need_api()
        obj = self.make()
        nobody = self.nobody()
        r = api_client(nobody).get(self.api_url())
        assert r.status_code == 403
        assert "detail" in r.json()
        assert denials(nobody).exists()
        assert APIClient().get(self.api_url()).status_code == 401

        r = api_client(self.user("view")).get(self.api_url(), {"page_size": 500})
        assert r.status_code == 200
        body = r.json()
        assert {"count", "next", "previous", "results"} <= set(body)
        assert obj.pk in {row["id"] for row in body["results"]}

    def test_api_detail(self) -> None:
        self.need_api()
        obj = self.make()
        assert api_client(self.nobody()).get(self.api_url(obj)).status_code == 403
        c = api_client(self.user("view"))
        r = c.get(self.api_url(obj))
        assert r.status_code == 200
        assert r.json()["id"] == obj.pk
        missing = reverse(f"{self.page.app_label}-{self.page.slug}-detail", args=[999_999_999])
        r = c.get(missing)
        assert r.status_code == 404
        assert "detail" in r.json()

    def test_api_create(self) -> None:
        self.need_api()
        if not self.page.can_add:
            return self.assert_api_refuses("post", None)
        viewer = self.user("view")
        client = api_client(viewer)
        data = self.api_valid_data()
        before = self.all_pks()
        r = client.post(self.api_url(), data, format="json")
        assert r.status_code == 403
        assert self.new_objects(before) == []
        assert denials(viewer).filter(extra__permission=self.perms("add")[0]).exists()

        user = self.user("view", "add")
        client = api_client(user)
        data = self.api_valid_data()
        before = self.all_pks()
        r = client.post(self.api_url(), data, format="json")
        assert r.status_code == 201, r.json()
        (obj,) = self.new_objects(before)
        assert r.json()["id"] == obj.pk
        self.assert_saved(obj, data)
        rec = audit.history(obj).get(action=AuditAction.CREATE)
        assert rec.actor_id == user.pk
        assert rec.extra.get("via") == "api"

    def test_api_update(self) -> None:
        self.need_api()
        if not self.page.can_change:
            return self.assert_api_refuses("patch", self.make())
        obj = self.make()
        snapshot = audit.snapshot(obj)
        viewer = self.user("view")
        r = api_client(viewer).put(self.api_url(obj), self.api_update_data(obj), format="json")
        assert r.status_code == 403
        assert audit.snapshot(self.model._default_manager.get(pk=obj.pk)) == snapshot
        assert denials(viewer).filter(extra__permission=self.perms("change")[0]).exists()

        user = self.user("view", "change")
        data = self.api_update_data(obj)
        r = api_client(user).put(self.api_url(obj), data, format="json")
        assert r.status_code == 200, r.json()
        self.assert_saved(obj, data)
        after = audit.snapshot(self.model._default_manager.get(pk=obj.pk))
        rec = audit.history(obj).get(action=AuditAction.UPDATE)
        assert rec.actor_id == user.pk
        assert rec.changes and rec.changes == audit._jsonable(audit.diff(snapshot, after))

    def test_api_delete(self) -> None:
        self.need_api()
        if not self.page.can_delete:
            return self.assert_api_refuses("delete", self.make())
        obj = self.make()
        viewer = self.user("view")
        assert api_client(viewer).delete(self.api_url(obj)).status_code == 403
        assert self.exists(obj)
        assert denials(viewer).filter(extra__permission=self.perms("delete")[0]).exists()

        user = self.user("view", "delete")
        assert api_client(user).delete(self.api_url(obj)).status_code == 204
        assert not self.exists(obj)
        assert AuditRecord.objects.filter(
            action=AuditAction.DELETE,
            object_type=self.page.label,
            object_id=str(obj.pk),
            actor=user,
        ).exists()

    def test_api_scoped(self) -> None:
        self.need_api()
        for case in self.scoped_cases():
            self._api_scoped(case)

    def _api_scoped(self, case: ScopedCase) -> None:
        expected = self.all_pks() if case.expected is None else case.expected
        c = api_client(case.user)
        r = c.get(self.api_url(), {"page_size": 500})
        assert r.status_code == 200
        ids = [row["id"] for row in r.json()["results"]]
        assert len(ids) == len(set(ids)), f"scope {case.scope}: a row is listed twice: {ids}"
        assert set(ids) == expected, f"scope {case.scope}: got {ids}, want {expected}"
        assert r.json()["count"] == len(expected)
        for pk in self.all_pks():
            want = 200 if pk in expected else 404
            got = c.get(self.api_url_pk(pk)).status_code
            assert got == want, f"scope {case.scope}: detail of {pk} answered {got}"
        hidden = case.hidden
        if hidden is None:
            return
        snapshot = audit.snapshot(hidden)
        if self.page.can_change:
            assert c.patch(self.api_url(hidden), {}, format="json").status_code == 404
        if self.page.can_delete:
            assert c.delete(self.api_url(hidden)).status_code == 404
        assert audit.snapshot(self.model._default_manager.get(pk=hidden.pk)) == snapshot


def crud_test_classes() -> list[type[CrudTests]]:
    """Every concrete CrudTests subclass imported so far."""
    out: list[type[CrudTests]] = []
    stack = list(CrudTests.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "model", None) is not None:
            out.append(cls)
    return out
