"""Excel import of departments and people: parsing, validation, all-or-nothing apply, the UI."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from netdept.core import audit
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.org import importer
from netdept.org.models import Department, Person, Position, Team
from netdept.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    user_with_perms,
    user_with_role,
)

pytestmark = pytest.mark.django_db

DEPT_HEADERS = ["编码", "名称", "类型", "上级编码", "电话", "位置"]
PERSON_HEADERS = [
    "工号",
    "姓名",
    "科室编码",
    "组",
    "岗位",
    "直属上级工号",
    "电话",
    "邮箱",
    "登录名",
]


def xlsx(headers: list[str], rows: list[list[object]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse(kind: str, content: bytes, user=None) -> importer.ImportResult:
    return importer.parse(kind, io.BytesIO(content), user=user)


def pending(client: Client, kind: str) -> str:
    """The token of the pending import of ``kind`` in the client's session."""
    return client.session[f"import:{kind}"]["token"]


def upload(client: Client, kind: str, content: bytes, name: str = "data.xlsx"):
    return client.post(
        f"/org/import/{kind}/", {"file": SimpleUploadedFile(name, content)}, follow=False
    )


@pytest.fixture
def admin():
    return user_with_role("sysadmin")


@pytest.fixture
def client(admin) -> Client:
    c = Client()
    c.force_login(admin)
    return c


# --- departments -----------------------------------------------------------------------------
def test_departments_with_parents_defined_later_in_the_file(admin):
    content = xlsx(
        DEPT_HEADERS,
        [
            ["YW-1", "运维一室", "网络部", "YW", "", ""],
            ["YW", "网络运维科", "网络部", "XXK", "0571-1", "行政楼"],
            ["XXK", "信息科", "网络部", "", "", "行政楼3楼"],
            ["NK", "内科", "服务科室", "", "", ""],
        ],
    )
    result = parse(importer.DEPARTMENTS, content, admin)
    assert result.ok, [r.errors for r in result.rows]
    assert [r.action for r in result.rows] == ["create"] * 4
    before = AuditRecord.objects.count()

    counts = importer.apply(result, admin, "org.xlsx")

    assert counts["create"] == 4
    yw1 = Department.objects.get(code="YW-1")
    assert yw1.parent.code == "YW" and yw1.parent.parent.code == "XXK"
    assert yw1.kind == "network" and Department.objects.get(code="NK").kind == "served"
    new = AuditRecord.objects.order_by("seq")[before:]
    assert [r.action for r in new].count(AuditAction.CREATE) == 4
    imports = [r for r in new if r.action == AuditAction.IMPORT]
    assert len(imports) == 1
    assert imports[0].extra["file"] == "org.xlsx" and imports[0].extra["create"] == 4
    assert imports[0].object_type == "org.department"
    assert audit.verify().ok


def test_english_headers_any_order_unknown_columns_and_updates(admin):
    old = DepartmentFactory(code="XXK", name="旧名称", kind="served")
    same = DepartmentFactory(code="NK", name="内科", kind="served")
    content = xlsx(
        ["Remarks", "Name", "Code", "Parent code", "Kind"],
        [
            ["ignored", "信息科", "XXK", "", "network"],
            ["", "内科", "NK", "", ""],
            ["", "外科", "WK", "NK", "served"],
        ],
    )
    result = parse(importer.DEPARTMENTS, content, admin)
    assert result.ok, [r.errors for r in result.rows]
    assert [r.action for r in result.rows] == ["update", "unchanged", "create"]
    assert "旧名称" in result.rows[0].notes[0]
    assert [k for k, _h in result.columns] == ["name", "code", "parent", "kind"]

    importer.apply(result, admin, "en.xlsx")

    old.refresh_from_db()
    assert old.name == "信息科" and old.kind == "network"
    assert Department.objects.get(code="WK").parent == same
    assert AuditRecord.objects.filter(action=AuditAction.UPDATE, object_id=str(old.pk)).exists()
    assert not AuditRecord.objects.filter(
        action=AuditAction.UPDATE, object_id=str(same.pk)
    ).exists()


