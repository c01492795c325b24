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

The base writer (``writer``: ``upsert``, bookkeeping, retirement) and what it remembers
(``state``: checksums, field sets, the report) are their own modules; the sections other
modules add (``sections``) are written after the approval rules, so they may refer to
anything the pack made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.approvals.define import define_rule
from netdept.approvals.models import ApprovalRule
from netdept.core.services import service_for
from netdept.duties import recurrence
from netdept.duties.models import (
    Article,
    Duty,
    Pack,
    PenaltyRule,
    PenaltyStep,
    ProhibitedAct,
    Regulation,
    RegulationVersion,
    RewardRule,
)
from netdept.duties.packs.sections import all_sections
from netdept.duties.packs.source import PackError, PackInvalid, pack_loading, read
from netdept.duties.packs.state import (
    FIELD_SETS,
    SECTION_PREFIX,
    LoadReport,
    approval_rule_state,
    checksum,
    plain,
)
from netdept.duties.packs.validate import (
    APPROVAL_EXTRA,
    link_targets,
    money,
    parse_date,
    parse_time,
    split_ref,
    validate_source,
)
from netdept.duties.packs.writer import Writer
from netdept.org.models import Department, Person, Position, Role, Team


class _Writer(Writer):
    """The built-in sections, in the order they are written."""

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
                "checklist": plain(evidence.get("items", [])),
                "record_type": record_type,
                "check_code": check.get("code", ""),
                "check_params": plain(check.get("params") or {}),
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
            spec = plain({k: v for k, v in item.data.items() if k not in APPROVAL_EXTRA})
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
            section = link_targets()[d["target"]]
            target = self.objects.get((section, d["target_key"]))
            article = self.articles.get(split_ref(d["article"]))
            if target is None or article is None:
                continue
            key = f"link:{d['article']}>{d['target']}:{d['target_key']}"
            self._link(item, key, article, target, d.get("note", ""))

    def sections(self) -> None:
        """The sections other modules registered (``sections.register_section``): each item
        written by its section, its articles linked to what it made."""
        for section in all_sections():
            for item in self.data.section(section.name):
                obj = section.write(self, item)
                self.objects[(section.name, item.key)] = obj
                if obj is not None:
                    self.link_articles(item, f"{section.prefix}:{item.key}", obj)


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
        writer.sections()
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
