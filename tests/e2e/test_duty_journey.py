"""Doing duties on a phone (390×844), in Chinese.

1. An engineer (张伟) finds today's duty on the home page, opens it, takes a photo of the
   machine room and submits it; his team lead (刘强) finds it in 待我复核, returns it once for
   a missing detail, the engineer submits again, and the lead accepts it: done on time.
2. A missed duty becomes a violation with its rule's fine (the engine's sweep; the duty's
   penalty rule: ¥50), the engineer appeals (申诉) from his phone (the sanctions' page "my
   penalties and rewards"), and the director (王建国) decides the appeal in 待我审批: the fine
   is withdrawn and stays in the history.

No page is wider than the screen; screenshots in test-artifacts/screenshots.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from netdept.approvals.tests import hospital
from netdept.duties.models import Evidence, Occurrence
from netdept.duties.tests.test_work_fixtures import make_duty, make_occurrence, png_bytes

pytestmark = pytest.mark.browser

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips or fails with a reason
    expect = None


def fits(page: Any) -> None:
    extra = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert extra <= 1, f"{page.url}: {extra} px wider than the screen"


def big_enough(page: Any, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["height"] >= 44, f"{selector}: {box}"


def test_an_engineer_completes_a_duty_with_a_photo_on_a_phone(
    phone_page: Any, second_phone_page: Any, server: str, sign_in: Any
) -> None:
    h = hospital.build()
    duty = make_duty(
        name="机房巡检（拍照留存）",
        description="每天巡检一号机房：温度、湿度、UPS 状态，拍照留存。",
        evidence_kind="photo",
        reviewer_kind="team_lead",
    )
    now = timezone.now()
    tonight = timezone.localtime(now).replace(hour=23, minute=50, second=0, microsecond=0)
    due = max(tonight, now + dt.timedelta(minutes=30))
    occ = make_occurrence(duty, h["zhangwei"], due_at=due)
    page = phone_page

    # the home page's "今日职责" leads to the duty
    sign_in(page, h.user("zhangwei"))
    page.goto(server + "/")
    expect(page.locator(f'#dw-home-rows li[data-occurrence="{occ.pk}"]')).to_be_visible()
    fits(page)
    page.shot("home-today")
    page.locator(f'#dw-home-rows li[data-occurrence="{occ.pk}"] a').click()
    expect(page.locator("#dw-occurrence")).to_have_attribute("data-status", "pending")
    expect(page.locator("h1")).to_contain_text("机房巡检")
    fits(page)
    big_enough(page, "label.dw-pick")
    big_enough(page, "#dw-submit")

    # submitting without the photo is refused, naming the field; nothing is saved
    page.click("#dw-submit")
    expect(page.locator('[data-field="files"]')).to_be_visible()
    assert Occurrence.objects.get(pk=occ.pk).status == "pending"

    # the camera's photo (the phone gives the file input an image)
    page.set_input_files(
        "#id_files", files=[{"name": "机房.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(page.locator("#dw-previews img")).to_have_count(1)
    page.fill("#id_text", "温度 22℃，湿度 45%，UPS 正常")
    page.shot("photo-chosen")
    page.click("#dw-submit")
    expect(page.locator("#dw-occurrence")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#dw-photos img")).to_have_count(1)
    fits(page)
    page.shot("submitted")
    assert Evidence.objects.filter(occurrence=occ, kind="photo").count() == 1

    # the team lead reviews on his phone: returned once, with the reason
    lead = second_phone_page
    sign_in(lead, h.user("liuqiang"))
    lead.goto(server + reverse("duties:review_queue"))
    card = lead.locator(f'#dw-queue article[data-occurrence="{occ.pk}"]')
    expect(card).to_contain_text("张伟")
    fits(lead)
    lead.shot("review-queue")
    card.locator("a.stretched-link").click()
    expect(lead.locator("#dw-photos img")).to_have_count(1)
    lead.click("#dw-open-return_for_changes")
    lead.click("#dw-do-return_for_changes")
    expect(lead.locator('#dw-form-return_for_changes [data-field="comment"]')).to_be_visible()
    lead.fill("#dw-form-return_for_changes textarea[name=comment]", "请补拍 UPS 面板读数")
    lead.click("#dw-do-return_for_changes")
    expect(lead.locator("#dw-occurrence")).to_have_attribute("data-status", "returned")

    # the engineer sees why, and submits again with one more photo
    page.goto(server + reverse("duties:mine"))
    row = page.locator(f'#dw-list article[data-occurrence="{occ.pk}"]')
    expect(row).to_contain_text("请补拍 UPS 面板读数")
    row.locator("a.stretched-link").click()
    expect(page.locator("#dw-returned")).to_contain_text("刘强")
    page.set_input_files(
        "#id_files",
        files=[
            {"name": "UPS.png", "mimeType": "image/png", "buffer": png_bytes(rgb=(200, 80, 40))}
        ],
    )
    page.click("#dw-submit")
    expect(page.locator("#dw-occurrence")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#dw-photos img")).to_have_count(2)

    # accepted from the queue with one tap: done on time
    lead.goto(server + reverse("duties:review_queue"))
    lead.locator(f'#dw-accept-{occ.pk} button[data-action="accept"]').click()
    expect(lead.locator("#dw-empty")).to_be_visible()
    lead.shot("queue-empty")
    assert Occurrence.objects.get(pk=occ.pk).status == "done"
    page.goto(server + reverse("duties:mine") + "?tab=history")
    expect(page.locator(f'#dw-list article[data-occurrence="{occ.pk}"]')).to_have_attribute(
        "data-status", "done"
    )
    fits(page)
    page.shot("history-done")


def _sanctions_ready() -> bool:
    try:
        from netdept.duties.services import engine, violations
    except ImportError:
        return False
    return hasattr(engine, "sweep") and hasattr(violations, "appeal")


def test_a_missed_duty_becomes_a_fine_appealed_and_decided(
    phone_page: Any, second_phone_page: Any, server: str, sign_in: Any
) -> None:
    if not _sanctions_ready():
        pytest.skip("the engine's sweep and the sanctions' services are not in this build")
    from netdept.duties.models import Penalty, PenaltyRule, PenaltyStep
    from netdept.duties.services import sweeping

    h = hospital.build()
    rule = PenaltyRule.objects.create(
        code="late-log", name="工作日志逾期", period="month", appeal_days=3
    )
    PenaltyStep.objects.create(rule=rule, offence=1, sanction="fine", amount=Decimal("50.00"))
    duty = make_duty(
        name="提交周工作报告", evidence_kind="text", violation_on="missed", penalty_rule=rule
    )
    now = timezone.now()
    occ = make_occurrence(
        duty, h["zhangwei"], due_at=now - dt.timedelta(hours=3),
        missed_at=now - dt.timedelta(hours=1), next_check_at=now - dt.timedelta(hours=3),
    )  # fmt: skip
    sweeping.sweep(now=now)
    occ.refresh_from_db()
    assert occ.status == "missed"
    penalty = Penalty.objects.get(violation__occurrence=occ)
    assert penalty.amount == Decimal("50.00")

    page = phone_page
    sign_in(page, h.user("zhangwei"))
    page.goto(server + reverse("duties:occurrence", args=[occ.pk]))
    expect(page.locator("#dw-occurrence")).to_have_attribute("data-status", "missed")
    fits(page)
    page.shot("missed")
    # the engineer sees the fine on his penalties page and appeals from his phone
    page.goto(server + reverse("duties:my_sanctions"))
    expect(page.locator(f"#sx-penalty-{penalty.pk}")).to_contain_text("50.00")
    fits(page)
    page.shot("fine")
    page.click(f"#sx-appeal-{penalty.pk}")
    page.fill("#nd-form-appeal textarea[name=reason]", "当天系统故障，报告已邮件提交")
    page.click("#nd-submit-appeal")
    page.wait_for_url(re.compile(rf"/duties/penalties/{penalty.pk}/$"))
    penalty.refresh_from_db()
    assert penalty.status == "appealed"
    page.shot("appealed")

    director = second_phone_page
    sign_in(director, h.user("wangjg"))
    director.goto(server + reverse("approvals:inbox"))
    expect(director.locator("#ap-inbox article")).to_have_count(1)
    fits(director)
    director.shot("appeal-in-inbox")
    director.locator("#ap-inbox article a.stretched-link").first.click()
    director.fill("#ap-form-approve textarea[name=comment]", "情况属实，撤销罚款")
    director.click("#ap-submit-approve")
    expect(director.locator("#ap-decision")).to_have_attribute("data-status", "approved")
    director.shot("appeal-approved")
    penalty.refresh_from_db()
    assert penalty.status == "withdrawn"
    assert Penalty.objects.filter(pk=penalty.pk).exists()  # kept in the history
    page.goto(server + reverse("duties:my_sanctions"))
    expect(page.locator(f"#sx-penalty-{penalty.pk}")).to_contain_text("50.00")  # in the history
    page.shot("withdrawn")
