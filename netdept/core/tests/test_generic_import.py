"""The generic Excel / CSV import (netdept.core.importing) on a page without an importer of its
own (teams): preview, all or nothing, links by natural key among visible rows only, scopes,
permissions, audit, the API, the pending preview of another user, the limits."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from openpyxl import Workbook, load_workbook
from rest_framework.routers import DefaultRouter

import netdept.urls as root
from netdept.accounts.models import UserProfile
from netdept.api.generic import viewset_for
from netdept.api.importing import add_import_action
from netdept.core import importing
from netdept.core.import_files import MAX_BYTES, ImportFileError, decode_csv
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.registry import PAGES, page_for
from netdept.core.views.importing import import_urls
from netdept.org.models import Department, RoleAssignment, Team
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    custom_role,
    user_with_perms,
    user_with_role,
)
from netdept.workorders.models import Category

# --- a test URL configuration: the real one, with the teams page importable ------------------
TEAMS = dataclasses.replace(page_for(Team), importable=True)  # type: ignore[type-var]


def _with_team_import(patterns: list[Any]) -> list[Any]:
    out: list[Any] = []
    for p in patterns:
        if getattr(p, "namespace", None) == "org" and not any(
            getattr(u, "name", "") == "team_import" for u in p.url_patterns
        ):
            p = path(str(p.pattern), include(([*p.url_patterns, *import_urls(TEAMS)], "org")))
        out.append(p)
    return out


router = DefaultRouter()
router.register("org/teams", add_import_action(viewset_for(TEAMS), TEAMS), basename="t-team")
urlpatterns = [*_with_team_import(root.urlpatterns), path("test-api/", include(router.urls))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

UPLOAD = "/org/team/import/"
PREVIEW = "/org/team/import/preview/"
CONFIRM = "/org/team/import/confirm/"
API = "/test-api/org/teams/import/"


def header(name: str, lang: str = "en") -> str:
    with translation.override(lang):
        return str(Team._meta.get_field(name).verbose_name)


def xlsx(headers: list[str], rows: list[list[object]], title: str = "组") -> bytes:
    """A real workbook: ``headers`` then ``rows`` on its first sheet."""
    wb = Workbook()
    wb.active.title = title
    for line in (headers, *rows):
        wb.active.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str) -> bytes:
    text = "\r\n".join(",".join(r) for r in [headers, *rows]) + "\r\n"
    return text.encode(encoding)


def upload(client: Client, content: bytes, name: str = "teams.xlsx") -> Any:
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def token(client: Client) -> str:
    return client.session[f"import:{TEAMS.label}"]["token"]


@pytest.fixture
def admin() -> Any:
    return user_with_role("sysadmin")


@pytest.fixture
def client(admin: Any) -> Client:
    c = Client()
    c.force_login(admin)
    return c


FIELDS = ["name", "department", "description", "is_active"]
EN = [header(n) for n in FIELDS]


# --- reading ----------------------------------------------------------------------------------
def test_columns_template_and_headers_in_both_languages(client: Client) -> None:
    imp = importing.importer_for(TEAMS)
    assert isinstance(imp, importing.ModelImporter)
    assert imp.key == ("department", "name")  # the unique constraint of the page's fields
    with translation.override("zh-hans"):
        r = client.get("/org/team/import/template/")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    first = [c.value for c in ws[1]]
    assert first[:2] == [header("name", "zh-hans"), header("department", "zh-hans")]
    # Chinese, English or the field name are all accepted, in any order
    dept = DepartmentFactory(code="XXK")
    for heads in (
        [header(n, "zh-hans") for n in FIELDS],
        [header(n) for n in FIELDS],
        ["is_active", "description", "department", "name"],
    ):
        rows = [["运维组", "XXK", "说明", "是"]]
        if heads[0] == "is_active":
            rows = [["是", "说明", "XXK", "运维组"]]
        result = imp.parse(io.BytesIO(xlsx(heads, rows)), user=None)
        assert result.ok, result.rows[0].errors
        assert result.rows[0].data["department"] == dept
        assert result.rows[0].data["is_active"] is True


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_bom_and_gb18030(client: Client, encoding: str) -> None:
    DepartmentFactory(code="XXK", name="信息科")
    content = csv_bytes(
        [header(n, "zh-hans") for n in FIELDS],
        [["运维组", "XXK", "=SUM(A1)", "否"], ["安全组", "XXK", "", "是"]],
        encoding,
    )
    assert decode_csv(content).startswith(header("name", "zh-hans"))
    r = upload(client, content, "组.csv")
    assert r.status_code == 302, r.context and r.context["error"]
    r = client.get(PREVIEW)
    assert r.context["counts"]["create"] == 2, [x.errors for x in r.context["result"].rows]
    assert client.post(CONFIRM, {"token": token(client)}).status_code == 302
    ops = Team.objects.get(name="运维组")
    assert ops.description == "=SUM(A1)" and ops.is_active is False  # plain text, 否
    assert Team.objects.get(name="安全组").is_active is True


# --- preview: every bad row named --------------------------------------------------------------
BAD_ROWS = [
    ["运维组", "XXK", "", "是"],
    ["", "XXK", "", ""],  # row 3: name missing
    ["安全组", "NOPE", "", ""],  # row 4: no such department
    ["开发组", "XXK", "", "也许"],  # row 5: not a boolean
    ["运维组", "XXK", "", ""],  # row 6: the same key as row 2
    ["测" * 101, "XXK", "", ""],  # row 7: too long
]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_preview_names_every_bad_row_column_and_message(admin: Any, lang: str) -> None:
    DepartmentFactory(code="XXK")
    UserProfile.objects.update_or_create(user=admin, defaults={"language": lang})
    c = Client()
    c.force_login(admin)
    assert upload(c, xlsx([header(n, lang) for n in FIELDS], BAD_ROWS)).status_code == 302
    r = c.get(PREVIEW)
    result = r.context["result"]
    bad = {row.row: row.field_errors for row in result.bad_rows}
    assert set(bad) == {2, 3, 4, 5, 6, 7}
    assert {e["field"] for e in bad[3]} == {"name"}
    assert bad[4][0]["field"] == "department" and "NOPE" in bad[4][0]["message"]
    assert bad[5][0]["field"] == "is_active" and "也许" in bad[5][0]["message"]
    assert bad[7][0]["field"] == "name"
    html = r.content.decode()
    assert html.count('class="table-danger"') == 6
    assert 'id="nd-import-confirm" disabled' in html
    with translation.override(lang):
        required = str(importing._("This value is required."))
    assert required in html
    if lang == "zh-hans":
        assert f"{header('name', lang)}：{required}" in html  # the column, in Chinese
        assert required != "This value is required."
    else:
        assert "name: " in html and "This value is required." in html


def test_confirm_is_all_or_nothing(client: Client) -> None:
    DepartmentFactory(code="XXK")
    before = AuditRecord.objects.count()
    assert upload(client, xlsx([header(n) for n in FIELDS], BAD_ROWS)).status_code == 302
    r = client.post(CONFIRM, {"token": token(client)})
    assert r.status_code == 400
    assert not Team.objects.filter(name="运维组").exists()
    assert not AuditRecord.objects.filter(
        seq__gt=before, action__in=[AuditAction.CREATE, AuditAction.IMPORT]
    ).exists()


def test_a_service_refusal_at_apply_time_rolls_everything_back(admin: Any) -> None:
    dept = DepartmentFactory(code="XXK")
    imp = importing.importer_for(TEAMS)
    rows = [["甲组", "XXK", "", ""], ["乙组", "XXK", "", ""]]
    result = imp.parse(io.BytesIO(xlsx(EN, rows)), user=admin)
    assert result.ok
    TeamFactory(department=dept, name="乙组")  # a race: someone made it after the preview
    with pytest.raises(importing.ImportRejected) as caught:
        imp.apply(result, admin, "race.xlsx")
    assert [r.row for r in caught.value.result.bad_rows] == [3]
    assert not Team.objects.filter(name="甲组").exists()


# --- updates, audit ----------------------------------------------------------------------------
def test_updates_by_natural_key_unchanged_rows_and_the_audit(client: Client, admin: Any) -> None:
    dept = DepartmentFactory(code="XXK")
    other = DepartmentFactory(code="NK")
    old = TeamFactory(department=dept, name="运维组", description="旧")
    same = TeamFactory(department=dept, name="安全组", description="不变")
    rows = [
        ["运维组", "XXK", "新", ""],  # update (blank 'active' keeps the stored value)
        ["安全组", "XXK", "不变", ""],  # unchanged
        ["运维组", "NK", "另一个科室的同名组", "否"],  # the key is (department, name): create
    ]
    before = AuditRecord.objects.count()
    assert upload(client, xlsx(EN, rows), "组.xlsx").status_code == 302
    r = client.get(PREVIEW)
    assert [x.action for x in r.context["result"].rows] == ["update", "unchanged", "create"]
    assert Team.objects.count() == 2  # the preview's trial run was rolled back
    assert AuditRecord.objects.count() == before
    r = client.post(CONFIRM, {"token": token(client)})
    assert r.status_code == 302 and r["Location"] == "/org/team/"
    old.refresh_from_db()
    assert old.description == "新" and old.is_active is True
    assert Team.objects.get(department=other, name="运维组").is_active is False
    new = list(AuditRecord.objects.filter(seq__gt=before).order_by("seq"))
    assert [x.action for x in new].count(AuditAction.UPDATE) == 1
    assert [x.action for x in new].count(AuditAction.CREATE) == 1
    assert not [x for x in new if x.object_id == str(same.pk)]
    imports = [x for x in new if x.action == AuditAction.IMPORT]
    assert len(imports) == 1 and imports[0].object_type == "org.team"
    assert imports[0].extra["file"] == "组.xlsx"
    assert imports[0].extra["create"] == 1 and imports[0].extra["update"] == 1
    assert imports[0].actor == admin


# --- links only among visible rows, scopes, permissions ---------------------------------------
def test_a_department_out_of_scope_is_reported_like_a_missing_one() -> None:
    mine = DepartmentFactory(code="MINE")
    DepartmentFactory(code="THEIRS")
    user = user_with_perms(
        ["org.add_team", "org.view_team", "org.change_team", "org.view_department"],
        scope="department",
        department=mine,
    )
    imp = importing.importer_for(TEAMS)
    rows = [["甲组", "MINE", "", ""], ["乙组", "THEIRS", "", ""], ["丙组", "NONE", "", ""]]
    result = imp.parse(io.BytesIO(xlsx(EN, rows)), user=user)
    assert [r.row for r in result.bad_rows] == [3, 4]
    theirs, none = result.rows[1].field_errors[0], result.rows[2].field_errors[0]
    assert theirs["message"].replace("THEIRS", "X") == none["message"].replace("NONE", "X")


def test_a_row_outside_the_add_scope_is_refused_in_the_preview() -> None:
    mine = DepartmentFactory(code="MINE")
    DepartmentFactory(code="THEIRS")
    user = user_with_perms(
        ["org.add_team", "org.view_team", "org.change_team"], scope="department", department=mine
    )
    RoleAssignment.objects.create(user=user, role=custom_role(["org.view_department"], "all"))
    c = Client()
    c.force_login(user)
    rows = [["甲组", "MINE", "", ""], ["乙组", "THEIRS", "", ""]]
    assert upload(c, xlsx(EN, rows)).status_code == 302
    result = c.get(PREVIEW).context["result"]
    assert [r.row for r in result.bad_rows] == [3]
    assert "scope" in result.rows[1].errors[0] or "范围" in result.rows[1].errors[0]
    assert c.post(CONFIRM, {"token": token(c)}).status_code == 400
    assert not Team.objects.filter(name__in=["甲组", "乙组"]).exists()


def test_without_add_permission_everything_is_refused() -> None:
    DepartmentFactory(code="XXK")
    user = user_with_perms(["org.view_team", "org.change_team", "org.view_department"])
    c = Client()
    c.force_login(user)
    content = xlsx(EN, [["甲组", "XXK", "", ""]])
    assert c.get(UPLOAD).status_code == 403
    assert c.get("/org/team/import/template/").status_code == 403
    assert upload(c, content).status_code == 403
    assert c.post(CONFIRM, {"token": "0" * 32}).status_code == 403
    r = c.post(API, {"file": SimpleUploadedFile("t.xlsx", content)})
    assert r.status_code == 403
    assert "nd-import-button" not in c.get("/org/team/").content.decode()
    assert not Team.objects.filter(name="甲组").exists()
    assert AuditRecord.objects.filter(action=AuditAction.DENIED).exists()


def test_an_update_of_a_row_the_user_may_not_change_is_refused() -> None:
    mine = DepartmentFactory(code="MINE")
    DepartmentFactory(code="THEIRS")
    theirs = TeamFactory(department=Department.objects.get(code="THEIRS"), name="组")
    user = user_with_perms(
        ["org.add_team", "org.view_team", "org.change_team"], scope="department", department=mine
    )
    RoleAssignment.objects.create(user=user, role=custom_role(["org.view_department"], "all"))
    imp = importing.importer_for(TEAMS)
    result = imp.parse(io.BytesIO(xlsx(EN, [["组", "THEIRS", "改", ""]])), user=user)
    assert not result.ok and result.rows[0].action == "update"
    assert str(theirs) not in result.rows[0].errors[0]  # a row it may not see is not named
    theirs.refresh_from_db()
    assert theirs.description == ""


# --- the pending preview -----------------------------------------------------------------------
def test_another_users_preview_token_is_refused(client: Client, admin: Any) -> None:
    DepartmentFactory(code="XXK")
    assert upload(client, xlsx(EN, [["甲组", "XXK", "", ""]])).status_code == 302
    theirs = token(client)
    other = user_with_role("sysadmin")
    with pytest.raises(ImportFileError):
        importing.load(theirs, other, importing.importer_for(TEAMS).kind)
    c = Client()
    c.force_login(other)
    r = c.post(CONFIRM, {"token": theirs})
    assert r.status_code == 302 and r["Location"] == UPLOAD
    s = c.session  # even with the token planted in the other user's session
    s[f"import:{TEAMS.label}"] = {"token": theirs, "name": "x.xlsx"}
    s.save()
    r = c.post(CONFIRM, {"token": theirs})
    assert r.status_code == 302 and r["Location"] == UPLOAD
    assert not Team.objects.filter(name="甲组").exists()
    # the owner still can
    assert client.post(CONFIRM, {"token": theirs}).status_code == 302
    assert Team.objects.filter(name="甲组").exists()


def test_oversized_and_foreign_files_are_refused(client: Client) -> None:
    big = b"PK\x03\x04" + b"0" * MAX_BYTES
    r = upload(client, big, "big.xlsx")
    assert r.status_code == 400 and str(MAX_BYTES // 1024 // 1024) in r.context["error"]
    r = upload(client, b"a,b\n" + b"x,y\n" * (MAX_BYTES // 4), "big.csv")
    assert r.status_code == 400
    r = upload(client, b"hello", "x.txt")
    assert r.status_code == 400 and ".xlsx" in r.context["error"]
    r = client.post(API, {"file": SimpleUploadedFile("big.xlsx", big)})
    assert r.status_code == 400 and "file" in r.json()
    rows = [[f"组{i}", "XXK", "", ""] for i in range(importing.MAX_ROWS + 1)]
    r = upload(client, xlsx(EN, rows), "many.xlsx")
    assert r.status_code == 400 and str(importing.MAX_ROWS) in r.context["error"]
    assert f"import:{TEAMS.label}" not in client.session


# --- the API -----------------------------------------------------------------------------------
def test_api_dry_run_and_apply(client: Client) -> None:
    PersonFactory(employee_no="1001", department=DepartmentFactory(code="XXK"))
    good = xlsx([*EN, "team lead"], [["甲组", "XXK", "", "是", "1001"]])
    bad = xlsx(EN, [["乙组", "XXK", "", ""], ["丙组", "NOPE", "", ""]])

    r = client.post(API + "?dry_run=1", {"file": SimpleUploadedFile("t.xlsx", good)})
    assert r.status_code == 200, r.content
    assert r.json()["rows"] == [{"row": 2, "action": "create", "errors": [], "notes": []}]
    assert not Team.objects.filter(name="甲组").exists()

    r = client.post(API + "?dry_run=1", {"file": SimpleUploadedFile("t.xlsx", bad)})
    assert r.status_code == 400
    row = r.json()["rows"][1]
    assert row["row"] == 3 and row["action"] == "error"
    assert row["errors"][0]["field"] == "department" and row["errors"][0]["column"] == "department"

    r = client.post(API, {"file": SimpleUploadedFile("t.xlsx", bad)})
    assert r.status_code == 400 and not Team.objects.filter(name="乙组").exists()

    r = client.post(API, {"file": SimpleUploadedFile("t.xlsx", good)})
    assert r.status_code == 201 and r.json()["counts"]["create"] == 1
    assert Team.objects.get(name="甲组").lead.employee_no == "1001"
    assert (
        AuditRecord.objects.filter(action=AuditAction.IMPORT, object_type="org.team").count() == 1
    )

    r = client.post(API, {})
    assert r.status_code == 400 and "file" in r.json()


def test_the_schema_describes_the_import(client: Client) -> None:
    schema = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
    op = schema["paths"]["/org/teams/import/"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert any(p["name"] == "dry_run" for p in op["parameters"])
    assert {"200", "201", "400", "403"} <= set(op["responses"])
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "rows" in schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]


def test_default_importable_pages() -> None:
    assert importing.importable(page_for(Department))  # an importer of its own
    assert importing.importable(TEAMS)
    assert not importing.importable(dataclasses.replace(TEAMS, importable=False))
    account = PAGES["auth.user"]
    assert not importing.importable(account)  # a system page


def test_the_real_page_urls_use_the_importer_of_the_app(client: Client) -> None:
    """Departments and people have importers of their own (org): the generic page URLs and
    the list's Import button lead to them."""
    r = client.get("/org/department/")
    assert 'id="nd-import-button"' in r.content.decode()
    assert "/org/department/import/" in r.content.decode()
    r = client.get("/org/department/import/")
    assert r.status_code == 200 and "编码" in r.content.decode()
    content = xlsx(["编码", "名称"], [["XXK", "信息科"]], "科室")
    r = client.post("/org/department/import/", {"file": SimpleUploadedFile("d.xlsx", content)})
    assert r.status_code == 302 and r["Location"] == "/org/department/import/preview/"
    tok = client.session["import:departments"]["token"]
    assert client.get(r["Location"]).context["counts"]["create"] == 1
    r = client.post("/org/department/import/confirm/", {"token": tok})
    assert r.status_code == 302 and Department.objects.filter(code="XXK").exists()


