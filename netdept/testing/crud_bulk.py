"""The generated tests of bulk edit and bulk delete (pages and API), called by the test methods
of ``netdept.testing.crud.CrudTests``:

- without the permission: refused (403), nothing changed;
- with it: every selected row changed (or deleted) through the service, each audited;
- all or nothing: a selection holding a row out of the user's scope is refused (404) and the
  rows in scope are not changed either;
- a page that cannot change (or delete) has no bulk action (404 / 405).

The bulk-edit field is the first of the page's ``bulk_fields`` that ``update_data()`` changes
(``CrudTests.bulk_field`` names another; ``""``: no bulk-edit test).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import pytest
from django.db import models
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook

from netdept.core import audit
from netdept.core.importing import importable
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.testing.clients import api_client, form_data, ui_client, xlsx_rows

if TYPE_CHECKING:
    from netdept.testing.crud import CrudTests


def _api_url(t: CrudTests, action: str) -> str:
    return reverse(f"{t.page.app_label}-{t.page.slug}-{action}")


def _ui_url(t: CrudTests, view: str) -> str:
    return reverse(t.page.url_name(view))


def bulk_change(t: CrudTests) -> tuple[Any, Any, str, Any] | None:
    """Two new rows, the field to change and its new value (as ``update_data()`` gives it)."""
    fields = list(t.page.bulk_fields or [])
    if t.bulk_field is not None:
        fields = [t.bulk_field] if t.bulk_field else []
    if not fields or not t.page.can_change:
        return None
    a, b = t.make_rows(2)
    data = t.update_data(a)
    for name in fields:
        if name in data and name not in t.not_stored and _changes(t, name, data[name], a, b):
            return a, b, name, data[name]
    return None


def _changes(t: CrudTests, name: str, value: Any, *objs: Any) -> bool:
    """``value`` differs from the stored value of ``name`` in every one of ``objs``."""
    field = t.model._meta.get_field(name)
    if field.many_to_many or not isinstance(field, models.Field):
        return False
    want = value if field.is_relation else field.to_python(value)
    return all(getattr(o, field.attname) != want for o in objs)


def _snapshots(t: CrudTests, *objs: Any) -> list[Any]:
    manager = t.model._default_manager
    return [audit.snapshot(manager.get(pk=o.pk)) for o in objs]


def ui_bulk_edit(t: CrudTests) -> None:
    t.need_ui()
    try:
        url = _ui_url(t, "bulk_edit")
    except NoReverseMatch:
        pytest.skip("the page has no bulk edit")
    change = bulk_change(t)
    if change is None:
        assert ui_client(t.user("view", "change")).post(url, {"pk": []}).status_code in (400, 404)
        return
    a, b, name, value = change
    post = {"pk": [a.pk, b.pk], "_apply": "1", f"change_{name}": "on", **form_data({name: value})}
    before = _snapshots(t, a, b)
    viewer = t.user("view")
    assert ui_client(viewer).post(url, post).status_code == 403
    assert _snapshots(t, a, b) == before

    user = t.user("view", "change")
    c = ui_client(user)
    assert c.post(url, {"pk": [a.pk, b.pk]}).status_code == 200  # the preview
    r = c.post(url, post)
    assert r.status_code == 302, r.content[:3000]
    for obj in (a, b):
        t.assert_saved(obj, {name: value})
        rec = audit.history(obj).filter(action=AuditAction.UPDATE).get()
        assert rec.actor_id == user.pk and name in rec.changes
    _out_of_scope_refused(t, lambda c, ids: c.post(url, {**post, "pk": ids}), 404)


def ui_bulk_delete(t: CrudTests) -> None:
    t.need_ui()
    try:
        url = _ui_url(t, "bulk_delete")
    except NoReverseMatch:
        pytest.skip("the page has no bulk delete")
    a, b = t.make_rows(2)
    if not t.page.can_delete:
        r = ui_client(t.user("view", "delete")).post(url, {"pk": [a.pk], "_apply": "1"})
        assert r.status_code in (403, 404)
        assert t.exists(a)
        return
    viewer = t.user("view")
    assert ui_client(viewer).post(url, {"pk": [a.pk, b.pk], "_apply": "1"}).status_code == 403
    assert t.exists(a) and t.exists(b)

    user = t.user("view", "delete")
    c = ui_client(user)
    assert c.post(url, {"pk": [a.pk, b.pk]}).status_code == 200  # the confirmation
    assert t.exists(a) and t.exists(b)
    r = c.post(url, {"pk": [a.pk, b.pk], "_apply": "1"})
    assert r.status_code == 302, r.content[:3000]
    assert not t.exists(a) and not t.exists(b)
    for obj in (a, b):
        assert AuditRecord.objects.filter(
            action=AuditAction.DELETE, object_type=t.page.label, object_id=str(obj.pk)
        ).exists()
    _out_of_scope_refused(t, lambda c, ids: c.post(url, {"pk": ids, "_apply": "1"}), 404)


def api_bulk_update(t: CrudTests) -> None:
    t.need_api()
    change = bulk_change(t)
    try:
        url = _api_url(t, "bulk-update")
    except NoReverseMatch:
        assert change is None or not t.page.bulk_fields, "bulk_fields but no bulk-update"
        return
    if change is None:
        return
    a, b, name, _value = change
    value = t.api_update_data(a)[name]
    body = {"ids": [a.pk, b.pk], "fields": {name: value}}
    before = _snapshots(t, a, b)
    assert api_client(t.user("view")).post(url, body, format="json").status_code == 403
    assert _snapshots(t, a, b) == before

    user = t.user("view", "change")
    r = api_client(user).post(url, body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["count"] == 2
    for obj in (a, b):
        t.assert_saved(obj, {name: value})
        assert audit.history(obj).filter(action=AuditAction.UPDATE, actor=user).exists()
    _out_of_scope_refused(
        t, lambda c, ids: c.post(url, {**body, "ids": ids}, format="json"), 404, api=True
    )


def api_bulk_delete(t: CrudTests) -> None:
    t.need_api()
    try:
        url = _api_url(t, "bulk-delete")
    except NoReverseMatch:
        assert not t.page.can_delete, "the page can delete but has no bulk-delete"
        return
    a, b = t.make_rows(2)
    body = {"ids": [a.pk, b.pk]}
    assert api_client(t.user("view")).post(url, body, format="json").status_code == 403
    assert t.exists(a) and t.exists(b)
    user = t.user("view", "delete")
    r = api_client(user).post(url, body, format="json")
    assert r.status_code == 200, r.json()
    assert sorted(r.json()["ids"]) == sorted([a.pk, b.pk])
    assert not t.exists(a) and not t.exists(b)
    _out_of_scope_refused(t, lambda c, ids: c.post(url, {"ids": ids}, format="json"), 404, api=True)


def _out_of_scope_refused(t: CrudTests, send: Any, status: int, api: bool = False) -> None:
    """Per scope: the visible row with a row out of scope is refused, and neither changes."""
    for case in t.scoped_cases():
        if case.hidden is None:
            continue
        rows = [o for o in (case.visible, case.hidden) if o is not None]
        before = _snapshots(t, *rows)
        client = api_client(case.user) if api else ui_client(case.user)
        r = send(client, [o.pk for o in rows])
        assert r.status_code == status, f"scope {case.scope}: answered {r.status_code}"
        assert _snapshots(t, *rows) == before, f"scope {case.scope}: a row was changed"


def ui_import(t: CrudTests) -> None:
    """An importable page: the template needs the add permission; a file whose rows are bad is
    previewed with each bad row named, and confirming it imports nothing (all or nothing)."""
    t.need_ui()
    if not importable(t.page):
        pytest.skip("the page is not importable")
    template = _ui_url(t, "import_template")
    assert ui_client(t.user("view")).get(template).status_code == 403
    c = ui_client(t.user("view", "add", "change"))  # an import adds and updates rows
    r = c.get(template)
    assert r.status_code == 200, r.status_code
    headers = [str(h) for h in xlsx_rows(r.content)[0] if h]
    assert headers, "the template has no columns"

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    ws.append(["？" * 300 for _h in headers])  # too long / unknown in every column
    ws.append(["-1x" for _h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bad.xlsx"
    before = t.all_pks()
    r = c.post(_ui_url(t, "import"), {"file": buf})
    assert r.status_code == 302, r.content[:2000]
    r = c.get(r["Location"])
    assert r.status_code == 200
    result = r.context["result"]
    assert len(result.bad_rows) == 2, "each bad row is named in the preview"
    assert t.all_pks() == before  # the preview saves nothing
    r = c.post(_ui_url(t, "import_confirm"), {"token": r.context["token"]})
    assert r.status_code in (302, 400)
    assert t.all_pks() == before  # nothing imported
