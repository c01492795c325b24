"""The class-based generic views and their hooks, tabs and panels registered by other apps, and
URLs registered by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import path, reverse

from netdept.core import permissions
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import page_for
from netdept.core.tabs import (
    Panel,
    Tab,
    register_panel,
    register_tab,
    unregister_panel,
    unregister_tab,
)
from netdept.core.views.crud import urls_for, view_class
from netdept.core.views.generic import (
    ExportView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RowAction,
)
from netdept.org.models import Department, Person, Team
from netdept.testing.clients import denials, ui_client
from netdept.testing.factories import DepartmentFactory, PersonFactory, TeamFactory, user_with_perms
from netdept.urls import app_urlpatterns
from netdept.urls import urlpatterns as root_patterns

pytestmark = pytest.mark.django_db

DEPT = page_for(Department)
assert DEPT is not None


# --- hooks: a module subclasses a generic view -------------------------------------------------
class ActiveDepartments(ObjectListView):
    """Only active rows, two fixed columns, a row action and extra context."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(is_active=True)

    def filter_queryset(self, qs: Any) -> Any:
        qs = super().filter_queryset(qs)
        return qs.exclude(name="藏起来")

    def get_columns(self) -> list[str]:
        return ["name", "code"]

    def get_row(self, obj: Any, columns: list[str]) -> list[Any]:
        return [f"【{obj.name}】", obj.code]

    def get_row_actions(self, obj: Any) -> list[RowAction]:
        return [RowAction("Ping", f"/ping/{obj.pk}/", "bi-bell")]

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        return {"hook_window": kwargs["window"]}


class DetailWithFields(ObjectDetailView):
    def get_fields(self, obj: Any) -> list[tuple[str, Any]]:
        return [("只有", obj.code)]

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        return {"seen": kwargs["obj"].pk}


class EditThenList(ObjectEditView):
    def get_success_url(self, obj: Any) -> str:
        return reverse(DEPT.url_name("list"))


class CodesExport(ExportView):
    formats = ("csv",)

    def get_export_columns(self) -> list[str]:
        return ["code"]

    def get_export_row(self, obj: Any, columns: list[str]) -> list[Any]:
        return [f"#{obj.code}"]


class NoBulkPlainList(ObjectListView):
    template_name = "core/_list_table.html"  # the table alone, as a full answer

    def get_bulk_actions(self) -> list[Any]:
        return []

    def sortable_columns(self) -> list[str]:
        return ["name"]


class SoftDelete(ObjectDeleteView):
    def perform_delete(self, obj: Any) -> None:
        assert DEPT.service is not None
        DEPT.service.update(self.user, obj, {"is_active": False})


urlpatterns = [
    path("hooks/list/", ActiveDepartments.as_view(page=DEPT), name="hook_list"),
    path("hooks/export/", CodesExport.as_view(page=DEPT), name="hook_export"),
    path("hooks/plain/", NoBulkPlainList.as_view(page=DEPT), name="hook_plain"),
    path("hooks/<int:pk>/delete/", SoftDelete.as_view(page=DEPT), name="hook_delete"),
    path("hooks/<int:pk>/", DetailWithFields.as_view(page=DEPT), name="hook_detail"),
    path("hooks/<int:pk>/edit/", EditThenList.as_view(page=DEPT), name="hook_edit"),
    *root_patterns,
]


@pytest.fixture
def hook_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def test_list_hooks(hook_urls: None) -> None:
    shown = DepartmentFactory(name="显示")
    DepartmentFactory(name="停用", is_active=False)
    DepartmentFactory(name="藏起来")
    user = user_with_perms(["org.view_department"])
    r = ui_client(user).get("/hooks/list/", {"per_page": 200})
    assert r.status_code == 200
    html = r.content.decode()
    assert "【显示】" in html
    names = {row.obj.name for row in r.context["rows"]}
    assert "显示" in names and not names & {"停用", "藏起来"}
    assert f'href="/ping/{shown.pk}/"' in html
    assert [c[0] for c in r.context["columns"]] == ["name", "code"]
    assert r.context["hook_window"] is r.context["window"]
    # without the permission: 403 as on every generic page
    assert ui_client(user_with_perms([])).get("/hooks/list/").status_code == 403


def test_detail_and_edit_hooks(hook_urls: None) -> None:
    d = DepartmentFactory(code="HOOK1")
    user = user_with_perms(["org.view_department", "org.change_department"])
    c = ui_client(user)
    r = c.get(f"/hooks/{d.pk}/")
    assert r.status_code == 200 and r.context["fields"] == [("只有", "HOOK1")]
    assert r.context["seen"] == d.pk
    data = {"name": "改名", "code": "HOOK1", "kind": "served", "is_active": "on"}
    r = c.post(f"/hooks/{d.pk}/edit/", data)
    assert r.status_code == 302 and r["Location"] == reverse("org:department_list")
    d.refresh_from_db()
    assert d.name == "改名"


