"""Attendance (考勤): the clock system's file, previewed, then imported all-or-nothing, and
each day judged on the working calendar by the department's ``AttendanceRule``.

* ``preview_import`` — reads the file (``attendance_import``), matches every row's person
  (employee number, account, else a name unique among the people the importer may write),
  judges each day, and keeps the file as an ``AttendanceImport``: ``previewed`` when every
  row is good, else ``refused`` with every bad row named (unknown people, impossible times,
  bad dates, a day twice, a day still to come). Nothing else is written.
* ``confirm_import`` — reads the kept file again (the people may have changed meanwhile) and
  writes one ``AttendanceRecord`` per person per day in one transaction, or nothing.
* ``judge`` — a day off is ``rest``; a day of approved leave is ``leave`` (half a day: the
  clock is judged against the hours left); no clock in, or a clock in later than the rule's
  ``absent_after_minutes``, is ``absent``; later than the grace, ``late``; clocked out before
  the end (or not at all), ``early``. Lateness and absence without valid leave become
  violations (``duties.services.violations.record_violation``) by the rule's penalty rules —
  a leave that is ``invalid`` (asked by SMS, a note, through someone else) does not excuse.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.import_files import ImportFileError
from netdept.core.models.audit import AuditAction
from netdept.core.services import ModelService, register_service
from netdept.duties.models import ViolationSource
from netdept.duties.services.violations import record_violation
from netdept.org.models import Department, Person
from netdept.org.people import person_of as _person_of
from netdept.workcal.schedule import WorkSchedule
from netdept.worklog import attendance_import as reader
from netdept.worklog.models.leave import (
    AttendanceImport,
    AttendanceRecord,
    AttendanceRule,
    AttendanceStatus,
    ImportSource,
    ImportStatus,
    LeaveRequest,
    LeaveStatus,
)
from netdept.worklog.services.leave import schedule

WRITE: Final = "worklog.add_attendancerecord"
MAX_ERRORS_KEPT: Final = 500
ST = AttendanceStatus


@dataclass
class Verdict:
    status: str
    late_minutes: int = 0
    leave: LeaveRequest | None = None
    penalty_rule_id: int | None = None
    expected_start: dt.datetime | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return str(AttendanceStatus(self.status).label)


@dataclass
class Line:
    """One judged row of the file, for the preview and the import."""

    row: reader.Row
    person: Person
    clock_in: dt.datetime | None
    clock_out: dt.datetime | None
    verdict: Verdict


# --- the rules ----------------------------------------------------------------------------
class Rules:
    """The rule of each department (its own, else the site-wide one), read once."""

    def __init__(self, sched: WorkSchedule) -> None:
        self.sched = sched
        rules = list(AttendanceRule.objects.filter(is_active=True).order_by("pk"))
        self.by_department = {r.department_id: r for r in rules if r.department_id}
        self.default = next((r for r in rules if r.department_id is None), None)
        self._parents: dict[int, int | None] = dict(
            Department.objects.values_list("pk", "parent_id")
        )

    def of(self, person: Person) -> AttendanceRule | None:
        dept: int | None = person.department_id
        seen: set[int] = set()
        while dept is not None and dept not in seen:
            seen.add(dept)
            if dept in self.by_department:
                return self.by_department[dept]
            dept = self._parents.get(dept)
        return self.default

    def hours(self, rule: AttendanceRule | None, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The start and end of ``day``'s work: the rule's, else the calendar's periods."""
        tz = self.sched.tz
        if rule is not None:
            return (
                dt.datetime.combine(day, rule.work_starts, tzinfo=tz),
                dt.datetime.combine(day, rule.work_ends, tzinfo=tz),
            )
        spans, _total = self.sched.spans(day)
        if spans:
            return spans[0][0], spans[-1][1]
        return (
            dt.datetime.combine(day, dt.time(9), tzinfo=tz),
            dt.datetime.combine(day, dt.time(17), tzinfo=tz),
        )


