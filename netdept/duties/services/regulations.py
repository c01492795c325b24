"""Every change of the regulations register (管理制度): documents, versions, articles, links,
read confirmations (阅读确认).

A version goes draft → pending (``submit_version``: an approvals request of the kind
``duties.regulation``) → approved (``version_decided``, the engine's hook) → effective
(``take_effect``, at once when its date has come, else by the daily ``make_due_effective``)
→ superseded (when the next version of the same regulation takes effect). Taking effect
re-points what cites the old version's articles (duties, penalty rules, prohibited acts,
reward rules, article links) to the new version's article of the same label, sets the next
review date and asks every person it applies to for a read confirmation. Each function is one
transaction and writes its audit records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals import services as approvals
from netdept.approvals.models import ApprovalRequest, RequestStatus
from netdept.core import audit
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, require
from netdept.duties.importer import ParseResult
from netdept.duties.models import (
    Article,
    ArticleLink,
    Duty,
    PenaltyRule,
    ProhibitedAct,
    ReadConfirmation,
    Regulation,
    RegulationVersion,
    RewardRule,
    VersionStatus,
)
from netdept.notify import notify
from netdept.org.models import Department, Person
from netdept.org.people import person_of as person_of  # one answer for every module

REGULATION_KIND: Final = "duties.regulation"
PREAMBLE_LABEL: Final = "前言"
#: the versions whose text may still change
EDITABLE: Final = (VersionStatus.DRAFT, VersionStatus.REJECTED)
#: what cites articles directly (the ``articles`` many-to-many of each)
CITING: Final = (Duty, PenaltyRule, ProhibitedAct, RewardRule)


def today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now())


# --- the model services -------------------------------------------------------------------------
class RegulationService(ModelService[Regulation]):
    """Documents: code, title, issuer. A document with an effective version is not deleted."""

    def before_delete(self, actor: Any, obj: Regulation) -> None:
        if obj.versions.exclude(status__in=EDITABLE).exists():
            raise ValidationError(
                _("A regulation with approved or effective versions is kept; deactivate it.")
            )


class VersionService(ModelService[RegulationVersion]):
    """Versions: the form edits what a version says of itself; its status moves only through
    the functions below (submit, decision, taking effect)."""

    def before_save(
        self, actor: Any, obj: RegulationVersion, data: Mapping[str, Any], creating: bool
    ) -> None:
        if creating and obj.status != VersionStatus.DRAFT:
            raise ValidationError({"status": _("A new version starts as a draft.")})
        if not creating and obj.status not in EDITABLE:
            stored = RegulationVersion.objects.filter(pk=obj.pk).first()
            for name in ("regulation_id", "label", "effective_date"):
                if stored is None or getattr(stored, name) == getattr(obj, name):
                    continue
                if name == "effective_date":
                    message = _("The effective date of an approved version is fixed.")
                else:
                    message = _("The text of a submitted version is fixed; write a new version.")
                raise ValidationError({name.removesuffix("_id"): message})
        if (
            obj.next_review_date
            and obj.effective_date
            and obj.next_review_date < obj.effective_date
        ):
            raise ValidationError(
                {"next_review_date": _("The next review comes after the effective date.")}
            )

    def before_delete(self, actor: Any, obj: RegulationVersion) -> None:
        if obj.status not in EDITABLE:
            raise ValidationError(_("Only a draft or rejected version may be deleted."))


class ArticleService(ModelService[Article]):
    """Articles: their label and text are fixed once the version is submitted; what the site
    says of them (summary, automatable and why not) stays editable."""

    FROZEN = ("label", "text", "version", "chapter", "position")

    def before_save(
        self, actor: Any, obj: Article, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.automatable and obj.not_automatable_reason:
            obj.not_automatable_reason = ""
        if not obj.automatable and not obj.not_automatable_reason.strip():
            raise ValidationError(
                {"not_automatable_reason": _("Say why the article is not automatable.")}
            )
        version = RegulationVersion.objects.get(pk=obj.version_id)
        if version.status in EDITABLE:
            return
        if creating:
            raise ValidationError({"version": _("Articles are added to a draft version only.")})
        before = Article.objects.get(pk=obj.pk)
        changed = [n for n in self.FROZEN if getattr(before, n) != getattr(obj, n)]
        if changed:
            raise ValidationError(
                {changed[0]: _("The text of a submitted version is fixed; write a new version.")}
            )

    def before_delete(self, actor: Any, obj: Article) -> None:
        if obj.version.status not in EDITABLE:
            raise ValidationError(_("Articles of a submitted version are kept."))


class ArticleLinkService(ModelService[ArticleLink]):
    """An article encoded by a rule of another module."""

    def before_save(
        self, actor: Any, obj: ArticleLink, data: Mapping[str, Any], creating: bool
    ) -> None:
        model = obj.target_type.model_class() if obj.target_type_id else None
        if model is None:
            raise ValidationError({"target_type": _("Choose the kind of rule.")})
        try:
            exists = model._default_manager.filter(pk=obj.target_id).exists()
        except (ValueError, TypeError, ValidationError):
            exists = False
        if not exists:
            raise ValidationError({"target_id": _("No such rule: %(id)s.") % {"id": obj.target_id}})


class ReadConfirmationService(ModelService[ReadConfirmation]):
    """Confirmations are asked on publishing and confirmed by the person (``confirm_read``)."""


REGULATIONS = RegulationService(Regulation)
VERSIONS = VersionService(RegulationVersion)
ARTICLES = ArticleService(Article)
LINKS = ArticleLinkService(ArticleLink)
CONFIRMATIONS = ReadConfirmationService(ReadConfirmation)


def _set(actor: Any, version: RegulationVersion, values: Mapping[str, Any]) -> RegulationVersion:
    """A status change: audited like an edit, no edit permission needed (the caller checked)."""
    return VERSIONS.update(actor, version, values, check=False)


# --- importing ----------------------------------------------------------------------------------
def import_articles(
    actor: Any,
    version: RegulationVersion,
    parsed: ParseResult,
    *,
    source_text: str = "",
    keep_preamble: bool = False,
    replace: bool = False,
) -> list[Article]:
    """Save the articles of a confirmed preview into a draft version (one transaction)."""
    require(actor, "add", Article)
    with transaction.atomic():
        version = RegulationVersion.objects.select_for_update().get(pk=version.pk)
        if version.status not in EDITABLE:
            raise ValidationError({"version": _("Articles are added to a draft version only.")})
        existing = list(version.articles.all())
        if existing and not replace:
            raise ValidationError(
                {"replace": _("This version already has %(count)s articles; replace them or "
                              "import into a new version.") % {"count": len(existing)}}
            )  # fmt: skip
        for article in existing:
            ARTICLES.delete(actor, article, check=False)
        rows: list[tuple[str, str, str, int]] = []
        if keep_preamble and parsed.preamble:
            rows.append((PREAMBLE_LABEL, parsed.preamble, "", 0))
        rows += [(a.label, a.text, a.chapter, a.line) for a in parsed.articles]
        if not rows:
            raise ValidationError({"text": _("No article was found in the text.")})
        created = [
            ARTICLES.create(
                actor,
                {
                    "version": version,
                    "label": label,
                    "text": text,
                    "chapter": chapter[:200],
                    "seed_line": line or None,
                    "position": i,
                },
                check=False,
            )
            for i, (label, text, chapter, line) in enumerate(rows, start=1)
        ]
        if source_text:
            _set(actor, version, {"source_text": source_text})
    return created


def create_version_from_import(
    actor: Any,
    *,
    regulation: Regulation,
    label: str,
    parsed: ParseResult,
    source_text: str,
    effective_date: dt.date | None = None,
    keep_preamble: bool = False,
) -> RegulationVersion:
    """A new draft version of ``regulation`` holding the imported articles."""
    with transaction.atomic():
        version = VERSIONS.create(
            actor,
            {"regulation": regulation, "label": label, "effective_date": effective_date},
        )
        import_articles(
            actor, version, parsed, source_text=source_text, keep_preamble=keep_preamble
        )
        version.refresh_from_db()
    return version


# --- approval -----------------------------------------------------------------------------------
def submit_version(actor: Any, version: RegulationVersion) -> ApprovalRequest:
    """Ask for approval (the rule of ``duties.regulation``; default: the director)."""
    require(actor, "change", version)
    with transaction.atomic():
        version = RegulationVersion.objects.select_for_update().get(pk=version.pk)
        if version.status not in EDITABLE:
            raise ValidationError(
                {"status": _("Only a draft or rejected version is submitted for approval.")}
            )
        if not version.articles.exists():
            raise ValidationError({"articles": _("The version has no articles yet.")})
        if version.effective_date is None:
            raise ValidationError(
                {"effective_date": _("Set the date the version takes effect before submitting.")}
            )
        request = approvals.submit(actor, kind=REGULATION_KIND, obj=version)
        version.refresh_from_db()
        if version.status in EDITABLE:  # an approval with no steps may decide at once
            _set(actor, version, {"status": VersionStatus.PENDING, "approval_request": request})
    return request


def version_decided(request: ApprovalRequest) -> None:
    """The approvals engine's hook, inside the decision's transaction."""
    version = approvals.object_of(request)
    if not isinstance(version, RegulationVersion):
        return
    version = RegulationVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in (VersionStatus.PENDING, *EDITABLE):
        return
    if request.status == RequestStatus.APPROVED:
        _set(None, version, {"status": VersionStatus.APPROVED, "approval_request": request})
        if version.effective_date is not None and version.effective_date <= today():
            take_effect(version)
    elif request.status == RequestStatus.REJECTED:
        _set(None, version, {"status": VersionStatus.REJECTED, "approval_request": request})
    else:  # returned for changes or withdrawn: back to the draft
        _set(None, version, {"status": VersionStatus.DRAFT, "approval_request": request})


# --- taking effect ------------------------------------------------------------------------------
@dataclass
class Repointed:
    """What taking effect moved: citations per kind, and the old labels with no successor."""

    moved: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.moved.values())


def repoint(old: RegulationVersion, new: RegulationVersion) -> Repointed:
    """Move what cites ``old``'s articles to ``new``'s article of the same label."""
    result = Repointed()
    successors = dict(new.articles.values_list("label", "pk"))
    cited_labels: set[str] = set()
    for article_id, label in old.articles.values_list("pk", "label"):
        target = successors.get(label)
        for model in CITING:
            through = model.articles.through  # the many-to-many's table
            owner = f"{model._meta.model_name}_id"
            rows = through.objects.filter(article_id=article_id)
            if not rows.exists():
                continue
            cited_labels.add(label)
            if target is None:
                continue
            already = through.objects.filter(article_id=target).values_list(owner, flat=True)
            rows.filter(**{f"{owner}__in": list(already)}).delete()
            moved = rows.update(article_id=target)
            result.moved[model._meta.model_name or ""] = (
                result.moved.get(model._meta.model_name or "", 0) + moved
            )
        links = ArticleLink.objects.filter(article_id=article_id)
        if links.exists():
            cited_labels.add(label)
            if target is not None:
                taken = set(
                    ArticleLink.objects.filter(article_id=target).values_list(
                        "target_type_id", "target_id"
                    )
                )
                for link in links:
                    if (link.target_type_id, link.target_id) in taken:
                        LINKS.delete(None, link, check=False)
                    else:
                        LINKS.update(None, link, {"article_id": target}, check=False)
                        result.moved["articlelink"] = result.moved.get("articlelink", 0) + 1
    result.unmatched = sorted(label for label in cited_labels if label not in successors)
    return result


def take_effect(
    version: RegulationVersion, *, now: dt.datetime | None = None, actor: Any = None
) -> Repointed:
    """The approved ``version`` becomes the effective one; the previous one is superseded."""
    now = now or timezone.now()
    with transaction.atomic():
        # one taker at a time per regulation (the daily task and a decision may meet)
        Regulation.objects.select_for_update().filter(pk=version.regulation_id).first()
        version = RegulationVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.APPROVED:
            raise ValidationError({"status": _("Only an approved version takes effect.")})
        previous = (
            RegulationVersion.objects.select_for_update()
            .filter(regulation_id=version.regulation_id, status=VersionStatus.EFFECTIVE)
            .first()
        )
        moved = Repointed()
        if previous is not None:
            _set(actor, previous, {"status": VersionStatus.SUPERSEDED, "superseded_at": now})
        start = version.effective_date or today(now)
        values: dict[str, Any] = {"status": VersionStatus.EFFECTIVE, "published_at": now}
        if version.next_review_date is None:
            values["next_review_date"] = start + relativedelta(
                months=version.review_interval_months
            )
        _set(actor, version, values)
        if previous is not None:
            moved = repoint(previous, version)
            audit.record(
                AuditAction.UPDATE,
                version,
                actor=actor,
                extra={"repointed": moved.moved, "unmatched": moved.unmatched,
                       "superseded": previous.pk},
            )  # fmt: skip
        if version.require_read_confirmation:
            request_read_confirmations(version, now=now)
    return moved


def make_due_effective(now: dt.datetime | None = None) -> int:
    """The daily task: approved versions whose date has come take effect."""
    now = now or timezone.now()
    due = RegulationVersion.objects.filter(
        status=VersionStatus.APPROVED, effective_date__lte=today(now)
    ).order_by("effective_date", "pk")
    count = 0
    for version in list(due):
        try:
            take_effect(version, now=now)
        except ValidationError:
            continue  # another run (or a decision) made it effective first
        count += 1
    return count


# --- read confirmations -------------------------------------------------------------------------
def people_concerned(version: RegulationVersion) -> models.QuerySet[Person]:
    """Who must confirm reading ``version``: the active people of the departments it applies
    to (and their sub-departments), or everyone when it names none."""
    people = Person.objects.filter(is_active=True)
    roots = list(version.applies_to.values_list("pk", flat=True))
    if roots:
        ids: set[int] = set()
        for root in roots:
            ids |= Department.subtree_ids(root)
        people = people.filter(department_id__in=ids)
    return people


def request_read_confirmations(
    version: RegulationVersion, *, now: dt.datetime | None = None
) -> int:
    """Ask each person concerned to confirm reading (once per person; asking again adds only
    the people who joined since)."""
    now = now or timezone.now()
    asked = set(version.confirmations.values_list("person_id", flat=True))
    people = [p for p in people_concerned(version).select_related("user") if p.pk not in asked]
    ReadConfirmation.objects.bulk_create(
        [ReadConfirmation(version=version, person=p, requested_at=now) for p in people],
        ignore_conflicts=True,
    )
    if people:
        audit.record(
            AuditAction.UPDATE,
            version,
            actor=None,
            extra={"read_confirmations_requested": len(people)},
        )
        notify(
            "duties.regulation_read",
            obj=version,
            recipients=people,
            data={
                "regulation": version.regulation.title,
                "version": version.label,
                "effective_date": version.effective_date,
            },
            link=confirm_url(version),
        )
    return len(people)


def confirm_url(version: RegulationVersion) -> str:
    from django.urls import reverse

    return reverse("duties:regulations_read", args=[version.pk])


def confirm_read(
    user: Any, version: RegulationVersion, *, now: dt.datetime | None = None
) -> ReadConfirmation:
    """The user confirms having read ``version`` (阅读确认); a second confirmation keeps the
    first's time."""
    person = person_of(user)
    if person is None:
        raise PermissionDenied(_("Only a person of the org chart confirms reading."))
    now = now or timezone.now()
    with transaction.atomic():
        version = RegulationVersion.objects.get(pk=version.pk)
        if version.status != VersionStatus.EFFECTIVE:
            raise ValidationError({"version": _("Only the effective version is confirmed.")})
        row = (
            ReadConfirmation.objects.select_for_update()
            .filter(version=version, person=person)
            .first()
        )
        if row is None:
            if not people_concerned(version).filter(pk=person.pk).exists():
                raise ValidationError({"version": _("This regulation does not apply to you.")})
            row = CONFIRMATIONS.create(
                None, {"version": version, "person": person, "requested_at": now}, check=False
            )
        if row.confirmed_at is None:
            row = CONFIRMATIONS.update(user, row, {"confirmed_at": now}, check=False)
    return row