def test_export_template_sort_bulk_and_delete_hooks(hook_urls: None) -> None:
    d = DepartmentFactory(code="EXP1", name="乙")
    DepartmentFactory(code="EXP2", name="甲")
    user = user_with_perms(
        ["org.view_department", "org.change_department", "org.delete_department"]
    )
    c = ui_client(user)
    r = c.get("/hooks/export/", {"format": "csv"})
    assert r.status_code == 200 and "#EXP1" in r.content.decode("utf-8-sig")
    assert c.get("/hooks/export/", {"format": "xlsx"}).status_code == 404

    r = c.get("/hooks/plain/", {"sort": "name"})
    assert "<html" not in r.content.decode() and r.context["bulk_actions"] == []
    assert r.context["sort"] == "name"
    assert c.get("/hooks/plain/", {"sort": "code"}).context["sort"] == ""  # not sortable here
    assert 'name="pk"' not in r.content.decode()

    r = c.post(f"/hooks/{d.pk}/delete/")
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.is_active is False  # "deleted" by the hook, kept in the table


def test_page_names_its_view_classes() -> None:
    assert view_class(DEPT, "list") is ObjectListView
    DEPT.list_view_class = ActiveDepartments
    try:
        assert view_class(DEPT, "list") is ActiveDepartments
        (pattern,) = [p for p in urls_for(DEPT) if p.name == "department_list"]
        assert pattern.callback.view_class is ActiveDepartments  # type: ignore[attr-defined]
    finally:
        DEPT.list_view_class = None


def test_htmx_list_gets_the_table_partial() -> None:
    DepartmentFactory()
    c = ui_client(user_with_perms(["org.view_department"]))
    url = reverse("org:department_list")
    r = c.get(url, headers={"HX-Request": "true", "HX-Target": "list-table"})
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert "<html" in c.get(url).content.decode()


# --- tabs and panels ---------------------------------------------------------------------------
def _secret_tab(request: HttpRequest, obj: Any) -> HttpResponse:
    return HttpResponse(f"<p id='secret'>秘密 {obj.pk}</p>")


@pytest.fixture
def secret_tab() -> Iterator[Tab]:
    tab = Tab(
        "secret",
        "Secret",
        _secret_tab,
        permission="org.view_person",
        order=5,
        badge=lambda request, obj: 7,
    )
    register_tab("org.department", tab)
    register_panel(
        Department,
        Panel("note", "Note", lambda request, obj: f"<b>panel {obj.code}</b>", "org.view_team"),
    )
    yield tab
    unregister_tab("org.department", "secret")
    unregister_panel(Department, "note")


def test_registered_tab_is_drawn_and_loaded_only_with_its_permission(secret_tab: Tab) -> None:
    d = DepartmentFactory(code="TABD")
    url = reverse("org:department_tab", args=[d.pk, "secret"])
    holder = user_with_perms(["org.view_department", "org.view_person", "org.view_team"])
    c = ui_client(holder)
    html = c.get(reverse("org:department_detail", args=[d.pk])).content.decode()
    assert f'hx-get="{url}"' in html and "data-nd-badge>7<" in html
    assert "<b>panel TABD</b>" in html
    r = c.get(url)
    assert r.status_code == 200 and f"秘密 {d.pk}" in r.content.decode()

    other = user_with_perms(["org.view_department"])
    c = ui_client(other)
    html = c.get(reverse("org:department_detail", args=[d.pk])).content.decode()
    assert url not in html and "panel TABD" not in html
    r = c.get(url)  # the link is not drawn, and the tab view itself refuses too
    assert r.status_code == 403 and "秘密" not in r.content.decode()
    assert denials(other).filter(extra__permission="org.view_person").exists()
    assert c.get(reverse("org:department_tab", args=[d.pk, "nope"])).status_code == 404


def test_tab_of_a_row_out_of_scope_is_404(secret_tab: Tab) -> None:
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    user = user_with_perms(
        ["org.view_department", "org.view_person"], "department", department=mine
    )
    c = ui_client(user)
    assert c.get(reverse("org:department_tab", args=[mine.pk, "secret"])).status_code == 200
    assert c.get(reverse("org:department_tab", args=[theirs.pk, "secret"])).status_code == 404


def test_active_tab_from_the_query_loads_at_once(secret_tab: Tab) -> None:
    d = DepartmentFactory()
    c = ui_client(user_with_perms(["org.view_department", "org.view_person"]))
    r = c.get(reverse("org:department_detail", args=[d.pk]), {"tab": "secret"})
    assert r.context["active_tab"] == "secret"
    assert 'hx-trigger="load, click once"' in r.content.decode()


def test_history_is_a_tab_checked_in_the_tab_view() -> None:
    d = DepartmentFactory()
    url = reverse("org:department_tab", args=[d.pk, "history"])
    viewer = user_with_perms(["org.view_department"])
    assert ui_client(viewer).get(url).status_code == 403
    historian = user_with_perms(["org.view_department", "core.view_history"])
    c = ui_client(historian)
    assert (
        f'hx-get="{url}"' in c.get(reverse("org:department_detail", args=[d.pk])).content.decode()
    )
    r = c.get(url)
    assert r.status_code == 200 and "nd-history" in r.content.decode()


