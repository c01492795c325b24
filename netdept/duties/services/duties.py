"""Duty configuration: the rules a duty must keep, and what a change does to its occurrences.

``DutyService`` (the Page's service: the form, the API and packs all go through it) refuses,
naming the field: an assignee that names nobody (no person, or a position, role, team or
department no active person belongs to); a recurrence that is not one RRULE of days or never
fires (``recurrence.validate``; with ``shift=skip``, one whose days never fall on a working
day); evidence settings that do not fit its kind (a record needs the kind of record, a
checklist needs items, a number's least value is not negative); a self-check no module
declared, or parameters it does not take; a named reviewer missing.

A change of what makes the occurrences (the recurrence, time, grace, assignee, evidence,
reviewer, check) bumps ``version`` and makes the untouched future occurrences again under the
new version from that instant (``rule_from``); past and touched ones stay as they were. A new
duty is materialised at once, in the same transaction. A duty with occurrences that are due or
done cannot be deleted (deactivate it: its history stays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core.services import ModelService
from netdept.duties import checks, records, recurrence
from netdept.duties.models import (
    AssigneeKind,
    Duty,
    EvidenceKind,
    Occurrence,
    ReviewerKind,
)
from netdept.duties.packs.source import loading_pack
from netdept.duties.services import engine

#: the fields whose change makes the future occurrences again
RULE_FIELDS: Final = (
    "rrule", "starts_on", "ends_on", "due_time", "shift", "grace_minutes", "assignee_kind",
    "assignee_mode", "person_id", "position_id", "role_id", "team_id", "department_id",
    "evidence_kind", "evidence_min", "evidence_unit", "checklist", "record_type_id",
    "check_code", "check_params", "reviewer_kind", "reviewer_id", "remind_before_minutes",
    "escalate_after_days",
)  # fmt: skip
#: the field naming the assignee, by kind
ASSIGNEE_FIELD: Final = {
    AssigneeKind.PERSON: "person",
    AssigneeKind.POSITION: "position",
    AssigneeKind.ROLE: "role",
    AssigneeKind.TEAM: "team",
    AssigneeKind.DEPARTMENT: "department",
}
MAX_CHECKLIST_ITEMS: Final = 50
MAX_CHECKLIST_ITEM: Final = 200
#: a rule with ``shift=skip`` must fall on a working day within this many days
SKIP_FIRES_WITHIN_DAYS: Final = 3 * 366


def _rule_state(duty: Duty) -> tuple[Any, ...]:
    return tuple(getattr(duty, name) for name in RULE_FIELDS)


class DutyService(ModelService[Duty]):
    model = Duty

    def before_save(self, actor: Any, obj: Duty, data: Mapping[str, Any], creating: bool) -> None:
        errors: dict[str, list[str]] = {}

        def refuse(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        self._check_assignee(obj, refuse)
        self._check_when(obj, refuse, errors)
        self._check_evidence(obj, refuse)
        self._check_self_check(obj, refuse)
        if obj.reviewer_kind == ReviewerKind.PERSON:
            if obj.reviewer_id is None:
                refuse("reviewer", _("Choose the person who reviews."))
        else:
            obj.reviewer = None
        if errors:
            raise ValidationError(errors)
        if creating:
            return
        before = Duty.objects.filter(pk=obj.pk).first()
        if before is not None and _rule_state(before) != _rule_state(obj):
            obj.version = before.version + 1
            obj.rule_from = timezone.now()
            obj._duty_rule_changed = True  # type: ignore[attr-defined]  # read by after_save

    # --- the checks -----------------------------------------------------------------------
    @staticmethod
    def _check_assignee(obj: Duty, refuse: Any) -> None:
        kind = obj.assignee_kind
        name = ASSIGNEE_FIELD.get(AssigneeKind(kind)) if kind in AssigneeKind.values else None
        if name is None:
            refuse("assignee_kind", _("Choose who the duty is assigned to."))
            return
        # only the field of the kind counts; the others are cleared
        for other in ASSIGNEE_FIELD.values():
            if other != name:
                setattr(obj, other, None)
        if getattr(obj, f"{name}_id") is None:
            refuse(name, _("Choose who the duty is assigned to: this field is required."))
            return
        # a pack makes its positions and teams in the same load as the duties given to them:
        # empty then, they are filled by the site afterwards
        if not engine.candidates(obj) and not loading_pack():
            refuse(
                name, _("Nobody active is assigned by this choice: the duty would go to nobody.")
            )

    @staticmethod
    def _check_when(obj: Duty, refuse: Any, errors: dict[str, list[str]]) -> None:
        if obj.starts_on is None:
            refuse("starts_on", _("Enter the day the duty starts."))
            return
        try:
            obj.rrule = recurrence.validate(obj.rrule or "", obj.starts_on, obj.ends_on)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return
        if obj.shift == "skip" and obj.due_time is not None:
            last = obj.starts_on + dt.timedelta(days=SKIP_FIRES_WITHIN_DAYS)
            if obj.ends_on is not None:
                last = min(last, obj.ends_on)
            if not recurrence.due_days(obj, obj.starts_on, last, engine.work_schedule()):
                refuse(
                    "rrule",
                    _(
                        "This recurrence never falls on a working day, and days off are "
                        "dropped: it never fires."
                    ),
                )

    @staticmethod
    def _check_evidence(obj: Duty, refuse: Any) -> None:
        kind = obj.evidence_kind
        if kind != EvidenceKind.NUMBER:
            obj.evidence_min = None
            obj.evidence_unit = ""
        elif obj.evidence_min is not None and obj.evidence_min < 0:
            refuse("evidence_min", _("The least number cannot be negative."))
        if kind == EvidenceKind.RECORD:
            if obj.record_type_id is None:
                refuse("record_type", _("Choose the kind of record that is the evidence."))
            elif not records.record_types().filter(pk=obj.record_type_id).exists():
                refuse("record_type", _("Choose a kind of record NetDept keeps as work."))
        else:
            obj.record_type = None
        if kind == EvidenceKind.CHECKLIST:
            items = obj.checklist
            if not isinstance(items, list) or not items:
                refuse("checklist", _("A checklist needs at least one item."))
            elif len(items) > MAX_CHECKLIST_ITEMS:
                refuse("checklist", _("A checklist holds at most 50 items."))
            elif any(not isinstance(i, str) or not i.strip() for i in items):
                refuse("checklist", _("Every checklist item must be a non-empty text."))
            elif any(len(i) > MAX_CHECKLIST_ITEM for i in items):
                refuse("checklist", _("A checklist item holds at most 200 characters."))
            else:
                obj.checklist = [i.strip() for i in items]
        else:
            obj.checklist = []

    @staticmethod
    def _check_self_check(obj: Duty, refuse: Any) -> None:
        if obj.check_params is None or obj.check_params == "":
            obj.check_params = {}
        if not isinstance(obj.check_params, dict):
            refuse("check_params", _("The check parameters must be an object (name: value)."))
            return
        if not obj.check_code:
            obj.check_params = {}
            return
        check = checks.get(obj.check_code)
        if check is None:
            refuse("check_code", _("No module declares this check."))
            return
        bad = check.check_params(obj.check_params)
        if bad:
            refuse(
                "check_params",
                _("This check does not take these parameters: %(names)s")
                % {"names": ", ".join(sorted(bad))},
            )

    # --- after saving ---------------------------------------------------------------------
    def after_save(self, actor: Any, obj: Duty, data: Mapping[str, Any], creating: bool) -> None:
        changed = bool(getattr(obj, "_duty_rule_changed", False))
        obj._duty_rule_changed = False  # type: ignore[attr-defined]  # set by before_save
        if changed or not obj.is_active:
            engine.rematerialise(obj)
        elif obj.is_active:
            engine.materialise(duties=[obj])

    def before_delete(self, actor: Any, obj: Duty) -> None:
        now = timezone.now()
        kept = Occurrence.objects.filter(duty=obj).exclude(
            pk__in=engine.untouched_future(obj, now).values("pk")
        )
        if kept.exists():
            raise ValidationError(
                _(
                    "This duty has occurrences that are due or done: deactivate it instead, "
                    "so that its history stays."
                )
            )


__all__ = ["RULE_FIELDS", "DutyService"]