def test_duplicate_code_within_the_file():
    content = xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""], ["A", "乙", "", "", "", ""]])
    result = parse(importer.DEPARTMENTS, content)
    assert not result.ok
    assert [r.row for r in result.bad_rows] == [2, 3]
    assert "编码" in result.rows[0].errors[0] and "3" in result.rows[0].errors[0]


def test_cycle_in_parents_within_the_file_and_through_the_database():
    content = xlsx(
        DEPT_HEADERS,
        [["A", "甲", "", "B", "", ""], ["B", "乙", "", "A", "", ""], ["C", "丙", "", "", "", ""]],
    )
    result = parse(importer.DEPARTMENTS, content)
    assert [r.row for r in result.bad_rows] == [2, 3]
    assert "上级编码" in result.rows[0].errors[0] and "A → B → A" in result.rows[0].errors[0]

    top = DepartmentFactory(code="TOP")
    DepartmentFactory(code="LOW", parent=top)
    result = parse(importer.DEPARTMENTS, xlsx(DEPT_HEADERS, [["TOP", "顶", "", "LOW", "", ""]]))
    assert not result.ok and "TOP → LOW → TOP" in result.rows[0].errors[0]


def test_bad_rows_name_the_column_and_nothing_is_imported(admin):
    content = xlsx(
        DEPT_HEADERS,
        [
            ["A", "甲", "网络部", "", "", ""],
            ["B", "", "网络部", "", "", ""],  # name missing
            ["C", "丙", "医院", "", "", ""],  # bad kind
            ["D", "丁", "", "NOPE", "", ""],  # unknown parent
            ["E" * 31, "戊", "", "", "", ""],  # code too long
            ["F", "己", "", "A", "", ""],
        ],
    )
    result = parse(importer.DEPARTMENTS, content, admin)
    bad = {r.row: r.errors for r in result.bad_rows}
    assert set(bad) == {3, 4, 5, 6}
    assert bad[3][0].startswith("名称")
    assert bad[4][0].startswith("类型") and "医院" in bad[4][0]
    assert bad[5][0].startswith("上级编码") and "NOPE" in bad[5][0]
    assert bad[6][0].startswith("编码")
    with pytest.raises(ValidationError):
        importer.apply(result, admin, "bad.xlsx")
    assert not Department.objects.filter(code__in=["A", "F"]).exists()


def test_file_level_errors():
    with pytest.raises(importer.ImportFileError, match="名称"):
        parse(importer.DEPARTMENTS, xlsx(["编码", "电话"], [["A", "1"]]))
    with pytest.raises(importer.ImportFileError):
        parse(importer.DEPARTMENTS, b"code,name\nA,B\n")
    with pytest.raises(importer.ImportFileError):
        parse(importer.DEPARTMENTS, b"PK\x03\x04 not really a zip")
    with pytest.raises(importer.ImportFileError):
        parse(importer.DEPARTMENTS, xlsx(DEPT_HEADERS, []))
    rows = [[f"C{i}", f"科室{i}", "", "", "", ""] for i in range(importer.MAX_ROWS + 1)]
    with pytest.raises(importer.ImportFileError, match=str(importer.MAX_ROWS)):
        parse(importer.DEPARTMENTS, xlsx(DEPT_HEADERS, rows))