def _leaves(
    person_ids: Iterable[int], first: dt.date, last: dt.date, sched: WorkSchedule
) -> dict[int, list[LeaveRequest]]:
    tz = sched.tz
    out: dict[int, list[LeaveRequest]] = defaultdict(list)
    for leave in (
        LeaveRequest.objects.filter(
            person_id__in=list(person_ids),
            status__in=(LeaveStatus.APPROVED, LeaveStatus.INVALID),
            starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz),
            ends_at__gt=dt.datetime.combine(first, dt.time.min, tz),
        )
        .select_related("leave_type")
        .order_by("starts_at")
    ):
        out[leave.person_id].append(leave)
    return out


def judge(
    person: Person,
    day: dt.date,
    clock_in: dt.datetime | None,
    clock_out: dt.datetime | None,
    rules: Rules,
    leaves: list[LeaveRequest],
) -> Verdict:
    """What the working calendar, the rule and the person's leave make of one day's clock."""
    sched = rules.sched
    if not sched.is_working_day(day):
        return Verdict(ST.REST)
    rule = rules.of(person)
    start, end = rules.hours(rule, day)
    approved = [lv for lv in leaves if lv.status == LeaveStatus.APPROVED]
    invalid = [lv for lv in leaves if lv.status == LeaveStatus.INVALID]
    leave = None
    for lv in approved:
        if lv.starts_at <= start < lv.ends_at:
            leave, start = lv, lv.ends_at
        if lv.starts_at < end <= lv.ends_at:
            leave, end = lv, lv.starts_at
    if leave is not None and start >= end:
        return Verdict(ST.ON_LEAVE, leave=leave)
    note = ""
    for lv in invalid:
        if lv.starts_at < end and lv.ends_at > start:
            leave = lv
            note = _("The leave does not count: %(reason)s") % {"reason": lv.invalid_reason}
            break
    grace = rule.late_grace_minutes if rule is not None else 0
    absent_after = rule.absent_after_minutes if rule is not None else 240
    absence_rule = rule.absence_penalty_rule_id if rule is not None else None
    late_rule = rule.late_penalty_rule_id if rule is not None else None
    if clock_in is None:
        return Verdict(ST.ABSENT, 0, leave, absence_rule, start, note)
    late = max(0, math.ceil((clock_in - start).total_seconds() / 60))
    if late > absent_after:
        return Verdict(ST.ABSENT, late, leave, absence_rule, start, note)
    if late > grace:
        return Verdict(ST.LATE, late, leave, late_rule, start, note)
    if clock_out is None or clock_out < end:
        return Verdict(ST.EARLY, 0, leave, None, start, note)
    return Verdict(ST.NORMAL, 0, leave, None, start, note)


# --- reading and matching -----------------------------------------------------------------
def _people(user: Any) -> Any:
    qs = Person.objects.filter(is_active=True)
    if user is None:
        return qs
    return permissions.restrict(qs, user, WRITE)


def _match(rows: list[reader.Row], user: Any, errors: list[dict[str, Any]]) -> dict[int, Person]:
    """Each row's person (by the row's line), or a problem naming the row."""
    allowed = _people(user).select_related("department")
    numbers = {r.employee_no for r in rows if r.employee_no} | {
        r.account for r in rows if r.account
    }
    by_no = {p.employee_no: p for p in allowed.filter(employee_no__in=numbers)}
    by_user = {
        p.user.username: p
        for p in allowed.filter(
            user__username__in={r.account for r in rows if r.account}
        ).select_related("user")
        if p.user is not None
    }
    names = {r.name for r in rows if r.name}
    by_name: dict[str, list[Person]] = defaultdict(list)
    for p in allowed.filter(name__in=names):
        by_name[p.name].append(p)
    out: dict[int, Person] = {}
    for r in rows:
        person = (
            by_no.get(r.employee_no)
            or by_no.get(r.account)
            or by_user.get(r.account)
        )  # fmt: skip
        if person is None and r.name and not r.employee_no:
            found = by_name.get(r.name, [])
            if len(found) > 1:
                errors.append(reader.problem(r.line, "name", _(
                    "Row %(row)s: more than one person is called %(name)s; add the employee "
                    "number."
                ) % {"row": r.line, "name": r.name}))  # fmt: skip
                continue
            person = found[0] if found else None
        if person is None:
            errors.append(reader.problem(r.line, "name", _(
                "Row %(row)s: %(who)s is not a person you may record attendance of (unknown "
                "name or employee number, inactive, or outside your scope)."
            ) % {"row": r.line, "who": r.who or "?"}))  # fmt: skip
            continue
        out[r.line] = person
    return out


