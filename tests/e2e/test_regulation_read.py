"""A regulation published, read and confirmed on a phone (阅读确认), in Chinese: the engineer
opens the notification's link, reads the text at 390 px, presses 「确认已阅读」 (a thumb-sized
button), the home page's 「待阅读的制度」 empties, and the team lead sees who has and has not
read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from netdept.approvals import services as approvals
from netdept.approvals.tests import hospital
from netdept.duties import importer
from netdept.duties.services import regulations as rs
from netdept.org.models import RoleAssignment
from netdept.testing.factories import custom_role

pytestmark = pytest.mark.browser

TEXT = """大客户部管理制度
三、网络部工作制度
第五条每天关注网站后台和百度商桥留言,及时回复;未及时回复或未记录客户信息转交客服部的,每条留言罚款10元。
第七条每天写工作日志,每周写周工作报告,并于每周日17:00之前上交行政部,逾期不交,罚款50元。
第八条每周一按时交2篇新闻稿至行政部,逾期未交稿罚款10元/篇。"""


def fits(page: Any) -> None:
    page.wait_for_load_state("load")
    extra = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert extra <= 1, f"{page.url}: {extra} px wider than the screen"


def test_an_engineer_confirms_reading_a_regulation_on_a_phone(
    phone_page: Any, second_phone_page: Any, server: str, sign_in: Any
) -> None:
    h = hospital.build()
    RoleAssignment.objects.create(
        user=h.user("liuqiang"),
        role=custom_role(
            ["duties.view_regulationversion", "duties.view_readconfirmation"], code="rg-lead"
        ),
    )
    reg = rs.REGULATIONS.create(
        None, {"code": "dakehu", "title": "大客户部管理制度", "issuer": "网络部"}, check=False
    )
    version = rs.create_version_from_import(
        None, regulation=reg, label="2026版", parsed=importer.split_text(TEXT), source_text=TEXT,
        effective_date=timezone.localdate(),
    )  # fmt: skip
    version.applies_to.set([h.network])
    rs.submit_version(h.user("liuqiang"), version)
    (decision,) = approvals.pending_for(h["wangjg"])
    approvals.approve(h.user("wangjg"), decision, "同意发布")

    page = phone_page
    sign_in(page, h.user("zhangwei"))
    expect(page.locator("#rg-home-rows li")).to_have_count(1)  # 待阅读的制度
    page.shot("home")
    page.locator("#rg-home-rows a").click()
    expect(page.locator("#rg-read")).to_contain_text("每周一按时交2篇新闻稿")
    fits(page)
    button = page.locator("#rg-confirm")
    expect(button).to_have_text("确认已阅读")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300
    page.shot("read")
    button.click()
    expect(page.locator("#rg-confirmed")).to_contain_text("您已于")
    expect(page.locator("#rg-confirm")).to_have_count(0)
    page.shot("confirmed")
    page.goto(server + "/")
    expect(page.locator("#rg-home-rows")).to_have_count(0)

    lead = second_phone_page
    sign_in(lead, h.user("liuqiang"))
    lead.goto(f"{server}/duties/regulations/{version.pk}/readers/")
    expect(lead.locator("#rg-confirmed-list")).to_contain_text("张伟")
    expect(lead.locator("#rg-waiting")).to_contain_text("李娜")
    expect(lead.locator("#rg-waiting")).not_to_contain_text("张伟")
    fits(lead)
    lead.shot("readers")