def test_categories_choices_by_label_and_a_key_with_a_blank_parent() -> None:
    """Work-order categories (configuration, importable by default): the key is (parent,
    name) with a blank parent for a top-level category; a choice by its value or its label in
    Chinese or English."""
    user = user_with_perms(
        [
            "workorders.add_category",
            "workorders.change_category",
            "workorders.view_category",
            "org.view_team",
        ]
    )
    top = Category.objects.create(name="网络")
    with translation.override("zh-hans"):
        fault_zh = str(Category._meta.get_field("kind").choices[0][1])
    c = Client()
    c.force_login(user)
    rows = [
        ["网络", "", fault_zh, "改了说明"],  # the existing top-level category: update
        ["无线", "网络", "service request", ""],  # a child of an existing category
        ["有线", "网络", "consultation", ""],
        ["其他", "", "不存在的类型", ""],  # row 5: not a kind
    ]
    content = xlsx(["name", "parent category", "kind", "description"], rows)
    r = c.post("/workorders/category/import/", {"file": SimpleUploadedFile("c.xlsx", content)})
    assert r.status_code == 302, r.context and r.context["error"]
    result = c.get("/workorders/category/import/preview/").context["result"]
    assert [x.action for x in result.rows[:3]] == ["update", "create", "create"]
    assert [x.row for x in result.bad_rows] == [5]
    assert result.bad_rows[0].field_errors[0]["field"] == "kind"
    content = xlsx(["name", "parent category", "kind", "description"], rows[:3])
    r = c.post("/workorders/category/import/", {"file": SimpleUploadedFile("c.xlsx", content)})
    tok = c.session["import:workorders.category"]["token"]
    assert c.post("/workorders/category/import/confirm/", {"token": tok}).status_code == 302
    top.refresh_from_db()
    assert top.kind == "fault" and top.description == "改了说明"
    assert Category.objects.get(name="无线").parent == top
    assert Category.objects.get(name="无线").kind == "service"