def awaiting(person: Person) -> models.QuerySet[ReadConfirmation]:
    """The read confirmations ``person`` still owes (effective versions only)."""
    return (
        ReadConfirmation.objects.filter(
            person=person, confirmed_at__isnull=True, version__status=VersionStatus.EFFECTIVE
        )
        .select_related("version", "version__regulation")
        .order_by("requested_at", "pk")
    )


def read_summary(version: RegulationVersion) -> dict[str, int]:
    counts = version.confirmations.aggregate(
        total=models.Count("pk"), confirmed=models.Count("pk", filter=Q(confirmed_at__isnull=False))
    )
    total, confirmed = counts["total"] or 0, counts["confirmed"] or 0
    return {"total": total, "confirmed": confirmed, "awaiting": total - confirmed}


# --- periodic review ----------------------------------------------------------------------------
def send_review_reminders(now: dt.datetime | None = None) -> int:
    """Effective versions whose review is near (``review_reminder_days`` before the next review
    date) and not yet reminded: the director is told, once per review date."""
    now = now or timezone.now()
    day = today(now)
    count = 0
    rows = RegulationVersion.objects.filter(
        status=VersionStatus.EFFECTIVE,
        next_review_date__isnull=False,
        review_reminded_at__isnull=True,
    ).select_related("regulation")
    for version in rows:
        assert version.next_review_date is not None
        if version.next_review_date - dt.timedelta(days=version.review_reminder_days) > day:
            continue
        with transaction.atomic():
            _set(None, version, {"review_reminded_at": now})
            notify(
                "duties.regulation_review",
                obj=version,
                recipients=["role:director"],
                data={
                    "regulation": version.regulation.title,
                    "version": version.label,
                    "review_date": version.next_review_date,
                },
                dedupe_key=f"review:{version.pk}:{version.next_review_date.isoformat()}",
            )
        count += 1
    return count


