"""A pack's coverage: every article of its regulations, encoded by the live rules (linked),
not automatable with its reason, or missing (red); the page, its Excel export and the API
say the same, with the pack's view permission."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from netdept.approvals.tests import hospital
from netdept.core.models.audit import AuditAction, AuditRecord
from netdept.core.services import service_for
from netdept.duties.models import Pack, RewardRule
from netdept.duties.packs.coverage import ENCODED, MISSING, NOT_AUTOMATABLE, coverage
from netdept.duties.packs.load import load
from netdept.testing.clients import api_client, ui_client, xlsx_rows
from netdept.testing.factories import user_with_perms

FIXTURES = Path(__file__).parent / "packs"

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "v1", root)
    hospital.build()
    with override_settings(NETDEPT_PACKS_DIR=str(root)):
        load("sample", department="XXK")
    return Pack.objects.get(name="sample")


def by_label(pack: Pack) -> dict[str, object]:
    return {r.article.label: r for r in coverage(pack).rows}


def test_every_article_is_encoded_or_says_why_not(pack: Pack) -> None:
    cov = coverage(pack)
    rows = {r.article.label: r for r in cov.rows}
    assert list(rows) == ["1", "2", "3", "4", "5", "6"]
    assert {k: r.status for k, r in rows.items()} == {
        "1": ENCODED, "2": ENCODED, "3": ENCODED, "4": ENCODED, "5": NOT_AUTOMATABLE, "6": ENCODED,
    }  # fmt: skip
    kinds = {k: sorted(e.label for e in r.encoders) for k, r in rows.items()}
    assert kinds["1"] == ["汇总审批", "网站运营组"]
    assert kinds["2"] == ["网站编辑"]
    assert kinds["3"] == ["新闻稿逾期", "每周一交 2 篇新闻稿", "每周处理工单"]
    assert kinds["4"] == ["泄露客户资料", "累进处罚"]
    assert kinds["6"] == ["月度之星"]
    assert cov.complete and (cov.encoded, cov.not_automatable, cov.missing) == (5, 1, 0)
    duty = next(e for e in rows["3"].encoders if e.label == "每周一交 2 篇新闻稿")
    assert duty.url.startswith("/") and duty.active


def test_an_inactive_rule_leaves_its_article_missing(pack: Pack) -> None:
    star = RewardRule.objects.get(code="sample-star")
    service_for(RewardRule).update(None, star, {"is_active": False})
    cov = coverage(pack)
    assert cov.missing == 1 and not cov.complete
    row = next(r for r in cov.rows if r.article.label == "6")
    assert row.status == MISSING and [e.active for e in row.encoders] == [False]


def test_the_page_the_export_and_the_api(pack: Pack) -> None:
    star = RewardRule.objects.get(code="sample-star")
    service_for(RewardRule).update(None, star, {"is_active": False})
    user = user_with_perms(["duties.view_pack", "duties.view_duty"])
    client = ui_client(user)
    with translation.override("zh-hans"):
        page = client.get(
            reverse("duties:pack_coverage", args=[pack.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="missing" data-label="6"' in html and "table-danger" in html
    assert (
        'data-status="not_automatable" data-label="5"' in html
        and "品德要求，无法由系统检查" in html
    )
    assert "每周一交 2 篇新闻稿</a>" in html  # a link to the live duty
    only_missing = client.get(reverse("duties:pack_coverage", args=[pack.pk]) + "?status=missing")
    assert only_missing.content.decode().count("data-status=") == 1

    export = client.get(reverse("duties:pack_coverage_export", args=[pack.pk]))
    assert export.status_code == 200
    rows = xlsx_rows(export.content)
    assert len(rows) == 1 + 6
    by_article = {r[2]: r for r in rows[1:]}
    assert by_article["3"][3] == 559
    assert "每周一交 2 篇新闻稿" in by_article["3"][7]
    assert by_article["5"][8] == "品德要求，无法由系统检查"
    assert AuditRecord.objects.filter(action=AuditAction.EXPORT, object_id=str(pack.pk)).exists()

    data = api_client(user).get(f"/api/v1/duties/packs/{pack.pk}/coverage/").json()
    assert (data["articles"], data["encoded"], data["not_automatable"], data["missing"]) == (
        6,
        4,
        1,
        1,
    )
    assert data["complete"] is False
    row3 = next(r for r in data["rows"] if r["label"] == "3")
    assert row3["status"] == "encoded" and {e["label"] for e in row3["encoded_by"]} == {
        "新闻稿逾期",
        "每周一交 2 篇新闻稿",
        "每周处理工单",
    }

    detail = client.get(reverse("duties:packs_tab", args=[pack.pk, "coverage"]))
    assert detail.status_code == 200 and "nd-pack-coverage-summary" in detail.content.decode()


def test_without_the_permission(pack: Pack) -> None:
    user = user_with_perms(["duties.view_duty"])
    assert ui_client(user).get(reverse("duties:pack_coverage", args=[pack.pk])).status_code == 403
    assert (
        ui_client(user).get(reverse("duties:pack_coverage_export", args=[pack.pk])).status_code
        == 403
    )
    assert api_client(user).get(f"/api/v1/duties/packs/{pack.pk}/coverage/").status_code == 403
    viewer = user_with_perms(["duties.view_pack"])
    assert (
        ui_client(viewer).get(reverse("duties:pack_coverage", args=[pack.pk + 99])).status_code
        == 404
    )


def test_coverage_costs_the_same_queries_for_more_articles(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "v1", root)
    hospital.build()
    with override_settings(NETDEPT_PACKS_DIR=str(root)):
        load("sample", department="XXK")
        pack = Pack.objects.get(name="sample")
        with CaptureQueriesContext(connection) as small:
            assert len(coverage(pack).rows) == 6
        header = root / "sample" / "pack.yaml"
        text = header.read_text(encoding="utf-8")
        more = "".join(
            f'      - {{label: "{n}", text: 第{n}条, not_automatable: 说明}}\n'
            for n in range(7, 40)
        )
        text = text.replace('      - {label: "6"', more + '      - {label: "6"')
        header.write_text(text.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
        load("sample")
        with CaptureQueriesContext(connection) as big:
            assert len(coverage(pack).rows) == 39
    assert len(big.captured_queries) == len(small.captured_queries)