def _aware(value: dt.datetime | None, sched: WorkSchedule) -> dt.datetime | None:
    return value.replace(tzinfo=sched.tz) if value is not None else None


def read(
    upload: IO[bytes], name: str, user: Any, *, now: dt.datetime | None = None
) -> tuple[list[Line], list[dict[str, Any]], str]:
    """The judged lines of a file and its problems (none judged when there is one)."""
    now = now or timezone.now()
    sched = schedule()
    try:
        parsed = reader.parse(upload, name)
    except ImportFileError as exc:
        return [], [reader.problem(0, "file", exc.message)], ""
    errors = list(parsed.errors)
    today = sched.local_date(now)
    rows = []
    for r in parsed.rows:
        if r.day > today:
            errors.append(reader.problem(r.line, "day", _(
                "Row %(row)s: %(day)s has not come yet."
            ) % {"row": r.line, "day": r.day.isoformat()}))  # fmt: skip
            continue
        rows.append(r)
    people = _match(rows, user, errors)
    seen: dict[tuple[int, dt.date], int] = {}
    for r in rows:
        person = people.get(r.line)
        if person is None:
            continue
        other = seen.setdefault((person.pk, r.day), r.line)
        if other != r.line:
            errors.append(
                reader.problem(
                    r.line,
                    "day",
                    _("Row %(row)s: %(who)s has %(day)s twice (also row %(other)s).")
                    % {"row": r.line, "who": person.name, "day": r.day.isoformat(), "other": other},
                )
            )
    if errors:  # fmt: skip
        errors.sort(key=lambda e: (e["row"], e["field"]))
        return [], errors, parsed.layout
    lines: list[Line] = []
    if rows:
        first, last = min(r.day for r in rows), max(r.day for r in rows)
        sched.load(first, last)
        rules = Rules(sched)
        leaves = _leaves({p.pk for p in people.values()}, first, last, sched)
        for r in rows:
            person = people[r.line]
            cin, cout = _aware(r.clock_in, sched), _aware(r.clock_out, sched)
            day_leaves = [
                lv
                for lv in leaves.get(person.pk, [])
                if sched.local_date(lv.starts_at) <= r.day <= sched.local_date(lv.ends_at)
            ]
            lines.append(Line(r, person, cin, cout, judge(person, r.day, cin, cout, rules,
                                                          day_leaves)))  # fmt: skip
    return lines, errors, parsed.layout


# --- preview and import ---------------------------------------------------------------------


def _require(user: Any, department: Department) -> None:
    if user is None:
        return
    scope = permissions.scope_of(user, WRITE)
    me = _person_of(user)
    if (
        scope is None
        or scope == permissions.OWN
        or (scope != permissions.ALL and (me is None or me.department_id != department.pk))
    ):
        audit.record(AuditAction.DENIED, None, actor=user, extra={"permission": WRITE},
                     object_type_label="worklog.attendanceimport")  # fmt: skip
        raise PermissionDenied(_("You may not import attendance."))