def mark_reviewed(
    actor: Any, version: RegulationVersion, note: str = "", next_review_date: dt.date | None = None
) -> RegulationVersion:
    """The periodic review is done (等保): the next one is set (default: today plus the
    version's interval), its reminder re-armed, the result noted."""
    require(actor, "change", version)
    if version.status != VersionStatus.EFFECTIVE:
        raise ValidationError({"status": _("Only the effective version is reviewed.")})
    nxt = next_review_date or today() + relativedelta(months=version.review_interval_months)
    if nxt <= today():
        raise ValidationError({"next_review_date": _("The next review is a date after today.")})
    values: dict[str, Any] = {"next_review_date": nxt, "review_reminded_at": None}
    if note:
        values["change_note"] = (version.change_note + "\n" + note).strip()[:4000]
    return _set(actor, version, values)


def daily(now: dt.datetime | None = None) -> dict[str, int]:
    """The regulations' daily job: versions taking effect, review reminders."""
    return {"effective": make_due_effective(now), "review_reminders": send_review_reminders(now)}


# --- what encodes an article --------------------------------------------------------------------
@dataclass
class Encoding:
    kind: Any
    obj: Any
    note: str = ""


def encodings(article: Article) -> list[Encoding]:
    """The rules that encode ``article``: duties, penalty rules, prohibited acts, reward rules
    (their ``articles``) and other modules' rules tied by an ``ArticleLink``."""
    found: list[Encoding] = []
    for model in CITING:
        for obj in model._default_manager.filter(articles=article).order_by("pk")[:50]:
            found.append(Encoding(model._meta.verbose_name, obj))
    for link in article.links.select_related("target_type")[:50]:
        linked = link.target_type.model_class()
        rule = linked._default_manager.filter(pk=link.target_id).first() if linked else None
        found.append(
            Encoding(
                linked._meta.verbose_name if linked else link.target_type.model,
                rule if rule is not None else link.target_id,
                link.note,
            )
        )
    return found


# --- the machine's handlers ---------------------------------------------------------------------
def publish(actor: Any, version: RegulationVersion) -> Repointed:
    """An approved version whose date has come takes effect now (the daily job does the same
    at the day's start)."""
    require(actor, "change", version)
    if version.effective_date is not None and version.effective_date > today():
        raise ValidationError(
            {"effective_date": _("The version takes effect on %(date)s, not before.")
             % {"date": version.effective_date.isoformat()}}
        )  # fmt: skip
    return take_effect(version, actor=actor)


def ask_again(actor: Any, version: RegulationVersion) -> int:
    """Ask the people who joined since publishing to confirm reading."""
    require(actor, "change", version)
    if version.status != VersionStatus.EFFECTIVE:
        raise ValidationError({"status": _("Only the effective version asks for reading.")})
    return request_read_confirmations(version)
