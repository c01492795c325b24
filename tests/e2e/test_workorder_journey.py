"""A work order from start to finish, in a real browser and in Chinese: a nurse files a fault
with a photo from her phone (390×844), an engineer takes it at the desk (1280×900), accepts
and resolves it, and the nurse confirms the fix and gives five stars.

Screenshots land in ``<artifacts>/screenshots/wo-NN-<step>.png``.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders.models import Status, WorkOrder
from netdept.workorders.tests.factories import CategoryFactory

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def make_png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (a blue-to-green gradient), encoded here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            row += bytes((20, 80 + 150 * y // height, 120 + 130 * x // width))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class Snap:
    """``wo-NN-<step>.png`` screenshots, numbered in the order of the journey."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "screenshots"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page: Any, step: str) -> None:
        self.n += 1
        path = self.directory / f"wo-{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")


def fits_the_phone(page: Any) -> bool:
    """No sideways scrolling at phone width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_requester_files_from_a_phone_an_engineer_resolves_and_she_rates_it(
    phone_page: Any, page: Any, server: str, sign_in: Any, artifacts_dir: Path, tmp_path: Path
):
    snap = Snap(artifacts_dir)
    team = TeamFactory(name="运维组", department=DepartmentFactory(name="网络部", kind="network"))
    category = CategoryFactory(name="网络不通", default_team=team, kind="")
    CategoryFactory(name="软件安装", default_team=team, kind="service")
    nurse = user_with_role("requester", department=DepartmentFactory(name="心内科"))
    nurse.person.name = "李护士"
    nurse.person.phone = "13800138000"
    nurse.person.save()
    engineer = user_with_role("engineer", team=team)
    engineer.person.name = "王工"
    engineer.person.save()
    photo = tmp_path / "网口.png"
    photo.write_bytes(make_png())

    # --- the nurse files a fault from her phone ---
    phone = phone_page
    sign_in(phone, nurse)
    assert phone.evaluate("document.documentElement.lang") == "zh-hans"
    expect(phone.locator("#home-wo-new")).to_be_visible()
    snap(phone, "home-phone")
    phone.click("#home-wo-new")
    expect(phone.locator("#wo-portal-form")).to_be_visible()
    expect(phone.locator("input[name=contact]")).to_have_value("13800138000")
    # Only the categories of the chosen kind are offered.
    # (expect retries: the portal's script hides the other kinds' options once it has run)
    expect(
        phone.locator("select[name=category] option:not([hidden])", has_text="软件安装")
    ).to_have_count(0)
    snap(phone, "portal-form")
    phone.select_option("select[name=category]", str(category.pk))
    phone.fill(
        "textarea[name=description]",
        "护士站电脑无法上网\n从今天早上八点开始，两台电脑都打不开 HIS。",
    )
    phone.fill("input[name=location]", "住院楼 5 层护士站")
    phone.fill("input[name=device]", "护士站 1 号电脑")
    phone.set_input_files("input[name=attachments]", str(photo))
    assert fits_the_phone(phone)
    snap(phone, "portal-form-filled")
    phone.click("#wo-submit")

    expect(phone.locator("#wo-portal-detail")).to_be_visible()
    order = WorkOrder.objects.get()
    assert order.requester == nurse.person and order.team == team
    assert order.attachments.count() == 1
    expect(phone.locator("#wo-portal-detail")).to_have_attribute("data-status", "new")
    expect(phone.locator("#wo-due")).to_be_visible()
    thumb = phone.locator("#wo-attachments img.nd-thumb")
    expect(thumb).to_be_visible()
    # The photo really comes back (served after the permission check, outside the web root).
    phone.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert phone.evaluate("(img) => img.naturalWidth", thumb.element_handle()) == 64
    assert fits_the_phone(phone)
    snap(phone, "order-filed")

    phone.click("#wo-portal-detail nav a")  # back to 我的工单
    card = phone.locator(f"article[data-number='{order.number}']")
    expect(card).to_be_visible()
    expect(card).to_contain_text("护士站电脑无法上网")
    expect(card).to_contain_text("运维组")
    assert fits_the_phone(phone)
    snap(phone, "my-orders")

    # --- the engineer takes it at the desk ---
    desk = page
    sign_in(desk, engineer)
    desk.goto(f"{server}/workorders/")
    desk.click("#wo-queue-team")  # 本组工单: new orders of the team are nobody's yet
    row_link = desk.locator("a.wo-open", has_text=order.number)
    expect(row_link).to_be_visible()
    snap(desk, "desk")
    row_link.click()
    expect(desk.locator("#wo-number")).to_have_text(order.number)
    snap(desk, "order-new")
    desk.click("#wo-btn-accept")
    desk.click("#wo-submit-accept")
    expect(desk.locator("#wo-status")).to_have_class(re.compile(r"wo-status-accepted"))
    snap(desk, "order-accepted")
    desk.click("#wo-btn-resolve")
    desk.fill(
        "#wo-form-resolve textarea[name=solution]",
        "交换机 3 号端口故障，已改接 7 号端口，两台电脑均已恢复上网。",
    )
    snap(desk, "resolve-form")
    desk.click("#wo-submit-resolve")
    expect(desk.locator("#wo-status")).to_have_class(re.compile(r"wo-status-resolved"))
    snap(desk, "order-resolved")
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.assignee == engineer.person

    # --- the nurse confirms the fix and rates it, on her phone ---
    phone.goto(f"{server}/workorders/portal/orders/{order.number}/")
    expect(phone.locator("#wo-solution")).to_contain_text("改接 7 号端口")
    expect(phone.locator("#wo-confirm-form")).to_be_visible()
    snap(phone, "confirm")
    phone.click("label[for=confirm-rating-5]")
    phone.fill("#confirm-comment", "响应很快，谢谢王工！")
    assert fits_the_phone(phone)
    snap(phone, "rated-five-stars")
    phone.click("#wo-confirm")
    expect(phone.locator("#wo-portal-detail")).to_have_attribute("data-status", "closed")
    expect(phone.locator("#wo-rating [data-rating='5']")).to_be_visible()
    expect(phone.locator("#wo-rating")).to_contain_text("响应很快")
    snap(phone, "closed")
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert order.rating == 5 and order.rating_comment == "响应很快，谢谢王工！"
