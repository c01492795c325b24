"""Pages and API of the regulations register: documents, versions (with their machine: submit
for approval, publish, record the periodic review, ask again for read confirmations), articles
(each showing what encodes it), article links and read confirmations (asked on publishing,
confirmed by the person on ``views_regulations``' phone page)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from netdept.core import display
from netdept.core.machines import TEXTAREA, Field, Machine, Transition
from netdept.core.machines import register as register_machine
from netdept.core.registry import Page, register
from netdept.duties import forms_regulations
from netdept.duties.models import (
    Article,
    ArticleLink,
    ReadConfirmation,
    Regulation,
    RegulationVersion,
)
from netdept.duties.services import regulations as services

S = "netdept.duties.services.regulations."

VERSION_MACHINE = register_machine(
    Machine(
        RegulationVersion,
        # the approvals engine decides (approved, rejected); the daily job and a newer version
        # taking effect make a version effective or superseded
        external_states=["approved", "rejected", "effective", "superseded"],
        transitions=[
            Transition(
                "submit",
                _("Submit for approval"),
                source=["draft", "rejected"],
                target="pending",
                handler=S + "submit_version",
                icon="bi-send-check",
                style="primary",
            ),
            Transition(
                "publish",
                _("Put into effect"),
                source=["approved"],
                target="effective",
                handler=S + "publish",
                icon="bi-megaphone",
                confirm=_("Put %(object)s into effect? The previous version is superseded."),
            ),
            Transition(
                "reviewed",
                _("Record the periodic review"),
                source=["effective"],
                target=None,
                handler=S + "mark_reviewed",
                fields=[
                    Field("next_review_date", model_field="next_review_date", required=False),
                    Field(
                        "note",
                        kind=TEXTAREA,
                        label=_("review result"),
                        max_length=1000,
                        required=False,
                    ),
                ],
                icon="bi-clipboard-check",
            ),
            Transition(
                "ask_again",
                _("Ask newcomers to confirm reading"),
                source=["effective"],
                target=None,
                handler=S + "ask_again",
                icon="bi-person-plus",
            ),
        ],
    )
)


def version_detail(request: HttpRequest, obj: RegulationVersion) -> dict[str, Any]:
    articles = list(obj.articles.all()[:500])
    return {
        "detail_template": "duties/regulations/version_detail.html",
        "articles": articles,
        "read": services.read_summary(obj),
        "approval": obj.approval_request,
    }


def article_detail(request: HttpRequest, obj: Article) -> dict[str, Any]:
    return {
        "detail_template": "duties/regulations/article_detail.html",
        "encodings": [
            {
                "kind": e.kind,
                "obj": e.obj,
                "note": e.note,
                "url": display.object_url(e.obj) if isinstance(e.obj, models.Model) else "",
            }
            for e in services.encodings(obj)
        ],
        "others": Article.objects.filter(
            version__regulation_id=obj.version.regulation_id, label=obj.label
        )
        .exclude(pk=obj.pk)
        .select_related("version"),
    }


def _choices_of(page: Page, name: str, queryset: models.QuerySet[Any]) -> None:
    """A filter's choice list that names its rows without a query per row (a version's name
    reads its regulation, an article's its version's)."""
    assert page.filterset_class is not None
    page.filterset_class.base_filters[name].queryset = queryset


VERSIONS_NAMED = RegulationVersion.objects.select_related("regulation")
ARTICLES_NAMED = Article.objects.select_related("version", "version__regulation")

register(
    Page(
        model=Regulation,
        nav_group="duties",
        nav_order=60,
        icon="bi-journal-text",
        fields=["code", "title", "issuer", "description", "pack", "is_active"],
        columns=["title", "code", "issuer", "pack", "is_active", "updated_at"],
        default_columns=["title", "code", "issuer", "pack", "is_active"],
        filters=["issuer", "pack", "is_active"],
        search=["title", "code", "issuer"],
        service=services.REGULATIONS,
    )
)
VERSION_PAGE = register(
    Page(
        model=RegulationVersion,
        nav_group="duties",
        nav_order=61,
        icon="bi-files",
        slug="regulationversion",
        fields=[
            "regulation", "label", "effective_date", "review_interval_months",
            "next_review_date", "review_reminder_days", "applies_to",
            "require_read_confirmation", "change_note",
        ],
        columns=[
            "regulation", "label", "status", "effective_date", "next_review_date",
            "published_at", "superseded_at", "updated_at",
        ],
        default_columns=["regulation", "label", "status", "effective_date", "next_review_date"],
        detail_fields=[
            "regulation", "label", "status", "effective_date", "review_interval_months",
            "next_review_date", "review_reminder_days", "require_read_confirmation",
            "published_at", "superseded_at", "change_note",
        ],
        filters=["regulation", "status", "effective_date", "next_review_date"],
        search=["label", "regulation__title", "change_note"],
        select_related=["regulation"],
        prefetch_related=["applies_to"],
        service=services.VERSIONS,
        machine=VERSION_MACHINE,
        extra_detail=version_detail,
        importable=False,
        bulk_fields=["review_interval_months", "review_reminder_days", "require_read_confirmation"],
    )
)  # fmt: skip
ARTICLE_PAGE = register(
    Page(
        model=Article,
        nav_group="duties",
        nav_order=62,
        icon="bi-paragraph",
        fields=[
            "version", "label", "position", "chapter", "text", "seed_line", "summary",
            "automatable", "not_automatable_reason",
        ],
        columns=["version", "label", "chapter", "summary", "automatable", "seed_line"],
        default_columns=["version", "label", "chapter", "summary", "automatable"],
        filters=["version", "automatable", "label"],
        search=["label", "text", "summary", "chapter"],
        select_related=["version", "version__regulation"],
        service=services.ARTICLES,
        extra_detail=article_detail,
        importable=False,
        home_card=False,  # reached through their versions; no count card of its own
    )
)  # fmt: skip
LINK_PAGE = register(
    Page(
        model=ArticleLink,
        nav_group="duties",
        nav_order=63,
        icon="bi-link-45deg",
        fields=["article", "target_type", "target_id", "note"],
        columns=["article", "target_type", "target_id", "note"],
        filters=["article"],
        search=["target_id", "note", "article__label"],
        form_class=forms_regulations.ArticleLinkForm,
        select_related=["article", "article__version", "article__version__regulation",
                        "target_type"],
        service=services.LINKS,
        importable=False,
        home_card=False,
    )
)  # fmt: skip
CONFIRMATION_PAGE = register(
    Page(
        model=ReadConfirmation,
        nav_group="duties",
        nav_order=64,
        icon="bi-eye",
        fields=[],
        columns=["version", "person", "requested_at", "confirmed_at"],
        filters=["version", "person", "confirmed_at"],
        search=["person__name", "version__regulation__title"],
        select_related=["version", "version__regulation", "person"],
        service=services.CONFIRMATIONS,
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,
    )
)
_choices_of(ARTICLE_PAGE, "version", VERSIONS_NAMED)
_choices_of(LINK_PAGE, "article", ARTICLES_NAMED)
_choices_of(CONFIRMATION_PAGE, "version", VERSIONS_NAMED)
