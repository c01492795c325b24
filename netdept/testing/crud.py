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

Data is shared per class: the users the tests sign in as (no permission; view; view+add;
view+change; view+delete) and the scoped cases (one ``ScopeWorld`` per scope with its objects
in and out of scope) are built once per class in a transaction that is rolled back when the
class is done; each test runs in a savepoint inside it (rolled back after the test), so it
only makes its own object and does its own requests. ``make()`` still runs per test.

Bulk edit, bulk delete (pages and API) and, for importable pages, the import with preview are
generated too (``netdept.testing.crud_bulk``): refused without the permission, all or nothing,
a selection holding a row out of scope refused as a whole, each bad imported row named.

Each class also counts the queries of its list page and API list against the baseline in
``netdept/testing/query_baselines.json`` (see ``netdept.testing.queries``): never more than the
baseline, and the same with 3 rows as with 20 (no N+1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from netdept.core import audit
from netdept.core.display import raw_value
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.models.base import is_config
from netdept.core.permissions import EXTRA_SCOPE_PATHS, perm_name
from netdept.core.registry import Page, page_for
from netdept.testing import crud_bulk, queries
from netdept.testing.classdata import class_transaction
from netdept.testing.clients import (
    api_client,
    cell_text,
    csv_rows,
    denials,
    form_data,
    form_errors,
    ui_client,
    xlsx_rows,
)
from netdept.testing.factories import user_with_perms
from netdept.testing.world import (
    ALL_ACTIONS,
    SCOPES,
    WORLD_ID_BASE,
    ScopedCase,
    ScopeWorld,
)

__all__ = [
    "ALL_ACTIONS",
    "SCOPES",
    "WORLD_ID_BASE",
    "CrudTests",
    "ScopeWorld",
    "ScopedCase",
    "api_client",
    "cell_text",
    "crud_test_classes",
    "csv_rows",
    "denials",
    "form_data",
    "form_errors",
    "ui_client",
    "user_with_perms",
    "xlsx_rows",
]

#: the users every class signs in as, made once per class (``CrudTests.user(*actions)``)
SHARED_USERS: tuple[tuple[str, ...], ...] = (
    ("view",),
    ("view", "add"),
    ("view", "change"),
    ("view", "delete"),
)


@dataclass
class ClassData:
    """What a class of generated tests builds once (inside its class transaction)."""

    nobody: Any = None
    users: dict[tuple[tuple[str, ...], str], Any] = field(default_factory=dict)
    cases: list[ScopedCase] | None = None
    world: ScopeWorld | None = None


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
    #: the field of the bulk-edit test; default: the first of the page's bulk_fields that
    #: update_data() changes; "": no bulk-edit test (netdept.testing.crud_bulk)
    bulk_field: ClassVar[str | None] = None
    #: the organisation of the scoped test running now (set by ``scoped_cases()``)
    world: ScopeWorld
    #: what the class builds once (users, scoped cases); None outside the class's tests
    shared: ClassVar[ClassData | None] = None

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _crud_class_data(cls, django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
        """Build the class's shared data once, in a transaction rolled back after the class."""
        with class_transaction(django_db_blocker):
            with django_db_blocker.unblock():
                cls.shared = cls().build_shared()
            try:
                yield
            finally:
                cls.shared = None

    def build_shared(self) -> ClassData:
        """The users and scoped cases of the class (override to add more; call super)."""
        data = ClassData(nobody=self.nobody())
        for actions in SHARED_USERS:
            data.users[(actions, "all")] = self.user(*actions)
        if self.page.ui or self.page.api:
            data.cases = self.scoped_cases()
            data.world = self.world
        return data

    def _shared_cases(self, shared: ClassData) -> list[ScopedCase]:
        assert shared.cases is not None and shared.world is not None
        self.world = shared.world
        if not is_config(self.model):
            return shared.cases
        # configuration: the one visible row is made by the test (make() may allow only one
        # row, and the test's own make() must still work)
        visible = self.make()
        return [dataclasses.replace(case, visible=visible) for case in shared.cases]

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
        """A user holding ``actions`` on the model (and ``extra_perms``) at ``scope``: the
        class's shared one when there is one (see ``SHARED_USERS``), else a new one."""
        shared = type(self).shared
        if shared is not None and not kwargs and (actions, scope) in shared.users:
            return shared.users[(actions, scope)]
        return user_with_perms([*self.perms(*actions), *self.extra_perms], scope, **kwargs)

    def nobody(self) -> Any:
        """A signed-in user holding no permission on this model (shared by the class)."""
        shared = type(self).shared
        if shared is not None and shared.nobody is not None:
            return shared.nobody
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
        of exactly the rows that user must see; an object in scope and one out of it.
        Built once per class (``build_shared()``); the tests of the class share them."""
        shared = type(self).shared
        if shared is not None and shared.cases is not None:
            return self._shared_cases(shared)
        building = shared is None  # by build_shared(): configuration rows come per test
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
                visible = None if building else cases[0].visible if cases else self.make()
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

    # --- query counts -------------------------------------------------------------------------
    def make_rows(self, n: int) -> list[Any]:
        """``n`` new rows (the query-count and bulk tests); ``make()`` n times by default:
        override it when ``make()`` makes one fixed row."""
        return [self.make() for _ in range(n)]

    def query_rows(self, n: int) -> None:
        """Make ``n`` more rows for the query-count tests (a model whose ``make()`` allows only
        a few rows, like the priority matrix, keeps those)."""
        try:
            with transaction.atomic():
                self.make_rows(n)
        except IntegrityError:  # make() makes one fixed row: override make_rows()
            for _ in range(n):
                try:
                    with transaction.atomic():
                        self.make()
                except IntegrityError:
                    return

    def test_ui_list_queries(self) -> None:
        """The list page (every column) makes as many queries at 3 rows as at 20, and no
        more than its baseline ("<label> list" in query_baselines.json)."""
        self.need_ui()
        c = ui_client(self.user("view"))
        url = self.ui_url("list")
        params: dict[str, Any] = {"per_page": 100, "cols": list(self.page.columns)}
        queries.assert_constant_and_within(
            f"{self.page.label} list", lambda: c.get(url, params), self.query_rows
        )

    def test_api_list_queries(self) -> None:
        """The same for the API list ("<label> api")."""
        self.need_api()
        c = api_client(self.user("view"))
        url = self.api_url()
        queries.assert_constant_and_within(
            f"{self.page.label} api", lambda: c.get(url, {"page_size": 100}), self.query_rows
        )

    # --- bulk edit and bulk delete (netdept.testing.crud_bulk) -------------------------------
    def test_ui_bulk_edit(self) -> None:
        crud_bulk.ui_bulk_edit(self)

    def test_ui_bulk_delete(self) -> None:
        crud_bulk.ui_bulk_delete(self)

    def test_api_bulk_update(self) -> None:
        crud_bulk.api_bulk_update(self)

    def test_api_bulk_delete(self) -> None:
        crud_bulk.api_bulk_delete(self)

    def test_ui_import(self) -> None:
        crud_bulk.ui_import(self)

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
