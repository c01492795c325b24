"""The base of the pack loader: one object written idempotently and upgrade-safely
(``upsert``), the bookkeeping of ``PackItem`` rows, the links of articles to what encodes them,
and the retirement of what a newer pack no longer holds. The loader (``load``) writes the
built-in sections with it; a section another module registers (``sections``) writes its items
with the same ``upsert``, ``get``, ``articles_of`` and ``link_articles``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals.models import ApprovalRule
from netdept.core.services import service_for
from netdept.duties.models import Article, ArticleLink, Pack, PackItem
from netdept.duties.packs.source import PackError, PackInvalid
from netdept.duties.packs.state import (
    HISTORY_PREFIXES,
    LoadReport,
    approval_rule_state,
    canonical,
    checksum,
    fields_of,
    state,
)
from netdept.duties.packs.validate import Item, PackData, split_ref
from netdept.org.models import Department


class Writer:
    """Writes the items of one pack load (see ``load``)."""

    def __init__(
        self,
        data: PackData,
        pack: Pack,
        department: Department | None,
        actor: Any,
        report: LoadReport,
    ) -> None:
        self.data = data
        self.pack = pack
        self.department = department
        self.actor = actor
        self.check = actor is not None
        self.report = report
        self.existing = {pi.key: pi for pi in PackItem.objects.filter(pack=pack)}
        self.seen: set[str] = set()
        self.objects: dict[tuple[str, str], models.Model | None] = {}
        self.articles: dict[tuple[str, str], Article] = {}
        self.today = timezone.localdate()

    # --- errors ------------------------------------------------------------------------
    def _fail(
        self, item: Item, exc: ValidationError, names: Mapping[str, str] | None = None
    ) -> PackInvalid:
        errors: list[PackError] = []
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                pack_name = (names or {}).get(name, name)
                shown = pack_name if pack_name in item.data else None
                errors.append(item.error(shown, f"{name}: " + " ".join(messages)))
        else:
            errors.append(item.error(None, " ".join(exc.messages)))
        return PackInvalid(errors)

    # --- bookkeeping -------------------------------------------------------------------
    def _record(
        self,
        key: str,
        obj: models.Model,
        pack_sum: str,
        written: str,
        pi: PackItem | None,
        kept: bool = False,
    ) -> None:
        values = {
            "pack": self.pack,
            "key": key,
            "target_type": ContentType.objects.get_for_model(obj),
            "target_id": str(obj.pk),
            "checksum": pack_sum,
            "written_checksum": written,
            "loaded_version": self.data.version,
            "kept_edit": kept,
        }
        service = service_for(PackItem)
        if pi is None:
            self.existing[key] = service.create(self.actor, values, check=False)
        else:
            changed = {k: v for k, v in values.items() if k not in {"pack", "key"}}
            current = {k: getattr(pi, k) for k in changed}
            if current != changed:
                service.update(self.actor, pi, changed, check=False)

    def _keep(self, key: str, obj: models.Model | None, reason: str) -> None:
        self.report.kept.append(
            {"key": key, "object": "" if obj is None else str(obj), "reason": reason}
        )

    # --- one object --------------------------------------------------------------------
    def upsert(
        self,
        item: Item,
        key: str,
        model: type[models.Model],
        values: dict[str, Any],
        *,
        lookup: dict[str, Any] | None = None,
        create_only: dict[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
        frozen: str = "",
    ) -> models.Model | None:
        """Create or update the object of ``key`` so that it holds ``values`` (unless the site
        edited it). ``create_only``: values given on creation only (not compared later).
        ``frozen``: a reason the object may no longer be changed (kept when it differs)."""
        self.seen.add(key)
        fields = list(values)
        prefix = key.split(":", 1)[0]
        sets = fields_of(prefix)
        if sets and set(fields) not in [set(f) for f in sets]:
            raise AssertionError(f"the field sets of {prefix!r} do not list the fields written")
        pack_sum = checksum(canonical(model, values))
        pi = self.existing.get(key)
        service = service_for(model)
        try:
            if pi is None:
                obj = model._default_manager.filter(**lookup).first() if lookup else None
                if obj is not None:
                    now = state(obj, fields)
                    written = checksum(now)
                    if now != canonical(model, values):
                        self._keep(
                            key,
                            obj,
                            _("the site already had it (same code or name); left as it is"),
                        )
                        # never counted as the pack's: "" matches no state, so every later
                        # load keeps the site's object too
                        self._record(key, obj, pack_sum, "", None, kept=True)
                    else:
                        self.report.unchanged += 1
                        self._record(key, obj, pack_sum, written, None)
                    return obj
                obj = service.create(
                    self.actor, {**values, **(create_only or {})}, check=self.check
                )
                self.report.created.append(key)
                self._record(
                    key,
                    obj,
                    pack_sum,
                    checksum(state(model._default_manager.get(pk=obj.pk), fields)),
                    None,
                )
                return obj
            obj = model._default_manager.filter(pk=pi.target_id).first()
            if obj is None:
                self._keep(key, None, _("deleted on this site; not made again"))
                return None
            now = state(obj, fields)
            edited = checksum(now) != pi.written_checksum
            if pack_sum == pi.checksum:
                if edited:
                    self.report.edited.append(key)
                else:
                    self.report.unchanged += 1
                return obj
            wanted = canonical(model, values)
            if now == wanted:
                self.report.unchanged += 1
                self._record(key, obj, pack_sum, checksum(now), pi)
                return obj
            if edited:
                self._keep(
                    key, obj, _("edited on this site; the pack's new version is not applied")
                )
                self._record(key, obj, pi.checksum, pi.written_checksum, pi, kept=True)
                return obj
            if frozen:
                self._keep(key, obj, frozen)
                return obj
            changed = {name: values[name] for name in fields if now[name] != wanted[name]}
            obj = service.update(self.actor, obj, changed, check=self.check)
            self.report.updated.append(key)
            self._record(
                key,
                obj,
                pack_sum,
                checksum(state(model._default_manager.get(pk=obj.pk), fields)),
                pi,
            )
            return obj
        except ValidationError as exc:
            raise self._fail(item, exc, names) from exc

    # --- sections ----------------------------------------------------------------------
    def _need_department(self, item: Item) -> Department:
        if self.department is None:
            raise PackInvalid(
                [
                    item.error(
                        None,
                        _(
                            "the pack has an org skeleton: give the department to load it "
                            "into (--department CODE)"
                        ),
                    )
                ]
            )
        return self.department

    def _articles(self, item: Item) -> list[Article]:
        out = []
        for ref in item.data.get("articles") or []:
            article = self.articles.get(split_ref(str(ref)))
            if article is not None:
                out.append(article)
        return out

    def _link(
        self, item: Item, key: str, article: Article, target: models.Model, note: str
    ) -> None:
        ctype = ContentType.objects.get_for_model(target)
        self.upsert(
            item,
            key,
            ArticleLink,
            {"article": article, "target_type": ctype, "target_id": str(target.pk), "note": note},
            lookup={"article": article, "target_type": ctype, "target_id": str(target.pk)},
        )

    def retire(self) -> None:
        """Deactivate (or delete) what the pack no longer holds, unless the site edited it."""
        gone = [
            pi
            for key, pi in self.existing.items()
            if key not in self.seen and not key.startswith(HISTORY_PREFIXES)
        ]
        # steps and links before the rules they belong to
        gone.sort(
            key=lambda pi: (0 if pi.key.startswith(("penalty_step:", "link:")) else 1, pi.key)
        )
        items = service_for(PackItem)
        for pi in gone:
            model = pi.target_type.model_class()
            obj = None if model is None else model._default_manager.filter(pk=pi.target_id).first()
            if obj is None or model is None:
                items.delete(self.actor, pi, check=False)
                continue
            if isinstance(obj, ApprovalRule):
                sums = {checksum(approval_rule_state(obj))}
            else:
                prefix = pi.key.split(":", 1)[0]
                sums = {checksum(state(obj, list(names))) for names in fields_of(prefix)}
            if pi.kept_edit or pi.written_checksum not in sums:
                self._keep(
                    pi.key, obj, _("no longer in the pack, but edited on this site; left as it is")
                )
                continue
            try:
                if hasattr(obj, "is_active"):
                    if obj.is_active:
                        service_for(model).update(
                            self.actor, obj, {"is_active": False}, check=self.check
                        )
                else:
                    service_for(model).delete(self.actor, obj, check=self.check)
            except ValidationError as exc:
                self._keep(pi.key, obj, " ".join(exc.messages))
                continue
            items.delete(self.actor, pi, check=False)
            self.report.retired.append(pi.key)

    # --- for the sections other modules register ---------------------------------------
    @property
    def pack_name(self) -> str:
        return self.data.name

    def need_department(self, item: Item) -> Department:
        """The department given at load (a ``PackInvalid`` naming ``item`` when none was)."""
        return self._need_department(item)

    def articles_of(self, item: Item, refs: Any = None) -> list[Article]:
        """The articles ``refs`` (default: the item's ``articles``) name, as loaded."""
        out = []
        for ref in (item.data.get("articles") or []) if refs is None else refs:
            article = self.articles.get(split_ref(str(ref)))
            if article is not None:
                out.append(article)
        return out

    def get(self, section: str, key: Any) -> models.Model | None:
        """The object the section ``section`` wrote under ``key`` in this load (None)."""
        if key in (None, ""):
            return None
        return self.objects.get((section, str(key)))

    def link_articles(self, item: Item, key: str, obj: models.Model, refs: Any = None) -> None:
        """``ArticleLink`` rows: the articles ``refs`` (default: the item's) are encoded by
        ``obj`` (pack item keys ``link:<key>#<ref>``)."""
        for ref in (item.data.get("articles") or []) if refs is None else refs:
            article = self.articles.get(split_ref(str(ref)))
            if article is not None:
                self._link(item, f"link:{key}#{ref}", article, obj, "")


__all__ = ["Writer"]