# --- people ----------------------------------------------------------------------------------
def test_people_with_teams_positions_and_managers_in_the_same_file(admin):
    dept = DepartmentFactory(code="XXK", name="信息科")
    existing_team = TeamFactory(department=dept, name="安全组")
    login = UserFactory(username="wangwu")
    content = xlsx(
        PERSON_HEADERS,
        [
            [1002, "李四", "XXK", "运维组", "网络工程师", 1001, 13800000002, "", ""],
            [1003, "王五", "XXK", "安全组", "安全工程师", "1002", "", "wang@example.org", "wangwu"],
            [1001, "张三", "XXK", "运维组", "主管", "", "", "zhang@example.org", ""],
        ],
    )
    result = parse(importer.PEOPLE, content, admin)
    assert result.ok, [r.errors for r in result.rows]
    assert any("运维组" in n for n in result.rows[0].notes)
    before = AuditRecord.objects.count()

    counts = importer.apply(result, admin, "people.xlsx")

    assert counts["create"] == 3 and counts["teams"] == 1 and counts["positions"] == 3
    li, wang, zhang = (Person.objects.get(employee_no=n) for n in ("1002", "1003", "1001"))
    assert li.manager == zhang and wang.manager == li and zhang.manager is None
    assert li.team.name == "运维组" and li.team == zhang.team and li.team.department == dept
    assert wang.team == existing_team and wang.user == login and li.phone == "13800000002"
    assert Team.objects.filter(name="运维组").count() == 1
    assert Position.objects.filter(department=dept).count() == 3
    new = list(AuditRecord.objects.order_by("seq")[before:])
    creates = [r for r in new if r.action == AuditAction.CREATE]
    assert len(creates) == 3 + 1 + 3  # people, team, positions
    assert [r.action for r in new].count(AuditAction.IMPORT) == 1
    assert audit.verify().ok


def test_people_errors(admin):
    dept = DepartmentFactory(code="XXK")
    other = DepartmentFactory(code="NK", name="内科")
    TeamFactory(department=other, name="护理组")
    taken = UserFactory(username="taken")
    PersonFactory(employee_no="9", user=taken)
    content = xlsx(
        ["Employee number", "Name", "Department code", "Team", "Manager", "Email", "Login"],
        [
            ["1", "甲", "XXK", "护理组", "", "", ""],  # team of another department
            ["2", "乙", "XXK", "", "3", "not-an-email", ""],  # bad email
            ["3", "丙", "XXK", "", "2", "", "nobody"],  # manager loop, unknown login
            ["4", "丁", "NOPE", "", "", "", "taken"],  # unknown department, login taken
            ["5", "戊", "XXK", "", "5", "", ""],  # own manager
        ],
    )
    result = parse(importer.PEOPLE, content, admin)
    bad = {r.row: r.errors for r in result.bad_rows}
    assert set(bad) == {2, 3, 4, 5, 6}
    assert bad[2][0].startswith("Team") and "内科" in bad[2][0]
    assert any(e.startswith("Email") for e in bad[3])
    assert any(e.startswith("Manager") and "→" in e for e in bad[4])
    assert any(e.startswith("Login") and "nobody" in e for e in bad[4])
    assert any(e.startswith("Department code") for e in bad[5])
    assert any(e.startswith("Login") and "9" in e for e in bad[5])
    assert bad[6][0].startswith("Manager")
    assert dept.people.count() == 0


# --- the UI ----------------------------------------------------------------------------------
def test_whole_flow_through_the_ui(client, admin):
    r = client.get("/org/import/")
    assert r.status_code == 200
    assert b"/org/import/departments/" in r.content and b"/org/import/people/" in r.content
    assert "/org/import/" in client.get("/org/department/").content.decode()  # nav entry

    r = client.get("/org/import/departments/template/")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in ws[1]] == DEPT_HEADERS
    template = r.content

    r = upload(client, "departments", template, "模板.xlsx")
    assert r.status_code == 302 and r["Location"] == "/org/import/departments/preview/"
    token = pending(client, "departments")
    stored = Path(settings.MEDIA_ROOT) / "imports" / f"{token}.json"  # the rows, read once
    assert stored.is_file()

    r = client.get("/org/import/departments/preview/")
    assert r.status_code == 200
    assert r.context["counts"]["create"] == 3 and r.context["counts"]["error"] == 0
    assert b'id="nd-import-confirm" disabled' not in r.content

    r = client.post("/org/import/departments/confirm/", {"token": token})
    assert r.status_code == 302 and r["Location"] == "/org/department/"
    assert Department.objects.get(code="XXK-YW").parent.code == "XXK"
    assert not stored.exists() and "import:departments" not in client.session
    rec = AuditRecord.objects.get(action=AuditAction.IMPORT)
    assert rec.actor == admin and rec.extra["file"] == "模板.xlsx"

    r = client.get("/org/import/people/template/")
    r = upload(client, "people", r.content)
    assert r.status_code == 302
    r = client.post("/org/import/people/confirm/", {"token": pending(client, "people")})
    assert r.status_code == 302 and r["Location"] == "/org/person/"
    assert Person.objects.get(employee_no="1002").manager.employee_no == "1001"


