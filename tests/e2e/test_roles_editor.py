"""The role editor in Chromium, in Chinese (issue 10, point 4): search the permission grid,
select a whole column and a whole row, see the 三员 warning when two separated duties are
ticked, save, and read the role page's plain-language summary.

Screenshots: ``<artifacts>/screenshots/test_role_editor_in_chinese-<step>.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

from netdept.org.models import Role
from netdept.testing.factories import user_with_role

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def test_role_editor_in_chinese(page: Any, server: str, sign_in: Any) -> None:
    sec = user_with_role("secadmin")
    sign_in(page, sec)
    page.goto(f"{server}/org/role/add/")
    editor = page.locator("[data-nd-perm-editor]")
    modules = editor.locator("[data-nd-perm-module]")
    orders = modules.filter(has=page.locator("h3", has_text="工单"))

    # search: one word narrows to its rows, across modules
    search = editor.locator("[data-nd-perm-search]")
    search.fill("内部备注")
    expect(editor.locator("[data-nd-perm-row]:visible")).to_have_count(1)
    expect(editor.locator("[data-nd-perm-row]:visible")).to_contain_text("评论")
    search.fill("zzz-nothing")
    expect(editor.locator("[data-nd-perm-none]")).to_be_visible()
    search.fill("")
    expect(editor.locator("[data-nd-perm-none]")).to_be_hidden()

    # a whole column of the work-order module, then a whole row
    orders.locator('[data-nd-perm-toggle="col"][data-action="view"]').check()
    views = orders.locator('input[data-perm][data-action="view"]')
    assert views.count() >= 5
    for i in range(views.count()):
        expect(views.nth(i)).to_be_checked()
    category = orders.locator("[data-nd-perm-row]", has_text="分类")
    category.locator('[data-nd-perm-toggle="row"]').check()
    expect(category.locator("input[data-perm]:checked")).to_have_count(4)
    expect(orders.locator('[data-nd-perm-toggle="col"][data-action="add"]')).to_have_js_property(
        "indeterminate", True
    )
    count = editor.locator("[data-nd-perm-count]")
    expect(count).to_contain_text(f"已授予 {views.count() + 3} /")

    # 三员: security and audit rights ticked together are flagged before saving
    warning = editor.locator("[data-nd-duty-warning]")
    expect(warning).to_be_hidden()
    editor.locator('input[data-perm="org.add_roleassignment"]').check()
    editor.locator('input[data-perm="core.view_auditrecord"]').check()
    expect(warning).to_be_visible()
    page.shot("grid-warning")
    editor.locator('input[data-perm="core.view_auditrecord"]').uncheck()
    expect(warning).to_be_hidden()
    editor.locator('input[data-perm="org.add_roleassignment"]').uncheck()

    # "granted only" shows the ticked rows
    editor.locator("[data-nd-perm-granted]").check()
    visible_rows = editor.locator("[data-nd-perm-row]:visible")
    expect(visible_rows).to_have_count(views.count())
    editor.locator("[data-nd-perm-granted]").uncheck()

    page.fill("input[name=code]", "night-shift")
    page.fill("input[name=name]", "夜班值守")
    page.click("#nd-save")
    summary = page.locator("#nd-role-summary")
    expect(summary).to_contain_text("这个角色能做什么")
    expect(summary).to_contain_text("工单")
    expect(summary).to_contain_text("管理（查看、新建、修改、删除）：分类")
    page.shot("summary")
    role = Role.objects.get(code="night-shift")
    assert role.permissions.filter(codename="view_workorder").exists()
    assert role.permissions.filter(codename="delete_category").exists()
    assert not role.permissions.filter(codename="view_auditrecord").exists()
