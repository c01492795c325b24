"""The coverage of a loaded pack: every article of its regulations with what encodes it now.

Read from the live rows, not from the pack's files: the duties, penalty rules, prohibited acts
and reward rules citing the article (their ``articles``), and the rules of other modules tied
to it (``ArticleLink``: a team's or position's responsibilities, an approval rule, an SLA
policy…). An article is **encoded** when an active rule encodes it, **not automatable** when
it says why, and **missing** otherwise (an inactive rule does not count: a site that switches
a duty off sees its article turn red).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from netdept.core.display import object_url
from netdept.duties.models import Article, ArticleLink, Pack, PackItem, RegulationVersion

ENCODED: Final = "encoded"
NOT_AUTOMATABLE: Final = "not_automatable"
MISSING: Final = "missing"


@dataclass
class Encoder:
    """A live rule encoding an article."""

    kind: str  # the model's verbose name
    label: str
    url: str
    active: bool
    note: str = ""


@dataclass
class ArticleCoverage:
    article: Article
    regulation: str
    version: str
    encoders: list[Encoder] = field(default_factory=list)

    @property
    def status(self) -> str:
        if any(e.active for e in self.encoders):
            return ENCODED
        if not self.article.automatable and self.article.not_automatable_reason:
            return NOT_AUTOMATABLE
        return MISSING

    def status_label(self) -> str:
        return {
            ENCODED: _("encoded"),
            NOT_AUTOMATABLE: _("not automatable"),
            MISSING: _("missing"),
        }[self.status]


@dataclass
class Coverage:
    pack: Pack
    rows: list[ArticleCoverage]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def encoded(self) -> int:
        return self.count(ENCODED)

    @property
    def not_automatable(self) -> int:
        return self.count(NOT_AUTOMATABLE)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def complete(self) -> bool:
        return self.missing == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack.name,
            "version": self.pack.version,
            "articles": len(self.rows),
            "encoded": self.encoded,
            "not_automatable": self.not_automatable,
            "missing": self.missing,
            "complete": self.complete,
            "rows": [
                {
                    "article": r.article.pk,
                    "regulation": r.regulation,
                    "version": r.version,
                    "label": r.article.label,
                    "seed_line": r.article.seed_line,
                    "chapter": r.article.chapter,
                    "text": r.article.text,
                    "status": r.status,
                    "reason": r.article.not_automatable_reason,
                    "encoded_by": [
                        {
                            "kind": e.kind,
                            "label": e.label,
                            "url": e.url,
                            "active": e.active,
                            "note": e.note,
                        }
                        for e in r.encoders
                    ],
                }
                for r in self.rows
            ],
        }


def pack_versions(pack: Pack) -> list[RegulationVersion]:
    """The regulation versions the pack's latest load wrote: per regulation, the version of
    the newest pack item (a newer pack version adds a version; the older stays as history)."""
    ctype = ContentType.objects.get_for_model(RegulationVersion)
    items = PackItem.objects.filter(pack=pack, target_type=ctype).order_by("created_at", "id")
    ids = [int(pi.target_id) for pi in items]
    versions = {
        v.pk: v for v in RegulationVersion.objects.filter(pk__in=ids).select_related("regulation")
    }
    latest: dict[int, RegulationVersion] = {}
    for pk in ids:
        version = versions.get(pk)
        if version is not None:
            latest[version.regulation_id] = version
    return sorted(latest.values(), key=lambda v: (v.regulation.title, v.pk))


def _active(obj: models.Model) -> bool:
    return bool(getattr(obj, "is_active", True))


def coverage(pack: Pack) -> Coverage:
    """The coverage of ``pack`` (a constant number of queries, whatever the pack's size)."""
    versions = pack_versions(pack)
    articles = list(
        Article.objects.filter(version__in=versions)
        .select_related("version__regulation")
        .prefetch_related("duties", "penalty_rules", "prohibited_acts", "reward_rules")
        .order_by("version__regulation__title", "version_id", "position", "id")
    )
    links: dict[int, list[ArticleLink]] = defaultdict(list)
    targets: dict[int, set[str]] = defaultdict(set)
    for link in ArticleLink.objects.filter(article__in=articles).select_related("target_type"):
        links[link.article_id].append(link)
        targets[link.target_type_id].add(link.target_id)
    objects: dict[tuple[int, str], models.Model] = {}
    names: dict[int, str] = {}
    for ctype_id, ids in targets.items():
        ctype = ContentType.objects.get_for_id(ctype_id)
        model = ctype.model_class()
        if model is None:
            continue
        names[ctype_id] = str(model._meta.verbose_name)
        for obj in model._default_manager.filter(pk__in=list(ids)):
            objects[(ctype_id, str(obj.pk))] = obj
    rows = []
    for article in articles:
        row = ArticleCoverage(
            article=article,
            regulation=article.version.regulation.title,
            version=article.version.label,
        )
        for relation in ("duties", "penalty_rules", "prohibited_acts", "reward_rules"):
            for obj in getattr(article, relation).all():
                row.encoders.append(
                    Encoder(str(obj._meta.verbose_name), str(obj), object_url(obj), _active(obj))
                )
        for link in links.get(article.pk, []):
            target = objects.get((link.target_type_id, link.target_id))
            if target is None:
                continue  # the rule was deleted: it encodes nothing any more
            row.encoders.append(
                Encoder(
                    names[link.target_type_id],
                    str(target),
                    object_url(target),
                    _active(target),
                    link.note,
                )
            )
        rows.append(row)
    return Coverage(pack=pack, rows=rows)


def xlsx_rows(cov: Coverage) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the coverage's Excel export."""
    headers = [
        _("Regulation"),
        _("Version"),
        _("Article"),
        _("Line in the source"),
        _("Chapter"),
        _("Text (in our words)"),
        _("Coverage"),
        _("Encoded by"),
        _("Why not automatable"),
    ]
    rows = []
    for r in cov.rows:
        encoded = "\n".join(
            f"{e.kind}: {e.label}" + ("" if e.active else " " + _("(inactive)")) for e in r.encoders
        )
        rows.append(
            [
                r.regulation,
                r.version,
                r.article.label,
                r.article.seed_line,
                r.article.chapter,
                r.article.text,
                r.status_label(),
                encoded,
                r.article.not_automatable_reason,
            ]
        )
    return headers, rows