def test_ui_preview_lists_every_bad_row_and_confirm_imports_nothing(client):
    content = xlsx(
        DEPT_HEADERS,
        [
            ["A", "甲", "", "", "", ""],
            ["B", "", "", "", "", ""],
            ["C", "丙", "xx", "", "", ""],
            ["D", "丁", "", "A", "", ""],
            ["E", "戊", "", "ZZ", "", ""],
        ],
    )
    assert upload(client, "departments", content).status_code == 302
    r = client.get("/org/import/departments/preview/")
    html = r.content.decode()
    assert r.context["counts"]["error"] == 3 and r.context["counts"]["create"] == 2
    assert html.count('class="table-danger"') == 3
    assert 'id="nd-import-confirm" disabled' in html
    for column in ("名称", "类型", "上级编码"):
        assert f"{column}：" in html
    r = client.get("/org/import/departments/preview/?only=errors")
    assert len(r.context["rows"]) == 3

    r = client.post("/org/import/departments/confirm/", {"token": pending(client, "departments")})
    assert r.status_code == 400
    assert not Department.objects.filter(code__in=["A", "D"]).exists()
    assert not AuditRecord.objects.filter(action=AuditAction.IMPORT).exists()


def test_ui_rejects_non_xlsx_and_oversized_files(client):
    r = upload(client, "departments", b"code,name\nA,B\n", "data.txt")
    assert r.status_code == 400 and ".xlsx" in r.context["error"]
    r = upload(client, "departments", b"\xef\xbb\xbfcode,name\nA,B\n", "data.csv")
    assert r.status_code == 302  # CSV is read too (the generic engine)
    client.post("/org/import/departments/cancel/")
    r = upload(client, "departments", b"hello, not excel", "data.xlsx")
    assert r.status_code == 400 and ".xlsx" in r.context["error"]
    r = upload(client, "departments", b"PK\x03\x04" + b"0" * importer.MAX_BYTES, "big.xlsx")
    assert r.status_code == 400 and "5 MB" in r.context["error"]
    r = upload(client, "people", xlsx(["工号", "电话"], [["1", "2"]]))
    assert r.status_code == 400 and "姓名" in r.context["error"]
    assert "import:departments" not in client.session


def test_confirm_revalidates_against_the_current_database(client):
    dept = DepartmentFactory(code="XXK")
    content = xlsx(PERSON_HEADERS, [["1", "张三", "XXK", "", "", "", "", "", ""]])
    assert upload(client, "people", content).status_code == 302
    assert client.get("/org/import/people/preview/").context["result"].ok
    dept.delete()  # someone removed the department after the preview

    r = client.post("/org/import/people/confirm/", {"token": pending(client, "people")})

    assert r.status_code == 400
    assert "科室编码" in r.content.decode()
    assert not Person.objects.filter(employee_no="1").exists()


def test_confirm_needs_the_pending_token(client):
    content = xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""]])
    upload(client, "departments", content)
    r = client.post("/org/import/departments/confirm/", {"token": "0" * 32})
    assert r.status_code == 302 and r["Location"] == "/org/import/departments/"
    assert not Department.objects.filter(code="A").exists()


def test_without_add_permission_is_forbidden():
    for user in (user_with_role("engineer"), user_with_perms(["org.change_department"])):
        c = Client()
        c.force_login(user)
        assert c.get("/org/import/").status_code == 403
        assert c.get("/org/import/departments/").status_code == 403
        assert c.get("/org/import/departments/template/").status_code == 403
        content = xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""]])
        assert upload(c, "departments", content).status_code == 403
        assert c.post("/org/import/departments/confirm/", {"token": "x"}).status_code == 403
    assert not Department.objects.filter(code="A").exists()
    assert AuditRecord.objects.filter(action=AuditAction.DENIED).exists()
    with pytest.raises(Exception, match="add_department"):
        importer.apply(
            parse(importer.DEPARTMENTS, xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""]])),
            user,
            "x.xlsx",
        )