def test_the_real_api_imports_departments_with_the_org_importer(client: Client) -> None:
    """``/api/v1/org/departments/import/`` (the generated viewset, with ``add_import_action``)
    uses org's importer: its Chinese headers, parents defined in the same file."""
    content = xlsx(["编码", "名称", "上级编码"], [["B", "乙", "A"], ["A", "甲", ""]], "科室")
    url = "/api/v1/org/departments/import/"
    r = client.post(url + "?dry_run=1", {"file": SimpleUploadedFile("d.xlsx", content)})
    assert r.status_code == 200, r.content
    assert [x["action"] for x in r.json()["rows"]] == ["create", "create"]
    assert not Department.objects.filter(code__in=["A", "B"]).exists()
    r = client.post(url, {"file": SimpleUploadedFile("d.xlsx", content)})
    assert r.status_code == 201, r.content
    assert Department.objects.get(code="B").parent.code == "A"
    bad = xlsx(["编码", "名称"], [["C", "丙"], ["D", ""]], "科室")
    r = client.post(url, {"file": SimpleUploadedFile("d.xlsx", bad)})
    assert r.status_code == 400
    error = r.json()["rows"][1]["errors"][0]
    assert (error["column"], error["field"], r.json()["rows"][1]["row"]) == ("名称", "name", 3)
    assert not Department.objects.filter(code="C").exists()