def test_org_tabs_list_people_and_members_in_the_users_scope() -> None:
    dept = DepartmentFactory()
    team = TeamFactory(department=dept)
    alice = PersonFactory(department=dept, team=team, name="爱丽丝")
    PersonFactory(department=dept, name="鲍勃")
    c = ui_client(user_with_perms(["org.view_department", "org.view_team", "org.view_person"]))
    html = c.get(reverse("org:department_tab", args=[dept.pk, "people"])).content.decode()
    assert "爱丽丝" in html and "鲍勃" in html
    assert reverse("org:person_detail", args=[alice.pk]) in html
    html = c.get(reverse("org:team_tab", args=[team.pk, "members"])).content.decode()
    assert "爱丽丝" in html and "鲍勃" not in html
    r = c.get(reverse("org:department_detail", args=[dept.pk]))
    people = next(t for t in r.context["tabs"] if t.key == "people")
    assert people.badge == 2

    # someone who may see the team but not the people gets neither the tab nor its rows
    c = ui_client(user_with_perms(["org.view_team"]))
    r = c.get(reverse("org:team_detail", args=[team.pk]))
    assert not [t for t in r.context["tabs"] if t.key == "members"]
    assert c.get(reverse("org:team_tab", args=[team.pk, "members"])).status_code == 403
    assert Person.objects.count() >= 2
    assert permissions.perm_name(Team, "view") == "org.view_team"


# --- URLs registered by the apps ---------------------------------------------------------------
def test_current_url_names_resolve() -> None:
    for name, args in [
        ("workorders:desk", []),
        ("org:department_list", []),
        ("org:department_bulk_edit", []),
        ("org:department_bulk_delete", []),
        ("org:department_tab", [1, "history"]),
        ("org_import:index", []),
        ("accounts:preferences", []),
        ("workcal:workcalendar_list", []),
        ("workorders:category_list", []),
        ("auth:account_list", []),
        ("login", []),
        ("home", []),
    ]:
        assert reverse(name, args=args)
    assert reverse("auth:account_list").startswith("/system/")
    assert reverse("workorders:category_list") == "/workorders/category/"


def test_an_app_registers_its_urls_on_its_config() -> None:
    config = apps.get_app_config("org")
    (extra, pages) = app_urlpatterns(config)
    assert str(extra.pattern) == "org/import/"
    assert pages.namespace == "org"  # type: ignore[union-attr]

    class Fake:
        label = "fake"
        name = "elsewhere.fake"
        url_prefix = "fk"
        urls = "netdept.core.tests.test_generic_views"
        extra_urls = ()

    (entry,) = app_urlpatterns(Fake())  # type: ignore[arg-type]
    assert str(entry.pattern) == "fk/" and entry.namespace == "fake"  # type: ignore[union-attr]
    # an app whose module places the generated pages itself gets them once
    wo = apps.get_app_config("workorders")
    (resolver,) = app_urlpatterns(wo)
    names = [p.name for p in resolver.url_patterns if getattr(p, "name", None)]  # type: ignore[union-attr]
    assert names.count("category_list") == 1
    assert not AuditRecord.objects.filter(action=AuditAction.DENIED).exists()


def test_request_factory_runs_a_view_directly() -> None:
    d = DepartmentFactory()
    request = RequestFactory().get("/")
    request.user = user_with_perms(["org.view_department"])
    request.session = {}  # type: ignore[assignment]
    response = ObjectDetailView.as_view(page=DEPT)(request, pk=d.pk)
    assert response.status_code == 200


def test_a_services_rule_on_one_object_hides_its_buttons_and_refuses_its_forms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``ModelService.allows``: beyond the permission, the service may refuse one object
    (here: a team named 封存); the detail page offers neither 编辑 nor 删除, the forms answer 403
    and record the denial, the service itself refuses, and the other rows are untouched."""
    page = page_for(Team)
    assert page is not None and page.service is not None
    sealed, plain = TeamFactory.create(name="封存"), TeamFactory.create(name="运维组")
    monkeypatch.setattr(
        type(page.service), "allows", lambda self, actor, action, obj: obj.name != "封存"
    )
    user = user_with_perms(["org.view_team", "org.change_team", "org.delete_team"], "all")
    c = ui_client(user)
    for team, offered in ((sealed, False), (plain, True)):
        html = c.get(reverse(page.url_name("detail"), args=[team.pk])).content.decode()
        edit = reverse(page.url_name("edit"), args=[team.pk])
        delete = reverse(page.url_name("delete"), args=[team.pk])
        assert (f'href="{edit}"' in html) is offered
        assert (f'href="{delete}"' in html) is offered
    for name in ("edit", "delete"):
        url = reverse(page.url_name(name), args=[sealed.pk])
        assert c.get(url).status_code == 403
        assert c.post(url, {"name": "改名"}).status_code == 403
    assert denials(user).filter(object_id=str(sealed.pk)).count() >= 4
    with pytest.raises(PermissionDenied):
        page.service.update(user, sealed, {"name": "改名"})
    sealed.refresh_from_db()
    assert sealed.name == "封存" and Team.objects.filter(pk=sealed.pk).exists()
    assert c.get(reverse(page.url_name("edit"), args=[plain.pk])).status_code == 200