def test_header_row_below_a_title_row():
    wb = Workbook()
    ws = wb.active
    ws.append(["科室导入 2025"])
    ws.append([])
    ws.append(["名称（必填）", "编码*", "备注"])
    ws.append(["信息科", "XXK", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    result = parse(importer.DEPARTMENTS, buf.getvalue())
    assert result.ok and result.rows[0].row == 4
    assert result.rows[0].values == {"name": "信息科", "code": "XXK"}


# --- zip bombs and reading the workbook once ---------------------------------------------------
SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>'
)


def bomb(megabytes: int, part: str = "xl/sharedStrings.xml") -> bytes:
    """A real workbook whose ``part`` is replaced by ``megabytes`` MB of one repeated letter
    (shared strings of a highly compressible huge string): a small file, a huge part."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in base.infolist():
            if info.filename != part:
                dst.writestr(info, base.read(info))
        with dst.open(part, "w", force_zip64=True) as fh:
            fh.write(SST_HEAD)
            chunk = b"A" * (1 << 20)
            for _i in range(megabytes):
                fh.write(chunk)
            fh.write(b"</t></si></sst>")
    return out.getvalue()


@pytest.fixture
def workbook_loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call of openpyxl's ``load_workbook`` (the importer imports it when it reads)."""
    import openpyxl

    calls: list[Any] = []
    real = openpyxl.load_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    return calls


def test_a_zip_bomb_is_refused_fast_with_a_form_error(client, workbook_loads):
    content = bomb(175)  # the tester's file: 175 MB of shared strings
    assert len(content) < 1024 * 1024
    started = time.monotonic()
    r = upload(client, "departments", content, "炸弹.xlsx")
    elapsed = time.monotonic() - started
    assert r.status_code == 400
    error = r.context["error"]
    assert "炸弹.xlsx" in error and "xl/sharedStrings.xml" in error
    assert str(importer.MAX_PART_BYTES // 1024 // 1024) in error  # the limit
    assert error in r.content.decode()
    assert elapsed < 2, elapsed
    assert workbook_loads == []  # refused before openpyxl saw it
    assert "import:departments" not in client.session
    assert not Department.objects.filter(code="A").exists()


def test_a_part_packed_too_tightly_is_refused_even_under_the_size_limits(client, workbook_loads):
    content = bomb(8)  # 8 MB: under the limits, but packed about 1000 to 1
    r = upload(client, "departments", content, "tight.xlsx")
    assert r.status_code == 400
    assert "tight.xlsx" in r.context["error"] and str(importer.MAX_RATIO) in r.context["error"]
    assert workbook_loads == []
    with pytest.raises(importer.ImportFileError, match="sharedStrings"):
        parse(importer.DEPARTMENTS, bomb(40))


def test_preview_and_import_read_the_workbook_once(client, workbook_loads):
    content = xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""], ["B", "乙", "", "A", "", ""]])
    assert upload(client, "departments", content).status_code == 302
    assert len(workbook_loads) == 1
    for _i in range(2):
        r = client.get("/org/import/departments/preview/")
        assert r.status_code == 200 and r.context["counts"]["create"] == 2
    token = pending(client, "departments")
    r = client.post("/org/import/departments/confirm/", {"token": token})
    assert r.status_code == 302
    assert Department.objects.get(code="B").parent.code == "A"
    assert len(workbook_loads) == 1  # the preview and the import used the rows read on upload


def test_a_damaged_pending_import_is_refused_cleanly(client):
    content = xlsx(DEPT_HEADERS, [["A", "甲", "", "", "", ""]])
    assert upload(client, "departments", content).status_code == 302
    token = pending(client, "departments")
    (Path(settings.MEDIA_ROOT) / "imports" / f"{token}.json").write_text("{not json")
    r = client.post("/org/import/departments/confirm/", {"token": token})
    assert r.status_code == 302 and r["Location"] == "/org/import/departments/"
    assert not Department.objects.filter(code="A").exists()
