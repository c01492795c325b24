"""Loading a validated pack into the site: idempotent and upgrade-safe.

Everything is written in ONE transaction through the services of the models
(``netdept.core.services.service_for``: checked, audited), approval rules through
``netdept.approvals.define.define_rule``, the org skeleton through org's services. A problem
while writing (a service refusing a value) is reported with the file and line of the item,
and the whole load is rolled back: nothing is half-loaded.

Each object the pack writes is recorded as a ``PackItem`` under its key in the pack, with two
checksums: of the values the pack gave (``checksum``) and of the object as stored right after
(``written_checksum``). At the next load, for each item:

* the pack's values unchanged → nothing to do (an object the site edited since is left, and
  counted as ``edited``);
* the pack's values changed, the object as it was stored → updated;
* the pack's values changed, the object edited on the site → **kept**, and reported;
* a key the pack no longer holds → the object is deactivated (or deleted, when it has no
  ``is_active``) unless the site edited it. Regulations, versions and articles are history and
  are never retired.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalRule
from netdept.core.services import service_for
from netdept.duties import recurrence
from netdept.duties.models import (
    Article,
    ArticleLink,
    Duty,
    Pack,
    PackItem,
    PenaltyRule,
    PenaltyStep,
    ProhibitedAct,
    Regulation,
    RegulationVersion,
    RewardRule,
)
from netdept.duties.packs.source import PackError, PackInvalid, pack_loading, read
from netdept.duties.packs.validate import (
    APPROVAL_EXTRA,
    LINK_TARGETS,
    Item,
    PackData,
    money,
    parse_date,
    parse_time,
    split_ref,
    validate_source,
)
from netdept.org.models import Department, Person, Position, Role, Team

#: keys of these kinds are history: never retired when a newer pack drops them
HISTORY_PREFIXES = ("regulation:", "version:", "article:")
#: the model of each ``article_links.target`` / implicit link section
SECTION_MODELS: dict[str, type[models.Model]] = {
    "teams": Team,
    "positions": Position,
    "roles": Role,
    "duties": Duty,
    "penalty_rules": PenaltyRule,
    "prohibited_acts": ProhibitedAct,
    "reward_rules": RewardRule,
    "approval_rules": ApprovalRule,
}
_DUTY_FIELDS = (
    "code", "name", "description", "articles", "pack", "assignee_kind", "assignee_mode",
    "person", "position", "role", "team", "department", "rrule", "ends_on", "due_time", "shift",
    "grace_minutes", "horizon_days", "evidence_kind", "evidence_min", "evidence_unit",
    "checklist", "record_type", "check_code", "check_params", "reviewer_kind", "reviewer",
    "remind_before_minutes", "escalate_after_days", "violation_on", "penalty_rule", "is_active",
)  # fmt: skip
#: the fields the loader writes, by the prefix of the item's key (a duty's start is written
#: when the pack gives it, else only when the duty is made)
FIELD_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "team": (("name", "department", "description"),),
    "position": (("name", "department", "responsibilities"),),
    "role": (("code", "name", "description", "scope", "permissions"),),
    "penalty_rule": (
        (
            "code",
            "name",
            "description",
            "articles",
            "pack",
            "family",
            "period",
            "appeal_days",
            "is_active",
        ),
    ),
    "penalty_step": (
        ("rule", "offence", "sanction", "amount", "per_item", "percent", "alternative", "note"),
    ),
    "prohibited_act": (
        ("code", "name", "description", "articles", "penalty_rule", "pack", "is_active"),
    ),
    "reward_rule": (
        ("code", "name", "description", "articles", "kind", "amount", "pack", "is_active"),
    ),
    "duty": (_DUTY_FIELDS, (*_DUTY_FIELDS, "starts_on")),
    "link": (("article", "target_type", "target_id", "note"),),
}
SECTION_PREFIX = {
    "teams": "team",
    "positions": "position",
    "roles": "role",
    "duties": "duty",
    "penalty_rules": "penalty_rule",
    "prohibited_acts": "prohibited_act",
    "reward_rules": "reward_rule",
    "approval_rules": "approval_rule",
}


@dataclass
class LoadReport:
    """What a load did."""

    pack: str
    version: str
    previous_version: str = ""
    department: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept: list[dict[str, str]] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.retired)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "previous_version": self.previous_version,
            "department": self.department,
            "changes": self.changes,
            "created": self.created,
            "updated": self.updated,
            "retired": self.retired,
            "kept": self.kept,
            "edited": self.edited,
            "unchanged": self.unchanged,
        }


# --- canonical values and checksums ------------------------------------------------------


def _canon(f: Any, value: Any) -> Any:
    if f.many_to_many:
        return sorted(int(getattr(v, "pk", v)) for v in value)
    if f.is_relation:
        pk = getattr(value, "pk", value)
        return None if pk is None else str(pk)
    if value is None:
        return None
    if isinstance(f, models.DecimalField):
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-f.decimal_places)))
    if isinstance(f, models.DateField | models.TimeField):
        return f.to_python(value).isoformat()
    if isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def canonical(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _canon(model._meta.get_field(name), v) for name, v in values.items()}


def state(obj: models.Model, names: list[str]) -> dict[str, Any]:
    """The current values of ``names`` of ``obj`` (read from the database), canonical."""
    out: dict[str, Any] = {}
    for name in names:
        f = obj._meta.get_field(name)
        if f.many_to_many:
            out[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        elif isinstance(f, models.ForeignKey):
            out[name] = _canon(f, getattr(obj, f.attname))
        else:
            out[name] = _canon(f, getattr(obj, name))
    return out


def checksum(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A located YAML value as plain JSON data."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def approval_rule_state(rule: ApprovalRule) -> dict[str, Any]:
    skip = {"id", "rule", "created_at", "updated_at", "version"}
    rule_fields = [
        f.name
        for f in ApprovalRule._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "version"}
    ]
    step_fields = [f.name for f in rule.steps.model._meta.concrete_fields if f.name not in skip]
    return {
        "rule": state(rule, rule_fields),
        "steps": [state(s, step_fields) for s in rule.steps.order_by("order", "pk")],
    }


# --- the loader --------------------------------------------------------------------------


class _Writer:
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
        if prefix in FIELD_SETS and set(fields) not in [set(f) for f in FIELD_SETS[prefix]]:
            raise AssertionError(f"FIELD_SETS[{prefix!r}] does not list the fields written")
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

    def org(self) -> None:
        for item in self.data.section("teams"):
            d = item.data
            dept = self._need_department(item)
            self.objects[("teams", item.key)] = self.upsert(
                item,
                f"team:{item.key}",
                Team,
                {"name": d["name"], "department": dept, "description": d.get("description", "")},
                lookup={"department": dept, "name": d["name"]},
            )
        for item in self.data.section("positions"):
            d = item.data
            dept = self._need_department(item)
            self.objects[("positions", item.key)] = self.upsert(
                item,
                f"position:{item.key}",
                Position,
                {
                    "name": d["name"],
                    "department": dept,
                    "responsibilities": d.get("responsibilities", ""),
                },
                lookup={"department": dept, "name": d["name"]},
            )
        for item in self.data.section("roles"):
            d = item.data
            perms = []
            for name in d.get("permissions", []):
                app, _sep, codename = name.partition(".")
                perms.append(Permission.objects.get(content_type__app_label=app, codename=codename))
            self.objects[("roles", item.key)] = self.upsert(
                item,
                f"role:{item.key}",
                Role,
                {
                    "code": d["code"],
                    "name": d["name"],
                    "description": d.get("description", ""),
                    "scope": d.get("scope", "own"),
                    "permissions": perms,
                },
                lookup={"code": d["code"]},
            )

    def regulations(self) -> None:
        for item in self.data.section("regulations"):
            d = item.data
            regulation = self.upsert(
                item,
                f"regulation:{item.key}",
                Regulation,
                {
                    "code": d["code"],
                    "title": d["title"],
                    "issuer": d.get("issuer", ""),
                    "description": d.get("description", ""),
                    "pack": self.data.name,
                },
                lookup={"code": d["code"]},
            )
            if regulation is None:
                continue
            label = d["version"]
            version = self.upsert(
                item,
                f"version:{item.key}@{label}",
                RegulationVersion,
                {
                    "regulation": regulation,
                    "label": label,
                    "review_interval_months": d.get("review_interval_months", 12),
                },
                lookup={"regulation": regulation, "label": label},
                names={"label": "version"},
            )
            if not isinstance(version, RegulationVersion):
                continue
            frozen = ""
            if version.status != "draft":
                frozen = _(
                    "the regulation's version %(version)s is no longer a draft; raise the version "
                    "in the pack to change its articles"
                ) % {"version": label}
            for position, article in enumerate(d["articles"], start=1):
                art_label = str(article["label"])
                reason = article.get("not_automatable", "")
                obj = self.upsert(
                    item,
                    f"article:{item.key}@{label}#{art_label}",
                    Article,
                    {
                        "version": version,
                        "label": art_label,
                        "position": position * 10,
                        "chapter": article.get("chapter", ""),
                        "text": article["text"],
                        "seed_line": article.get("seed_line"),
                        "summary": article.get("summary", ""),
                        "automatable": not reason,
                        "not_automatable_reason": reason,
                    },
                    lookup={"version": version, "label": art_label},
                    frozen=frozen,
                )
                if isinstance(obj, Article):
                    self.articles[(item.key, art_label)] = obj

    def _articles(self, item: Item) -> list[Article]:
        out = []
        for ref in item.data.get("articles") or []:
            article = self.articles.get(split_ref(str(ref)))
            if article is not None:
                out.append(article)
        return out

    def penalty_rules(self) -> None:
        for item in self.data.section("penalty_rules"):
            d = item.data
            rule = self.upsert(
                item,
                f"penalty_rule:{item.key}",
                PenaltyRule,
                {
                    "code": d["code"],
                    "name": d["name"],
                    "description": d.get("description", ""),
                    "articles": self._articles(item),
                    "pack": self.data.name,
                    "family": d.get("family", ""),
                    "period": d.get("period", "month"),
                    "appeal_days": d.get("appeal_days", 3),
                    "is_active": d.get("active", True),
                },
                lookup={"code": d["code"]},
            )
            if rule is None:
                continue
            self.objects[("penalty_rules", item.key)] = rule
            for step in d["steps"]:
                percent = step.get("percent")
                self.upsert(
                    item,
                    f"penalty_step:{item.key}#{step['offence']}",
                    PenaltyStep,
                    {
                        "rule": rule,
                        "offence": step["offence"],
                        "sanction": step["sanction"],
                        "amount": money(step.get("amount")),
                        "per_item": step.get("per_item", False),
                        "percent": None if percent in (None, "") else Decimal(str(percent)),
                        "alternative": step.get("alternative", ""),
                        "note": step.get("note", ""),
                    },
                    lookup={"rule": rule, "offence": step["offence"]},
                    names={"offence": "steps", "sanction": "steps", "amount": "steps"},
                )

    def acts_and_rewards(self) -> None:
        for item in self.data.section("prohibited_acts"):
            d = item.data
            rule = self.objects.get(("penalty_rules", d.get("penalty_rule", "")))
            self.objects[("prohibited_acts", item.key)] = self.upsert(
                item,
                f"prohibited_act:{item.key}",
                ProhibitedAct,
                {
                    "code": d["code"],
                    "name": d["name"],
                    "description": d.get("description", ""),
                    "articles": self._articles(item),
                    "penalty_rule": rule,
                    "pack": self.data.name,
                    "is_active": d.get("active", True),
                },
                lookup={"code": d["code"]},
            )
        for item in self.data.section("reward_rules"):
            d = item.data
            self.objects[("reward_rules", item.key)] = self.upsert(
                item,
                f"reward_rule:{item.key}",
                RewardRule,
                {
                    "code": d["code"],
                    "name": d["name"],
                    "description": d.get("description", ""),
                    "articles": self._articles(item),
                    "kind": d.get("kind", "commendation"),
                    "amount": money(d.get("amount")),
                    "pack": self.data.name,
                    "is_active": d.get("active", True),
                },
                lookup={"code": d["code"]},
            )

    def duties(self) -> None:
        for item in self.data.section("duties"):
            d = item.data
            a = d["assignee"]
            kind = a["kind"]
            who: dict[str, Any] = {
                "person": None,
                "position": None,
                "role": None,
                "team": None,
                "department": None,
            }
            if kind == "person":
                who["person"] = Person.objects.get(employee_no=a["person"])
            elif kind == "position":
                who["position"] = self.objects.get(("positions", a["position"]))
            elif kind == "team":
                who["team"] = self.objects.get(("teams", a["team"]))
            elif kind == "role":
                who["role"] = self.objects.get(("roles", a["role"])) or Role.objects.get(
                    code=a["role"]
                )
            elif kind == "department":
                code = a.get("department")
                who["department"] = (
                    Department.objects.get(code=code) if code else self._need_department(item)
                )
            evidence = d.get("evidence") or {"kind": "none"}
            record_type = None
            if evidence.get("kind") == "record":
                app, _sep, model = str(evidence["record"]).partition(".")
                record_type = ContentType.objects.get_by_natural_key(app, model.lower())
            reviewer = d.get("reviewer") or {"kind": ""}
            starts = parse_date(d.get("starts_on"))
            ends = parse_date(d.get("ends_on"))
            check = d.get("check") or {}
            values: dict[str, Any] = {
                "code": d["code"],
                "name": d["name"],
                "description": d.get("description", ""),
                "articles": self._articles(item),
                "pack": self.data.name,
                "assignee_kind": kind,
                "assignee_mode": a.get("mode", "each"),
                **who,
                "rrule": recurrence.validate(str(d["rrule"]), starts or self.today, ends),
                "ends_on": ends,
                "due_time": parse_time(str(d["due_time"])),
                "shift": d.get("shift", "next"),
                "grace_minutes": d.get("grace_minutes", 0),
                "horizon_days": d.get("horizon_days", 14),
                "evidence_kind": evidence.get("kind", "none"),
                "evidence_min": money(evidence.get("min")),
                "evidence_unit": evidence.get("unit", ""),
                "checklist": _plain(evidence.get("items", [])),
                "record_type": record_type,
                "check_code": check.get("code", ""),
                "check_params": _plain(check.get("params") or {}),
                "reviewer_kind": reviewer.get("kind", ""),
                "reviewer": Person.objects.get(employee_no=reviewer["person"])
                if reviewer.get("person")
                else None,
                "remind_before_minutes": d.get("remind_before_minutes", 60),
                "escalate_after_days": d.get("escalate_after_days", 1),
                "violation_on": d.get("violation_on", "missed"),
                "penalty_rule": self.objects.get(("penalty_rules", d.get("penalty_rule", ""))),
                "is_active": d.get("active", True),
            }
            create_only: dict[str, Any] = {}
            if starts is not None:
                values["starts_on"] = starts
            else:
                create_only["starts_on"] = self.today
            names = {
                "assignee_kind": "assignee", "assignee_mode": "assignee", "person": "assignee",
                "position": "assignee", "role": "assignee", "team": "assignee",
                "department": "assignee", "evidence_kind": "evidence", "evidence_min": "evidence",
                "evidence_unit": "evidence", "checklist": "evidence", "record_type": "evidence",
                "check_code": "check", "check_params": "check", "reviewer_kind": "reviewer",
            }  # fmt: skip
            self.objects[("duties", item.key)] = self.upsert(
                item,
                f"duty:{item.key}",
                Duty,
                values,
                lookup={"code": d["code"]},
                create_only=create_only,
                names=names,
            )

    def approval_rules(self) -> None:
        for item in self.data.section("approval_rules"):
            key = f"approval_rule:{item.key}"
            self.seen.add(key)
            spec = _plain({k: v for k, v in item.data.items() if k not in APPROVAL_EXTRA})
            pack_sum = checksum(spec)
            pi = self.existing.get(key)
            try:
                if pi is None:
                    rule = ApprovalRule.objects.filter(code=spec["code"]).first()
                    if rule is not None:
                        self._keep(
                            key,
                            rule,
                            _("the site already had it (same code or name); left as it is"),
                        )
                        self._record(key, rule, pack_sum, "", None, kept=True)
                    else:
                        rule = define_rule(spec, actor=self.actor)
                        self.report.created.append(key)
                        self._record(key, rule, pack_sum, checksum(approval_rule_state(rule)), None)
                    self.objects[("approval_rules", item.key)] = rule
                    continue
                rule = ApprovalRule.objects.filter(pk=pi.target_id).first()
                if rule is None:
                    self._keep(key, None, _("deleted on this site; not made again"))
                    continue
                self.objects[("approval_rules", item.key)] = rule
                edited = checksum(approval_rule_state(rule)) != pi.written_checksum
                if pack_sum == pi.checksum:
                    if edited:
                        self.report.edited.append(key)
                    else:
                        self.report.unchanged += 1
                    continue
                if edited:
                    self._keep(
                        key, rule, _("edited on this site; the pack's new version is not applied")
                    )
                    self._record(key, rule, pi.checksum, pi.written_checksum, pi, kept=True)
                    continue
                rule = define_rule(spec, actor=self.actor)
                self.report.updated.append(key)
                self._record(key, rule, pack_sum, checksum(approval_rule_state(rule)), pi)
                self.objects[("approval_rules", item.key)] = rule
            except ValidationError as exc:
                raise self._fail(item, exc) from exc

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

    def links(self) -> None:
        for section in ("teams", "positions", "roles", "approval_rules"):
            for item in self.data.section(section):
                target = self.objects.get((section, item.key))
                if target is None:
                    continue
                for ref in item.data.get("articles") or []:
                    article = self.articles.get(split_ref(str(ref)))
                    if article is not None:
                        self._link(
                            item,
                            f"link:{SECTION_PREFIX[section]}:{item.key}#{ref}",
                            article,
                            target,
                            "",
                        )
        for item in self.data.section("article_links"):
            d = item.data
            section = LINK_TARGETS[d["target"]]
            target = self.objects.get((section, d["target_key"]))
            article = self.articles.get(split_ref(d["article"]))
            if target is None or article is None:
                continue
            key = f"link:{d['article']}>{d['target']}:{d['target_key']}"
            self._link(item, key, article, target, d.get("note", ""))

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
                sums = {checksum(state(obj, list(names))) for names in FIELD_SETS.get(prefix, ())}
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


def _department(code: str | None, pack: Pack | None) -> Department | None:
    if code:
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            raise PackInvalid(
                [
                    PackError(
                        "--department", 0, _("no department has the code %(code)s") % {"code": code}
                    )
                ]
            )
        return dept
    remembered = (pack.report or {}).get("department") if pack is not None else None
    if remembered:
        return Department.objects.filter(code=remembered).first()
    return None


def load(name: str, *, department: str | None = None, actor: Any = None) -> LoadReport:
    """Validate the pack ``name`` and write it, in one transaction; ``PackInvalid`` (nothing
    written) when it does not validate or a service refuses a value. ``department``: the code
    of the department its org skeleton goes in (default: the one of the previous load)."""
    source = read(name)
    with transaction.atomic(), pack_loading():
        pack = Pack.objects.select_for_update().filter(name=name).first()
        dept = _department(department, pack)
        previous = (pack.report or {}).get("department") if pack is not None else None
        if pack is not None and dept is not None and previous and previous != dept.code:
            raise PackInvalid(
                [
                    PackError(
                        "--department",
                        0,
                        _("this pack was loaded into the department %(code)s; load it there again")
                        % {"code": previous},
                    )
                ]
            )
        data = validate_source(source, dept)
        report = LoadReport(
            pack=name,
            version=data.version,
            previous_version=pack.version if pack is not None else "",
            department=dept.code if dept is not None else "",
        )
        now = timezone.now()
        user = actor if getattr(actor, "is_authenticated", False) else None
        header = {"title": data.title, "version": data.version, "description": data.description}
        if pack is None:
            try:
                pack = service_for(Pack).create(
                    actor,
                    {"name": name, **header, "loaded_at": now, "loaded_by": user, "report": {}},
                    check=actor is not None,
                )
            except ValidationError as exc:  # another load of this pack made it meanwhile
                raise PackInvalid([PackError(data.header_file, 1, " ".join(exc.messages))]) from exc
        writer = _Writer(data, pack, dept, actor, report)
        writer.org()
        writer.regulations()
        writer.penalty_rules()
        writer.acts_and_rewards()
        writer.duties()
        writer.approval_rules()
        writer.links()
        writer.retire()
        header_changed = any(getattr(pack, k) != v for k, v in header.items())
        if report.changes or header_changed or not pack.report:
            service_for(Pack).update(
                actor,
                pack,
                {**header, "loaded_at": now, "loaded_by": user, "report": report.as_dict()},
                check=actor is not None,
            )
    return report


__all__ = ["FIELD_SETS", "LoadReport", "load"]