def preview_import(
    user: Any,
    *,
    upload: IO[bytes],
    file_name: str,
    source: str,
    department: Department,
    now: dt.datetime | None = None,
) -> tuple[AttendanceImport, list[Line]]:
    """Keep the file and say what importing it would do (see the module)."""
    if source not in ImportSource.values:
        raise ValidationError({"source": _("Choose where the file comes from.")})
    if not isinstance(department, Department):
        raise ValidationError({"department": _("Choose the department.")})
    _require(user, department)
    file_name = (file_name or "attendance").replace("\\", "/").rsplit("/", 1)[-1][:200]
    data = upload.read(reader.MAX_BYTES + 1)
    if len(data) > reader.MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is too large; the limit is %(limit)s MB.")
             % {"limit": reader.MAX_BYTES // 1024 // 1024}}
        )  # fmt: skip
    lines, errors, _layout = read(io.BytesIO(data), file_name, user, now=now)
    days = [ln.row.day for ln in lines]
    with transaction.atomic():
        imp = AttendanceImport(
            source=source,
            file_name=file_name,
            department=department,
            imported_by=_person_of(user),
            status=ImportStatus.REFUSED if errors else ImportStatus.PREVIEWED,
            first_day=min(days) if days else None,
            last_day=max(days) if days else None,
            rows=len(lines),
            errors=errors[:MAX_ERRORS_KEPT],
        )
        imp.file.save(file_name, ContentFile(data), save=False)
        imp.full_clean()
        imp.save()
        audit.record(AuditAction.CREATE, imp, actor=user,
                     extra={"worklog": "attendance_preview", "rows": len(lines),
                            "problems": len(errors)})  # fmt: skip
    return imp, lines


def preview_lines(user: Any, imp: AttendanceImport) -> tuple[list[Line], list[dict[str, Any]]]:
    """The kept file judged again (the preview page)."""
    with imp.file.open("rb") as fh:
        lines, errors, _layout = read(fh, imp.file_name, user)
    return lines, errors


def confirm_import(user: Any, imp: AttendanceImport) -> AttendanceImport:
    """Write the previewed file's records, all or nothing (see the module)."""
    _require(user, imp.department)
    with transaction.atomic():
        imp = AttendanceImport.objects.select_for_update().get(pk=imp.pk)
        if imp.status != ImportStatus.PREVIEWED:
            raise ValidationError(
                {"status": _("This file is %(status)s: only a previewed file can be imported.")
                 % {"status": imp.get_status_display()}}
            )  # fmt: skip
        lines, errors = preview_lines(user, imp)
        if errors:
            imp.status, imp.errors = ImportStatus.REFUSED, errors[:MAX_ERRORS_KEPT]
            imp.save(update_fields=["status", "errors", "updated_at"])
            audit.record(
                AuditAction.UPDATE,
                imp,
                actor=user,
                changes={"status": [ImportStatus.PREVIEWED.value, imp.status]},
            )
            return imp  # fmt: skip
        written = write_records(user, imp, lines)
        imp.status, imp.imported_at, imp.rows = ImportStatus.IMPORTED, timezone.now(), written
        imp.save(update_fields=["status", "imported_at", "rows", "updated_at"])
        audit.record(AuditAction.UPDATE, imp, actor=user,
                     changes={"status": [ImportStatus.PREVIEWED.value, imp.status]},
                     extra={"worklog": "attendance_import", "rows": written})  # fmt: skip
    return imp


def write_records(user: Any, imp: AttendanceImport | None, lines: list[Line]) -> int:
    """One record per line (an earlier one of the person's day is replaced), its violation
    by rule — inside the caller's transaction."""
    existing = {
        (r.person_id, r.day): r
        for r in AttendanceRecord.objects.select_for_update().filter(
            person_id__in={ln.person.pk for ln in lines},
            day__in={ln.row.day for ln in lines},
        )
    }
    by = _person_of(user)
    for ln in lines:
        v = ln.verdict
        rec = existing.get((ln.person.pk, ln.row.day)) or AttendanceRecord(
            person=ln.person, day=ln.row.day
        )
        creating = rec.pk is None
        before = {} if creating else audit.snapshot(rec)
        rec.clock_in, rec.clock_out = ln.clock_in, ln.clock_out
        rec.status, rec.late_minutes, rec.leave = v.status, v.late_minutes, v.leave
        rec.source_import = imp
        rec.save()
        if v.penalty_rule_id is not None and rec.violation_id is None:
            rec.violation = _violation(ln, rec, v, by)
            rec.save(update_fields=["violation", "updated_at"])
        after = audit.snapshot(rec)
        changes = (
            {k: [None, val] for k, val in after.items()} if creating else audit.diff(before, after)
        )
        if changes:
            audit.record(AuditAction.CREATE if creating else AuditAction.UPDATE, rec,
                         actor=user, changes=changes)  # fmt: skip
    return len(lines)


