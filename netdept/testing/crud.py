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

        scopes = ("department", "team")          # default: the first the model has a path for
        extra_perms = ["org.view_department"]    # to see what valid_data() points at

        def make_in_scope(self, scope, department, team, user):
            return TeamFactory(department=department) if scope == "department" else team

and gets, for the UI and for the API: list, detail, create, edit, delete and export (xlsx and
CSV), each without permission (403, and the denial is audited), with permission at scope "all"
(the change is really made and audited, with before → after for updates), and with a scoped
permission (only in-scope rows in lists, exports and the API; 404 on anything else).

Data is given as Python values: primary keys for relations, lists of keys for many-to-many,
booleans as booleans. ``form_data()`` turns it into what a browser posts; the API gets JSON.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from netdept.api.tokens import create_token
from netdept.core import audit
from netdept.core.display import raw_value
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.permissions import perm_name
from netdept.core.registry import Page, page_for
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_perms

SCOPE_PREFERENCE = ("department", "team", "own")
ALL_ACTIONS = ("view", "add", "change", "delete")


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
    #: scopes of the scoped-permission tests; default: the first of department/team/own the
    #: model has a scope path for. A model without scope paths: a scoped user sees nothing.
    scopes: ClassVar[tuple[str, ...] | None] = None
    #: permissions granted with the model's own (to see the objects that valid_data() refers
    #: to: a form or payload may only point at objects the user can see)
    extra_perms: ClassVar[list[str]] = []
    #: column whose exported value identifies an object; default: the first default column
    key_field: ClassVar[str | None] = None
    #: fields of valid_data()/update_data() not compared with the saved object (passwords…)
    not_stored: ClassVar[set[str]] = set()

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
        """An object that ``user`` (of ``department`` and ``team``) sees at ``scope``."""
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
        if self.scopes:
            return self.scopes
        paths = self._scope_paths()
        return tuple(s for s in SCOPE_PREFERENCE if s in paths)[:1]

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

    def scoped_cases(self) -> list[tuple[str, Any, Any, Any]]:
        """Per scope: (scope, a user holding every action at it, an object in scope or None,
        an object out of scope)."""
        cases = []
        for scope in self.resolved_scopes() or ("department",):
            department = DepartmentFactory.create()
            team = TeamFactory.create(department=department)
            user = self.user(*ALL_ACTIONS, scope=scope, department=department, team=team)
            visible = (
                self.make_in_scope(scope, department, team, user)
                if self.resolved_scopes()
                else None
            )
            hidden = self.make_out_of_scope(scope, department, team, user)
            cases.append((scope, user, visible, hidden))
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
        for _scope, user, visible, hidden in self.scoped_cases():
            self._ui_scoped(user, visible, hidden)

    def _ui_scoped(self, user: Any, visible: Any, hidden: Any) -> None:
        c = ui_client(user)
        r = c.get(self.ui_url("list"), {"per_page": 200})
        assert r.status_code == 200
        html = r.content.decode()
        assert f'href="{self.ui_url("detail", hidden)}"' not in html
        if visible is not None:
            assert f'href="{self.ui_url("detail", visible)}"' in html
            assert c.get(self.ui_url("detail", visible)).status_code == 200

        for fmt, reader in (("csv", csv_rows), ("xlsx", xlsx_rows)):
            r = c.get(self.ui_url("export"), {"format": fmt, "cols": self.key_column()})
            assert r.status_code == 200
            keys = {cell_text(row[0]) for row in reader(r.content)[1:]}
            assert self.key(hidden) not in keys
            if visible is not None:
                assert self.key(visible) in keys

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
        for _scope, user, visible, hidden in self.scoped_cases():
            self._api_scoped(user, visible, hidden)

    def _api_scoped(self, user: Any, visible: Any, hidden: Any) -> None:
        c = api_client(user)
        r = c.get(self.api_url(), {"page_size": 500})
        assert r.status_code == 200
        ids = {row["id"] for row in r.json()["results"]}
        assert hidden.pk not in ids
        if visible is not None:
            assert visible.pk in ids
            assert c.get(self.api_url(visible)).status_code == 200
        snapshot = audit.snapshot(hidden)
        assert c.get(self.api_url(hidden)).status_code == 404
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
