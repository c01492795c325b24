"""Generated CRUD + permission tests of the regulations register's pages (netdept.testing.crud).

Regulations, their versions, articles and article links are configuration (every scoped reader
sees every row); read confirmations are each person's own (scoped by the person) and are
written by the services only (asked on publishing, confirmed by the person): their pages and
endpoints are read-only, their rows are made here directly."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from netdept.duties.models import (
    Article,
    ArticleLink,
    ReadConfirmation,
    Regulation,
    RegulationVersion,
    VersionStatus,
)
from netdept.testing.crud import CrudTests
from netdept.testing.factories import PersonFactory

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def make_regulation(**kw: Any) -> Regulation:
    i = n()
    return Regulation.objects.create(
        code=kw.pop("code", f"reg-{i}"), title=kw.pop("title", f"网络部管理制度{i}"), **kw
    )


def make_version(regulation: Regulation | None = None, **kw: Any) -> RegulationVersion:
    return RegulationVersion.objects.create(
        regulation=regulation or make_regulation(), label=kw.pop("label", f"v{n()}"), **kw
    )


def make_article(version: RegulationVersion | None = None, **kw: Any) -> Article:
    i = n()
    return Article.objects.create(
        version=version or make_version(),
        label=kw.pop("label", f"第{i}条"),
        text=kw.pop("text", "每天写工作日志。"),
        position=i,
        **kw,
    )


class TestRegulationCrud(CrudTests):
    model = Regulation

    def make(self) -> Any:
        return make_regulation()

    def valid_data(self) -> dict[str, Any]:
        i = n()
        return {
            "code": f"marketing-{i}",
            "title": f"大客户部管理制度{i}",
            "issuer": "网络部",
            "description": "网络部工作流程与制度",
            "pack": "",
            "is_active": True,
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "code": obj.code,
            "title": f"{obj.title}（修订）",
            "issuer": "行政部",
            "description": "",
            "pack": "marketing",
            "is_active": False,
        }


class TestRegulationVersionCrud(CrudTests):
    model = RegulationVersion
    extra_perms = ["duties.view_regulation", "org.view_department"]

    def make(self) -> Any:
        return make_version()

    def valid_data(self) -> dict[str, Any]:
        return {
            "regulation": make_regulation().pk,
            "label": "2026版",
            "effective_date": dt.date(2026, 3, 1),
            "review_interval_months": 12,
            "next_review_date": dt.date(2027, 3, 1),
            "review_reminder_days": 30,
            "applies_to": [],
            "require_read_confirmation": True,
            "change_note": "首次发布",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "regulation": obj.regulation_id,
            "label": f"{obj.label}-2",
            "effective_date": dt.date(2026, 4, 1),
            "review_interval_months": 6,
            "next_review_date": None,
            "review_reminder_days": 15,
            "applies_to": [],
            "require_read_confirmation": False,
            "change_note": "调整复审周期",
        }

    def api_valid_data(self) -> dict[str, Any]:
        return _iso(self.valid_data())

    def api_update_data(self, obj: Any) -> dict[str, Any]:
        return _iso(self.update_data(obj))


class TestArticleCrud(CrudTests):
    model = Article
    extra_perms = ["duties.view_regulationversion"]
    bulk_field = "version"  # moving draft articles; "not automatable" needs its reason

    def make(self) -> Any:
        return make_article()

    def valid_data(self) -> dict[str, Any]:
        return {
            "version": make_version().pk,
            "label": "第八条",
            "position": 8,
            "chapter": "三、网络部工作制度",
            "text": "每周一按时交2篇新闻稿至行政部，逾期未交稿罚款10元/篇。",
            "seed_line": 868,
            "summary": "每周一交两篇新闻稿",
            "automatable": True,
            "not_automatable_reason": "",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "version": obj.version_id,
            "label": obj.label,
            "position": obj.position + 1,
            "chapter": "",
            "text": obj.text + "（修订）",
            "seed_line": None,
            "summary": "",
            "automatable": False,
            "not_automatable_reason": "态度要求，无法由系统判定",
        }


class TestArticleLinkCrud(CrudTests):
    model = ArticleLink
    extra_perms = ["duties.view_article", "contenttypes.view_contenttype"]

    def make(self) -> Any:
        target = make_regulation()
        return ArticleLink.objects.create(
            article=make_article(),
            target_type=ContentType.objects.get_for_model(Regulation),
            target_id=str(target.pk),
        )

    def valid_data(self) -> dict[str, Any]:
        target = make_regulation()
        return {
            "article": make_article().pk,
            "target_type": ContentType.objects.get_for_model(Regulation).pk,
            "target_id": str(target.pk),
            "note": "由该制度的复审规则落实",
        }

    def update_data(self, obj: Any) -> dict[str, Any]:
        return {
            "article": obj.article_id,
            "target_type": obj.target_type_id,
            "target_id": obj.target_id,
            "note": "改",
        }


class TestReadConfirmationCrud(CrudTests):
    model = ReadConfirmation
    key_field = "person"

    def make(self) -> Any:
        return _confirmation(PersonFactory.create())

    def make_in_scope(self, scope: str, department: Any, team: Any, user: Any) -> Any:
        if scope == "own":
            person = user.person
        elif scope == "team":
            person = PersonFactory.create(department=department, team=team)
        else:
            person = PersonFactory.create(department=department)
        return _confirmation(person)


def _confirmation(person: Any) -> ReadConfirmation:
    version = make_version(status=VersionStatus.EFFECTIVE, effective_date=dt.date(2026, 1, 1))
    return ReadConfirmation.objects.create(
        version=version, person=person, requested_at=timezone.now()
    )


def _iso(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