def _violation(ln: Line, rec: AttendanceRecord, v: Verdict, by: Person | None) -> Any:
    from netdept.duties.models import PenaltyRule

    rule = (
        PenaltyRule.objects.filter(pk=v.penalty_rule_id).first()
        if v.penalty_rule_id is not None
        else None
    )
    if v.status == ST.LATE:
        text = _("Late %(minutes)s minutes on %(day)s.") % {
            "minutes": v.late_minutes, "day": rec.day.isoformat()}  # fmt: skip
    else:
        text = _("Absent without valid leave on %(day)s.") % {"day": rec.day.isoformat()}
    if v.note:
        text = f"{text} {v.note}"
    return record_violation(
        ln.person,
        ViolationSource.ATTENDANCE,
        penalty_rule=rule,
        record=rec,
        occurred_at=v.expected_start or timezone.now(),
        description=text[:1000],
        by=None,  # by rule: the system records it, whoever imported the file
    )


# --- configuration -------------------------------------------------------------------------
class AttendanceRuleService(ModelService[AttendanceRule]):
    """Rules: work ends after it starts; one active rule per department (and one site-wide)."""

    model = AttendanceRule

    def before_save(
        self, actor: Any, obj: AttendanceRule, data: Mapping[str, Any], creating: bool
    ) -> None:
        if obj.work_starts and obj.work_ends and obj.work_ends <= obj.work_starts:
            raise ValidationError({"work_ends": _("Work must end after it starts.")})
        if obj.is_active:
            clash = AttendanceRule.objects.filter(is_active=True)
            if obj.department_id is None:
                clash = clash.filter(department__isnull=True)
            else:
                clash = clash.filter(department_id=obj.department_id)
            if obj.pk is not None:
                clash = clash.exclude(pk=obj.pk)
            if clash.exists():
                raise ValidationError(
                    {"department": _("%(department)s already has an active attendance rule.")
                     % {"department": obj.department or _("The whole site")}}
                )  # fmt: skip


register_service(AttendanceRule, AttendanceRuleService())


def record_day(
    user: Any,
    person: Person,
    day: dt.date,
    clock_in: dt.datetime | None = None,
    clock_out: dt.datetime | None = None,
) -> AttendanceRecord:
    """One person's day without a file (a correction, a pack's walk, a test): judged like an
    imported row and written with its violation by rule. ``user`` None: the system."""
    if user is not None:
        _require(user, person.department)
        if not _people(user).filter(pk=person.pk).exists():
            raise PermissionDenied(_("You may not record attendance of this person."))
    for name, value in (("clock_in", clock_in), ("clock_out", clock_out)):
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: _("Give the time with its time zone.")})
    sched = schedule()
    if day > sched.local_date(timezone.now()):
        raise ValidationError({"day": _("%(day)s has not come yet.") % {"day": day.isoformat()}})
    rules = Rules(sched)
    leaves = _leaves({person.pk}, day, day, sched).get(person.pk, [])
    verdict = judge(person, day, clock_in, clock_out, rules, leaves)
    row = reader.Row(0, person.employee_no, "", person.name, day, None, None)
    with transaction.atomic():
        write_records(user, None, [Line(row, person, clock_in, clock_out, verdict)])
    return AttendanceRecord.objects.get(person=person, day=day)
