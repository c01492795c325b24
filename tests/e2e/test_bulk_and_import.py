"""The generic stack in a real browser, in Chinese: ticking rows and changing them in bulk
(all or nothing), and importing a CSV file with its preview (every bad row named, nothing
imported until the whole file is right)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netdept.org.models import Position, Team
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_perms

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_tick_every_team_on_the_page_and_deactivate_them_in_bulk(
    page: Any, server: str, sign_in: Any
):
    dept = DepartmentFactory(name="网络部", code="NET")
    teams = [TeamFactory(department=dept, name=f"运维{i}组") for i in range(3)]
    user = user_with_perms(["org.view_team", "org.change_team", "org.delete_team"])
    sign_in(page, user)
    page.goto(f"{server}/org/team/")

    edit = page.locator("#nd-bulk-edit")
    expect(edit).to_be_disabled()  # nothing ticked yet
    page.check("#nd-select-page")
    expect(edit).to_be_enabled()
    for box in page.locator("[data-nd-select-row]").all():
        expect(box).to_be_checked()
    expect(page.locator("[data-nd-selected-count]")).to_have_text("已选择 3 条")
    page.shot("teams-all-ticked")

    edit.click()
    expect(page.locator("#nd-bulk-count")).to_contain_text("3")
    page.check("#id_change_is_active")
    page.uncheck("#id_is_active")
    page.shot("bulk-edit-form")
    page.click("#nd-bulk-apply")
    expect(page.locator(".alert-success, .toast, [role=status]").first).to_be_visible()
    page.shot("bulk-edit-done")
    assert not Team.objects.filter(pk__in=[t.pk for t in teams], is_active=True).exists()


def test_a_csv_with_a_bad_row_is_previewed_row_by_row_and_nothing_is_imported_until_fixed(
    page: Any, server: str, sign_in: Any, tmp_path: Path
):
    DepartmentFactory(name="信息中心", code="IT")
    user = user_with_perms(
        ["org.view_position", "org.add_position", "org.change_position", "org.view_department"]
    )
    sign_in(page, user)
    page.goto(f"{server}/org/position/")
    page.click("#nd-import-button")

    bad = tmp_path / "岗位.csv"
    bad.write_bytes(
        "name,department,responsibilities\n"
        "网络管理员,IT,负责核心交换机\n"
        "安全管理员,NOPE,负责防火墙\n".encode("gb18030")
    )
    page.set_input_files("#nd-import-upload input[type=file]", str(bad))
    page.click("#nd-import-upload button[type=submit]")
    rows = page.locator("#nd-import-rows")
    expect(rows).to_contain_text("NOPE")
    expect(page.locator("#nd-import-confirm")).to_be_disabled()
    page.shot("import-preview-with-a-bad-row")
    assert not Position.objects.exists()

    good = tmp_path / "岗位-改.csv"
    good.write_bytes(
        "\ufeffname,department,responsibilities\n"
        "网络管理员,IT,负责核心交换机\n"
        "安全管理员,IT,负责防火墙\n".encode()
    )
    page.click("#nd-import-cancel")
    page.goto(f"{server}/org/position/")
    page.click("#nd-import-button")
    page.set_input_files("#nd-import-upload input[type=file]", str(good))
    page.click("#nd-import-upload button[type=submit]")
    expect(page.locator("#nd-import-confirm")).to_be_enabled()
    page.shot("import-preview-clean")
    page.click("#nd-import-confirm")
    expect(page.locator("body")).to_contain_text("安全管理员")
    page.shot("import-done")
    assert set(Position.objects.values_list("name", flat=True)) == {"网络管理员", "安全管理员"}
